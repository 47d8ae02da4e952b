"""The chr20 tutorial end to end on real data (slow: ~4 minutes on 2 cores)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, shared_path

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "chr20"


def test_chr20_tutorial(tmp_path):
    data = shared_path("data", "real", "hg19_chr20")
    work = tmp_path / "chr20"
    shutil.copytree(EXAMPLE, work)
    (work / "data").mkdir()
    for item in data.iterdir():
        (work / "data" / item.name).symlink_to(item)
    run = [sys.executable, "make_tiles.py"]
    assert subprocess.run(run, cwd=work, check=False).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "selene_sdk", "train_chr20.yml"], cwd=work, check=False
    )
    assert result.returncode == 0
    run_dir = work / "runs" / "chr20"
    lines = (run_dir / "test_performance.txt").read_text().splitlines()
    aucs = {}
    for line in lines[1:]:
        name, auc, _ = line.split("\t")
        aucs[name] = float(auc) if auc != "NA" else float("nan")
    print("chr20 test ROC AUC:", aucs)
    # measured 0.784 / 0.998 / 0.828; the original Selene 0.6.0 reaches 0.78 / 0.999 / 0.72
    # with this setup. The margins allow for other CPUs' floating-point differences.
    assert aucs["CTCF"] >= 0.76
    assert aucs["CpG_island"] >= 0.99
    assert aucs["TSS_500bp"] >= 0.76
    scores = run_dir / "snps" / "common_snps.chr20_abs_diffs.tsv"
    assert scores.exists()
    assert sum(1 for _ in open(scores)) > 7000
