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


@pytest.mark.parametrize("tf32_on", [False, True])
def test_fast_ism_on_cuda_passes_its_check_and_equals_naive(tf32_on):
    from selene_sdk.predict import saturation_mutagenesis

    from .helpers import tf32
    from .test_fast_ism import BenchmarkModel, onehot, plan_of

    torch.manual_seed(0)
    model = BenchmarkModel(200)
    X = onehot(2, 200)
    cpu = saturation_mutagenesis(model, X).predictions
    model.cuda()
    # (TF32 convolutions are PyTorch's default on CUDA: the plan must still be used, its
    # check allowing TF32's rounding)
    with tf32(convolutions=tf32_on):
        assert plan_of(model, 200) is not None
        fast = saturation_mutagenesis(model, X, fast=True).predictions
        naive = saturation_mutagenesis(model, X).predictions
    tolerance = 1e-2 if tf32_on else 1e-5
    np.testing.assert_allclose(fast, naive, rtol=0, atol=tolerance)
    np.testing.assert_allclose(fast, cpu, rtol=0, atol=tolerance)
