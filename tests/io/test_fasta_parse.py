"""The one FASTA parser: every byte classified, both readers alike, block edges invisible."""

from __future__ import annotations

import gzip
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.io import fasta_parse
from selene_sdk.io.fasta_parse import iter_fasta_bytes
from selene_sdk.io.fasta_records import iter_fasta_records
from selene_sdk.sequences import Genome


def write(tmp_path, data: bytes, name: str = "x.fa"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def slow_parse(data: bytes) -> list[tuple[str, bytes]]:
    """An independent line-by-line reading of a clean FASTA text."""
    records: list[tuple[str, bytes]] = []
    for line in data.split(b"\n"):
        line = line.removesuffix(b"\r")
        if line.startswith(b">"):
            words = line[1:].split()
            records.append((words[0].decode() if words else "", b""))
        elif records:
            records[-1] = (records[-1][0], records[-1][1] + line)
    return records


def test_letters_gaps_stops_case_and_line_ends(tmp_path):
    path = write(tmp_path, b">a desc\r\nACGTN\r\nryk-*\r\n\r\n>b\nnnNN")
    assert list(iter_fasta_bytes(path)) == [("a", b"ACGTNryk-*"), ("b", b"nnNN")]
    assert list(iter_fasta_records(path)) == [("a", "ACGTNryk-*"), ("b", "nnNN")]


def test_empty_and_blank_files(tmp_path):
    assert list(iter_fasta_bytes(write(tmp_path, b""))) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # blank lines before the first header are fine
        assert list(iter_fasta_bytes(write(tmp_path, b"\n\n  \n"))) == []
    assert list(iter_fasta_bytes(write(tmp_path, b">only"))) == [("only", b"")]


@pytest.mark.parametrize(
    ("byte", "words"),
    [
        (b"\x00", "a NUL byte"),
        (b"\x07", "the control byte 0x07"),
        (b"7", "'7'"),
        (b"\xff", "the non-ASCII byte 0xff"),
        ("☃".encode(), "the non-ASCII byte 0xe2"),
        (b"\r", "the control byte 0x0d"),  # a CR that does not end a line
        (b".", "'.'"),
    ],
)
def test_bytes_that_are_not_sequence_are_refused_with_their_place(tmp_path, byte, words):
    data = b">chr0\nACGT\n>chr1 x\nACGTACGTAC\nACGTA" + byte + b"CGT\nACGT\n"
    path = write(tmp_path, data)
    message = f"{path}:5: {words} at column 6 in record 'chr1' (after base 15): not a sequence"
    for read in (lambda: list(iter_fasta_bytes(path)), lambda: Genome(path).get_chrs()):
        with pytest.raises(InputFormatError) as info:
            read()
        assert str(info.value).startswith(message)


def test_nul_byte_no_longer_truncates_a_genome(tmp_path):
    """htslib stopped the record at the NUL: 60,000 bp read as 11,950 before."""
    line = b"ACGTACGTAC" * 6 + b"\n"  # 60 bp lines
    data = b">chr1\n" + line * 199 + b"ACGTACGTAC\x00" + line[11:] + line * 800
    path = write(tmp_path, data)
    with pytest.raises(InputFormatError, match=r"x\.fa:201: a NUL byte at column 11 in record "):
        Genome(path).get_chr_lens()
    with pytest.raises(InputFormatError, match="after base 11,950"):
        list(iter_fasta_records(path))


def test_text_before_the_first_header_is_refused_by_both_readers(tmp_path):
    path = write(tmp_path, b"\nACGT\n>chr1\nACGT\n")
    message = f"{path}:2: is not FASTA: text before the first '>' header line"
    for read in (lambda: list(iter_fasta_records(path)), lambda: Genome(path).get_chrs()):
        with pytest.raises(InputFormatError) as info:
            read()
        assert str(info.value).startswith(message)


def test_spaces_are_removed_with_one_counted_warning(tmp_path):
    path = write(tmp_path, b">a\nAC GT\t\n>b\nA C\n")
    with pytest.warns(SeleneWarning) as record:
        assert list(iter_fasta_bytes(path)) == [("a", b"ACGT"), ("b", b"AC")]
    (warning,) = record
    assert str(warning.message) == (
        f"{path}: 3 space or tab characters inside sequence lines removed (first at line 2, "
        "column 3 (record 'a'))"
    )


def test_fastq_is_refused(tmp_path):
    with pytest.raises(InputFormatError, match="looks like FASTQ"):
        list(iter_fasta_bytes(write(tmp_path, b"@r1\nACGT\n+\nIIII\n")))


def test_names_unique_for_a_genome_free_for_prediction_inputs(tmp_path):
    path = write(tmp_path, b">a\nAC\n>b\nGT\n>a\nTT\n")
    assert [n for n, _ in iter_fasta_records(path)] == ["a", "b", "a"]
    with pytest.raises(InputFormatError, match=r"x\.fa:5: duplicate record name 'a'"):
        list(iter_fasta_bytes(path, unique_names=True))
    empty = write(tmp_path, b">a\nAC\n> \nGT\n", "e.fa")
    with pytest.raises(InputFormatError, match=r"e\.fa:3: a '>' header line without a record"):
        list(iter_fasta_bytes(empty, unique_names=True))


def test_gzip_input(tmp_path):
    data = b">a\nACGT\nAC\n>b\nGG\n"
    path = tmp_path / "x.fa.gz"
    path.write_bytes(gzip.compress(data))
    assert list(iter_fasta_bytes(path)) == [("a", b"ACGTAC"), ("b", b"GG")]


_line = st.text(alphabet="ACGTNacgtn-*RY", min_size=0, max_size=12)
_record = st.tuples(
    st.from_regex(r"[A-Za-z0-9_.]{1,6}", fullmatch=True),
    st.text(alphabet="abc >x", max_size=5),  # description (may contain '>' and spaces)
    st.lists(_line, max_size=5),
)


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(_record, max_size=6),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    block=st.integers(min_value=1, max_value=40),
)
def test_any_block_size_reads_like_the_slow_parser(records, crlf, final_newline, block):
    end = "\r\n" if crlf else "\n"
    text = "".join(
        f">{name} {desc}{end}" + "".join(line + end for line in lines)
        for name, desc, lines in records
    )
    if not final_newline:
        text = text.removesuffix(end)
    data = text.encode()
    expected = slow_parse(data)
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.fa")
        with open(path, "wb") as handle:
            handle.write(data)
        original = fasta_parse._BLOCK
        fasta_parse._BLOCK = block
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert list(iter_fasta_bytes(path)) == expected
        finally:
            fasta_parse._BLOCK = original
