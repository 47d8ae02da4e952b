"""End-to-end variant effect prediction: files, columns, windows, rejections, bad input."""

from __future__ import annotations

import gzip
import os
import shutil
import warnings

import h5py
import numpy as np
import pytest
import torch

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.predict.model_predict import VARIANTEFFECT_COLS
from selene_sdk.sequences import Genome

from .conftest import CHR1, CHR2, CHRM, L, write_vcf
from .helpers import IdentityModel, decode, identity_features, read_tsv, tsv_values

ALL = ["abs_diffs", "diffs", "logits", "predictions"]


def other(base: str) -> str:
    return "A" if base.upper() != "A" else "C"


def ref_window(seq: str, pos: int, r: int = 1) -> str:
    ws = pos - 1 - (L // 2 - 1) + r // 2
    return seq[ws : ws + L]


def test_outputs_names_columns_and_windows(identity, tmp_path):
    vcf = write_vcf(
        tmp_path / "calls.vcf",
        [
            ("chr1", 100, "snv", CHR1[99], other(CHR1[99]), ".", ".", "."),
            ("chr1", 150, "multi", CHR1[149], "A,C,G,T", ".", ".", "."),
            ("chr1", 200, "mnp", CHR1[199:201], "GG", ".", ".", "."),
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeleneWarning)  # clean input: no warnings
        identity.variant_effect_prediction(vcf, ALL, output_dir=tmp_path / "out")
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == [
        "calls.NA",
        "calls.alt_predictions.tsv",
        "calls.ref_predictions.tsv",
        "calls_abs_diffs.tsv",
        "calls_diffs.tsv",
        "calls_logits.tsv",
    ]
    header, rows = read_tsv(tmp_path / "out" / "calls.ref_predictions.tsv")
    assert header == VARIANTEFFECT_COLS + identity_features(L)
    ids = [r[:8] for r in rows]
    assert ids[0] == ["chr1", "100", "snv", CHR1[99], other(CHR1[99]), "+", "True", "False"]
    assert [r[4] for r in ids[1:5]] == ["A", "C", "G", "T"]  # one row per ALT allele
    refs = decode(tsv_values(rows, 8), L)
    _, alt_rows = read_tsv(tmp_path / "out" / "calls.alt_predictions.tsv")
    alts = decode(tsv_values(alt_rows, 8), L)
    assert refs[0] == ref_window(CHR1, 100)
    assert alts[0] == ref_window(CHR1, 100)[:9] + other(CHR1[99]) + ref_window(CHR1, 100)[10:]
    assert [a[9] for a in alts[1:5]] == ["A", "C", "G", "T"]
    assert refs[5] == ref_window(CHR1, 200, 2) and alts[5][8:10] == "GG"
    # scores are functions of the two prediction files
    _, diff_rows = read_tsv(tmp_path / "out" / "calls_diffs.tsv")
    np.testing.assert_allclose(
        tsv_values(diff_rows, 8), tsv_values(alt_rows, 8) - tsv_values(rows, 8), atol=0
    )
    assert open(tmp_path / "out" / "calls.NA").read() == ""


def test_tsv_number_format(tmp_path, genome):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "x", CHR1[99], other(CHR1[99]))])

    class Half(torch.nn.Module):
        def forward(self, x):
            return torch.full((x.shape[0], 2), 0.5) + x[:, :1, :1].flatten(1) * 0

    a = AnalyzeSequences(Half(), None, L, ["a", "b"], reference_sequence=genome)
    a.variant_effect_prediction(vcf, ["diffs", "predictions"], output_dir=tmp_path)
    lines = open(tmp_path / "v.ref_predictions.tsv").read().splitlines()
    assert lines[1].endswith("\t5.00e-01\t5.00e-01")
    assert open(tmp_path / "v_diffs.tsv").read().splitlines()[1].endswith("0.00e+00\t0.00e+00")


def test_hdf5_outputs_and_row_labels(identity, tmp_path):
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 100 + 7 * i, f"v{i}", CHR1[99 + 7 * i], "N") for i in range(10)],
    )
    identity.variant_effect_prediction(vcf, ALL, output_dir=tmp_path, output_format="hdf5")
    assert sorted(os.listdir(tmp_path)) == sorted(
        [
            "v.vcf",
            "v.NA",
            "v.alt_predictions.h5",
            "v.ref_predictions.h5",
            "v_abs_diffs.h5",
            "v_diffs.h5",
            "v_logits.h5",
            "v_row_labels.txt",
        ]
    )
    with h5py.File(tmp_path / "v.ref_predictions.h5") as h5:
        data = h5["data"][:]
        assert list(h5.keys()) == ["data"] and data.dtype == np.float64
    assert data.shape == (10, 4 * L)
    assert decode(data, L)[3] == ref_window(CHR1, 121)
    labels = open(tmp_path / "v_row_labels.txt").read().splitlines()
    assert labels[0] == "\t".join(VARIANTEFFECT_COLS)
    assert len(labels) == 11 and labels[4].startswith("chr1\t121\tv3\t")


def test_na_file_reasons_and_rejections(identity, tmp_path):
    records = [
        ("chr1", 100, "ok", CHR1[99], "G"),
        ("chrX", 100, "badchrom", "A", "C"),
        ("chr1", 3, "nearstart", CHR1[2], "A"),
        ("chr1", 295, "nearend", CHR1[294], "A"),
        ("chr1", 120, "symbolic", CHR1[119], "<DEL>"),
        ("chr1", 130, "star", CHR1[129], "*"),
        ("chr1", 140, "dot", CHR1[139], "."),
        ("chr1", 160, "dash", "-", "A"),
        ("chr1", 170, "mixed", CHR1[169], "G,<INS>"),
        "chr1\t180\tshort",
        ("chr1", "abc", "badpos", "A", "C"),
    ]
    vcf = write_vcf(tmp_path / "v.vcf", records)
    with pytest.warns(SeleneWarning, match="could not be"):
        summary = identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path)
    na = [line.split("\t") for line in open(tmp_path / "v.NA").read().splitlines()]
    by_name = {fields[2]: fields[-1] for fields in na}
    assert set(by_name) == {
        "badchrom", "nearstart", "nearend", "symbolic", "star", "dot", "dash", "mixed",
        "short", "badpos",
    }  # fmt: skip
    assert "not in the reference FASTA" in by_name["badchrom"]
    assert "extends beyond chr1" in by_name["nearstart"]
    assert "symbolic" in by_name["symbolic"] and "'*'" in by_name["star"]
    assert "<INS>" in by_name["mixed"] and "POS 'abc'" in by_name["badpos"]
    assert "fewer than 5" in by_name["short"]
    # NA lines are the original lines followed by the reason, in file order
    assert [f[2] for f in na] == [
        "badchrom", "nearstart", "nearend", "symbolic", "star", "dot", "dash", "mixed",
        "short", "badpos",
    ]  # fmt: skip
    assert na[0][:5] == ["chrX", "100", "badchrom", "A", "C"]
    _, rows = read_tsv(tmp_path / "v_diffs.tsv")
    assert [r[2] for r in rows] == ["ok", "mixed"]
    assert rows[1][4] == "G"
    assert summary.variants == 2 and summary.records == len(records)


def test_huge_pos_goes_to_the_na_file_not_an_overflow(identity, tmp_path):
    """POS 99999999999999999999 aborted the whole run with OverflowError before."""
    records = [
        ("chr1", 100, "ok", CHR1[99], "G"),
        ("chr1", 99999999999999999999, "huge", "A", "G"),
        ("chr1", 2**63, "int64", "A", "G"),
        ("chr1", 300, "past", "A", "G"),
        ("chr1", 140, "ok2", CHR1[139], "T"),
    ]
    vcf = write_vcf(tmp_path / "v.vcf", records)
    with pytest.warns(SeleneWarning, match="could not be"):
        summary = identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path)
    na = [line.split("\t") for line in open(tmp_path / "v.NA").read().splitlines()]
    reasons = {fields[2]: fields[-1] for fields in na}
    assert set(reasons) == {"huge", "int64", "past"}
    assert reasons["huge"] == (
        "POS 99999999999999999999 is larger than any chromosome (at most 1,099,511,627,776)"
    )
    assert "larger than any chromosome" in reasons["int64"]
    _, rows = read_tsv(tmp_path / "v_diffs.tsv")
    assert [r[2] for r in rows] == ["ok", "ok2"]
    assert summary.variants == 2


def test_chromosome_names_are_normalised(identity, tmp_path):
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("1", 100, "a", CHR1[99], "G"), ("CHR1", 101, "b", CHR1[100], "G"),
         ("MT", 40, "c", CHRM[39], "G")],
    )  # fmt: skip
    identity.variant_effect_prediction(vcf, ["predictions"], output_dir=tmp_path)
    _, rows = read_tsv(tmp_path / "v.ref_predictions.tsv")
    assert [r[0] for r in rows] == ["chr1", "chr1", "chrM"]
    assert decode(tsv_values(rows, 8), L)[2] == ref_window(CHRM, 40)


def test_ref_mismatch_and_lower_case(identity, tmp_path):
    wrong = other(CHR1[99])
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 100, "mm", wrong, "T"), ("chr1", 110, "lc", CHR1[109].lower(), "t")],
    )
    with pytest.warns(SeleneWarning, match="REF differs"):
        identity.variant_effect_prediction(vcf, ["predictions"], output_dir=tmp_path)
    _, rows = read_tsv(tmp_path / "v.ref_predictions.tsv")
    assert rows[0][3:7] == [wrong, "T", "+", "False"]
    assert rows[1][3:7] == [CHR1[109].lower(), "t", "+", "True"]
    ref = decode(tsv_values(rows, 8), L)
    assert ref[0][9] == wrong  # the VCF REF is used for the reference sequence
    _, alt_rows = read_tsv(tmp_path / "v.alt_predictions.tsv")
    assert decode(tsv_values(alt_rows, 8), L)[1][9] == "T"


def test_n_in_window_sets_contains_unk(identity, tmp_path):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr2", 45, "n", CHR2[44], "A")])
    with pytest.warns(SeleneWarning, match="unknown bases"):
        identity.variant_effect_prediction(vcf, ["predictions"], output_dir=tmp_path)
    _, rows = read_tsv(tmp_path / "v.ref_predictions.tsv")
    assert rows[0][7] == "True"
    assert "N" in decode(tsv_values(rows, 8), L)[0]


def test_strand_column(identity, tmp_path):
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 100, "a", CHR1[99], "G", "-"), ("chr1", 100, "b", CHR1[99], "G", "+"),
         ("chr1", 100, "c", CHR1[99], "G", ".")],
        header=False,
    )  # fmt: skip
    identity.variant_effect_prediction(vcf, ["predictions"], output_dir=tmp_path, strand_index=5)
    _, rows = read_tsv(tmp_path / "v.ref_predictions.tsv")
    assert [r[5] for r in rows] == ["-", "+", "+"]
    seqs = decode(tsv_values(rows, 8), L)
    from selene_sdk.sequences.encoding import DNA

    assert seqs[0] == DNA.reverse_complement(seqs[1])
    with pytest.warns(SeleneWarning, match="strand: 1"):
        identity.variant_effect_prediction(
            vcf, ["predictions"], output_dir=tmp_path / "req", strand_index=5, require_strand=True
        )
    _, rows = read_tsv(tmp_path / "req" / "v.ref_predictions.tsv")
    assert [r[2] for r in rows] == ["a", "b"]
    assert "require_strand" in open(tmp_path / "req" / "v.NA").read()


def test_strand_index_beyond_columns_is_a_clear_error(identity, tmp_path):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G", ".", ".", ".")])
    with pytest.raises(
        InputFormatError, match=r"v\.vcf:3: strand_index=10 but this line has only 8"
    ):
        identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path, strand_index=10)
    assert sorted(os.listdir(tmp_path)) == ["v.vcf"]  # nothing half-written


def test_gzip_vcf_without_header(identity, tmp_path):
    plain = write_vcf(tmp_path / "p.vcf", [("chr1", 100, "a", CHR1[99], "G")], header=False)
    gz = tmp_path / "z.vcf.gz"
    with open(plain, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    identity.variant_effect_prediction(gz, ["diffs"], output_dir=tmp_path / "o")
    assert sorted(os.listdir(tmp_path / "o")) == ["z.NA", "z_diffs.tsv"]
    _, rows = read_tsv(tmp_path / "o" / "z_diffs.tsv")
    assert len(rows) == 1


def test_empty_vcf_gives_empty_outputs(identity, tmp_path):
    vcf = write_vcf(tmp_path / "e.vcf", [])
    with pytest.warns(SeleneWarning, match="no variant records"):
        identity.variant_effect_prediction(vcf, ALL, output_dir=tmp_path, output_format="hdf5")
    with h5py.File(tmp_path / "e_diffs.h5") as h5:
        assert h5["data"].shape == (0, 4 * L)
    assert open(tmp_path / "e_row_labels.txt").read() == "\t".join(VARIANTEFFECT_COLS) + "\n"
    open(tmp_path / "e.vcf", "w").close()  # a file with no lines at all
    with pytest.warns(SeleneWarning):
        identity.variant_effect_prediction(tmp_path / "e.vcf", ["diffs"], output_dir=tmp_path / "t")
    assert open(tmp_path / "t" / "e_diffs.tsv").read().count("\n") == 1


def test_bad_header_is_a_clear_error(identity, tmp_path):
    vcf = tmp_path / "h.vcf"
    vcf.write_text("#CHROM\tSTART\tID\tREF\tALT\nchr1\t100\ta\tA\tC\n")
    with pytest.raises(InputFormatError, match=r"h\.vcf:1: the header line must start"):
        identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path)


def test_output_dir_defaults_to_vcf_directory(identity, tmp_path):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G")])
    identity.variant_effect_prediction(vcf, ["logits"])
    assert (tmp_path / "v_logits.tsv").exists() and (tmp_path / "v.NA").exists()


def test_argument_errors(identity, tmp_path, genome_path):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G")])
    with pytest.raises(ValueError, match="unknown output"):
        identity.variant_effect_prediction(vcf, ["diff"], output_dir=tmp_path)
    with pytest.raises(ValueError, match="output_format"):
        identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path, output_format="h5")
    with pytest.raises(FileNotFoundError):
        identity.variant_effect_prediction(tmp_path / "missing.vcf", ["diffs"])
    no_genome = AnalyzeSequences(IdentityModel(), None, L, identity_features(L))
    with pytest.raises(ValueError, match="Genome instance"):
        no_genome.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path)


def test_hdf5_output_dir_that_is_a_file(identity, tmp_path):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G")])
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    with pytest.raises(OSError):
        identity.variant_effect_prediction(vcf, ["diffs"], output_dir=blocker, output_format="hdf5")


class _FailsOnThirdBatch(IdentityModel):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        if self.calls == 6:  # probe pass + 2 batches of (ref, alt) + 1
            raise RuntimeError("simulated crash")
        return super().forward(x)


def test_crash_mid_run_leaves_no_complete_looking_files(tmp_path, genome):
    a = AnalyzeSequences(
        _FailsOnThirdBatch(), None, L, identity_features(L), batch_size=2, reference_sequence=genome
    )
    vcf = write_vcf(
        tmp_path / "v.vcf", [("chr1", 100 + i, f"v{i}", CHR1[99 + i], "N") for i in range(12)]
    )
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="simulated crash"):
        a.variant_effect_prediction(vcf, ALL, output_dir=out, output_format="hdf5")
    assert os.listdir(out) == []


def test_same_results_with_and_without_background_thread(tmp_path, genome):
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 30 + 3 * i, f"v{i}", CHR1[29 + 3 * i], "T") for i in range(60)],
    )
    outs = []
    for background in (True, False):
        a = AnalyzeSequences(
            IdentityModel(), None, L, identity_features(L), batch_size=7,
            reference_sequence=genome, background=background,
        )  # fmt: skip
        out = tmp_path / str(background)
        a.variant_effect_prediction(vcf, ALL, output_dir=out)
        outs.append({n: open(out / n).read() for n in sorted(os.listdir(out))})
    assert outs[0] == outs[1]


def test_annotated_vcf_output(identity, tmp_path):
    vcf = write_vcf(
        tmp_path / "calls.vcf",
        [("chr1", 100, "a", CHR1[99], "G,<DEL>", "50", "PASS", "DP=3"),
         ("chrX", 5, "b", "A", "C", ".", ".", "."),
         ("chr1", 120, "c", other(CHR1[119]), "T", ".", ".", ".")],
        meta=("##fileformat=VCFv4.2", '##INFO=<ID=DP,Number=1,Type=Integer,Description="d">'),
    )  # fmt: skip
    with pytest.warns(SeleneWarning):
        identity.variant_effect_prediction(
            vcf, ["diffs", "predictions"], output_dir=tmp_path / "o", output_format="vcf"
        )
    assert sorted(os.listdir(tmp_path / "o")) == ["calls.NA", "calls.selene.vcf"]
    lines = open(tmp_path / "o" / "calls.selene.vcf").read().splitlines()
    assert lines[0] == "##fileformat=VCFv4.2"
    assert any(line.startswith("##INFO=<ID=SELENE_diffs,Number=A") for line in lines)
    header = [line for line in lines if line.startswith("#CHROM")]
    records = [line.split("\t") for line in lines if not line.startswith("#")]
    assert header == ["#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    assert [r[2] for r in records] == ["a", "b", "c"]
    info = dict(x.split("=", 1) if "=" in x else (x, True) for x in records[0][7].split(";"))
    assert info["DP"] == "3"
    diffs = info["SELENE_diffs"].split(",")
    assert len(diffs) == 2 and diffs[1] == "."
    assert len(diffs[0].split("|")) == 4 * L
    values = np.array([float(v) for v in diffs[0].split("|")]).reshape(4, L)
    assert np.count_nonzero(values) == 2  # one position changed: -1 at REF, +1 at G
    assert records[1][7] == "."  # unscored record passes through unchanged
    assert "SELENE_REF_MISMATCH" in records[2][7].split(";")


def test_lua_model_gets_4d_input_and_agct_order(tmp_path, genome):
    from .helpers import LuaIdentityModel

    a = AnalyzeSequences(
        LuaIdentityModel(), None, L, identity_features(L), reference_sequence=genome
    )
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G")])
    a.variant_effect_prediction(vcf, ["predictions"], output_dir=tmp_path)
    _, rows = read_tsv(tmp_path / "v.ref_predictions.tsv")
    assert decode(tsv_values(rows, 8), L, letters="AGCT")[0] == ref_window(CHR1, 100)


def test_genome_passed_as_instance_is_not_modified(tmp_path, genome_path):
    g = Genome(genome_path)
    before = list(g.BASES_ARR)
    from .helpers import LuaIdentityModel

    AnalyzeSequences(LuaIdentityModel(), None, L, identity_features(L), reference_sequence=g)
    assert g.BASES_ARR == before and list(Genome.BASES_ARR) == ["A", "C", "G", "T"]


def test_small_write_mem_limit_gives_identical_files(tmp_path, genome):
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 30 + 2 * i, f"v{i}", CHR1[29 + 2 * i], "A") for i in range(50)],
    )
    contents = []
    for limit in (1500, 0.0005):  # 0.0005 MB = 500 bytes: a flush after every batch
        a = AnalyzeSequences(
            IdentityModel(), None, L, identity_features(L), batch_size=3,
            reference_sequence=genome, write_mem_limit=limit,
        )  # fmt: skip
        out = tmp_path / str(limit)
        a.variant_effect_prediction(vcf, ALL, output_dir=out, output_format="hdf5")
        files = {}
        for name in sorted(os.listdir(out)):
            if name.endswith(".h5"):
                with h5py.File(out / name) as h5:
                    files[name] = h5["data"][:].tobytes()
            else:
                files[name] = (out / name).read_bytes()
        contents.append(files)
    assert contents[0] == contents[1]


def test_progress_bar_reports_rate(identity, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "1")
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G")] * 3)
    identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path)
    err = capsys.readouterr().err
    assert "VEP v.vcf" in err and "3/3" in err and "record/s" in err


def test_blacklisted_window(tmp_path, genome_path):
    blacklist = tmp_path / "bl.bed"
    blacklist.write_text("chr1\t200\t210\n")
    g = Genome(genome_path, blacklist_regions=str(blacklist))
    a = AnalyzeSequences(IdentityModel(), None, L, identity_features(L), reference_sequence=g)
    vcf = write_vcf(
        tmp_path / "v.vcf",
        [("chr1", 100, "far", CHR1[99], "G"), ("chr1", 205, "near", CHR1[204], "G")],
    )
    with pytest.warns(SeleneWarning, match="window: 1"):
        a.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path / "o")
    na = (tmp_path / "o" / "v.NA").read_text()
    assert "\tnear\t" in na and "overlaps a blacklisted region" in na
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t195\t215\n")
    with pytest.warns(SeleneWarning):
        a.get_predictions(str(bed), tmp_path / "b")
    assert "overlaps a blacklisted region" in (tmp_path / "b" / "r.NA").read_text()


class _InPlaceModel(torch.nn.Module):
    """Scales its input in place before a pure computation: the alternative windows
    must then be encoded afresh, not patched into the (modified) reference buffer."""

    def __init__(self, in_place: bool):
        super().__init__()
        self.in_place = in_place
        self.weight = torch.nn.Parameter(torch.linspace(-1, 1, 4 * L).reshape(1, 4, L))

    def forward(self, x):
        x = x.mul_(3.0) if self.in_place else x * 3.0
        return torch.stack([(x * self.weight).sum((1, 2)), x[:, 0].sum(1)], dim=1)


@pytest.mark.parametrize("background", [False, True])
def test_models_that_modify_their_input_still_get_the_right_windows(genome, tmp_path, background):
    records = [
        ("chr1", 100 + 7 * i, f"v{i}", CHR1[99 + 7 * i], "G", ".", ".", ".") for i in range(9)
    ]
    vcf = write_vcf(tmp_path / "m.vcf", [r for r in records if r[3] != "G"])
    results = {}
    for in_place in (False, True):
        a = AnalyzeSequences(
            _InPlaceModel(in_place), None, L, ["w", "a"], batch_size=4,
            reference_sequence=genome, background=background,
        )  # fmt: skip
        out = tmp_path / f"out_{in_place}"
        a.variant_effect_prediction(vcf, ["diffs", "predictions"], output_dir=out)
        results[in_place] = [
            tsv_values(read_tsv(out / name)[1], 8)
            for name in ("m_diffs.tsv", "m.ref_predictions.tsv", "m.alt_predictions.tsv")
        ]
    for pure, modified in zip(results[False], results[True]):
        np.testing.assert_array_equal(modified, pure)
    assert np.abs(results[False][0]).max() > 0  # the variants do change the predictions


@pytest.mark.parametrize("background", [False, True])
def test_grouping_of_batches_does_not_change_outputs(genome, tmp_path, monkeypatch, background):
    import selene_sdk.predict.files.variants as ve_module

    from .helpers import SmallConv, files_by_group_rows

    records = [
        ("chr1", 60 + 3 * i, f"v{i}", CHR1[59 + 3 * i], alt, ".", ".", ".")
        for i in range(30)
        for alt in ("A", "T,G")
        if CHR1[59 + 3 * i] not in alt
    ]
    vcf = write_vcf(tmp_path / "g.vcf", records)
    a = AnalyzeSequences(
        SmallConv(L, 3), None, L, ["x", "y", "z"], batch_size=4, reference_sequence=genome,
        background=background,
    )  # fmt: skip
    files = files_by_group_rows(
        monkeypatch,
        ve_module,
        lambda out: a.variant_effect_prediction(vcf, ["diffs", "predictions"], output_dir=out),
        tmp_path,
    )
    assert files[4] == files[12] == files[10_000]
    assert len(files[4]["g_diffs.tsv"].splitlines()) > 40  # several groups of 4 and 12


@pytest.mark.parametrize("background", [False, True])
def test_every_window_of_a_mixed_group_is_what_the_model_sees(
    genome, tmp_path, monkeypatch, background
):
    """SNVs, MNPs, insertions, deletions, N in REF and both strands in groups that span
    several batches: each reference and alternative input the model gets (reference
    encoded from column indices, alternative patched into the same buffer) is the one-hot
    encoding of the windows :func:`build_variant_codes` builds."""
    import selene_sdk.predict.files.variants as ve_module
    from selene_sdk.predict.variant_windows import build_variant_codes
    from selene_sdk.sequences.encoding import DNA

    monkeypatch.setattr(ve_module, "GROUP_ROWS", 8)
    rng = np.random.default_rng(5)
    records = []
    for i in range(23):
        pos = 40 + 9 * i
        kind = i % 5
        ref = {0: CHR1[pos - 1], 1: CHR1[pos - 1 : pos + 1], 2: CHR1[pos - 1],
               3: CHR1[pos - 1 : pos + 2], 4: "N"}[kind]  # fmt: skip
        alt = {0: other(CHR1[pos - 1]), 1: "TT", 2: CHR1[pos - 1] + "GA",
               3: CHR1[pos - 1], 4: "c"}[kind]  # fmt: skip
        records.append(("chr1", pos, f"v{i}", ref, alt, "-" if rng.random() < 0.4 else "+"))
    vcf = write_vcf(tmp_path / "mix.vcf", records, header=False)
    seen = []

    class Recorder(IdentityModel):
        def forward(self, x):
            seen.append(x.detach().clone().numpy())
            return super().forward(x)

    a = AnalyzeSequences(
        Recorder(), None, L, identity_features(L), batch_size=4, reference_sequence=genome,
        background=background,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeleneWarning)
        a.variant_effect_prediction(vcf, ["predictions"], output_dir=tmp_path, strand_index=5)
    codes = build_variant_codes(
        genome, DNA, ["chr1"] * len(records), np.array([r[1] for r in records]),
        [r[3] for r in records], [r[4] for r in records], [r[5] for r in records], L,
    )  # fmt: skip
    seen = seen[1:]  # the first pass checks the model's output width on a blank window
    refs = [x for i, x in enumerate(seen) if i % 2 == 0]
    alts = [x for i, x in enumerate(seen) if i % 2 == 1]
    np.testing.assert_array_equal(np.concatenate(refs), DNA.encode_channels_first(codes.ref))
    np.testing.assert_array_equal(np.concatenate(alts), DNA.encode_channels_first(codes.alt))
    assert [len(x) for x in refs] == [4, 4, 4, 4, 4, 3]  # groups of 8 rows, batches of 4
