"""Genome: documented query answers, edge windows, caching, blacklists and the batch API."""

from __future__ import annotations

import gzip
import os
import pickle
import re
import shutil
import time
import warnings

import numpy as np
import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError, InvalidCoordinatesWarning
from selene_sdk.sequences import Genome
from selene_sdk.sequences.encoding import DNA

# small.fasta (the original's fixture): chr1 = 50 N + 50 lower case, chr2 = 100 mixed case,
# chr3 = "nNNnnUUAtC", chr4 = 50 n.


@pytest.fixture
def genome(small_fasta):
    return Genome(small_fasta)


@pytest.fixture
def toy_fasta(tmp_path):
    path = tmp_path / "toy.fa"
    path.write_text(">chrB second\nACGTACGTAC\nGGGG\n>chrA\nttttNNNNaacc\n")
    return path


def test_chromosomes_sorted_with_lengths(genome):
    assert genome.get_chrs() == ["chr1", "chr2", "chr3", "chr4"]
    assert genome.get_chr_lens() == [("chr1", 100), ("chr2", 100), ("chr3", 10), ("chr4", 50)]
    assert genome.len_chrs["chr3"] == 10


def test_sequence_case_preserved_and_reverse_strand(genome):
    assert genome.get_sequence_from_coords("chr3", 0, 10) == "nNNnnUUAtC"
    assert genome.get_sequence_from_coords("chr3", 0, 10, "-") == "GaTUUnnNNn"
    assert genome.get_sequence_from_coords("chr3", 0, 10, ".") == "nNNnnUUAtC"


def test_header_description_is_not_part_of_name(toy_fasta):
    g = Genome(toy_fasta)
    assert g.get_chrs() == ["chrA", "chrB"]
    assert g.get_sequence_from_coords("chrB", 8, 14) == "ACGGGG"


@pytest.mark.parametrize(
    ("chrom", "start", "end", "expected"),
    [
        ("chr3", 0, 10, True),  # whole chromosome
        ("chr3", 9, 10, True),  # last base
        ("chr3", 0, 11, False),  # one past the end
        ("chr3", -1, 5, False),
        ("chr3", 5, 5, False),  # empty window
        ("chr3", 6, 5, False),
        ("chr3", 10, 12, False),
        ("chrX", 0, 5, False),  # unknown chromosome
    ],
)
def test_coords_in_bounds_edges(genome, chrom, start, end, expected):
    assert genome.coords_in_bounds(chrom, start, end) is expected
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (genome.get_sequence_from_coords(chrom, start, end) != "") is expected
        enc = genome.get_encoding_from_coords(chrom, start, end)
    assert enc.shape == ((end - start, 4) if expected else (0, 4))
    # the documented empty results come with a warning saying why, never silently
    kinds = [w.category for w in caught]
    assert kinds == ([] if expected else [InvalidCoordinatesWarning] * 2)


def test_invalid_coordinates_warning_says_why(genome):
    cases = [
        (("chr3", 0, 11), "chr3:0-11 runs past an end of chr3 (10 bp; pad=True fills with N)"),
        (("chr3", 6, 5), "chr3:6-5: start must be less than end"),
        (("chr3", 10, 12), "chr3:10-12 lies outside chr3 (10 bp)"),
        (("chrX", 0, 5), "chrX:0-5: 'chrX' is not a sequence of"),
    ]
    for coords, reason in cases:
        with pytest.warns(InvalidCoordinatesWarning, match=re.escape(reason)) as record:
            genome.get_encoding_from_coords(*coords)
        assert "returning shape (0, 4), as Selene does" in str(record[0].message)
        assert record[0].filename == __file__  # points at the caller's line


def test_pad_fills_n_on_both_sides(genome):
    assert genome.get_sequence_from_coords("chr3", -3, 12, pad=True) == "NNNnNNnnUUAtCNN"
    assert genome.get_sequence_from_coords("chr3", -3, 2, "-", pad=True) == "NnNNN"
    # pad keeps the other checks: start < len, end > 0, start < end
    with pytest.warns(InvalidCoordinatesWarning, match="lies outside chr3"):
        assert genome.get_sequence_from_coords("chr3", 10, 15, pad=True) == ""
    with pytest.warns(InvalidCoordinatesWarning, match="lies outside chr3"):
        assert genome.get_sequence_from_coords("chr3", -5, 0, pad=True) == ""
    enc = genome.get_encoding_from_coords("chr3", -2, 2, pad=True)
    np.testing.assert_array_equal(enc, np.full((4, 4), 0.25, dtype=np.float32))


def test_strand_validation_after_coordinate_check(genome):
    with pytest.raises(ValueError, match="strand"):
        genome.get_sequence_from_coords("chr3", 0, 5, strand="x")
    # invalid coordinates are reported first, as documented
    with pytest.warns(InvalidCoordinatesWarning):
        assert genome.get_sequence_from_coords("chr3", 0, 50, strand="x") == ""


def test_encoding_matches_letters(genome):
    enc = genome.get_encoding_from_coords("chr3", 5, 10)
    expected = np.array(
        [[0.25] * 4, [0.25] * 4, [1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]], dtype=np.float32
    )
    np.testing.assert_array_equal(enc, expected)
    np.testing.assert_array_equal(
        genome.get_encoding_from_coords("chr3", 5, 10, "-"), DNA.reverse_complement_encoding(enc)
    )


def test_check_unk_detects_any_case(genome):
    _, unk = genome.get_encoding_from_coords_check_unk("chr3", 7, 10)
    assert unk is False
    _, unk = genome.get_encoding_from_coords_check_unk("chr4", 0, 3)  # lower-case n only
    assert unk is True
    with pytest.warns(InvalidCoordinatesWarning, match="runs past an end of chr4"):
        enc, unk = genome.get_encoding_from_coords_check_unk("chr4", 0, 300)
    assert enc.shape == (0, 4) and unk is False


def test_bases_order_is_per_instance(small_fasta):
    agct = Genome(small_fasta, bases_order=["a", "g", "c", "t"])
    plain = Genome(small_fasta)
    assert agct.BASES_ARR == ["A", "G", "C", "T"]
    assert Genome.BASES_ARR == ["A", "C", "G", "T"] and plain.BASES_ARR == ["A", "C", "G", "T"]
    c_row = agct.get_encoding_from_coords("chr3", 9, 10)[0]
    np.testing.assert_array_equal(c_row, [0, 0, 1, 0])
    np.testing.assert_array_equal(plain.get_encoding_from_coords("chr3", 9, 10)[0], [0, 1, 0, 0])
    np.testing.assert_array_equal(agct.sequence_to_encoding("G")[0], [0, 1, 0, 0])
    np.testing.assert_array_equal(Genome.sequence_to_encoding("G")[0], [0, 0, 1, 0])


def test_update_bases_order_on_instance_only(small_fasta):
    g = Genome(small_fasta)
    g.update_bases_order(["T", "G", "C", "A"])
    assert g.BASES_ARR == ["T", "G", "C", "A"]
    assert Genome.BASES_ARR == ["A", "C", "G", "T"]


def test_missing_fasta_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.fa"):
        Genome(tmp_path / "nope.fa")


def test_non_fasta_file_gives_clear_error(tmp_path):
    bad = tmp_path / "not_a_fasta.bed"
    bad.write_text("chr1\t0\t10\n")
    with pytest.raises(InputFormatError, match="not_a_fasta.bed"):
        Genome(bad).get_chrs()


def test_duplicate_record_names_rejected(tmp_path):
    bad = tmp_path / "dupes.fa"
    bad.write_text(">c1\nACGT\n>c1\nAAAA\n")
    with pytest.raises(InputFormatError, match="duplicate"):
        Genome(bad).get_chrs()


@pytest.mark.parametrize("kind", ["gzip", "bgzip"])
def test_compressed_fasta_without_index(toy_fasta, tmp_path, kind):
    out = tmp_path / f"toy.{kind}.fa.gz"
    if kind == "gzip":
        with open(toy_fasta, "rb") as src, gzip.open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        pysam.tabix_compress(str(toy_fasta), str(out))
    g = Genome(out)
    assert not os.path.exists(str(out) + ".fai")
    assert g.get_sequence_from_coords("chrA", 0, 12) == "ttttNNNNaacc"
    assert g.get_sequence_from_coords("chrB", 0, 14) == "ACGTACGTACGGGG"


def test_cache_reused_and_invalidated(toy_fasta, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SELENE_SDK_CACHE_DIR", str(cache))
    g = Genome(toy_fasta)
    assert g.get_sequence_from_coords("chrA", 0, 4) == "tttt"
    files = sorted(os.listdir(cache))
    assert len(files) == 2 and files[0].endswith(".bin") and files[1].endswith(".json")
    # a second load maps the same file
    assert Genome(toy_fasta).get_sequence_from_coords("chrA", 0, 4) == "tttt"
    assert sorted(os.listdir(cache)) == files
    # editing the FASTA changes size/mtime, so the cache is rebuilt
    time.sleep(0.01)
    toy_fasta.write_text(">chrA\nGGGG\n")
    assert Genome(toy_fasta).get_sequence_from_coords("chrA", 0, 4) == "GGGG"


def test_cache_off_reads_into_memory(toy_fasta, tmp_path, monkeypatch):
    monkeypatch.setenv("SELENE_SDK_CACHE_DIR", "off")
    g = Genome(toy_fasta)
    assert g.get_sequence_from_coords("chrB", 0, 4) == "ACGT"


def test_pickle_does_not_carry_sequence(toy_fasta):
    g = Genome(toy_fasta, init_unpicklable=True)
    blob = pickle.dumps(g)
    assert b"ACGTACGTAC" not in blob
    clone = pickle.loads(blob)
    assert clone.get_sequence_from_coords("chrB", 0, 10) == "ACGTACGTAC"


# -- blacklists --------------------------------------------------------------------------------


def test_packaged_hg19_blacklist(tmp_path):
    # First hg19 v2 entry on chr10: 38726200-42489100 (High Signal Region)
    fasta = tmp_path / "mini.fa"
    fasta.write_text(">chr10\n" + "A" * 50 + "\n")
    g = Genome(fasta, blacklist_regions="hg19")
    assert g._ensure() is not None
    assert g._blacklist.overlaps("chr10", [38726199], [38726201])[0]
    assert not g._blacklist.overlaps("chr10", [38726100], [38726200])[0]
    assert g.coords_in_bounds("chr10", 0, 50)


def test_custom_blacklist_bed_and_gz(toy_fasta, tmp_path):
    bed = tmp_path / "bl.bed"
    bed.write_text("chrB\t4\t6\n")
    for path in (bed, tmp_path / "bl.bed.gz"):
        if path.suffix == ".gz":
            pysam.tabix_compress(str(bed), str(path))
        g = Genome(toy_fasta, blacklist_regions=path)
        assert g.coords_in_bounds("chrB", 0, 4)
        assert not g.coords_in_bounds("chrB", 0, 5)
        assert not g.coords_in_bounds("chrB", 5, 10)
        assert g.coords_in_bounds("chrB", 6, 10)
        with pytest.warns(InvalidCoordinatesWarning, match="chrB:3-8 overlaps a blacklisted"):
            assert g.get_sequence_from_coords("chrB", 3, 8) == ""
        assert g.coords_in_bounds("chrA", 0, 12)
        np.testing.assert_array_equal(
            g.coords_in_bounds_batch(["chrB", "chrB", "chrA"], [0, 3, 0], [4, 8, 12]),
            [True, False, True],
        )


def test_missing_blacklist_file(toy_fasta, tmp_path):
    with pytest.raises(FileNotFoundError, match="bl_missing.bed"):
        Genome(toy_fasta, blacklist_regions=tmp_path / "bl_missing.bed")


# -- batch API against the single-window API ---------------------------------------------------


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(
        st.tuples(
            st.sampled_from(["chr1", "chr2", "chr3", "chr4", "chrZ"]),
            st.integers(-20, 110),
            st.sampled_from(["+", "-"]),
        ),
        min_size=1,
        max_size=12,
    ),
    length=st.integers(1, 30),
)
def test_batch_api_matches_single_window_api(small_fasta, data, length):
    g = Genome(small_fasta)
    chroms = [d[0] for d in data]
    starts = np.array([d[1] for d in data])
    ends = starts + length
    strands = [d[2] for d in data]
    ok = g.coords_in_bounds_batch(chroms, starts, ends)
    for i, (c, s, e) in enumerate(zip(chroms, starts, ends)):
        assert ok[i] == g.coords_in_bounds(c, s, e)
    ok_pad = g.coords_in_bounds_batch(chroms, starts, ends, pad=True)
    rows = np.nonzero(ok_pad)[0]
    if len(rows) == 0:
        return
    sub = [chroms[i] for i in rows]
    batch = g.get_encodings_batch(sub, starts[rows], ends[rows], [strands[i] for i in rows])
    assert batch.shape == (len(rows), length, 4)
    for j, i in enumerate(rows):
        single = g.get_encoding_from_coords(chroms[i], starts[i], ends[i], strands[i], pad=True)
        np.testing.assert_array_equal(batch[j], single)


def test_batch_unknown_chromosome_is_an_error(small_fasta):
    g = Genome(small_fasta)
    with pytest.raises(ValueError, match="chrZ"):
        g.get_codes_batch(["chrZ"], [0], 5)


def test_unknown_fraction(small_fasta):
    g = Genome(small_fasta)
    codes = g.get_codes_batch(["chr3", "chr2"], [0, 0], 10)
    np.testing.assert_allclose(g.unknown_fraction(codes), [0.7, 0.0])


# -- real data ---------------------------------------------------------------------------------


def test_real_chr20_matches_vcf_ref_alleles(chr20_dir):
    g = Genome(chr20_dir / "hg19_chr20.fa.gz")
    assert g.get_chr_lens() == [("chr20", 63_025_520)]
    checked = 0
    with pysam.VariantFile(str(chr20_dir / "common_snps.chr20.vcf.gz")) as vcf:
        for rec in vcf:
            seq = g.get_sequence_from_coords(rec.chrom, rec.pos - 1, rec.pos - 1 + len(rec.ref))
            assert seq.upper() == rec.ref.upper()
            checked += 1
            if checked == 300:
                break
    assert checked == 300


def test_integer_chromosome_ids_pass_through(small_fasta):
    g = Genome(small_fasta)
    ids = g.chrom_ids(["chr3", "chrZ", "chr1"])
    assert ids[1] == -1
    assert list(g.chrom_names[ids[[0, 2]]]) == ["chr3", "chr1"]
    by_id = g.get_encodings_batch(ids[[0, 2]], np.array([0, 50]), np.array([10, 60]))
    by_name = g.get_encodings_batch(["chr3", "chr1"], np.array([0, 50]), np.array([10, 60]))
    np.testing.assert_array_equal(by_id, by_name)
    np.testing.assert_array_equal(
        g.coords_in_bounds_batch(ids, [0, 0, 0], [10, 10, 101]), [True, False, False]
    )
