"""GenomicFeatures: threshold semantics by hand, a slow tabix-based reference, bad input."""

from __future__ import annotations

import gzip

import numpy as np
import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError
from selene_sdk.targets import GenomicFeatures
from selene_sdk.targets.genomic_features import check_shared_chromosomes

AGG_FEATURES = ["CTCF", "eGFP-FOS", "GABP", "Pbx3", "Pol2", "TBP"]


def write_bed(path, rows):
    path.write_text("".join("\t".join(map(str, r)) + "\n" for r in rows))
    return path


@pytest.fixture
def tiny_bed(tmp_path):
    return write_bed(
        tmp_path / "tiny.bed",
        [
            ("chr1", 100, 150, "A"),  # 50 bp
            ("chr1", 140, 170, "A"),  # overlaps the first: union 100-170 = 70 bp
            ("chr1", 0, 99, "B"),
            ("chr2", 10, 20, "C"),
        ],
    )


def test_any_overlap_without_thresholds(tiny_bed):
    gf = GenomicFeatures(tiny_bed, ["A", "B", "C"])
    np.testing.assert_array_equal(gf.get_feature_data("chr1", 98, 101), [1, 1, 0])
    np.testing.assert_array_equal(gf.get_feature_data("chr1", 99, 100), [0, 0, 0])
    np.testing.assert_array_equal(gf.get_feature_data("chr1", 169, 500), [1, 0, 0])
    np.testing.assert_array_equal(gf.get_feature_data("chr1", 170, 500), [0, 0, 0])
    np.testing.assert_array_equal(gf.get_feature_data("chr9", 0, 500), [0, 0, 0])
    assert gf.get_feature_data("chr1", 0, 10).dtype == np.float32


@pytest.mark.parametrize(
    ("start", "end", "threshold", "positive"),
    [
        # window of 100 bp, t = 0.5 -> need >= 50 covered bases (spec example)
        (50, 150, 0.5, True),  # A covers 100-150 = 50 >= 50
        (49, 149, 0.5, False),  # 49
        (121, 221, 0.5, False),  # A covers 121-170 = 49
        (120, 220, 0.5, True),  # 50
        # t = 1.0 -> all 100 bases
        (100, 170, 1.0, True),  # 70/70
        (99, 170, 1.0, False),  # 70/71
    ],
)
def test_fraction_threshold_hand_computed(tiny_bed, start, end, threshold, positive):
    gf = GenomicFeatures(tiny_bed, ["A", "B", "C"], feature_thresholds=threshold)
    covered_a = max(0, min(end, 170) - max(start, 100))
    needed = max(0, int(np.float32(threshold) * np.float32(end - start) - np.float32(1)))
    assert (covered_a > needed) == positive
    assert bool(gf.get_feature_data("chr1", start, end)[0]) == (covered_a > needed)


def test_threshold_examples_from_spec(tmp_path):
    bed = write_bed(tmp_path / "t.bed", [("c", 0, 79, "F"), ("c", 1000, 1099, "F")])
    gf = GenomicFeatures(bed, ["F"], feature_thresholds=0.4)
    # 199-bp window, t = 0.4 -> trunc(0.4 * 199 - 1) = 78 -> need 79
    assert gf.get_feature_data("c", 0, 199)[0] == 1
    assert gf.get_feature_data("c", 1, 200)[0] == 0
    gf = GenomicFeatures(bed, ["F"], feature_thresholds=1.0)
    assert gf.get_feature_data("c", 1000, 1099)[0] == 1
    assert gf.get_feature_data("c", 1000, 1100)[0] == 0


def test_union_not_sum_of_overlapping_intervals(tmp_path):
    bed = write_bed(tmp_path / "u.bed", [("c", 0, 60, "F"), ("c", 0, 60, "F"), ("c", 10, 30, "F")])
    gf = GenomicFeatures(bed, ["F"], feature_thresholds=0.7)
    # union covers 60 of 100 bases; a sum would be 140
    assert gf.get_feature_data("c", 0, 100)[0] == 0
    assert gf.get_feature_data("c", 0, 80)[0] == 1  # 60 > trunc(0.7*80-1)=55


def test_dict_thresholds_with_default_and_zero(tiny_bed):
    gf = GenomicFeatures(tiny_bed, ["A", "B", "C"], feature_thresholds={"default": 0.9, "B": 0.0})
    np.testing.assert_array_equal(gf.get_feature_data("chr1", 98, 198), [0, 1, 0])
    assert gf.feature_thresholds == {"A": 0.9, "B": 0.0, "C": 0.9}


@pytest.mark.parametrize("bad", [0, 1.5, -0.1, {"A": 0.5}, "half", True, {"default": 2}])
def test_invalid_thresholds_are_errors(tiny_bed, bad):
    with pytest.raises(ValueError, match="feature_thresholds|thresholds"):
        GenomicFeatures(tiny_bed, ["A", "B", "C"], feature_thresholds=bad)


def test_none_string_threshold_means_none(tiny_bed):
    gf = GenomicFeatures(tiny_bed, ["A", "B", "C"], feature_thresholds="None")
    assert gf.feature_thresholds is None


def test_batch_matches_single(tiny_bed):
    gf = GenomicFeatures(tiny_bed, ["A", "B", "C"], feature_thresholds=0.3)
    chroms = ["chr1", "chr2", "chr1", "chrZ"]
    starts = np.array([90, 0, 120, 0])
    ends = np.array([150, 30, 400, 10])
    batch = gf.get_feature_data_batch(chroms, starts, ends)
    for i in range(4):
        np.testing.assert_array_equal(batch[i], gf.get_feature_data(chroms[i], starts[i], ends[i]))


def test_strand_columns_in_either_position(tmp_path):
    a = write_bed(tmp_path / "s1.bed", [("c", 0, 10, "+", "F"), ("c", 20, 30, "-", "G")])
    b = write_bed(tmp_path / "s2.bed", [("c", 0, 10, "F", "+"), ("c", 20, 30, "G", "-")])
    for bed in (a, b):
        gf = GenomicFeatures(bed, ["F", "G"])
        np.testing.assert_array_equal(gf.get_feature_data("c", 0, 30), [1, 1])
        np.testing.assert_array_equal(gf.get_feature_data("c", 0, 30, strand="+"), [1, 0])
        np.testing.assert_array_equal(gf.get_feature_data("c", 0, 30, strand="-"), [0, 1])


# -- bad input ---------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.bed.gz"):
        GenomicFeatures(tmp_path / "missing.bed.gz", ["A"])


def test_unknown_feature_names_listed(tiny_bed):
    with pytest.raises(InputFormatError) as err:
        GenomicFeatures(tiny_bed, ["A"])
    message = str(err.value)
    assert "tiny.bed:3" in message and "'B'" in message and "'C'" in message


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("chr1\t10\n", "at least 4"),
        ("chr1\tx\t20\tA\n", "start 'x'"),
        ("chr1\t10\t2.5\tA\n", "end '2.5'"),
        ("chr1\t30\t20\tA\n", "start=30, end=20"),
        ("chr1\t-1\t20\tA\n", "start=-1"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, line, fragment):
    bed = tmp_path / "bad.bed"
    bed.write_text("# header\nchr1\t0\t5\tA\n" + line + "chr1\t50\t60\tA\n")
    with pytest.raises(InputFormatError) as err:
        GenomicFeatures(bed, ["A"])
    assert str(err.value).startswith(f"{bed}:3:")
    assert fragment in str(err.value)


def test_plain_and_gzip_without_tabix(tiny_bed, tmp_path):
    gz = tmp_path / "tiny.bed.gz"
    with gzip.open(gz, "wt") as out:
        out.write(tiny_bed.read_text())
    for path in (tiny_bed, gz):
        gf = GenomicFeatures(path, ["A", "B", "C"])
        np.testing.assert_array_equal(gf.get_feature_data("chr1", 98, 101), [1, 1, 0])


def test_no_shared_chromosomes_mentions_chr_prefix():
    with pytest.raises(ValueError, match="chr' prefix"):
        check_shared_chromosomes(["chr1", "chr2"], ["1", "2"], "targets.bed.gz")
    check_shared_chromosomes(["chr1", "chr2"], ["chr2", "chrUn"], "targets.bed.gz")


def test_duplicate_feature_names(tiny_bed):
    with pytest.raises(ValueError, match="duplicate"):
        GenomicFeatures(tiny_bed, ["A", "B", "C", "A"])


# -- against a slow, independent implementation (tabix + explicit arithmetic) -------------------


def slow_feature_data(tabix, chrom, start, end, features, threshold):
    """Independent reference: tabix rows, explicit per-base union coverage."""
    covered = {f: np.zeros(end - start, dtype=bool) for f in features}
    try:
        rows = list(tabix.fetch(chrom, start, end))
    except ValueError:
        rows = []
    for row in rows:
        fields = row.split("\t")
        s, e = max(int(fields[1]), start), min(int(fields[2]), end)
        covered[fields[3]][s - start : e - start] = True
    out = []
    for f in features:
        n = int(covered[f].sum())
        if threshold is None:
            out.append(n > 0)
        else:
            out.append(n > max(0, int(np.float32(threshold) * (end - start) - 1)))
    return np.array(out, dtype=np.float32)


@pytest.fixture(scope="module")
def agg_indexes(request):
    from tests.conftest import shared_path

    path = shared_path(
        "data", "selene", "selene_sdk", "targets", "tests", "files", "sorted_aggregate.bed.gz"
    )
    return (
        path,
        pysam.TabixFile(str(path)),
        {t: GenomicFeatures(path, AGG_FEATURES, feature_thresholds=t) for t in (None, 0.5, 0.15)},
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chrom=st.sampled_from(["1", "10", "2"]),
    start=st.integers(0, 3_000_000),
    length=st.integers(1, 2000),
    threshold=st.sampled_from([None, 0.5, 0.15]),
)
def test_matches_slow_tabix_reference(agg_indexes, chrom, start, length, threshold):
    _, tabix, indexes = agg_indexes
    expected = slow_feature_data(tabix, chrom, start, start + length, AGG_FEATURES, threshold)
    got = indexes[threshold].get_feature_data(chrom, start, start + length)
    np.testing.assert_array_equal(got, expected)


def test_batch_matches_slow_reference_on_dense_region(agg_indexes):
    _, tabix, indexes = agg_indexes
    rng = np.random.default_rng(0)
    starts = rng.integers(0, 2_000_000, size=400)
    ends = starts + rng.integers(100, 1500, size=400)
    chroms = rng.choice(["1", "10"], size=400)
    for threshold, gf in indexes.items():
        batch = gf.get_feature_data_batch(chroms, starts, ends)
        assert batch.sum() > 0
        for i in range(0, 400, 7):
            expected = slow_feature_data(
                tabix, chroms[i], starts[i], ends[i], AGG_FEATURES, threshold
            )
            np.testing.assert_array_equal(batch[i], expected)


def test_real_chr20_features(chr20_dir):
    from selene_sdk.utils import load_features_list

    features = load_features_list(chr20_dir / "selene_distinct_features.txt")
    assert features == ["CTCF", "CpG_island", "TSS_500bp", "blood_DHS_variable"]
    gf = GenomicFeatures(chr20_dir / "selene_features.chr20.bed.gz", features, 0.5)
    tabix = pysam.TabixFile(str(chr20_dir / "selene_features.chr20.bed.gz"))
    first = next(iter(tabix.fetch("chr20")))
    chrom, s, e, name = first.split("\t")[:4]
    centre = (int(s) + int(e)) // 2
    data = gf.get_feature_data(chrom, centre - 10, centre + 10)
    assert data[features.index(name)] == 1


def test_features_given_as_a_path_string_is_a_clear_error(tiny_bed, tmp_path):
    # a string is iterable: it used to become one feature per character ("duplicate names")
    names = tmp_path / "features.txt"
    names.write_text("f1\nf2\n")
    for given_as in (str(names), names):
        with pytest.raises(TypeError, match="load_features_list"):
            GenomicFeatures(tiny_bed, given_as)
