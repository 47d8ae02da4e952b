"""The chr20 tutorial: its scripts write beside the tutorial, never into ``data/`` (a link to
the shared prepared data in this project), and end to end on real data (slow)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from selene_sdk.io.bed import read_bed
from tests.conftest import REPO, shared_path

EXAMPLE = REPO / "examples" / "chr20"
RECORD = json.loads((EXAMPLE / "recorded_run.json").read_text())
#: What a copy of the tutorial leaves out: the data link and what the tutorial writes.
OUTPUTS = ("data", "runs", "tiles.bed", "snps.html", "__pycache__")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"_chr20_{name}", EXAMPLE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
    }


@pytest.fixture
def linked_data(tmp_path, monkeypatch):
    """A tutorial directory whose ``data`` links to a separate "shared" directory holding a
    300 kb chr20 (first 100 kb all N) and the four annotation BEDs; cwd is the tutorial."""
    shared = tmp_path / "shared"
    shared.mkdir()
    rng = np.random.default_rng(0)
    sequence = "N" * 100_000 + "".join(rng.choice(list("ACGT"), 200_000))
    with gzip.open(shared / "hg19_chr20.fa.gz", "wt") as handle:
        handle.write(">chr20\n")
        for i in range(0, len(sequence), 80):
            handle.write(sequence[i : i + 80] + "\n")
    for i, (name, _flank) in enumerate(_script("build_features").SOURCES.values()):
        with gzip.open(shared / name, "wt") as handle:
            handle.write(f"chr20\t{1000 * (i + 1)}\t{1000 * (i + 1) + 10}\n")
    work = tmp_path / "chr20"
    work.mkdir()
    (work / "data").symlink_to(shared)
    monkeypatch.chdir(work)
    return work, shared


def test_make_tiles_writes_tiles_bed_beside_the_tutorial(linked_data):
    work, shared = linked_data
    before = _snapshot(shared)
    target = _script("make_tiles").main()
    assert target == Path("tiles.bed")
    # 100 kb tiles that are not mostly N: the first one is all N
    assert (work / "tiles.bed").read_text() == "chr20\t100000\t200000\nchr20\t200000\t300000\n"
    assert _snapshot(shared) == before


def test_build_features_refuses_to_write_through_a_link(linked_data, capsys):
    _work, shared = linked_data
    before = _snapshot(shared)
    assert _script("build_features").main("data") == 1
    assert "is a link to" in capsys.readouterr().err
    assert _snapshot(shared) == before


def test_build_features_writes_the_labels_into_a_directory_of_ones_own(linked_data):
    work, shared = linked_data
    own = work / "own"
    shutil.copytree(shared, own)
    assert _script("build_features").main("own") == 0
    table = read_bed(own / "selene_features.chr20.bed.gz")
    rows = list(zip(table.starts.tolist(), table.ends.tolist()))
    # CTCF, CpG_island, TSS_500bp (+/- 250 bp), blood_DHS_variable, sorted by start
    assert rows == [(1000, 1010), (2000, 2010), (2750, 3260), (4000, 4010)]
    assert (own / "selene_distinct_features.txt").read_text().split() == [
        "CTCF",
        "CpG_island",
        "TSS_500bp",
        "blood_DHS_variable",
    ]


def test_the_configuration_reads_data_and_writes_beside_the_tutorial():
    lines = (EXAMPLE / "train_chr20.yml").read_text().splitlines()
    values = dict(
        line.strip().split(": ", 1)
        for line in lines
        if line.strip().startswith(("intervals_path:", "output_dir:"))
    )
    assert values["intervals_path"] == "tiles.bed"
    outputs = [line.split(": ", 1)[1] for line in lines if line.strip().startswith("output_dir:")]
    assert outputs == ["runs/chr20/snps", "runs/chr20"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_ignores_the_tutorials_data_link_and_outputs():
    paths = [f"examples/chr20/{name}" for name in ("data", "tiles.bed", "snps.html")]
    paths.append("examples/chr20/runs/chr20/best_model.pth.tar")
    result = subprocess.run(
        ["git", "check-ignore", *paths], cwd=REPO, capture_output=True, text=True, check=False
    )
    if result.returncode == 128:
        pytest.skip(f"not a git checkout: {result.stderr.strip()}")
    assert result.stdout.split() == paths


@pytest.mark.slow
def test_chr20_tutorial(tmp_path):
    """As the README says: ``data`` links to the prepared data, then make_tiles.py and the
    configuration run from the tutorial's directory (~2.5 minutes on 2 cores)."""
    data = shared_path("data", "real", "hg19_chr20")
    before = _snapshot(data)
    work = tmp_path / "chr20"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns(*OUTPUTS))
    (work / "data").symlink_to(data)
    run = [sys.executable, "make_tiles.py"]
    assert subprocess.run(run, cwd=work, check=False).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "selene_sdk", "train_chr20.yml"], cwd=work, check=False
    )
    assert result.returncode == 0
    assert _snapshot(data) == before, "the tutorial wrote into the shared data directory"
    run_dir = work / "runs" / "chr20"
    lines = (run_dir / "test_performance.txt").read_text().splitlines()
    aucs = {}
    for line in lines[1:]:
        name, auc, _ = line.split("\t")
        aucs[name] = float(auc) if auc != "NA" else float("nan")
    print("chr20 test ROC AUC:", aucs, "recorded:", RECORD["test_roc_auc"])
    # The README quotes the recorded run; the margins allow for other CPUs' floating point.
    recorded = RECORD["test_roc_auc"]
    assert aucs["CTCF"] >= recorded["CTCF"] - 0.03
    assert aucs["CpG_island"] >= recorded["CpG_island"] - 0.01
    assert aucs["TSS_500bp"] >= recorded["TSS_500bp"] - 0.03
    assert np.isnan(aucs["blood_DHS_variable"])
    scores = run_dir / "snps" / "common_snps.chr20_abs_diffs.tsv"
    with open(scores) as handle:
        assert sum(1 for _ in handle) - 1 == RECORD["snps_scored"]
