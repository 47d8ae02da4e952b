"""The same results on a CUDA device (deselected by default; needs a GPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from selene_sdk.predict import AnalyzeSequences

from .conftest import CHR1, L, write_vcf
from .helpers import SmallConv, read_tsv, tsv_values

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
]


def test_cuda_matches_cpu(tmp_path, genome):
    torch.manual_seed(0)
    model = SmallConv(length=L, n_features=3)
    path = tmp_path / "w.pth"
    torch.save(model.state_dict(), path)
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 40 + 3 * i, f"v{i}", CHR1[39 + 3 * i], "G") for i in range(70)],
    )
    values = []
    for use_cuda in (False, True):
        a = AnalyzeSequences(
            SmallConv(length=L, n_features=3), str(path), L, ["a", "b", "c"],
            reference_sequence=genome, use_cuda=use_cuda,
        )  # fmt: skip
        out = tmp_path / str(use_cuda)
        a.variant_effect_prediction(vcf, ["predictions"], output_dir=out)
        values.append(tsv_values(read_tsv(out / "v.alt_predictions.tsv")[1], 8))
    np.testing.assert_allclose(values[0], values[1], atol=1e-5)
