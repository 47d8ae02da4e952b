"""One ``python -m selene_sdk.demo --quick`` run per test session, shared by the tests that
need the demo's outputs (tests/demo, tests/docs/test_runnable_blocks.py)."""

from __future__ import annotations

from pathlib import Path

from selene_sdk.demo.__main__ import main

_RUN: dict[str, Path] = {}


def quick_demo_output(tmp_path_factory) -> Path:
    """The directory of the session's quick demo run (run on first use, then reused).

    Tests must treat it as read-only: copy it before running commands that write.
    """
    if "out" not in _RUN:
        out = tmp_path_factory.mktemp("demo") / "demo_output"
        assert main(["--output-dir", str(out), "--quick"]) == 0
        _RUN["out"] = out
    return _RUN["out"]
