"""In silico mutagenesis: enumeration order, ids, files, reference row, bad input."""

from __future__ import annotations

import itertools
import os

import h5py
import numpy as np
import pytest

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.predict.model_predict import (
    ISM_COLS,
    in_silico_mutagenesis_sequences,
    mutate_sequence,
)
from selene_sdk.predict.mutations import count_mutations, ism_sample_id
from selene_sdk.sequences import Genome
from selene_sdk.sequences.encoding import DNA

from .conftest import L
from .helpers import decode, identity_features, read_tsv, tsv_values, write_fasta

ALL = ["abs_diffs", "diffs", "logits", "predictions"]


def test_enumeration_order_matches_documented_example():
    got = in_silico_mutagenesis_sequences("ATCCG")
    assert got[:9] == [
        [(0, "C")], [(0, "G")], [(0, "T")],
        [(1, "A")], [(1, "C")], [(1, "G")],
        [(2, "A")], [(2, "G")], [(2, "T")],
    ]  # fmt: skip
    assert len(got) == 15


def test_unknown_and_lower_case_letters_get_all_alternatives():
    got = in_silico_mutagenesis_sequences("aCgN")
    assert [m[0] for m in got if m[0][0] == 0] == [(0, "A"), (0, "C"), (0, "G"), (0, "T")]
    assert len(got) == 4 + 3 + 4 + 4


def slow_enumeration(seq, n, start, end):
    out = []
    for combo in itertools.combinations(range(start, end), n):
        choices = [[b for b in "ACGT" if b != seq[p]] for p in combo]
        for alts in itertools.product(*choices):
            out.append(list(zip(combo, alts)))
    return out


@pytest.mark.parametrize("n,start,end", [(1, 0, None), (2, 0, None), (2, 1, 5), (3, 2, 7)])
def test_multi_base_enumeration(n, start, end):
    seq = "ACGTNACG"
    got = in_silico_mutagenesis_sequences(seq, n, start_position=start, end_position=end)
    expected = slow_enumeration(seq, n, start, end if end is not None else len(seq))
    assert got == expected
    assert count_mutations(seq, "ACGT", n, start, end or len(seq)) == len(expected)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"start_position": 3, "end_position": 3}, "less than"),
        ({"start_position": -1}, ">= 0"),
        ({"start_position": 5, "end_position": 6}, r"start_position \(5\) is beyond"),
        ({"end_position": 6}, "beyond"),
        ({"mutate_n_bases": 3, "start_position": 0, "end_position": 2}, "fewer than"),
        ({"mutate_n_bases": 0}, ">= 1"),
    ],
)
def test_range_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        in_silico_mutagenesis_sequences("ACGTA", **kwargs)


def test_mutate_sequence_and_sample_id():
    enc = DNA.encode("ACGT")
    out = mutate_sequence(enc, [(1, "T"), (3, "A")])
    assert DNA.decode(out) == "ATGA"
    assert DNA.decode(enc) == "ACGT"  # copy, input untouched
    assert ism_sample_id("ACGT", [(1, "T"), (3, "A")]) == ("1;3", "C;T", "T;A")


def test_ism_tsv_outputs_and_reference_row(identity, tmp_path):
    seq = "ACGTNacgtA"  # padded to L=20, upper-cased
    with pytest.warns(SeleneWarning, match="padded with N"):
        identity.in_silico_mutagenesis(seq, ALL, output_path_prefix=tmp_path / "out" / "x")
    assert sorted(os.listdir(tmp_path / "out")) == [
        "x_abs_diffs.tsv",
        "x_diffs.tsv",
        "x_logits.tsv",
        "x_predictions.tsv",
    ]
    padded = "NNNNNACGTNACGTANNNNN"
    header, rows = read_tsv(tmp_path / "out" / "x_predictions.tsv")
    assert header == ISM_COLS + identity_features(L)
    assert rows[0][:3] == ["input_sequence", "NA", "NA"]
    assert decode(tsv_values(rows[:1], 3), L) == [padded]
    mutations = in_silico_mutagenesis_sequences(padded)
    assert len(rows) == 1 + len(mutations)
    seqs = decode(tsv_values(rows[1:], 3), L)
    for row, mutation, seq_seen in zip(rows[1:], mutations, seqs):
        (pos, alt) = mutation[0]
        assert row[:3] == [str(pos), padded[pos], alt]
        assert seq_seen == padded[:pos] + alt + padded[pos + 1 :]
    _, diff_rows = read_tsv(tmp_path / "out" / "x_diffs.tsv")
    assert len(diff_rows) == len(mutations)  # no reference row in score files


def test_ism_hdf5_reference_files(identity, tmp_path):
    identity.in_silico_mutagenesis(
        "ACGT" * 5, ["diffs", "predictions"], tmp_path / "y", output_format="hdf5",
        start_position=2, end_position=5,
    )  # fmt: skip
    assert sorted(p for p in os.listdir(tmp_path)) == [
        "y_diffs.h5",
        "y_predictions.h5",
        "y_ref_predictions.h5",
        "y_ref_row_labels.txt",
        "y_row_labels.txt",
    ]
    with h5py.File(tmp_path / "y_predictions.h5") as h5:
        assert h5["data"].shape == (9, 4 * L)
    with h5py.File(tmp_path / "y_ref_predictions.h5") as h5:
        assert decode(h5["data"][:], L) == ["ACGT" * 5]
    assert open(tmp_path / "y_ref_row_labels.txt").read() == "name\ninput_sequence\n"
    labels = open(tmp_path / "y_row_labels.txt").read().splitlines()
    assert labels[:2] == ["pos\tref\talt", "2\tG\tA"] and len(labels) == 10


def test_existing_directory_as_prefix(identity, tmp_path):
    identity.in_silico_mutagenesis("ACGT" * 5, ["predictions"], tmp_path, output_format="hdf5")
    assert sorted(os.listdir(tmp_path)) == [
        "predictions.h5",
        "ref_predictions.h5",
        "ref_row_labels.txt",
        "row_labels.txt",
    ]


def test_mutate_n_bases_is_honoured(identity, tmp_path):
    identity.in_silico_mutagenesis(
        "ACGT" * 5, ["diffs"], tmp_path / "m", mutate_n_bases=2, start_position=0, end_position=3
    )
    _, rows = read_tsv(tmp_path / "m_diffs.tsv")
    assert len(rows) == 27 and rows[0][:3] == ["0;1", "A;C", "C;A"]
    values = tsv_values(rows, 3).reshape(len(rows), 4, L)
    assert all(np.count_nonzero(v) == 4 for v in values)  # two positions changed


def test_ism_argument_errors(identity, tmp_path):
    with pytest.raises(ValueError, match="beyond"):
        identity.in_silico_mutagenesis("ACGT", ["diffs"], tmp_path / "a", end_position=L + 1)
    with pytest.raises(ValueError, match="unknown output"):
        identity.in_silico_mutagenesis("ACGT", ["nope"], tmp_path / "a")
    with pytest.raises(ValueError, match="output_format"):
        identity.in_silico_mutagenesis("ACGT", ["diffs"], tmp_path / "a", output_format="vcf")
    assert not os.listdir(tmp_path)


def test_yaml_none_string_and_bad_types(identity, tmp_path):
    identity.in_silico_mutagenesis("A" * L, ["diffs"], tmp_path / "n", end_position="None")
    _, rows = read_tsv(tmp_path / "n_diffs.tsv")
    assert len(rows) == 3 * L
    with pytest.raises(ValueError, match="start_position must be an integer"):
        identity.in_silico_mutagenesis("A" * L, ["diffs"], tmp_path / "m", start_position="1")


def test_input_sequence_spelling(identity, tmp_path):
    identity.in_silico_mutagenesis(
        input_sequence="A" * L, save_data=["diffs"], output_path_prefix=tmp_path / "s"
    )
    assert (tmp_path / "s_diffs.tsv").exists()


def test_sequence_longer_than_model_is_centre_truncated_with_warning(identity, tmp_path):
    seq = "C" * 5 + "ACGT" * 5 + "G" * 6
    with pytest.warns(SeleneWarning, match="centre-truncated"):
        identity.in_silico_mutagenesis(seq, ["predictions"], tmp_path / "t", end_position=1)
    _, rows = read_tsv(tmp_path / "t_predictions.tsv")
    assert decode(tsv_values(rows[:1], 3), L) == [seq[5:25]]


def test_from_file_names_and_indices(identity, tmp_path):
    fasta = write_fasta(tmp_path / "in.fa", {"first rec": "ACGT" * 5, "second": "acgt"})
    with pytest.warns(SeleneWarning, match="1 record"):
        identity.in_silico_mutagenesis_from_file(
            fasta, ["logits", "predictions"], tmp_path / "byname", start_position=8, end_position=10
        )
    assert sorted(os.listdir(tmp_path / "byname")) == [
        "first_logits.tsv",
        "first_predictions.tsv",
        "second_logits.tsv",
        "second_predictions.tsv",
    ]
    _, rows = read_tsv(tmp_path / "byname" / "second_predictions.tsv")
    assert decode(tsv_values(rows[:1], 3), L) == ["N" * 8 + "ACGT" + "N" * 8]
    assert [r[:3] for r in rows[1:3]] == [["8", "A", "C"], ["8", "A", "G"]]
    with pytest.warns(SeleneWarning):
        identity.in_silico_mutagenesis_from_file(
            fasta, ["diffs"], tmp_path / "byindex", mutate_n_bases=2, use_sequence_name=False,
            start_position=0, end_position=3,
        )  # fmt: skip
    assert sorted(os.listdir(tmp_path / "byindex")) == ["0_diffs.tsv", "1_diffs.tsv"]
    _, rows = read_tsv(tmp_path / "byindex" / "0_diffs.tsv")
    assert len(rows) == 27


def test_from_file_duplicate_names_and_empty_file(identity, tmp_path):
    dup = tmp_path / "dup.fa"
    dup.write_text(">a\nACGT\n>a\nTTTT\n")
    with pytest.raises(InputFormatError, match="appears twice"):
        identity.in_silico_mutagenesis_from_file(dup, ["diffs"], tmp_path / "d", end_position=2)
    assert not (tmp_path / "d").exists()  # checked before any work
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    with pytest.warns(SeleneWarning, match="no FASTA records"):
        identity.in_silico_mutagenesis_from_file(empty, ["diffs"], tmp_path / "e")
    assert os.listdir(tmp_path / "e") == []


def test_lua_model_alphabet_order(tmp_path):
    from .helpers import LuaIdentityModel

    a = AnalyzeSequences(LuaIdentityModel(), None, L, identity_features(L))
    a.in_silico_mutagenesis("ACGT" * 5, ["predictions"], tmp_path / "l", end_position=1)
    _, rows = read_tsv(tmp_path / "l_predictions.tsv")
    # alternatives follow the model's column order A, G, C, T
    assert [r[2] for r in rows[1:]] == ["G", "C", "T"]
    assert decode(tsv_values(rows[1:2], 3), L, letters="AGCT")[0][0] == "G"
    assert Genome.BASES_ARR == ["A", "C", "G", "T"]


@pytest.mark.parametrize("background", [False, True])
@pytest.mark.parametrize("n_bases", [1, 2])
def test_reused_batch_buffers_give_the_same_results_as_fresh_ones(
    genome, tmp_path, background, n_bases
):
    """Batches are built in reused buffers (cells set, predicted, set back); a model that
    changes its input in place must not leak into later batches or records."""
    import torch

    class Model(torch.nn.Module):
        def __init__(self, in_place):
            super().__init__()
            self.in_place = in_place
            self.weight = torch.nn.Parameter(torch.linspace(-1, 1, 4 * L).reshape(1, 4, L))

        def forward(self, x):
            x = x.mul_(2.0) if self.in_place else x * 2.0
            return torch.stack([(x * self.weight).sum((1, 2)), x[:, 2].sum(1)], dim=1)

    fasta = write_fasta(
        tmp_path / "s.fa", {"a": "ACGTTGCAAC" * 2, "b": "GGGTTTAAAC" * 2, "c": "CATG" * 5}
    )
    outputs = {}
    for in_place in (False, True):
        a = AnalyzeSequences(
            Model(in_place), None, L, ["w", "g"], batch_size=7, reference_sequence=genome,
            background=background,
        )  # fmt: skip
        out = tmp_path / f"ism_{in_place}"
        a.in_silico_mutagenesis_from_file(
            fasta, ["diffs", "predictions"], out, mutate_n_bases=n_bases, output_format="hdf5",
            start_position=3, end_position=9,
        )  # fmt: skip
        outputs[in_place] = {
            name: h5py.File(out / name)["data"][:]
            for name in sorted(os.listdir(out))
            if name.endswith(".h5")
        }
    assert outputs[True].keys() == outputs[False].keys() and len(outputs[True]) == 9
    for name, values in outputs[False].items():
        np.testing.assert_array_equal(outputs[True][name], values, err_msg=name)
    if n_bases == 1:  # and a direct computation of the first mutation of record "b"
        seq = "GGGTTTAAAC" * 2
        mutated = seq[:3] + "A" + seq[4:]
        x = np.stack([DNA.encode(s).T for s in (seq, mutated)]).astype(np.float32)
        expected = Model(False)(torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(
            outputs[False]["b_diffs.h5"][0], expected[1] - expected[0], rtol=1e-6
        )


@pytest.mark.parametrize("background", [False, True])
def test_grouping_of_batches_does_not_change_outputs(genome, tmp_path, monkeypatch, background):
    """Groups of several forward passes (scored and written together) give the same files
    as one pass per group, whatever the group and batch boundaries."""
    import selene_sdk.predict.mutagenesis as ism_module

    from .helpers import SmallConv, files_by_group_rows

    fasta = write_fasta(tmp_path / "g.fa", {"a": "ACGTTGCAAC" * 2, "b": "GGGTTTAAAC" * 2})
    a = AnalyzeSequences(
        SmallConv(L, 3), None, L, ["x", "y", "z"], batch_size=4, reference_sequence=genome,
        background=background,
    )  # fmt: skip
    files = files_by_group_rows(
        monkeypatch,
        ism_module,
        lambda out: a.in_silico_mutagenesis_from_file(fasta, ["logits", "predictions"], out),
        tmp_path,
    )
    assert files[4] == files[12] == files[10_000] and len(files[4]) == 4
