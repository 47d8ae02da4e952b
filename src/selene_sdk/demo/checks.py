"""Numbers that show the demo worked: test AUCs, variant scores, where ISM effects fall."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from selene_sdk.constants import VARIANTEFFECT_COLS

__all__ = [
    "IsmFocus",
    "attribution_focus",
    "ism_focus",
    "read_test_aucs",
    "variant_score_summary",
]


def read_test_aucs(results_dir: str) -> dict[str, float]:
    """Feature -> test ROC AUC from ``test_performance.txt`` (NaN when ``NA``)."""
    table = pd.read_csv(os.path.join(results_dir, "test_performance.txt"), sep="\t")
    return {str(r["class"]): float(r["roc_auc"]) for _, r in table.iterrows()}


def variant_score_summary(abs_diffs_tsv: str) -> dict[str, float]:
    """Mean over variants of the largest |alt - ref| across features, planted vs random.

    Planted variants change a core base of a planted motif; random ones fall anywhere.
    """
    table = pd.read_csv(abs_diffs_tsv, sep="\t", keep_default_na=False)
    features = [c for c in table.columns if c not in VARIANTEFFECT_COLS]
    top = table[features].astype(float).max(axis=1)
    planted = table["name"].str.startswith("planted")
    return {"planted": float(top[planted].mean()), "random": float(top[~planted].mean())}


@dataclass
class IsmFocus:
    """How concentrated the in-silico mutagenesis effect is on the planted motif.

    Attributes
    ----------
    inside, outside
        Mean |logit change| of mutations inside / outside the motif span.
    top_in_motif
        Fraction of the ``motif length`` most affected positions that lie in the motif.
    """

    inside: float
    outside: float
    top_in_motif: float

    @property
    def ratio(self) -> float:
        return self.inside / max(self.outside, 1e-12)


def ism_focus(logits_tsv: str, feature: str, motif_start: int, motif_end: int) -> IsmFocus:
    """Measure :class:`IsmFocus` from an ISM ``_logits.tsv`` output for one feature."""
    table = pd.read_csv(logits_tsv, sep="\t", keep_default_na=False)
    table = table[table["ref"] != "NA"]  # the reference-prediction row, if any
    effect = table[feature].astype(float).abs().to_numpy()
    positions = table["pos"].astype(int).to_numpy()
    per_position = pd.Series(effect).groupby(positions).mean()
    in_motif = (per_position.index >= motif_start) & (per_position.index < motif_end)
    n_top = motif_end - motif_start
    top = per_position.sort_values(ascending=False).index[:n_top]
    top_in = float(np.mean((top >= motif_start) & (top < motif_end)))
    return IsmFocus(
        inside=float(per_position[in_motif].mean()),
        outside=float(per_position[~in_motif].mean()),
        top_in_motif=top_in,
    )


def attribution_focus(
    attributions: str, name: str, feature: str, motif_start: int, motif_end: int
) -> float:
    """Fraction of the total |contribution| of sequence ``name`` to ``feature`` (an
    ``attribution`` output) that falls on the motif ``[motif_start, motif_end)``."""
    from selene_sdk.interpret.attribution_file import AttributionFile

    data = AttributionFile.from_file(attributions)
    per_position = np.abs(
        data.contributions(data.feature_index(feature), data.row_index(name=name))
    ).sum(axis=1)
    return float(per_position[motif_start:motif_end].sum() / max(per_position.sum(), 1e-12))
