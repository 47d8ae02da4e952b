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


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_a_killed_run_are_removed_by_the_next_one(tmp_path, monkeypatch):
    from selene_sdk.io import atomic

    monkeypatch.setattr(atomic, "_CLEANED", set())
    host = atomic._HOST
    dead = tmp_path / f".variants.NA.sel-{host}-{_dead_pid()}-0123456789ab.tmp"
    live = tmp_path / f".best_model.pth.tar.sel-{host}-{os.getppid()}-0123456789ab.tmp"
    other_host = tmp_path / f".x.tsv.sel-ffffff-{_dead_pid()}-0123456789ab.tmp"
    not_ours = [tmp_path / ".variants.NA.0123456789ab.tmp", tmp_path / ".hidden", tmp_path / "a"]
    for path in (dead, live, other_host, *not_ours):
        path.write_text("partial")
    if host == "ffffff":  # pragma: no cover - a 1 in 16M hostname
        other_host.unlink()
    with atomic_write(tmp_path / "result.txt") as handle:
        handle.write("ok")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert dead.name not in left  # its process is gone
    assert (live.name in left and other_host.name in left) or host == "ffffff"
    assert all(p.name in left for p in not_ours) and "result.txt" in left
    # one sweep per directory and process
    dead.write_text("again")
    with atomic_write(tmp_path / "result.txt") as handle:
        handle.write("ok")
    assert dead.exists()


def test_unwritable_targets_are_named_not_the_temporary_file(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(OSError) as info:
        with atomic_write(blocker / "sub" / "x.tsv") as handle:
            handle.write("x")
    message = str(info.value)
    assert message.startswith(f"cannot write {blocker / 'sub' / 'x.tsv'}: ")
    assert f"{blocker} is a file, not a directory" in message
    assert ".x.tsv." not in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only directories")
def test_read_only_directory_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match=rf"cannot write {locked / 'x.tsv'}: "):
            with atomic_write(locked / "x.tsv") as handle:
                handle.write("x")
    finally:
        locked.chmod(0o755)
