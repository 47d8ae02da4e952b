"""Dry-run checks of the plain analysis sections: prediction, VEP and in-silico mutagenesis.

A mixin of the validator in :mod:`selene_sdk.config.validate`; the allowed keys follow the
documented signatures of ``get_predictions``, ``variant_effect_prediction``,
``in_silico_mutagenesis`` and ``in_silico_mutagenesis_from_file``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from selene_sdk.config.names import closest, suggestion_text
from selene_sdk.config.proxy import ObjProxy

__all__ = ["AnalysisChecks"]

_PREDICTION_KEYS = ("input_path", "output_dir", "output_format", "strand_index")
_VEP_KEYS = (
    "vcf_files",
    "save_data",
    "output_dir",
    "output_format",
    "strand_index",
    "require_strand",
)
_ISM_COMMON = (
    "save_data",
    "mutate_n_bases",
    "output_format",
    "start_position",
    "end_position",
    "fast",
)
_ISM_SEQUENCE_KEYS = ("sequence", "input_sequence", "output_path_prefix", *_ISM_COMMON)
_ISM_FILE_KEYS = ("input_path", "fa_files", "output_dir", "use_sequence_name", *_ISM_COMMON)
_SAVE_DATA = ("abs_diffs", "diffs", "logits", "predictions")
_FORMATS = ("tsv", "hdf5")
_VEP_FORMATS = (*_FORMATS, "vcf")  # an annotated VCF is a VEP-only output


def _looks_like_a_file(value: object) -> bool:
    """A path-like ``input_path`` (existing, or with a path separator / file extension)."""
    if not isinstance(value, str | os.PathLike):
        return False
    text = os.fspath(value)
    if os.path.exists(os.path.expanduser(text)) or "/" in text:
        return True
    return not set(text.upper()) <= set("ACGTN")


def _line(container: Any, key: Any) -> int | None:
    if isinstance(container, ObjProxy):
        return container.line_of(key)
    line_of = getattr(container, "line_of", None)
    return line_of(key) if line_of else getattr(container, "line", None)


class AnalysisChecks:
    """Checks of the analysis sections; the host class provides ``configs`` and ``add``."""

    configs: Any

    def add(self, message: str, key=None, line=None, kind="other", severity="error") -> None:
        raise NotImplementedError

    def _keys(self, section: Mapping, name: str, allowed: tuple[str, ...]) -> None:
        for key in section:
            if key not in allowed:
                hint = suggestion_text(closest(str(key), allowed, n=1))
                self.add(
                    f"unknown key {key!r} in {name}{hint}; allowed: {', '.join(allowed)}",
                    f"{name}.{key}",
                    _line(section, key),
                    "unknown-key",
                )

    def _save_data(self, section: Mapping, name: str) -> None:
        save = section.get("save_data")
        line = _line(section, "save_data")
        if save is None:
            self.add(
                f"`{name}` needs `save_data` (a list from {list(_SAVE_DATA)})",
                f"{name}.save_data",
                _line(section, None),
                "missing-key",
            )
            return
        items = save if isinstance(save, list) else [save]
        bad = [s for s in items if s not in _SAVE_DATA]
        if bad or not items:
            self.add(
                f"`{name}.save_data` must list some of {', '.join(_SAVE_DATA)}, got {save!r}",
                f"{name}.save_data",
                line,
                "type",
            )

    def _format(self, section: Mapping, name: str, formats: tuple[str, ...] = _FORMATS) -> None:
        fmt = section.get("output_format")
        if fmt is not None and fmt not in formats:
            self.add(
                f"`{name}.output_format` must be one of {', '.join(formats)}, got {fmt!r}",
                f"{name}.output_format",
                _line(section, "output_format"),
                "type",
            )

    def _input_files(self, section: Mapping, name: str, key: str) -> None:
        value = section.get(key)
        line = _line(section, key)
        if isinstance(value, str | os.PathLike):
            value = [value]
        if not isinstance(value, list) or not value:
            self.add(
                f"`{name}.{key}` must be a list of file paths, got {value!r}",
                f"{name}.{key}",
                line,
                "type",
            )
            return
        for i, item in enumerate(value):
            item_line = value.line_of(i) if hasattr(value, "line_of") else line
            if not isinstance(item, str) or not os.path.isfile(os.path.expanduser(item)):
                self.add(
                    f"{key}: file not found: {item}",
                    f"{name}.{key}[{i}]",
                    item_line,
                    "missing-file",
                )

    def check_analysis_sections(self) -> None:
        configs = self.configs
        prediction = configs.get("prediction")
        if isinstance(prediction, Mapping):
            self._keys(prediction, "prediction", _PREDICTION_KEYS)
            self._format(prediction, "prediction")
            if "input_path" not in prediction:
                self.add(
                    "`prediction` needs `input_path`",
                    "prediction.input_path",
                    _line(configs, "prediction"),
                    "missing-key",
                )
            elif prediction.get("output_dir") is not None:
                self._input_files(prediction, "prediction", "input_path")
            elif _looks_like_a_file(prediction.get("input_path")):
                # Without output_dir, get_predictions treats input_path as a sequence.
                self.add(
                    "`prediction` with a FASTA or BED input_path needs `output_dir` (without it, "
                    "input_path is read as a raw DNA sequence)",
                    "prediction.output_dir",
                    _line(prediction, "input_path"),
                    "missing-key",
                )
        vep = configs.get("variant_effect_prediction")
        if isinstance(vep, Mapping):
            self._keys(vep, "variant_effect_prediction", _VEP_KEYS)
            self._format(vep, "variant_effect_prediction", _VEP_FORMATS)
            self._save_data(vep, "variant_effect_prediction")
            if "vcf_files" not in vep:
                self.add(
                    "`variant_effect_prediction` needs `vcf_files: [file.vcf, ...]`",
                    "variant_effect_prediction.vcf_files",
                    _line(configs, "variant_effect_prediction"),
                    "missing-key",
                )
            else:
                self._input_files(vep, "variant_effect_prediction", "vcf_files")
        ism = configs.get("in_silico_mutagenesis")
        if isinstance(ism, Mapping):
            self.check_ism(ism)

    def check_ism(self, ism: Mapping) -> None:
        name = "in_silico_mutagenesis"
        self._format(ism, name)
        self._save_data(ism, name)
        if "sequence" in ism or "input_sequence" in ism:
            self._keys(ism, name, _ISM_SEQUENCE_KEYS)
            seq = ism.get("sequence", ism.get("input_sequence"))
            if not isinstance(seq, str) or not seq:
                key = "sequence" if "sequence" in ism else "input_sequence"
                self.add(
                    f"`{name}.{key}` must be a DNA sequence string, got {seq!r}",
                    f"{name}.{key}",
                    _line(ism, key),
                    "type",
                )
        elif "input_path" in ism or "fa_files" in ism:
            self._keys(ism, name, _ISM_FILE_KEYS)
            self._input_files(ism, name, "input_path" if "input_path" in ism else "fa_files")
            if ism.get("output_dir") is None:
                self.add(
                    f"`{name}` with a FASTA input needs `output_dir`",
                    f"{name}.output_dir",
                    _line(ism, None),
                    "missing-key",
                )
        else:
            self.add(
                f"`{name}` needs one of `sequence` (or `input_sequence`), `input_path` or "
                "`fa_files`",
                name,
                _line(self.configs, name),
                "missing-key",
            )
        for key in ("start_position", "end_position", "mutate_n_bases"):
            value = ism.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                self.add(
                    f"`{name}.{key}` must be an integer, got {value!r}",
                    f"{name}.{key}",
                    _line(ism, key),
                    "type",
                )
        if "fast" in ism and not isinstance(ism["fast"], bool):
            self.add(
                f"`{name}.fast` must be True or False, got {ism['fast']!r}",
                f"{name}.fast",
                _line(ism, "fast"),
                "type",
            )
