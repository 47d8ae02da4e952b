"""Fuzzing the FASTA readers: ``iter_fasta_bytes`` (the one parser), ``iter_fasta_records``
(prediction inputs) and ``Genome`` (the memory-mapped reference, with its on-disk cache).

Every example is checked against a plain line-by-line reading written from the parser's
documentation (the oracle below), with the parser's block size varied so that records,
lines and ``\\r\\n`` pairs fall across block boundaries.
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.io import fasta_parse
from selene_sdk.io.fasta_parse import iter_fasta_bytes
from selene_sdk.io.fasta_records import iter_fasta_records
from selene_sdk.sequences import Genome

from .inputs import decompressed, file_with, fuzz, hostile, reader_contract, stored_file

_SEQUENCE = re.compile(rb"[A-Za-z*-]*")
NAMES = [b"chr1", b"chr2", b"chrM", b"1", b"chr1 description", b"", b" x", b"\xc3\xa9"]


@st.composite
def fasta_text(draw) -> bytes:
    """A FASTA file that is valid or close to it (empty records, blank lines, repeats)."""
    out = []
    if draw(st.booleans()):
        out.append(draw(st.sampled_from([b"", b"  ", b"\t"])))
    for _ in range(draw(st.integers(0, 5))):
        out.append(b">" + draw(st.sampled_from(NAMES)))
        seq = draw(st.text("ACGTNacgtnRY-*", max_size=40)).encode()
        width = draw(st.integers(1, 20))
        out += [seq[i : i + width] for i in range(0, len(seq), width)]
        if draw(st.integers(0, 4)) == 0:
            out.append(b"")
    return b"\n".join(out) + b"\n" if out else b""


FASTA_INPUT = hostile(fasta_text(), b">chrACGTNacgtn-* \t\n\r@")


def expected_fasta(content: bytes, unique_names: bool):
    """``("error", bad lines or None)`` or ``("ok", [(name, sequence)], spaces)``."""
    if content[:4096].lstrip().startswith(b"@"):
        return ("error", None)
    lines = content.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    records, bad, seen, spaces = [], set(), set(), 0
    for lineno, line in enumerate(lines, 1):
        if line.startswith(b">"):
            words = line[1:].split()
            name = words[0].decode("utf-8", "replace") if words else ""
            if unique_names and (not name or name in seen):
                bad.add(lineno)
            seen.add(name)
            records.append([name, b""])
            continue
        if line.endswith(b"\r"):
            line = line[:-1]  # a Windows line end
        if not records:
            if line.strip():
                bad.add(lineno)  # text before the first header
            if line.translate(None, b" \t"):  # \x0b, \x0c: blank to strip(), not sequence
                bad.add(lineno)
            continue
        sequence = line.translate(None, b" \t")
        spaces += len(line) - len(sequence)
        if not _SEQUENCE.fullmatch(sequence):
            bad.add(lineno)
        records[-1][1] += sequence
    if bad:
        return ("error", bad)
    return ("ok", [tuple(r) for r in records], spaces)


def _content(data: bytes, container: str) -> bytes | None:
    content = decompressed(data, container)
    if container == "plain" and content.startswith(b"\x1f\x8b"):
        content = decompressed(content, "gzip")
    return content


def _check_outcome(got, error, want, path) -> None:
    """The reader's records (or error) against the oracle's."""
    if error:
        assert want[0] == "error", f"refused a valid file: {error[0]}"
        if want[1] is not None:
            line = getattr(error[0], "line", None)
            assert line in want[1], f"error at line {line}, expected one of {sorted(want[1])}"
        return
    assert want[0] == "ok", f"accepted a file with bad lines {sorted(want[1] or [])}"
    assert got == want[1]


def _read_bytes(path, unique_names: bool, block: int | None):
    """Records, the warnings, and the error list (``reader_contract``)."""
    got = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with reader_contract(path) as error:
            with mock.patch.object(fasta_parse, "_BLOCK", block or fasta_parse._BLOCK):
                got = list(iter_fasta_bytes(path, unique_names=unique_names))
    return got, [w for w in caught if issubclass(w.category, SeleneWarning)], error


@fuzz(ci=60)
@given(
    stored_file(FASTA_INPUT),
    st.booleans(),
    st.sampled_from([None, None, 1, 2, 3, 7, 16, 64]),
)
def test_iter_fasta_bytes(stored, unique_names, block):
    data, container, _ = stored
    content = _content(data, container)
    want = expected_fasta(content, unique_names) if content is not None else ("error", None)
    with file_with(data, "seqs.fa") as path:
        got, seen_warnings, error = _read_bytes(path, unique_names, block)
        event(f"{container}: {'error' if error else 'read'}")
        _check_outcome(got, error, want, path)
        if error:
            return
        for name, sequence in got:
            assert isinstance(name, str) and _SEQUENCE.fullmatch(sequence)
            assert not unique_names or name
        # spaces and tabs inside sequence lines: one warning naming the file
        spaces = want[2]
        assert len(seen_warnings) == (1 if spaces else 0)
        if spaces:
            message = str(seen_warnings[0].message)
            assert message.startswith(f"{path}: {spaces:,} space or tab")


@fuzz(ci=30)
@given(stored_file(FASTA_INPUT))
def test_iter_fasta_records(stored):
    data, container, _ = stored
    content = _content(data, container)
    want = expected_fasta(content, False) if content is not None else ("error", None)
    if want[0] == "ok":
        want = ("ok", [(name, seq.decode("ascii")) for name, seq in want[1]], want[2])
    with file_with(data, "seqs.fa") as path:
        got = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeleneWarning)
            with reader_contract(path) as error:
                got = list(iter_fasta_records(path))
        _check_outcome(got, error, want, path)


def test_iter_fasta_records_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="FASTA file not found"):
        list(iter_fasta_records(tmp_path / "absent.fa"))


# -- Genome -------------------------------------------------------------------------------------
@fuzz(ci=30)
@given(
    stored_file(FASTA_INPUT),
    st.sampled_from(["cache", "off"]),
    st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=4),
)
def test_genome(stored, cache, windows):
    data, container, _ = stored
    content = _content(data, container)
    want = expected_fasta(content, True) if content is not None else ("error", None)
    if want[0] == "ok" and not want[1]:
        want = ("error", None)  # no records: refused, naming the file
    with tempfile.TemporaryDirectory(prefix="selene-fuzz-cache-") as cache_dir:
        env = {"SELENE_SDK_CACHE_DIR": cache_dir if cache == "cache" else "off"}
        with (
            file_with(data, "genome.fa") as path,
            mock.patch.dict(os.environ, env),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", SeleneWarning)  # spaces removed: checked above
            with reader_contract(path) as error:
                lengths = Genome(path).len_chrs
            if error:
                _check_outcome(None, error, want, path)
                if cache == "cache":  # a refused FASTA leaves nothing in the cache
                    assert os.listdir(cache_dir) == []
                return
            assert want[0] == "ok", f"accepted a file with bad lines {sorted(want[1] or [])}"
            records = dict(want[1])
            assert lengths == {name: len(seq) for name, seq in records.items()}
            # a second Genome reads the cache (or the file again) and agrees with the first
            genome = Genome(path)
            assert genome.chrs == sorted(records) and genome.len_chrs == lengths
            for (name, seq), (a, b) in zip(records.items(), windows):
                start, end = min(a, b), max(a, b)
                valid = 0 <= start < end <= len(seq)
                assert genome.coords_in_bounds(name, start, end) == valid
                if not valid:
                    continue
                assert genome.get_sequence_from_coords(name, start, end) == seq[start:end].decode(
                    "ascii"
                )
                encoding = genome.get_encoding_from_coords(name, start, end)
                assert encoding.shape == (end - start, 4) and encoding.dtype == np.float32
                acgt = np.frombuffer(seq[start:end].upper(), dtype=np.uint8)
                known = np.isin(acgt, np.frombuffer(b"ACGT", dtype=np.uint8))
                assert (encoding[known].sum(axis=1) == 1).all()


def test_genome_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="FASTA file not found"):
        Genome(tmp_path / "absent.fa")


# -- reported bugs, pinned with their minimal inputs ---------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_fasta_broken_gzip_is_an_input_error(tmp_path, damage):
    packed = gzip.compress(b">a\nACGT\n", mtime=0)
    if damage == "truncated":
        packed = packed[:-4]
    else:
        packed = packed[:10] + bytes([packed[10] ^ 1]) + packed[11:]
    path = tmp_path / "seqs.fa.gz"
    path.write_bytes(packed)
    with pytest.raises(InputFormatError, match=re.escape(str(path))):
        list(iter_fasta_bytes(path))
