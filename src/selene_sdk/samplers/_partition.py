"""Holdouts (which part of the genome is train / validate / test) and weighted position pools."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from selene_sdk.samplers._rng import TAG_PARTITION, generator_for

__all__ = [
    "Holdouts",
    "PositionPool",
    "assign_by_chromosome",
    "check_holdout_chroms",
    "get_indices_and_probabilities",
    "parse_holdouts",
    "split_by_proportion",
]

_MIN_WEIGHT = 1e-10


def get_indices_and_probabilities(
    interval_lengths: Sequence[float] | np.ndarray, indices: Sequence[int] | np.ndarray
) -> tuple[list[int], np.ndarray]:
    """Sampling probabilities proportional to interval lengths.

    Parameters
    ----------
    interval_lengths
        Length (weight) of every interval, indexed by interval number.
    indices
        Which intervals take part.

    Returns
    -------
    tuple[list[int], numpy.ndarray]
        The indices whose normalised weight exceeds 1e-10 (zero-length or negative intervals
        drop out) and their probabilities (float64, summing to 1), recomputed over the kept
        indices.
    """
    lengths = np.asarray(interval_lengths, dtype=np.float64)
    idx = np.asarray(indices, dtype=np.int64)
    if idx.size == 0:
        return [], np.zeros(0, dtype=np.float64)
    weights = np.clip(lengths[idx], 0, None)
    total = weights.sum()
    if total <= 0:
        return [], np.zeros(0, dtype=np.float64)
    keep = weights / total > _MIN_WEIGHT
    weights = weights[keep]
    return [int(i) for i in idx[keep]], weights / weights.sum()


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_falsy(value: object) -> bool:
    if value is None or value is False:
        return True
    if _is_number(value):
        return float(value) == 0
    return isinstance(value, list | tuple) and len(value) == 0


def _is_chrom_list(value: object) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(v, str) or (isinstance(v, numbers.Integral) and not isinstance(v, bool))
        for v in value
    )


@dataclass(frozen=True)
class Holdouts:
    """Parsed ``validation_holdout`` / ``test_holdout``.

    ``kind`` is ``"chromosome"`` (``validate``/``test`` are name lists) or ``"proportion"``
    (fractions); ``test`` is None when there is no test partition.
    """

    kind: Literal["chromosome", "proportion"]
    validate: tuple[str, ...] | float
    test: tuple[str, ...] | float | None

    @property
    def has_test(self) -> bool:
        """Whether a test partition exists."""
        return self.test is not None


def parse_holdouts(validation_holdout: object, test_holdout: object) -> Holdouts:
    """Validate Selene's holdout arguments.

    Both lists of chromosome names (chromosome holdout) or both fractions in (0, 1)
    (proportion holdout); a falsy ``test_holdout`` (None, ``[]``, 0) means no test partition.
    """
    test = None if _is_falsy(test_holdout) else test_holdout
    if _is_chrom_list(validation_holdout) and (test is None or _is_chrom_list(test)):
        val_names = tuple(str(c) for c in validation_holdout)
        test_names = None if test is None else tuple(str(c) for c in test)
        if not val_names:
            raise ValueError("validation_holdout is an empty list: name at least one chromosome")
        if test_names is not None:
            both = sorted(set(val_names) & set(test_names))
            if both:
                raise ValueError(
                    f"chromosome(s) {both} are in both validation_holdout and test_holdout"
                )
        return Holdouts("chromosome", val_names, test_names)
    if _is_number(validation_holdout) and (test is None or _is_number(test)):
        val = float(validation_holdout)
        tst = None if test is None else float(test)
        for name, value in (("validation_holdout", val), ("test_holdout", tst)):
            if value is not None and not 0 < value < 1:
                raise ValueError(f"{name} as a proportion must lie in (0, 1), got {value}")
        if val + (tst or 0.0) >= 1:
            raise ValueError(
                f"validation_holdout ({val}) + test_holdout ({tst}) leave nothing for training"
            )
        return Holdouts("proportion", val, tst)
    raise ValueError(
        "validation_holdout and test_holdout must both be lists of chromosome names or both "
        "be proportions in (0, 1) (test_holdout may be null); got "
        f"{validation_holdout!r} and {test_holdout!r}"
    )


def check_holdout_chroms(holdouts: Holdouts, known: Iterable[str], where: str) -> None:
    """Raise if a holdout chromosome is not one of ``known`` (names in ``where``)."""
    if holdouts.kind != "chromosome":
        return
    known = set(known)
    for name, chroms in (
        ("validation_holdout", holdouts.validate),
        ("test_holdout", holdouts.test),
    ):
        if chroms is None:
            continue
        missing = [c for c in chroms if c not in known]
        if missing:
            shown = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
            raise ValueError(
                f"{name} chromosome(s) {missing} are not in {where} (it has: {shown}). Name "
                "chromosomes of this genome, or give proportions instead."
            )


def assign_by_chromosome(chroms: np.ndarray, holdouts: Holdouts) -> np.ndarray:
    """Mode name of every item from its chromosome -> object array."""
    chroms = np.asarray(chroms, dtype=object)
    out = np.full(len(chroms), "train", dtype=object)
    if holdouts.test is not None:
        out[np.isin(chroms, list(holdouts.test))] = "test"
    out[np.isin(chroms, list(holdouts.validate))] = "validate"
    return out


def split_by_proportion(
    sizes: np.ndarray, holdouts: Holdouts, seed: int, by: Literal["count", "size"]
) -> np.ndarray:
    """Mode name of every item for a proportion holdout -> object array.

    Items are shuffled with a Generator seeded by ``seed``. ``by="count"``: the first
    ``int(n * validate)`` items go to validate, the next ``int(n * test)`` to test (Selene's
    rule for intervals). ``by="size"``: items are taken in shuffled order until their summed
    size reaches the fraction of the total, so proportions are of bases.
    """
    n = len(sizes)
    perm = generator_for(seed, TAG_PARTITION, 0).permutation(n)
    out = np.full(n, "train", dtype=object)
    val = float(holdouts.validate)
    tst = float(holdouts.test) if holdouts.test is not None else 0.0
    if by == "count":
        n_val, n_test = int(n * val), int(n * tst)
        out[perm[:n_val]] = "validate"
        out[perm[n_val : n_val + n_test]] = "test"
        return out
    sizes = np.asarray(sizes, dtype=np.float64)[perm]
    begin = np.cumsum(sizes) - sizes  # where each item starts on the shuffled line
    total = sizes.sum()
    labels = np.where(
        begin < val * total, "validate", np.where(begin < (val + tst) * total, "test", "train")
    )
    out[perm] = labels
    return out


class PositionPool:
    """Weighted sampling intervals: draw (chromosome, position) pairs uniformly over positions.

    Interval ``i`` offers positions ``[lo[i], hi[i])`` and is chosen with probability
    proportional to ``hi[i] - lo[i]`` (see :func:`get_indices_and_probabilities`).
    """

    def __init__(self, chroms: np.ndarray, lo: np.ndarray, hi: np.ndarray):
        chroms = np.asarray(chroms, dtype=object)
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.asarray(hi, dtype=np.int64)
        keep, probs = get_indices_and_probabilities(hi - lo, np.arange(len(lo)))
        self.chroms = chroms[keep]
        self.lo = lo[keep]
        self.hi = hi[keep]
        self.cdf = np.cumsum(probs)
        self.n_positions = int((self.hi - self.lo).sum())

    def __len__(self) -> int:
        return len(self.lo)

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws -> ``(chroms object (n,), positions int64 (n,))``."""
        k = np.searchsorted(self.cdf, rng.random(n) * self.cdf[-1], side="right")
        k = np.minimum(k, len(self.cdf) - 1)
        positions = rng.integers(self.lo[k], self.hi[k])
        return self.chroms[k], positions.astype(np.int64)
