"""Streaming VCF reader: formats, header handling, chunking, line-numbered errors."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError
from selene_sdk.io.vcf import VcfReader, count_data_lines

HEADER = "##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


def write(path, text, gz=False):
    if gz:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def test_reads_records_and_header(tmp_path):
    path = write(tmp_path / "a.vcf", HEADER + "1\t10\trs1\tA\tC,G\t.\t.\t.\nchr2\t20\t.\tAT\tA\n")
    reader = VcfReader(path)
    records = list(reader.records())
    assert reader.meta_lines == ["##fileformat=VCFv4.2", "##contig=<ID=1>"]
    assert reader.columns[:5] == ["#CHROM", "POS", "ID", "REF", "ALT"]
    assert [(r.line, r.chrom, r.pos, r.id, r.ref, r.alts) for r in records] == [
        (4, "1", 10, "rs1", "A", ("C", "G")),
        (5, "chr2", 20, ".", "AT", ("A",)),
    ]
    assert records[1].text == "chr2\t20\t.\tAT\tA"
    assert all(r.problem is None and r.strand == "+" for r in records)


def test_header_optional_gzip_crlf_and_blank_lines(tmp_path):
    text = "1\t10\ta\tA\tC\r\n\n1\t11\tb\tA\tG\r\n"
    for gz in (False, True):
        path = write(tmp_path / f"b{gz}.vcf{'.gz' if gz else ''}", text, gz)
        records = list(VcfReader(path).records())
        assert [(r.line, r.id, r.alts) for r in records] == [(1, "a", ("C",)), (3, "b", ("G",))]
        assert count_data_lines(path) == 2


def test_chunks(tmp_path):
    body = "".join(f"1\t{i + 1}\tv{i}\tA\tC\n" for i in range(10))
    chunks = list(VcfReader(write(tmp_path / "c.vcf", body), chunk_size=4))
    assert [len(c) for c in chunks] == [4, 4, 2]


def test_problem_lines_are_flagged_not_fatal(tmp_path):
    path = write(tmp_path / "d.vcf", "1\t10\n1\tabc\tx\tA\tC\n1\t0\tz\tA\tC\n1\t5\tok\tA\tC\n")
    records = list(VcfReader(path).records())
    assert records[0].problem == "fewer than 5 tab-separated columns (2)"
    assert records[1].problem == "POS 'abc' is not an integer"
    assert records[2].problem == "POS 0 is not >= 1"
    assert records[3].problem is None


def test_bad_header_names_file_and_line(tmp_path):
    path = write(tmp_path / "e.vcf", "##x\n#CHROM\tPOS\tREF\tID\tALT\n")
    with pytest.raises(InputFormatError, match=r"e\.vcf:2: the header line"):
        list(VcfReader(path))


def test_strand_column(tmp_path):
    path = write(tmp_path / "f.vcf", "1\t1\ta\tA\tC\t-\n1\t2\tb\tA\tC\t+\n1\t3\tc\tA\tC\t.\n")
    records = list(VcfReader(path, strand_index=5).records())
    assert [r.strand for r in records] == ["-", "+", "."]
    with pytest.raises(InputFormatError, match=r"f\.vcf:1: strand_index=6"):
        list(VcfReader(path, strand_index=6))
    with pytest.raises(ValueError, match=">= 0"):
        VcfReader(path, strand_index=-1)


def test_bcf_and_missing_file(tmp_path):
    path = tmp_path / "g.bcf"
    with gzip.open(path, "wb") as handle:
        handle.write(b"BCF\x02\x02rest")
    with pytest.raises(InputFormatError, match="bcftools view"):
        list(VcfReader(path))
    with pytest.raises(FileNotFoundError):
        VcfReader(tmp_path / "nope.vcf")


def test_truncated_gzip_is_a_clear_error(tmp_path):
    full = tmp_path / "h.vcf.gz"
    write(full, "".join(f"1\t{i + 1}\tv\tA\tC\n" for i in range(5000)), gz=True)
    data = full.read_bytes()
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFormatError, match="damaged gzip file"):
        list(VcfReader(cut))


def test_read_header_only(tmp_path):
    path = write(tmp_path / "i.vcf", HEADER + "1\t10\trs1\tA\tC\n")
    reader = VcfReader(path).read_header()
    assert reader.columns is not None and len(reader.meta_lines) == 2


field = st.text(
    alphabet=st.characters(blacklist_characters="\t\r\n,", min_codepoint=33, max_codepoint=126),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            field.filter(lambda s: not s.startswith("#")),
            st.integers(1, 10**9),
            field,
            field,
            st.lists(field, min_size=1, max_size=3),
        ),
        max_size=8,
    )
)
def test_round_trip(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("rt") / "r.vcf"
    lines = [f"{c}\t{p}\t{i}\t{r}\t{','.join(a)}" for c, p, i, r, a in rows]
    path.write_text("".join(line + "\n" for line in lines))
    records = list(VcfReader(path, chunk_size=3).records())
    assert [(r.chrom, r.pos, r.id, r.ref, list(r.alts)) for r in records] == [
        (c, p, i, r, a) for c, p, i, r, a in rows
    ]
    assert [r.text for r in records] == lines


def test_reader_memory_does_not_grow_with_the_file(tmp_path):
    import tracemalloc

    path = tmp_path / "big.vcf"
    with open(path, "w") as handle:
        for i in range(40_000):
            handle.write(f"chr1\t{i + 1}\trs{i}\tA\tC,G\t.\tPASS\tDP=10\n")
    reader = VcfReader(path, chunk_size=500)
    tracemalloc.start()
    n = 0
    for chunk in reader:
        n += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n == 40_000
    assert peak < 2**20  # all 40,000 records at once would take ~20 MB


def naive_records(text, strand_index=None):
    """Independent line-by-line reading of the same rules, for comparison."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 5:
            problem = f"fewer than 5 tab-separated columns ({len(fields)})"
            out.append((number, line, fields[0], 0, "", "", (), "+", problem))
            continue
        strand = "+"
        if strand_index is not None:
            value = fields[strand_index].strip()
            strand = {"-": "-", ".": "."}.get(value, "+")
        chrom, pos, name, ref, alt = fields[:5]
        try:
            p = int(pos)
            problem = None if p >= 1 else f"POS {p} is not >= 1"
        except ValueError:
            p, problem = 0, f"POS {pos!r} is not an integer"
        p = p if problem is None else 0
        alts = tuple(alt.split(",")) if problem is None else ()
        out.append((number, line, chrom, p, name, ref, alts, strand, problem))
    return out


good_line = st.builds(
    lambda c, p, i, r, a, s: f"{c}\t{p}\t{i}\t{r}\t{','.join(a)}\t{s}\tx",
    field.filter(lambda s: not s.startswith("#")),
    st.integers(-3, 10**6),
    field,
    field,
    st.lists(field, min_size=1, max_size=3),
    st.sampled_from(["+", "-", ".", " - ", "?"]),
)
odd_line = st.sampled_from(
    ["", "   ", "# a comment", "chr1\t5", "chr1\tx5\ta\tA\tC\t+", "1\t\t.\tA\tC\t-"]
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.one_of(good_line, good_line, odd_line), max_size=40),
    header=st.booleans(),
    chunk_size=st.integers(1, 9),
    strand=st.booleans(),
)
def test_chunks_match_a_naive_line_by_line_reading(
    tmp_path_factory, lines, header, chunk_size, strand
):
    """The column-wise chunk parser (fast path plus per-line fallback) agrees with a
    plain per-line reading: fields, line numbers, problems, strands, chunk sizes."""
    text = (HEADER if header else "") + "\n".join(lines) + "\n"
    path = tmp_path_factory.mktemp("cols") / "x.vcf"
    path.write_text(text)
    strand_index = 5 if strand else None
    lines_with_strand = [x for x in lines if x.strip() and not x.startswith("#")]
    if strand and any(5 <= len(x.split("\t")) <= 5 for x in lines_with_strand):
        with pytest.raises(InputFormatError, match="strand_index=5"):
            list(VcfReader(path, strand_index=5))
        return
    reader = VcfReader(path, strand_index=strand_index, chunk_size=chunk_size)
    chunks = list(reader)
    got = [tuple(r) for chunk in chunks for r in chunk]
    assert got == naive_records(text, strand_index)
    assert all(len(c) == chunk_size for c in chunks[:-1])
    assert reader.records_read == len(got)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 5), st.integers(1, 9))
def test_shares_of_lines_partition_the_records(n, world, chunk):
    # torchrun shares: contiguous ranges of 0-based line indices, header read by every rank
    import tempfile

    from selene_sdk.predict.files.shards import count_lines

    text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n"
    text += "".join(f"1\t{i + 1}\tv{i}\tA\tC\n" + ("\n" if i % 7 == 3 else "") for i in range(n))
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/x.vcf"
        with open(path, "w") as handle:
            handle.write(text)
        total = count_lines(path)
        assert total == text.count("\n")
        everything = [r.id for c in VcfReader(path, chunk_size=chunk) for r in c]
        shares = []
        for r in range(world):
            lines = range(total * r // world, total * (r + 1) // world)
            reader = VcfReader(path, chunk_size=chunk, lines=lines)
            shares += [r.id for c in reader for r in c]
            assert reader.meta_lines == ["##fileformat=VCFv4.2"]
        assert shares == everything == [f"v{i}" for i in range(n)]
