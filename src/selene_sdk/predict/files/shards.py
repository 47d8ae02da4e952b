"""Analysis under torchrun: each rank scores a contiguous share of an input file into a
shard directory; rank 0 merges the shards, in input order, into the documented files.

Layout, for outputs that go to ``OUT`` from input ``NAME``::

    OUT/.selene-shards-NAME/<rank>-of-<world>/   one rank's outputs, same file names
    OUT/.selene-shards-NAME/<rank>-of-<world>/.done.json   its completion marker

A rank whose marker matches (same input file, size, modification time, share and
settings) skips its work: a run killed after some shards finished redoes only the others.
The merged files are written atomically (nothing looks complete before the merge ends);
then the shard directories are removed.

Merging, file by file (a name found in several shards; a name in one shard only, e.g. a
record's ISM files, is moved into place): text tables (``.tsv``, ``_row_labels.txt``) keep
the first shard's header line and every shard's rows; ``.NA`` files are concatenated;
annotated VCFs keep the first shard's ``#`` header; HDF5 ``data`` datasets are
concatenated. Text outputs are then byte for byte those of one process.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from selene_sdk import distributed
from selene_sdk.io.atomic import atomic_path, atomic_write
from selene_sdk.io.compression import open_binary

__all__ = ["count_lines", "run_in_shards", "shard_root"]

_MARKER = ".done.json"
_HEADED = (".tsv", "_row_labels.txt")


def shard_root(output_dir: str, input_path: str) -> str:
    """The directory that holds the shards of ``input_path``'s outputs."""
    return os.path.join(output_dir, f".selene-shards-{os.path.basename(input_path)}")


def count_lines(path: str) -> int:
    """Lines of a (plain or gzip) text file, as Python iterates them: the units of a
    BED/VCF share (a last line without its newline counts)."""
    n, last = 0, b"\n"
    with open_binary(path) as handle:
        while block := handle.read(1 << 22):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def _identity(input_path: str, share: range, settings: dict[str, Any], world: int) -> dict:
    stat = os.stat(input_path)
    return {
        "input": os.path.realpath(input_path),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "share": [share.start, share.stop],
        "world_size": world,
        "settings": settings,
    }


def _is_done(directory: str, identity: dict) -> bool:
    try:
        with open(os.path.join(directory, _MARKER), encoding="utf-8") as handle:
            return json.load(handle) == identity
    except (OSError, ValueError):
        return False


def run_in_shards(
    input_path: str,
    output_dir: str,
    n_units: Callable[[], int],
    work: Callable[[range | None, str], Any],
    settings: dict[str, Any],
) -> Any:
    """Run ``work(share, directory)`` for this rank and merge the shards in rank 0.

    Outside torchrun this is ``work(None, output_dir)``. ``n_units`` counts the input's
    units (records or lines); ``settings`` (JSON-able) are what else decides the outputs,
    so that a marker from a run with other settings is not trusted. Returns this rank's
    result of ``work``.
    """
    ranks = distributed.current()
    if not ranks.distributed:
        return work(None, output_dir)
    share = distributed.contiguous_share(n_units(), ranks)
    root = shard_root(output_dir, input_path)
    mine = os.path.join(root, f"{ranks.rank}-of-{ranks.world_size}")
    identity = _identity(input_path, share, settings, ranks.world_size)
    result = None
    if not _is_done(mine, identity):
        shutil.rmtree(mine, ignore_errors=True)
        os.makedirs(mine)
        result = work(share, mine)
        with atomic_write(os.path.join(mine, _MARKER)) as handle:
            json.dump(identity, handle)
    distributed.barrier(ranks)
    if ranks.is_main:
        shards = [os.path.join(root, f"{r}-of-{ranks.world_size}") for r in range(ranks.world_size)]
        merge(shards, output_dir)
        shutil.rmtree(root, ignore_errors=True)
    distributed.barrier(ranks)
    return result


def merge(shards: Sequence[str], output_dir: str) -> list[str]:
    """Merge the shard directories (in order) into ``output_dir``; returns the paths."""
    names: dict[str, list[str]] = {}
    for shard in shards:
        for name in sorted(os.listdir(shard)):
            if name != _MARKER and not name.startswith("."):
                names.setdefault(name, []).append(os.path.join(shard, name))
    written = []
    for name, parts in names.items():
        target = os.path.join(output_dir, name)
        if len(parts) == 1:
            os.replace(parts[0], target)
        elif name.endswith(".h5"):
            _merge_hdf5(parts, target)
        else:
            _merge_text(parts, target, _header_lines(name))
        written.append(target)
    return written


def _header_lines(name: str) -> Callable[[bytes], bool] | None:
    if name.endswith(_HEADED):
        return None  # exactly one header line
    if name.endswith(".vcf"):
        return lambda line: line.startswith(b"#")
    return lambda line: False  # .NA: no header


def _merge_text(parts: Sequence[str], target: str, is_header) -> None:
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        for i, part in enumerate(parts):
            with open(part, "rb") as handle:
                if is_header is None:  # one header line, from the first shard
                    header = handle.readline()
                    if i == 0:
                        out.write(header)
                else:
                    line = handle.readline()
                    while line and is_header(line):
                        if i == 0:
                            out.write(line)
                        line = handle.readline()
                    out.write(line)
                shutil.copyfileobj(handle, out, 1 << 22)


def _merge_hdf5(parts: Sequence[str], target: str, dataset: str = "data") -> None:
    import h5py

    from selene_sdk.io.writers import Hdf5Writer

    arrays = []
    for part in parts:
        with h5py.File(part, "r") as h5:
            arrays.append(np.asarray(h5[dataset]))
    values = np.concatenate(arrays) if arrays else np.empty((0, 0))
    writer = Hdf5Writer(target, values.shape[1], dataset=dataset)  # as one process writes it
    with writer:
        writer.write(values)
