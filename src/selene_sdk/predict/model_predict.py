"""``AnalyzeSequences``: Selene's prediction interface, a thin façade over the file shell
(:mod:`selene_sdk.predict.files`): predictions for sequences, FASTA and BED files, variant
effects of VCF files, in silico mutagenesis and attribution, all through one
:class:`~selene_sdk.forward.Engine`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from selene_sdk import distributed
from selene_sdk.constants import ISM_COLS, VARIANTEFFECT_COLS
from selene_sdk.forward import Engine, ForwardPath, resolve_device
from selene_sdk.io.fasta_records import count_fasta_records
from selene_sdk.models.loading import load_trained_weights
from selene_sdk.predict.files import attribution as _attr
from selene_sdk.predict.files import mutagenesis as _ism
from selene_sdk.predict.files import predictions as _seq
from selene_sdk.predict.files import shards as _shards
from selene_sdk.predict.files import variants as _vep
from selene_sdk.predict.inputs import analysis_alphabet, is_fasta_path, require_genome, window_radii
from selene_sdk.predict.mutations import (
    in_silico_mutagenesis_sequences,
    ism_sample_id,
    mutate_sequence,
)
from selene_sdk.sequences import Genome
from selene_sdk.utils.features import load_features_list

__all__ = [
    "ISM_COLS",
    "VARIANTEFFECT_COLS",
    "AnalyzeSequences",
    "in_silico_mutagenesis_sequences",
    "mutate_sequence",
]


class AnalyzeSequences:
    """Predictions, variant effects and in silico mutagenesis with a trained model.

    Parameters
    ----------
    model
        The model (an ``nn.Module`` instance; wrappers such as ``NonStrandSpecific`` are
        used as given). It is put in evaluation mode on the device only while an operation
        runs, and handed back in its own modes, on its own device.
    trained_model_path
        Weights: a checkpoint/state-dict path, or a list of paths (one per sub-model of a
        ``MultiModelWrapper``). ``None`` keeps the model's current weights.
    sequence_length
        Input length ``L`` of the model.
    features
        Names of the model's outputs, in order (or the path of a one-per-line list). Its
        length must equal the model's output width (checked with one forward pass).
    batch_size
        Sequences per forward pass.
    use_cuda, data_parallel
        Run on the GPU; spread batches over several GPUs.
    reference_sequence
        A :class:`~selene_sdk.sequences.Genome` instance (needed for VCF and BED inputs), or
        the ``Genome`` class (enough for FASTA inputs and ISM); or the
        :class:`~selene_sdk.sequences.Proteome` class or an instance, for protein models.
        Inputs are encoded with its alphabet (a genome's ``bases_order``, the 20 amino
        acids of a proteome).
    write_mem_limit
        Memory budget in MB for results waiting to be written (an upper bound: results
        stream to temporary files in chunks of at most 8 MB).
    device
        Explicit device (overrides ``use_cuda``), e.g. ``"cuda:1"``.
    background
        Prepare batches and write results in background threads while the model runs.
        ``None`` (default) decides: yes on a GPU, or when torch leaves CPU cores unused
        (``torch.get_num_threads()`` below the cores available); no when the model already
        uses every core, where extra threads only compete with it. Results are the same
        either way.
    precision
        ``32`` (default), ``bf16`` or ``fp16``: mixed precision (autocast) for the forward
        pass; results stay float32.
    compile
        Run the model through ``torch.compile`` (a clear error if it cannot be compiled).
    """

    def __init__(
        self,
        model: nn.Module,
        trained_model_path: str | os.PathLike | Sequence[str] | None,
        sequence_length: int,
        features: Sequence[str] | str | os.PathLike,
        batch_size: int = 64,
        use_cuda: bool = False,
        data_parallel: bool = False,
        reference_sequence: Any = Genome,
        write_mem_limit: float = 1500,
        *,
        device: str | torch.device | None = None,
        background: bool | None = None,
        precision: str | int = 32,
        compile: bool = False,
    ):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module instance, got {type(model).__name__}")
        if isinstance(sequence_length, bool) or not isinstance(sequence_length, int):
            raise ValueError(f"sequence_length must be an integer, got {sequence_length!r}")
        if sequence_length < 1:
            raise ValueError(f"sequence_length must be >= 1, got {sequence_length}")
        if isinstance(features, str | os.PathLike):
            features = load_features_list(features)
        self.features = list(features)
        if not self.features:
            raise ValueError("features is empty: give the names of the model's outputs")
        if float(write_mem_limit) <= 0:
            raise ValueError(f"write_mem_limit must be > 0 (MB), got {write_mem_limit}")
        load_trained_weights(model, trained_model_path)
        self.model = model
        self.trained_model_path = trained_model_path
        self.sequence_length = sequence_length
        self.batch_size = batch_size
        self.use_cuda = use_cuda
        self.data_parallel = data_parallel
        self.write_mem_limit = write_mem_limit
        self.background = background
        if isinstance(reference_sequence, str | os.PathLike):
            reference_sequence = Genome(reference_sequence)
        self.reference_sequence = reference_sequence
        self._start_radius, self._end_radius = window_radii(sequence_length)
        path = ForwardPath(
            model,
            resolve_device(device, use_cuda) or "cpu",
            data_parallel=data_parallel,
            precision=precision,
            compile=compile,
        )
        #: the engine every analysis runs through (its alphabet: that of reference_sequence)
        self.engine = Engine(path, analysis_alphabet(reference_sequence, path.lua), batch_size)
        width = self.engine.output_width(sequence_length)
        if width != len(self.features):
            raise ValueError(
                f"the model returns {width} values per sequence but features lists "
                f"{len(self.features)} names; they must match (check the features file and "
                "the model's class_args)"
            )

    # -- sequence predictions -----------------------------------------------------------------
    def get_predictions(
        self,
        input_path: str,
        output_dir: str | os.PathLike | None = None,
        output_format: str = "tsv",
        strand_index: int | None = None,
    ) -> np.ndarray | None:
        """Predictions for a sequence string (``output_dir=None``: returns ``(1, F)``), or
        for a FASTA (``.fa``/``.fasta``/``.fna``, optionally ``.gz``) or BED file (anything
        else), written to ``<output_dir>/<input name>_predictions.{tsv,h5}``.

        Parameters
        ----------
        input_path
            A sequence string (when ``output_dir`` is None), or the path of a FASTA file
            (one prediction per record) or a BED file (one per interval: the window of
            ``sequence_length`` centred on it, read from ``reference_sequence``).
        output_dir
            Directory of the output files (created). None: ``input_path`` is a sequence and
            its predictions are returned instead of written.
        output_format
            ``"tsv"`` or ``"hdf5"`` (``.h5`` plus ``<input name>_row_labels.txt``).
        strand_index
            BED only: 0-based column holding the strand; ``-`` predicts the reverse
            complement. None: every interval is read on the ``+`` strand.
        """
        if output_dir is None:
            if os.path.isfile(os.fspath(input_path)):
                raise ValueError(
                    f"{input_path} is a file: give output_dir to write its predictions"
                )
            return _seq.predict_sequence(self.engine, str(input_path), self.sequence_length)
        if is_fasta_path(input_path):
            self.get_predictions_for_fasta_file(input_path, output_dir, output_format)
        else:
            self.get_predictions_for_bed_file(input_path, output_dir, output_format, strand_index)
        return None

    def _in_shards(self, input_path, output_dir, units: str, work, **settings: Any) -> Any:
        """``work(share, directory)`` through :func:`~selene_sdk.predict.files.shards.
        run_in_shards`: a share of the input's FASTA ``records`` or text ``lines`` per rank
        under torchrun; ``settings`` (and the features) decide whether a finished shard of
        an earlier run can be kept."""
        input_path = os.fspath(input_path)
        if units == "records":
            count = lambda: count_fasta_records(input_path)  # noqa: E731
        else:
            count = lambda: _shards.count_lines(input_path)  # noqa: E731
        save_data = settings.get("save_data")
        if save_data is not None and not isinstance(save_data, str):
            settings["save_data"] = sorted(save_data)
        settings["features"] = self.features
        return _shards.run_in_shards(input_path, os.fspath(output_dir), count, work, settings)

    def get_predictions_for_fasta_file(
        self, input_path: str, output_dir: str | os.PathLike, output_format: str = "tsv"
    ) -> None:
        """Predict each FASTA record (padded with N / centre-truncated to the model length)."""

        def work(part: range | None, directory: str) -> Any:
            return _seq.predict_fasta(
                self.engine,
                input_path,
                self.features,
                self.sequence_length,
                directory,
                output_format,
                self.write_mem_limit,
                self.background,
                part=part,
            )

        self._in_shards(input_path, output_dir, "records", work, op="predict_fasta",
                        format=output_format)  # fmt: skip

    def get_predictions_for_bed_file(
        self,
        input_path: str,
        output_dir: str | os.PathLike,
        output_format: str = "tsv",
        strand_index: int | None = None,
    ) -> None:
        """Predict the window centred on each BED interval; rejected lines go to
        ``<output_dir>/<input name>.NA``."""
        genome = require_genome(self.reference_sequence, "BED prediction")

        def work(part: range | None, directory: str) -> Any:
            return _seq.predict_bed(
                self.engine,
                genome,
                input_path,
                self.features,
                self.sequence_length,
                directory,
                output_format,
                strand_index,
                self.write_mem_limit,
                self.background,
                part=part,
            )

        self._in_shards(input_path, output_dir, "lines", work, op="predict_bed",
                        format=output_format, strand_index=strand_index)  # fmt: skip

    # -- variant effects ----------------------------------------------------------------------
    def variant_effect_prediction(
        self,
        vcf_file: str | os.PathLike,
        save_data: Sequence[str],
        output_dir: str | os.PathLike | None = None,
        output_format: str = "tsv",
        strand_index: int | None = None,
        require_strand: bool = False,
    ) -> _vep.VariantEffectSummary:
        """Score every ALT allele of a VCF (``.vcf`` or ``.vcf.gz``).

        Outputs in ``output_dir`` (default: the VCF's directory), with ``<prefix>`` the VCF
        name minus its last extension: ``<prefix>_{abs_diffs,diffs,logits}.{tsv,h5}``,
        ``<prefix>.{ref,alt}_predictions.{tsv,h5}`` for ``predictions``,
        ``<prefix>_row_labels.txt`` (HDF5) and always ``<prefix>.NA`` (rejected lines, each
        followed by a tab and the reason). ``output_format="vcf"`` writes
        ``<name>.selene.vcf`` instead: the input with the scores in INFO.

        Parameters
        ----------
        vcf_file
            The VCF file; only ``CHROM POS ID REF ALT`` (and the strand column) are read.
        save_data
            Scores to write, any of ``abs_diffs``, ``diffs``, ``logits`` and
            ``predictions`` (the reference and alternative predictions).
        output_dir
            Directory of the output files (created); default the VCF's directory.
        output_format
            ``"tsv"``, ``"hdf5"`` or ``"vcf"``.
        strand_index
            0-based column holding the variant's strand; ``-`` reverse-complements both
            windows (alleles are still given on the forward strand). None: all ``+``.
        require_strand
            With ``strand_index``: reject records whose strand is ``.`` (to ``<prefix>.NA``).
        """
        genome = require_genome(self.reference_sequence, "variant_effect_prediction")
        if output_dir is None:
            output_dir = os.path.dirname(os.fspath(vcf_file)) or "."

        def work(part: range | None, directory: str) -> _vep.VariantEffectSummary:
            return _vep.variant_effect_prediction(
                self.engine,
                genome,
                vcf_file,
                save_data,
                self.features,
                self.sequence_length,
                directory,
                output_format,
                strand_index,
                require_strand,
                self.write_mem_limit,
                self.background,
                part=part,
            )

        return self._in_shards(
            vcf_file, output_dir, "lines", work, op="variant_effect_prediction",
            format=output_format, save_data=save_data, strand_index=strand_index,
            require_strand=require_strand,
        )  # fmt: skip

    # -- attribution --------------------------------------------------------------------------
    def attribution(
        self,
        input_path: str | os.PathLike,
        output_dir: str | os.PathLike,
        method: str = "integrated_gradients",
        features: str | int | Sequence[str | int] | None = None,
        output_format: str = "npz",
        baselines: str = "shuffle",
        n_steps: int = 50,
        n_shuffles: int | None = None,
        seed: int = 0,
        batch_size: int | None = None,
        strand_index: int | None = None,
    ) -> list[str]:
        """Attributions of every FASTA record or BED interval for some features, with the
        one-hot inputs and row labels, in ``<output_dir>/<input name>_attributions.{npz,h5}``
        (keys and shapes: :mod:`selene_sdk.predict.files.attribution`). Under torchrun only
        rank 0 runs it (the other ranks return at once, with an empty list).

        Parameters
        ----------
        input_path
            A FASTA file (``.fa``/``.fasta``/``.fna``, optionally ``.gz``: one row per
            record, padded or centre-truncated to ``sequence_length``) or a BED file
            (anything else: the window centred on each interval, read from
            ``reference_sequence``).
        output_dir
            Directory of the output file (created).
        method
            ``saliency``, ``input_x_gradient``, ``integrated_gradients`` or
            ``deeplift_shap`` (see :func:`~selene_sdk.interpret.attribution.attribute`).
        features
            Feature names or output indices to attribute (one or a list); None: every
            feature (the cost grows with their number).
        output_format
            ``"npz"`` or ``"hdf5"`` (``.h5``, written a batch at a time: for large inputs).
        baselines
            References of ``integrated_gradients`` and ``deeplift_shap``: ``"shuffle"``
            (dinucleotide shuffles of each sequence) or ``"zeros"``.
        n_steps
            Integration steps of integrated gradients.
        n_shuffles
            Shuffled references per sequence (default 1 for integrated gradients, 20 for
            DeepLIFT/SHAP).
        seed
            Seed of the shuffles: row ``i`` of the output uses ``seed + i``.
        batch_size
            Sequences per pass (default: the analyzer's ``batch_size``).
        strand_index
            BED only: 0-based column holding the strand; ``-`` attributes the reverse
            complement. None: every interval on the ``+`` strand.

        Returns
        -------
        list of str
            The files written (the attribution file, and ``<input name>.NA`` for BED).
        """
        from selene_sdk.interpret.attribution import METHODS, attributor

        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        if baselines not in ("shuffle", "zeros"):
            raise ValueError(f"baselines must be 'shuffle' or 'zeros', got {baselines!r}")
        _attr.output_path(input_path, output_dir, output_format)  # checks the format
        targets = self._feature_indices(features)
        size = self.batch_size if batch_size is None else batch_size
        shuffles = (
            n_shuffles if n_shuffles is not None else (20 if method == "deeplift_shap" else 1)
        )
        settings = _attr.AttributionSettings(
            method, [self.features[t] for t in targets], targets, baselines, n_steps,
            shuffles, seed, size,
        )  # fmt: skip
        if not distributed.current().is_main:
            return []  # rank 0's work under torchrun
        fasta = is_fasta_path(input_path)
        genome = None if fasta else require_genome(self.reference_sequence, "BED attribution")
        with attributor(
            self.model, method, baselines=baselines, n_steps=n_steps, n_shuffles=shuffles,
            batch_size=size, device=self.engine.path.device,
        ) as run:  # fmt: skip
            if fasta:
                return _attr.attribute_fasta(
                    run, self.engine.alphabet, input_path, self.sequence_length, output_dir,
                    settings, output_format,
                )  # fmt: skip
            return _attr.attribute_bed(
                run, self.engine.alphabet, genome, input_path, self.sequence_length,
                output_dir, settings, output_format, strand_index,
            )  # fmt: skip

    def _feature_indices(self, features: str | int | Sequence[str | int] | None) -> list[int]:
        """Output indices of feature names / indices (None: all); errors list the names."""
        if features is None:
            return list(range(len(self.features)))
        items = [features] if isinstance(features, str | int) else list(features)
        if not items:
            raise ValueError("features is empty: name the features to attribute (or omit it)")
        out = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise ValueError(f"features: {item!r} is neither a feature name nor an index")
            if isinstance(item, str):
                if item not in self.features:
                    shown = ", ".join(self.features[:10])
                    more = ", ..." if len(self.features) > 10 else ""
                    raise ValueError(
                        f"features: {item!r} is not a feature of the model ({shown}{more})"
                    )
                out.append(self.features.index(item))
            elif not 0 <= item < len(self.features):
                raise ValueError(
                    f"features: index {item} is out of range (the model has "
                    f"{len(self.features)} features)"
                )
            else:
                out.append(item)
        return out

    # -- in silico mutagenesis ----------------------------------------------------------------
    def in_silico_mutagenesis(
        self,
        sequence: str | None = None,
        save_data: Sequence[str] | None = None,
        output_path_prefix: str | os.PathLike = "ism",
        mutate_n_bases: int = 1,
        output_format: str = "tsv",
        start_position: int = 0,
        end_position: int | None = None,
        *,
        input_sequence: str | None = None,
        fast: bool = False,
    ) -> None:
        """ISM of one sequence: ``<prefix>_{abs_diffs,diffs,logits,predictions}.{tsv,h5}``.

        ``input_sequence`` is accepted as another spelling of ``sequence`` (the name used
        in Selene's documentation). ``mutate_n_bases`` is honoured (Selene ignored it here).

        Parameters
        ----------
        sequence
            The sequence to mutate (padded with ``N`` or centre-truncated to
            ``sequence_length``, upper-cased). Required (or ``input_sequence``).
        save_data
            Scores to write, any of ``abs_diffs``, ``diffs``, ``logits`` and
            ``predictions``. Required.
        output_path_prefix
            Output files are ``<output_path_prefix>_<score>.{tsv,h5}``; an existing
            directory receives them without a prefix.
        mutate_n_bases
            Number of positions mutated together (every combination is scored).
        output_format
            ``"tsv"`` or ``"hdf5"``.
        start_position, end_position
            Mutate only positions ``[start_position, end_position)`` of the (padded)
            sequence, 0-based; ``end_position`` None means its end.
        input_sequence
            Another spelling of ``sequence``.
        fast
            Fast ISM: recompute only the part of each layer a mutation reaches (for models
            that start with convolutions, pooling and point-wise layers; equal to naive ISM
            within float32 rounding). Other models run naive ISM, with one log line
            saying why. See :func:`~selene_sdk.predict.saturation_mutagenesis`.
        """
        if sequence is None:
            sequence = input_sequence
        elif input_sequence is not None and input_sequence != sequence:
            raise ValueError("give either sequence or input_sequence, not both")
        if sequence is None:
            raise ValueError("in_silico_mutagenesis needs a sequence")
        if save_data is None:
            raise ValueError("in_silico_mutagenesis needs save_data")
        if not distributed.current().is_main:
            return  # one sequence: rank 0's work under torchrun
        _ism.in_silico_mutagenesis(
            self.engine,
            sequence,
            save_data,
            self.features,
            self.sequence_length,
            output_path_prefix,
            mutate_n_bases,
            output_format,
            start_position,
            end_position,
            self.write_mem_limit,
            self.background,
            fast=_flag(fast, "fast"),
        )

    def in_silico_mutagenesis_from_file(
        self,
        input_path: str | os.PathLike,
        save_data: Sequence[str],
        output_dir: str | os.PathLike,
        mutate_n_bases: int = 1,
        use_sequence_name: bool = True,
        output_format: str = "tsv",
        start_position: int = 0,
        end_position: int | None = None,
        fast: bool = False,
    ) -> None:
        """ISM of every FASTA record; files are prefixed ``<output_dir>/<record name>``
        (or the 0-based record index when ``use_sequence_name`` is False).

        Parameters
        ----------
        input_path
            FASTA file (plain or gzip) of the sequences to mutate.
        save_data
            Scores to write, any of ``abs_diffs``, ``diffs``, ``logits`` and
            ``predictions``.
        output_dir
            Directory of the output files (created).
        mutate_n_bases
            Number of positions mutated together (every combination is scored).
        use_sequence_name
            Prefix each record's files with its name (the first word of its header);
            False: with its 0-based index in the file.
        output_format
            ``"tsv"`` or ``"hdf5"``.
        start_position, end_position
            Mutate only positions ``[start_position, end_position)`` of each (padded)
            sequence, 0-based; ``end_position`` None means its end.
        fast
            Fast ISM where the model allows it (see :meth:`in_silico_mutagenesis`).
        """
        fast = _flag(fast, "fast")

        def work(part: range | None, directory: str) -> Any:
            return _ism.in_silico_mutagenesis_from_file(
                self.engine,
                input_path,
                save_data,
                self.features,
                self.sequence_length,
                directory,
                mutate_n_bases,
                use_sequence_name,
                output_format,
                start_position,
                end_position,
                self.write_mem_limit,
                self.background,
                part=part,
                fast=fast,
            )

        self._in_shards(
            input_path, output_dir, "records", work, op="in_silico_mutagenesis",
            format=output_format, save_data=save_data, mutate_n_bases=mutate_n_bases,
            use_sequence_name=use_sequence_name, range=[start_position, end_position],
            fast=fast,
        )  # fmt: skip

    def in_silico_mutagenesis_predict(
        self,
        sequence: str,
        base_preds: np.ndarray,
        mutations_list: Sequence[Sequence[tuple[int, str]]],
        reporters: Sequence[Any] = (),
    ) -> None:
        """Predict the given mutations of ``sequence`` and feed ``predict_handlers`` reporters
        (``reporters``), then have them write their files."""
        alphabet = self.engine.alphabet
        encoding = alphabet.encode(sequence)
        ids_all = [ism_sample_id(sequence, m) for m in mutations_list]
        path = self.engine.path
        with path.inference():
            for i in range(0, len(mutations_list), self.batch_size):
                chunk = mutations_list[i : i + self.batch_size]
                x = np.stack([mutate_sequence(encoding, m, alphabet) for m in chunk])
                preds = path.predict(x)
                ids = ids_all[i : i + self.batch_size]
                for reporter in reporters:
                    if getattr(reporter, "needs_base_pred", False):
                        reporter.handle_batch_predictions(preds, ids, base_preds)
                    else:
                        reporter.handle_batch_predictions(preds, ids)
        for reporter in reporters:
            reporter.write_to_file()

    # Selene exposed these helpers next to the class.
    in_silico_mutagenesis_sequences = staticmethod(in_silico_mutagenesis_sequences)
    mutate_sequence = staticmethod(mutate_sequence)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value
