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


def test_frozen_heap_freezes_only_inside_and_collects_new_cycles():
    import gc

    from selene_sdk._runtime import frozen_heap

    assert gc.get_freeze_count() == 0
    with frozen_heap():
        assert gc.get_freeze_count() > 0
        cycle = []
        cycle.append(cycle)
        ref = __import__("weakref").ref(_Node(cycle))
        assert gc.collect() >= 0 and ref() is None  # new garbage cycles are still collected
    assert gc.get_freeze_count() == 0


def test_frozen_heap_leaves_a_callers_freeze_and_a_disabled_collector_alone():
    import gc

    from selene_sdk._runtime import frozen_heap

    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        with frozen_heap():
            assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


class _Node:
    def __init__(self, other):
        self.other = other
        self.me = self  # a reference cycle: only the cyclic collector frees it
