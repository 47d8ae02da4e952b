"""Fuzzing the VCF reader (``VcfReader``) and the variant filter (``usable_variants``).

Every example is checked against a plain line-by-line reading of the same text (the
oracle below, written from the documented behaviour): the same records with the same
columns and problems, or an :class:`InputFormatError` naming the file and the same line.
"""

from __future__ import annotations

import gzip
import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError
from selene_sdk.io.vcf import MAX_POS, VcfReader
from selene_sdk.io.vcf_variants import usable_variants
from selene_sdk.predict.inputs import ChromMatcher

from .inputs import (
    decompressed,
    file_with,
    fuzz,
    hostile,
    reader_contract,
    stored_file,
    universal_lines,
)

_REQUIRED = ("#CHROM", "POS", "ID", "REF", "ALT")
CHROMS = ["chr1", "chr2", "chrM", "1", "X", "MT", "chrUn", "Chr2", ""]
ALLELES = ["A", "C", "G", "T", "N", "a", "AC", "GGT", "NN", ".", "*", "-", "<DEL>", "A]2:5]", "R"]


@st.composite
def vcf_text(draw) -> bytes:
    """A VCF that is valid or close to it (unknown chromosomes, odd alleles, POS 0)."""
    lines = []
    if draw(st.booleans()):
        lines.append("##fileformat=VCFv4.2")
    if draw(st.booleans()):
        lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tSTRAND")
    for k in range(draw(st.integers(0, 10))):
        alts = draw(st.lists(st.sampled_from(ALLELES), min_size=1, max_size=3))
        fields = [
            draw(st.sampled_from(CHROMS)),
            str(draw(st.integers(0, 400))),
            f"v{k}",
            draw(st.sampled_from(ALLELES)),
            ",".join(alts),
            ".",
            "PASS",
            ".",
            draw(st.sampled_from(["+", "-", ".", "x", " - "])),
        ]
        lines.append("\t".join(fields[: draw(st.sampled_from([9, 9, 9, 8, 5, 4]))]))
    return ("\n".join(lines) + "\n").encode() if lines else b""


VCF_INPUT = hostile(vcf_text(), b"chrACGTN0123456789.,-+#\t\n\r <>*")


def _strand(value: str) -> str:
    value = value.strip()
    return "-" if value == "-" else "." if value == "." else "+"


def expected_records(content: bytes, strand_index: int | None):
    """``("error", line)`` or ``("ok", records, meta_lines, columns)``: what the reader must
    give, from the documented rules, one line at a time."""
    if content.startswith(b"BCF"):
        return ("error", None)
    lines = universal_lines(content.decode("utf-8", "replace"))
    meta, columns = [], None
    i = 0
    for i, text in enumerate(lines):  # the header: '#' lines before the first record
        if not text.strip():
            continue
        if not text.startswith("#"):
            break
        if text.startswith("##"):
            meta.append(text)
            continue
        fields = text.split("\t")
        if fields[0].upper() == "#CHROM":
            if tuple(f.strip().upper() for f in fields[:5]) != _REQUIRED:
                return ("error", i + 1)
            columns = fields
        else:
            meta.append(text)
    records = []
    for lineno, text in enumerate(lines, 1):
        if not text or text[0] == "#" or text.isspace():
            continue
        fields = text.split("\t")
        if len(fields) < 5:
            strand = "+" if strand_index is None or len(fields) <= strand_index else "?"
            records.append((lineno, text, fields[0], 0, "", "", (), strand, True))
            continue
        if strand_index is not None and len(fields) <= strand_index:
            return ("error", lineno)
        strand = "+" if strand_index is None else _strand(fields[strand_index])
        try:
            pos = int(fields[1])
        except ValueError:
            pos = 0
        ok = 1 <= pos <= MAX_POS
        alts = tuple(fields[4].split(",")) if ok else ()
        records.append(
            (lineno, text, fields[0], pos if ok else 0, *fields[2:4], alts, strand, not ok)
        )
    return ("ok", records, meta, columns)


def _as_tuple(record):
    return (
        record.line, record.text, record.chrom, record.pos, record.id, record.ref,
        record.alts, record.strand, record.problem is not None,
    )  # fmt: skip


def _check_chunk(chunk, chunk_size: int, strand_index: int | None) -> None:
    n = len(chunk)
    assert 1 <= n <= chunk_size
    for column in (chunk.lines, chunk.chrom, chunk.pos, chunk.id, chunk.ref, chunk.alt):
        assert len(column) == n
    assert (chunk.strand is None) == (strand_index is None)
    assert all(0 <= i < n for i in chunk.problems)
    for i in range(n):
        assert chunk.problems.get(i) is None or chunk.problems[i]  # a reason, in words
        assert (chunk.pos[i] == 0) == (i in chunk.problems)
        assert 0 <= chunk.pos[i] <= MAX_POS
        assert "\n" not in chunk.texts[i] and "\r" not in chunk.texts[i]


@fuzz(ci=60)
@given(
    stored_file(VCF_INPUT),
    st.sampled_from([None, None, 5, 8, 9]),
    st.sampled_from([1, 2, 3, 4096]),
)
def test_vcf_reader(stored, strand_index, chunk_size):
    data, container, _ = stored
    content = decompressed(data, container)
    if container == "plain" and content.startswith(b"\x1f\x8b"):
        content = decompressed(content, "gzip")  # plain bytes that look like gzip
    want = expected_records(content, strand_index) if content is not None else ("error", None)
    with file_with(data, "calls.vcf") as path:
        reader = VcfReader(path, strand_index=strand_index, chunk_size=chunk_size)
        with reader_contract(path) as error:
            chunks = list(reader.chunks())
        header = VcfReader(path, strand_index=strand_index)
        with reader_contract(path) as header_error:
            header.read_header()
        event(f"{container}: {'refused' if error else 'read'}")
        if error:
            assert want[0] == "error", f"refused a readable file: {error[0]}"
            if want[1] is not None:
                assert f"{path}:{want[1]}:" in str(error[0])
            return
        assert want[0] == "ok", f"accepted a file that must be refused (line {want[1]})"
        for chunk in chunks:
            _check_chunk(chunk, chunk_size, strand_index)
        got = [_as_tuple(r) for chunk in chunks for r in chunk.records()]
        _, records, meta, columns = want
        # a line too short for any column has no strand column either: '+' as documented
        records = [(*r[:7], "+" if r[7] == "?" else r[7], r[8]) for r in records]
        assert got == records
        assert reader.records_read == len(records)
        assert reader.meta_lines == meta and reader.columns == columns
        # the record-at-a-time API gives the same records
        assert [_as_tuple(r) for r in reader.records()] == records
        # and read_header (used for VCF output) the same header
        assert not header_error, f"read_header refused a file chunks() reads: {header_error}"
        assert header.meta_lines == meta and header.columns == columns


def test_vcf_corrupt_gzip_is_an_input_error(tmp_path):
    data = bytearray(gzip.compress(b"", mtime=0))
    data[10] ^= 1  # the first byte of the deflate stream
    path = tmp_path / "calls.vcf.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(InputFormatError, match=re.escape(str(path))):
        list(VcfReader(path).chunks())


def test_vcf_read_header_truncated_gzip_is_an_input_error(tmp_path):
    path = tmp_path / "calls.vcf.gz"
    path.write_bytes(gzip.compress(b"##fileformat=VCFv4.2\n", mtime=0)[:-4])
    with pytest.raises(InputFormatError, match=re.escape(str(path))):
        VcfReader(path).read_header()


def test_vcf_reader_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="VCF file not found"):
        VcfReader(tmp_path / "absent.vcf")


# -- usable_variants --------------------------------------------------------------------------
_ALLELE = re.compile(r"[ACGTNacgtn]+")


def _allele_ok(allele: str) -> bool:
    return _ALLELE.fullmatch(allele) is not None


@fuzz(ci=60)
@given(
    VCF_INPUT,
    st.sampled_from([None, 8]),
    st.lists(st.sampled_from(["chr1", "chr2", "chrM", "X", "chr10"]), unique=True),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.sets(st.integers(0, 12))),
)
def test_usable_variants(content, strand_index, reference, require_strand, keep, window_refuses):
    with file_with(content, "calls.vcf") as path:
        with reader_contract(path) as error:
            chunks = list(VcfReader(path, strand_index=strand_index, chunk_size=5).chunks())
    if error:
        return  # the reader's own refusal (checked by test_vcf_reader)
    match = ChromMatcher(reference)
    for chunk in chunks:
        n = len(chunk)
        seen_windows = []

        def check_windows(fasta_chroms, pos, ref_lengths, seen=seen_windows, n=n):
            seen.append((list(fasta_chroms), pos.tolist(), ref_lengths.tolist()))
            return {i: f"window {i} refused" for i in window_refuses or () if i < n}

        rows = usable_variants(
            chunk,
            match,
            None if window_refuses is None else check_windows,
            require_strand,
            keep,
        )
        # the oracle: per record, the usable ALT alleles, or None when it is rejected whole
        expected_rows, rejected, kept_index = [], [], []
        for i in range(n):
            strand = chunk.strand_of(i)
            fasta = match(chunk.chrom[i])
            alts = chunk.alt[i].split(",")
            good = [k for k, a in enumerate(alts) if _allele_ok(a)]
            dead = (
                i in chunk.problems
                or fasta is None
                or (require_strand and chunk.strand is not None and strand == ".")
                or not _allele_ok(chunk.ref[i])
                or not good
                or (window_refuses is not None and i in window_refuses)
            )
            if not dead:
                for k in good:
                    row = (fasta, chunk.pos[i], chunk.id[i], chunk.ref[i], alts[k], strand)
                    expected_rows.append(row)
            if dead or len(good) < len(alts):
                rejected.append(i)
            if i not in chunk.problems:
                kept_index.append((chunk.texts[i], () if dead else tuple(good)))
        got = list(zip(rows.chroms, rows.pos, rows.names, rows.refs, rows.alts, rows.strands))
        assert got == expected_rows
        assert rows.n_records == n and len(rows) == len(expected_rows)
        assert [line for line, _ in rows.rejected] == [chunk.lines[i] for i in rejected]
        assert len(rows.na_lines) == len(rejected)
        for i, line, (_, reason) in zip(rejected, rows.na_lines, rows.rejected):
            assert reason and line == f"{chunk.texts[i]}\t{reason}"
        assert rows.records == (kept_index if keep else [])
        for chrom, pos, _, ref, alt, strand in got:
            assert chrom in reference and 1 <= pos <= MAX_POS
            assert _allele_ok(ref) and _allele_ok(alt) and strand in ("+", "-", ".")
        if window_refuses is not None and seen_windows:
            (fasta_chroms, pos, ref_lengths), *more = seen_windows
            assert not more
            assert pos == chunk.pos and ref_lengths == [len(r) for r in chunk.ref]
            assert fasta_chroms == [match(c) for c in chunk.chrom]
