"""The quantitative chr20 tutorial: both configurations validate (always), and the whole
tutorial runs as its README says on the real data (slow, ~1.5 min on 2 cores)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

from selene_sdk.config.validate import validate_path
from tests.conftest import REPO, shared_path

EXAMPLE = REPO / "examples" / "chr20_quantitative"
CELLS = ["Mono", "CD4", "CD8", "Nkcell", "Bcell", "Ery"]


@pytest.mark.parametrize("config", ["train_h5.yml", "train_bigwig.yml"])
def test_configurations_parse_and_name_six_cell_types(config):
    problems = [p for p in validate_path(EXAMPLE / config) if p.severity == "error"]
    # the files are built by build_targets.py: only missing-file problems are allowed here
    assert all("does not exist" in p.message or "not found" in p.message for p in problems), [
        str(p) for p in problems
    ]
    assert "n_targets: 6" in (EXAMPLE / config).read_text()


@pytest.mark.slow
def test_quantitative_tutorial(tmp_path):
    pytest.importorskip("pyBigWig")
    data = shared_path("data", "real", "hg19_chr20")
    work = tmp_path / "chr20_quantitative"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("data", "targets", "runs"))
    (work / "data").symlink_to(data)
    steps = [["build_targets.py"], ["-m", "selene_sdk", "train_h5.yml"]]
    steps.append(["-m", "selene_sdk", "train_bigwig.yml"])
    for step in steps:
        assert subprocess.run([sys.executable, *step], cwd=work, check=False).returncode == 0
    for run in ("h5", "bigwig"):
        lines = (work / "runs" / run / "test_performance.txt").read_text().splitlines()
        assert lines[0] == "class\tpearson\tspearman\tmse\tr2"
        pearson = {line.split("\t")[0]: float(line.split("\t")[1]) for line in lines[1:]}
        assert list(pearson) == CELLS
        assert np.nanmean(list(pearson.values())) > 0.05  # learned something, on held-out regions
        assert (work / "runs" / run / "regression_scatter.png").is_file()
