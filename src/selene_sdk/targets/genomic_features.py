"""``GenomicFeatures``: binary labels of genomic windows from a BED file of named features."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from selene_sdk.constants import STRANDS
from selene_sdk.errors import InputFormatError
from selene_sdk.intervals import CoverageIndex, factorize_strings
from selene_sdk.io.bed import BedTable, read_bed
from selene_sdk.targets.target import Target

__all__ = ["GenomicFeatures", "check_shared_chromosomes", "define_feature_thresholds"]

_STRAND_SYMBOLS = frozenset(STRANDS)

Thresholds = float | int | Mapping[str, float] | Callable[[str], float] | None


def define_feature_thresholds(
    feature_thresholds: Thresholds, features: Sequence[str]
) -> tuple[dict[str, float] | None, np.ndarray | None]:
    """Normalise ``feature_thresholds`` to ``(name -> threshold dict, float32 vector)``.

    Accepted forms: None (any overlap makes a feature positive); a number ``t`` with
    ``0 < t <= 1`` (the fraction of the window a feature must cover); a mapping with a
    ``"default"`` entry and per-feature overrides in ``[0, 1]``; a function of the feature
    name. Returns ``(None, None)`` for None.
    """
    if feature_thresholds is None or (
        isinstance(feature_thresholds, str) and feature_thresholds.strip().lower() == "none"
    ):
        return None, None
    if isinstance(feature_thresholds, bool):
        raise ValueError(
            f"feature_thresholds must be a number, mapping or None, not {feature_thresholds!r}"
        )
    if isinstance(feature_thresholds, int | float):
        t = float(feature_thresholds)
        if not 0 < t <= 1:
            raise ValueError(
                f"feature_thresholds must be in (0, 1] (a fraction of the window), got {t}"
            )
        values = {f: t for f in features}
    elif isinstance(feature_thresholds, Mapping):
        if "default" not in feature_thresholds:
            raise ValueError(
                "a feature_thresholds mapping needs a 'default' entry for the features it "
                f"does not name; got keys {sorted(feature_thresholds)}"
            )
        unknown = sorted(set(feature_thresholds) - set(features) - {"default"})
        if unknown:
            raise ValueError(f"feature_thresholds names unknown features: {unknown}")
        values = {
            f: float(feature_thresholds.get(f, feature_thresholds["default"])) for f in features
        }
    elif callable(feature_thresholds):
        values = {f: float(feature_thresholds(f)) for f in features}
    else:
        raise ValueError(
            "feature_thresholds must be None, a number in (0, 1], a mapping with a 'default' "
            f"entry or a function; got {feature_thresholds!r}"
        )
    bad = {f: t for f, t in values.items() if not 0 <= t <= 1}
    if bad:
        raise ValueError(f"feature thresholds must lie in [0, 1]: {bad}")
    vector = np.array([values[f] for f in features], dtype=np.float32)
    return values, vector


class GenomicFeatures(Target):
    """Binary labels: which features cover enough of a genomic window.

    The BED file (plain, gzip or bgzip; no tabix index needed) is read once into an
    in-memory interval index and whole batches of windows are answered with vectorised
    overlap arithmetic.

    Parameters
    ----------
    input_path
        BED file with columns ``chrom, start, end, feature`` (0-based, half-open). Files with
        a strand column (``chrom, start, end, strand, feature`` or ``chrom, start, end,
        feature, strand``) are recognised by its ``+``/``-``/``.`` values.
    features
        Feature names; their order is the order of label columns.
    feature_thresholds
        None: a feature is positive if any of its intervals overlaps the window. A fraction
        ``t`` in (0, 1], or a mapping ``{"default": t, name: t_name, ...}``: positive when
        the union of its intervals covers more than ``trunc(t * L - 1)`` bases of the
        ``L``-base window (i.e. at least ``t * L``, Selene's rule).
    init_unpicklable
        Accepted for compatibility; the file is always read at construction so that errors
        surface immediately.

    Raises
    ------
    FileNotFoundError
        ``input_path`` does not exist.
    InputFormatError
        Malformed line (file and line named) or feature names missing from ``features``.
    """

    def __init__(
        self,
        input_path: str | os.PathLike,
        features: Sequence[str],
        feature_thresholds: Thresholds = None,
        init_unpicklable: bool = False,
    ):
        del init_unpicklable
        self.input_path = os.fspath(input_path)
        if isinstance(features, (str, os.PathLike)):
            raise TypeError(
                f"features must be a list of feature names, not the string {features!r}; "
                "read a file of names with selene_sdk.utils.load_features_list(path)"
            )
        self.features = [str(f) for f in features]
        if len(set(self.features)) != len(self.features):
            # a Counter, not list.count per name: quadratic on a 2,000-feature list
            counts = Counter(self.features)
            dupes = sorted(f for f, n in counts.items() if n > 1)
            raise ValueError(f"features list has duplicate names: {dupes}")
        self.n_features = len(self.features)
        self.feature_index_dict = {f: i for i, f in enumerate(self.features)}
        self.index_feature_dict = dict(enumerate(self.features))
        self.feature_thresholds, self._feature_thresholds_vec = define_feature_thresholds(
            feature_thresholds, self.features
        )
        table = read_bed(self.input_path, min_columns=4, what="target features file")
        feature_col, strand_col = self._layout(table)
        names = table.column(feature_col)
        self._feature_ids = self._feature_indices(table, names)
        self._table = table
        self._strands = None if strand_col is None else table.column(strand_col)
        self._index = CoverageIndex(
            table.chroms, table.starts, table.ends, self._feature_ids, self.n_features
        )
        self._stranded: dict[str, CoverageIndex] = {}

    # -- construction helpers -----------------------------------------------------------------
    @staticmethod
    def _layout(table: BedTable) -> tuple[int, int | None]:
        """Column of the feature name and of the strand (if any)."""
        if len(table.extra) >= 2:
            col3, col4 = table.column(3), table.column(4)
            if len(col3) and all(v in _STRAND_SYMBOLS for v in set(col3)):
                return 4, 3
            if len(col4) and all(v in _STRAND_SYMBOLS for v in set(col4)):
                return 3, 4
        return 3, None

    def _feature_indices(self, table: BedTable, names: np.ndarray) -> np.ndarray:
        inverse, uniq = factorize_strings(names)
        unknown = [str(u) for u in uniq if u not in self.feature_index_dict]
        if unknown:
            first_row = int(np.nonzero(names == unknown[0])[0][0])
            shown = ", ".join(repr(u) for u in unknown[:10])
            more = f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else ""
            raise InputFormatError(
                table.path,
                f"{len(unknown)} feature name(s) in the file are not in the features list: "
                f"{shown}{more}. Add them to the features list or remove those lines.",
                int(table.lines[first_row]),
            )
        lookup = np.array([self.feature_index_dict[str(u)] for u in uniq], dtype=np.int64)
        return lookup[inverse]

    def _index_for(self, strand: str | None) -> CoverageIndex:
        if strand is None or strand == ".":
            return self._index
        if strand not in ("+", "-"):
            raise ValueError(f"strand must be '+', '-', '.' or None, got {strand!r}")
        if self._strands is None:
            return self._index
        if strand not in self._stranded:
            keep = self._strands == strand
            t = self._table
            self._stranded[strand] = CoverageIndex(
                t.chroms[keep],
                t.starts[keep],
                t.ends[keep],
                self._feature_ids[keep],
                self.n_features,
            )
        return self._stranded[strand]

    # -- queries ------------------------------------------------------------------------------
    @property
    def chroms(self) -> list[str]:
        """Chromosome names that carry at least one feature."""
        return self._index.chroms

    def get_feature_data_batch(
        self,
        chroms: Sequence[str] | np.ndarray | str,
        starts: np.ndarray,
        ends: np.ndarray,
        strand: str | None = None,
    ) -> np.ndarray:
        """Labels of ``B`` windows -> float32 array ``(B, n_features)`` of 0/1.

        ``chroms`` is one name per window (or one name for all). Windows may differ in
        length; each is judged against its own length.
        """
        starts = np.atleast_1d(np.asarray(starts, dtype=np.int64))
        ends = np.atleast_1d(np.asarray(ends, dtype=np.int64))
        covered = self._index_for(strand).coverage(chroms, starts, ends)
        if self._feature_thresholds_vec is None:
            return (covered > 0).astype(np.float32)
        # Selene's rule, in float32 like the original: need > trunc(t * L - 1) bases.
        lengths = (ends - starts).astype(np.float32)[:, None]
        needed = np.trunc(self._feature_thresholds_vec[None, :] * lengths - np.float32(1))
        needed = np.maximum(needed, 0)
        return (covered > needed).astype(np.float32)

    def get_feature_data(
        self, chrom: str, start: int, end: int, strand: str | None = None
    ) -> np.ndarray:
        """Label vector ``(n_features,)`` float32 of 0/1 for the window ``[start, end)``."""
        return self.get_feature_data_batch(chrom, [start], [end], strand)[0]

    def is_positive(self, chrom: str, start: int, end: int, strand: str | None = None) -> bool:
        """Whether any feature is positive for the window."""
        return bool(self.get_feature_data(chrom, start, end, strand).any())

    def __repr__(self) -> str:
        return f"GenomicFeatures({self.input_path!r}, n_features={self.n_features})"

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__.copy()


def check_shared_chromosomes(
    genome_chroms: Iterable[str], target_chroms: Iterable[str], target_path: str
) -> None:
    """Raise if a targets file shares no chromosome name with the genome.

    The usual cause is a ``chr`` prefix present in one file and absent from the other.
    """
    genome_set, target_set = set(genome_chroms), set(target_chroms)
    if not target_set or genome_set & target_set:
        return
    g_chr = sum(c.startswith("chr") for c in genome_set) > len(genome_set) / 2
    t_chr = sum(c.startswith("chr") for c in target_set) > len(target_set) / 2
    hint = ""
    if g_chr != t_chr:
        with_chr, without = ("genome", "targets") if g_chr else ("targets", "genome")
        hint = (
            f" This looks like a 'chr' prefix mismatch: the {with_chr} names start with "
            f"'chr' and the {without} names do not; rename one of them to match."
        )
    raise ValueError(
        f"{target_path}: no chromosome name in common with the genome (targets: "
        f"{sorted(target_set)[:5]}..., genome: {sorted(genome_set)[:5]}...).{hint}"
    )
