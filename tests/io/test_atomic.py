"""Atomic writes: a failure leaves the previous good file and no temporary files."""

from __future__ import annotations

import os

import pytest

from selene_sdk.io.atomic import atomic_path, atomic_write


def test_success_replaces(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_write(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_failure_keeps_previous_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half of a new fi")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_path_creates_directories_and_binary(tmp_path):
    target = tmp_path / "a" / "b" / "out.bin"
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(b"\x00\x01")
        assert not target.exists()
    assert target.read_bytes() == b"\x00\x01"


def test_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "perm.txt") as handle:
            handle.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "perm.txt").stat().st_mode & 0o777 == 0o644
