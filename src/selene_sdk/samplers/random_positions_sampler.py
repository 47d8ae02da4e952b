"""``RandomPositionsSampler``: windows centred on uniformly random genome positions."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from selene_sdk.samplers._partition import (
    PositionPool,
    assign_by_chromosome,
    check_holdout_chroms,
    split_by_proportion,
)
from selene_sdk.samplers.online_sampler import OnlineSampler

__all__ = ["RandomPositionsSampler"]

#: Proportion holdouts assign contiguous blocks of at least this many bases.
HOLDOUT_BLOCK_SIZE = 1_000_000


class RandomPositionsSampler(OnlineSampler):
    """Draws windows centred on positions chosen uniformly over the kept chromosomes.

    A chromosome ``c`` of length ``n`` offers centres ``[L, n - L)``; chromosomes are
    chosen in proportion to that range, so every centre is equally likely.

    Holdouts: chromosome lists put whole chromosomes in the validation/test partitions.
    Proportions split the genome into contiguous blocks (``max(1 Mb, 20 L)``; a smaller
    chromosome is one block) and assign shuffled blocks until the fraction of **bases** is
    reached; windows never cross a block edge, so partitions share no sequence.

    Parameters
    ----------
    exclude_chrs
        Chromosomes whose name contains any of these substrings are never sampled (default
        ``["_"]`` skips ``chrUn_...``, ``..._random`` and alternate haplotypes).

    All other parameters are those of :class:`~selene_sdk.samplers.OnlineSampler`.

    Examples
    --------
    >>> sampler = RandomPositionsSampler(Genome("hg38.fa"), "features.bed.gz",
    ...                                  features)                    # doctest: +SKIP
    >>> sequences, targets = sampler.sample(batch_size=64)           # doctest: +SKIP
    >>> sequences.shape, targets.shape                                # doctest: +SKIP
    ((64, 1000, 4), (64, 919))
    """

    def __init__(
        self,
        reference_sequence: Any,
        target_path: Any,
        features: Sequence[str],
        seed: int = 436,
        validation_holdout: Sequence[str] | float = ("chr6", "chr7"),
        test_holdout: Sequence[str] | float | None = ("chr8", "chr9"),
        exclude_chrs: Sequence[str] = ("_",),
        sequence_length: int = 1000,
        center_bin_to_predict: int | Sequence[int] = 200,
        feature_thresholds: Any = 0.5,
        mode: str = "train",
        save_datasets: Iterable[str] = (),
        output_dir: str | os.PathLike | None = None,
    ):
        if exclude_chrs is None:
            exclude_chrs = []
        elif isinstance(exclude_chrs, str):
            exclude_chrs = [exclude_chrs]
        self.exclude_chrs = [str(x) for x in exclude_chrs]
        super().__init__(
            reference_sequence,
            target_path,
            features,
            seed=seed,
            validation_holdout=validation_holdout,
            test_holdout=test_holdout,
            sequence_length=sequence_length,
            center_bin_to_predict=center_bin_to_predict,
            feature_thresholds=feature_thresholds,
            mode=mode,
            save_datasets=save_datasets,
            output_dir=output_dir,
        )

    def _build_pools(self) -> dict[str, PositionPool]:
        genome = self.reference_sequence
        chr_lens = genome.get_chr_lens()
        check_holdout_chroms(
            self._holdouts, [c for c, _ in chr_lens], f"the genome {genome.input_path}"
        )
        kept = [(c, n) for c, n in chr_lens if not any(x in c for x in self.exclude_chrs)]
        length = self.sequence_length
        if self._holdouts.kind == "chromosome":
            chroms = np.array([c for c, _ in kept], dtype=object)
            sizes = np.array([n for _, n in kept], dtype=np.int64)
            lo = np.full(len(kept), length, dtype=np.int64)
            hi = sizes - length
            labels = assign_by_chromosome(chroms, self._holdouts)
        else:
            chroms, lo, hi, block_sizes = self._blocks(kept)
            labels = split_by_proportion(block_sizes, self._holdouts, self.seed, by="size")
        return {
            m: PositionPool(chroms[labels == m], lo[labels == m], hi[labels == m])
            for m in self.modes
        }

    def _blocks(
        self, chr_lens: list[tuple[str, int]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Blocks of every chromosome -> ``(chroms, lo, hi, sizes)`` of their centre ranges."""
        length, half = self.sequence_length, self.sequence_length // 2
        block = max(HOLDOUT_BLOCK_SIZE, 20 * length)
        chroms, lo, hi, sizes = [], [], [], []
        for name, n in chr_lens:
            edges = np.append(np.arange(0, n, block, dtype=np.int64), np.int64(n))
            if len(edges) > 2 and edges[-1] - edges[-2] < block // 2:
                edges = np.delete(edges, -2)  # fold a short tail into the previous block
            b_start, b_end = edges[:-1], edges[1:]
            chroms.append(np.full(len(b_start), name, dtype=object))
            # Centres whose window lies inside the block and in [L, n - L) like Selene's.
            lo.append(np.maximum(b_start + half, length))
            hi.append(np.minimum(b_end - (length - half) + 1, n - length))
            sizes.append(b_end - b_start)
        if not chroms:
            empty = np.zeros(0, dtype=np.int64)
            return np.zeros(0, dtype=object), empty, empty, empty
        return (
            np.concatenate(chroms),
            np.concatenate(lo),
            np.concatenate(hi),
            np.concatenate(sizes),
        )
