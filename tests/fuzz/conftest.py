"""Fuzz tests: hypothesis profiles ``fuzz-ci`` (default) and ``fuzz-slow``.

``SELENE_FUZZ_PROFILE=slow`` gives every target 10,000 examples and marks the fuzz tests
``slow``, so they run only when selected: ``SELENE_FUZZ_PROFILE=slow pytest tests/fuzz -m
slow``. The profiles are applied per test (``@inputs.fuzz(...)``), never loaded globally,
so the rest of the suite keeps its own hypothesis settings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import inputs

_HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if not inputs.SLOW:
        return
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _quiet_progress(monkeypatch):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "0")
