"""Allocator tuning: applied once on glibc Linux, and can be switched off."""

from __future__ import annotations

import subprocess
import sys

CODE = "from selene_sdk._runtime import tune_memory_allocator as t; print(t(), t())"


def run(env_extra):
    import os

    env = {**os.environ, **env_extra}
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True)
    return out.stdout.strip()


def test_applied_on_linux_and_idempotent():
    if not sys.platform.startswith("linux"):
        assert run({}) == "False False"
        return
    assert run({}) == "True True"


def test_can_be_switched_off():
    assert run({"SELENE_SDK_MALLOC_TUNING": "0"}) == "False False"
