"""Gene names overlapping or nearest to variant positions, for scatter-plot hover text.

Gene annotations come from a BED file: ``chrom, start, end, name`` or the layout of the
gencode v28 protein-coding gene files the original Selene shipped (``chrom, start, end, .,
name``). Those files are not packaged here (licence and size); pass their path (or any gene
BED) as ``gene_bed``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources

import numpy as np

from selene_sdk.io.bed import read_bed

__all__ = ["GeneIndex", "packaged_gene_bed"]

_REFERENCE_VERSIONS = ("hg19", "hg38")
_GENCODE_NAMES = ("protein_coding_l12_genes.bed.gz", "protein_coding_l12_genes.bed")


def packaged_gene_bed(hg_reference_version: str) -> str:
    """Path of the gene BED packaged for ``hg19``/``hg38``.

    Raises
    ------
    ValueError
        For another version name.
    FileNotFoundError
        When no gene file is packaged (the default: pass ``gene_bed`` instead).
    """
    if hg_reference_version not in _REFERENCE_VERSIONS:
        raise ValueError(
            f"hg_reference_version must be one of {list(_REFERENCE_VERSIONS)} or None, got "
            f"{hg_reference_version!r}"
        )
    folder = f"gencode_v28_{hg_reference_version}"
    try:
        base = resources.files("selene_sdk.interpret").joinpath("data", folder)
        for name in _GENCODE_NAMES:
            candidate = base.joinpath(name)
            if candidate.is_file():
                return str(candidate)
    except (ModuleNotFoundError, OSError):  # pragma: no cover - unusual installs
        pass
    raise FileNotFoundError(
        2,
        f"no gene annotation is packaged for {hg_reference_version} (the gencode v28 gene "
        "files are not distributed with selene_sdk); pass gene_bed=<path to a gene BED "
        "file>, e.g. the gencode protein_coding_l12_genes.bed of the original Selene",
        folder,
    )


@dataclass
class _ChromGenes:
    starts: np.ndarray  # sorted by start
    ends: np.ndarray
    names: np.ndarray
    end_order: np.ndarray  # indices sorting by end
    max_length: int


class GeneIndex:
    """Genes of a BED file, queried by 0-based position.

    Parameters
    ----------
    path
        Gene BED file (plain or gzip). The gene name is column 4, or column 5 when column 4
        is ``.`` (gencode files of the original Selene).
    """

    def __init__(self, path: str | os.PathLike):
        table = read_bed(path, min_columns=4, what="gene BED file")
        names = table.column(3).astype(object)
        if len(table.extra) > 1:
            fifth = table.column(4)
            use_fifth = (names == ".") & (fifth != "")
            names = np.where(use_fifth, fifth, names)
        self.path = os.fspath(path)
        self._chroms: dict[str, _ChromGenes] = {}
        chroms = table.chroms
        for chrom in np.unique(chroms):
            rows = np.nonzero(chroms == chrom)[0]
            order = rows[np.argsort(table.starts[rows], kind="stable")]
            starts = table.starts[order]
            ends = table.ends[order]
            self._chroms[str(chrom)] = _ChromGenes(
                starts,
                ends,
                names[order],
                np.argsort(ends, kind="stable"),
                int((ends - starts).max()),
            )

    def genes_at(self, chrom: str, position: int) -> tuple[list[str], bool]:
        """``(names, overlapping)``: the genes containing 0-based ``position``, else the
        nearest gene(s) on ``chrom`` (ties all listed; empty for an unknown chromosome)."""
        genes = self._chroms.get(chrom)
        if genes is None:
            return [], False
        right = int(np.searchsorted(genes.starts, position, side="right"))
        left = int(np.searchsorted(genes.starts, position - genes.max_length, side="left"))
        window = slice(left, right)
        hits = genes.ends[window] > position
        if hits.any():
            return _unique(genes.names[window][hits]), True
        # Nearest upstream gene: largest end <= position; downstream: smallest start > position.
        by_end = genes.ends[genes.end_order]
        k = int(np.searchsorted(by_end, position, side="right")) - 1
        candidates: list[tuple[int, str]] = []
        if k >= 0:
            distance = position - int(by_end[k]) + 1
            same = genes.end_order[by_end == by_end[k]]
            candidates += [(distance, str(genes.names[i])) for i in same]
        if right < len(genes.starts):
            distance = int(genes.starts[right]) - position
            same = np.nonzero(genes.starts == genes.starts[right])[0]
            candidates += [(distance, str(genes.names[i])) for i in same]
        if not candidates:
            return [], False
        best = min(d for d, _ in candidates)
        return _unique(np.array([name for d, name in candidates if d == best])), False


def _unique(names: np.ndarray) -> list[str]:
    seen: dict[str, None] = {}
    for name in names.tolist():
        seen.setdefault(str(name), None)
    return list(seen)
