"""Shared test fixtures: paths to ../shared data (skipped when absent) and an isolated cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Before any test module imports matplotlib: never try to open a window.
os.environ.setdefault("MPLBACKEND", "Agg")

# Shared CI machines have noisy timings: no per-example deadline.
settings.register_profile("selene", deadline=None)
settings.load_profile("selene")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SELENE_DATA = SHARED / "data" / "selene"
REAL_DATA = SHARED / "data" / "real"


def shared_path(*parts: str) -> Path:
    """Path under ``../shared``; skips the calling test with a reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not available: {path}")
    return path


@pytest.fixture(autouse=True)
def _untuned_test_process(monkeypatch):
    """`selene run` tunes its own process (gc.freeze, allocator): not pytest's."""
    import selene_sdk._runtime as runtime

    monkeypatch.setattr(runtime, "tune_process", lambda freeze=True: {})


@pytest.fixture(autouse=True)
def _isolated_genome_cache(tmp_path_factory, monkeypatch):
    """Keep the genome cache of every test session in a temporary directory."""
    cache = tmp_path_factory.getbasetemp() / "genome-cache"
    monkeypatch.setenv("SELENE_SDK_CACHE_DIR", str(cache))


@pytest.fixture
def small_fasta() -> Path:
    """The original Selene's 4-record DNA fixture (chr1..chr4, mixed case, N and U)."""
    return shared_path("data", "selene", "selene_sdk", "sequences", "tests", "files", "small.fasta")


@pytest.fixture
def small_faa() -> Path:
    """The original Selene's protein fixture (prot0, prot1)."""
    return shared_path("data", "selene", "selene_sdk", "sequences", "tests", "files", "small.faa")


@pytest.fixture
def aggregate_bed() -> Path:
    """The original Selene's 6-feature target file (chromosomes 1 and 10, 599,360 rows)."""
    return shared_path(
        "data", "selene", "selene_sdk", "targets", "tests", "files", "sorted_aggregate.bed.gz"
    )


@pytest.fixture
def chr20_dir() -> Path:
    """Real human chr20 (hg19) data directory."""
    return shared_path("data", "real", "hg19_chr20")
