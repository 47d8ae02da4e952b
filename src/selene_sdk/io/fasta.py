"""FASTA files as uint8 code arrays, cached on disk as one memory-mapped file per genome.

The first load streams the FASTA once (plain, gzip or bgzip; no ``.fai`` needed; parsed by
:mod:`selene_sdk.io.fasta_parse`, which refuses bytes that are not sequence) and writes
all records, concatenated, into ``<cache>/<key>.bin`` with a JSON sidecar of names, lengths
and offsets. The key is derived from the FASTA's absolute path, size and mtime, so an edited
FASTA is re-read. Later loads only ``mmap`` that file: near-instant, and DataLoader workers
share the same page-cache pages instead of each holding a copy.

Cache location: ``$SELENE_SDK_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/selene_sdk`` or
``~/.cache/selene_sdk``. ``SELENE_SDK_CACHE_DIR=off`` (or an unwritable directory) keeps the
genome in memory instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass

import numpy as np

from selene_sdk.errors import InputFormatError, SeleneWarning, require_file
from selene_sdk.io.atomic import atomic_path, atomic_write
from selene_sdk.io.fasta_parse import iter_fasta_bytes

__all__ = ["FastaArrays", "cache_dir", "load_fasta_arrays"]

# 2: read by io/fasta_parse (format 1 caches were read by htslib, which cut records at NUL)
_CACHE_FORMAT = 2


@dataclass
class FastaArrays:
    """All records of a FASTA file as one uint8 array of ASCII codes.

    Attributes
    ----------
    data
        1-D uint8 array (memory-mapped when cached): the records concatenated.
    names
        Record names (first word of each header) in file order.
    offsets, lengths
        int64 arrays: record ``i`` is ``data[offsets[i] : offsets[i] + lengths[i]]``.
    cache_file
        Path of the memory-mapped file, or None when held in memory.
    """

    data: np.ndarray
    names: list[str]
    offsets: np.ndarray
    lengths: np.ndarray
    cache_file: str | None = None


def cache_dir() -> str | None:
    """The genome cache directory, or None when caching is switched off."""
    configured = os.environ.get("SELENE_SDK_CACHE_DIR")
    if configured is not None:
        if configured.strip().lower() in {"", "off", "none", "0", "false"}:
            return None
        return os.path.expanduser(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "selene_sdk")


def _cache_key(path: str) -> str:
    stat = os.stat(path)
    ident = f"{_CACHE_FORMAT}|{os.path.realpath(path)}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha1(ident.encode()).hexdigest()[:20]
    stem = os.path.basename(path).split(".")[0][:40] or "fasta"
    return f"{stem}-{digest}"


def _read_records(path: str):
    """Yield ``(name, bytes)`` for each FASTA record (names unique and non-empty)."""
    return iter_fasta_bytes(path, unique_names=True)


def _read_into_memory(path: str) -> FastaArrays:
    names, chunks = [], []
    for name, seq in _read_records(path):
        names.append(name)
        chunks.append(seq)
    if not names:
        raise InputFormatError(path, "contains no FASTA records (is it a FASTA file?)")
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    data = np.frombuffer(b"".join(chunks), dtype=np.uint8)
    return FastaArrays(data, names, offsets, lengths)


def _build_cache(path: str, directory: str, key: str) -> None:
    names, lengths = [], []
    bin_path = os.path.join(directory, key + ".bin")
    with atomic_path(bin_path) as tmp, open(tmp, "wb") as out:
        for name, seq in _read_records(path):
            out.write(seq)
            names.append(name)
            lengths.append(len(seq))
        if not names:
            raise InputFormatError(path, "contains no FASTA records (is it a FASTA file?)")
        out.flush()
    meta = {
        "format": _CACHE_FORMAT,
        "source": os.path.realpath(path),
        "names": names,
        "lengths": lengths,
    }
    with atomic_write(os.path.join(directory, key + ".json")) as handle:
        json.dump(meta, handle)


def _open_cache(directory: str, key: str) -> FastaArrays | None:
    meta_path = os.path.join(directory, key + ".json")
    bin_path = os.path.join(directory, key + ".bin")
    try:
        with open(meta_path, encoding="utf-8") as handle:
            meta = json.load(handle)
        lengths = np.asarray(meta["lengths"], dtype=np.int64)
        if meta.get("format") != _CACHE_FORMAT or os.path.getsize(bin_path) != lengths.sum():
            return None
    except (OSError, ValueError, KeyError):
        return None
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    if lengths.sum() == 0:
        data = np.zeros(0, dtype=np.uint8)
    else:
        # A plain ndarray view of the map: slicing a np.memmap costs ~4 us of bookkeeping.
        data = np.asarray(np.memmap(bin_path, dtype=np.uint8, mode="r"))
    return FastaArrays(data, list(meta["names"]), offsets, lengths, bin_path)


def load_fasta_arrays(path: str | os.PathLike, use_cache: bool = True) -> FastaArrays:
    """Load every record of a FASTA file as uint8 codes (memory-mapped from the cache).

    Parameters
    ----------
    path
        FASTA file: plain text, gzip or bgzip compressed. An index is not required.
    use_cache
        Use (and create) the on-disk cache described in the module docstring.
    """
    path = require_file(path, "FASTA file")
    directory = cache_dir() if use_cache else None
    if directory is None:
        return _read_into_memory(path)
    key = _cache_key(path)
    cached = _open_cache(directory, key)
    if cached is not None:
        return cached
    try:
        os.makedirs(directory, exist_ok=True)
        _build_cache(path, directory, key)
    except PermissionError as exc:
        warnings.warn(
            f"cannot write the genome cache in {directory} ({exc.strerror}); reading {path} "
            "into memory instead. Set SELENE_SDK_CACHE_DIR to a writable directory.",
            SeleneWarning,
            stacklevel=3,
        )
        return _read_into_memory(path)
    cached = _open_cache(directory, key)
    if cached is None:  # pragma: no cover - only if the cache vanished under us
        return _read_into_memory(path)
    return cached
