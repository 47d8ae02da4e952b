"""Agreement with the original Selene 0.6.0, run as a black box in its own virtualenv.

Marked ``original`` (selected by default, about 6 s): it runs whenever the original's
virtualenv is installed -- ``~/.cache/original-selene-venv`` or ``$SELENE_ORIGINAL_VENV``,
made by ``../shared/tools/install-original-selene.sh``, which ``.ci/run`` calls -- and is
skipped, with the reason, when it is not.

The same model class and weights (a state dict written with ``torch.save``) are used on both
sides. SNVs, MNPs and insertions must agree to 1e-6 (deletions differ on purpose: see
docs/compatibility.md), as must ISM and FASTA/BED predictions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from selene_sdk.predict import AnalyzeSequences, predict, saturation_mutagenesis
from selene_sdk.predict.inputs import fit_sequence
from selene_sdk.sequences import Genome
from selene_sdk.sequences.encoding import encode_many

from .helpers import random_dna, write_fasta

ORIGINAL = Path(
    os.environ.get("SELENE_ORIGINAL_VENV", "~/.cache/original-selene-venv")
).expanduser()
ORIGINAL_PYTHON = ORIGINAL / "bin" / "python"

pytestmark = [
    pytest.mark.original,
    pytest.mark.skipif(
        not ORIGINAL_PYTHON.exists(),
        reason=f"original Selene not at {ORIGINAL} (install it with "
        "../shared/tools/install-original-selene.sh, or set SELENE_ORIGINAL_VENV)",
    ),
]

L = 50
FEATURES = [f"f{i}" for i in range(4)]
MODEL_SOURCE = textwrap.dedent(
    """
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self, length=50, n_features=4):
            super().__init__()
            self.conv = nn.Conv1d(4, 8, 5)
            self.linear = nn.Linear(8 * (length - 4), n_features)

        def forward(self, x):
            return torch.sigmoid(self.linear(torch.relu(self.conv(x)).flatten(1)))
    """
)

DRIVER = textwrap.dedent(
    """
    import sys, warnings
    warnings.simplefilter("ignore")
    sys.path.insert(0, sys.argv[1])
    from model_def import Net
    from selene_sdk.predict import AnalyzeSequences
    from selene_sdk.sequences import Genome
    d = sys.argv[1]
    feats = ["f0", "f1", "f2", "f3"]
    a = AnalyzeSequences(Net(), d + "/w.pth", 50, feats, batch_size=7,
                         reference_sequence=Genome(d + "/g.fa"))
    save = ["abs_diffs", "diffs", "logits", "predictions"]
    a.variant_effect_prediction(d + "/v.vcf", save, output_dir=d + "/orig", output_format="hdf5",
                                strand_index=8)
    a.in_silico_mutagenesis("ACGTTGCA" * 6 + "NN", save, d + "/orig/ism", output_format="hdf5")
    a.in_silico_mutagenesis_from_file(d + "/s.fa", ["diffs"], d + "/orig/ismf",
                                      mutate_n_bases=2, output_format="hdf5",
                                      start_position=10, end_position=16)
    a.get_predictions(d + "/s.fa", d + "/orig", output_format="hdf5")
    a.get_predictions(d + "/r.bed", d + "/orig", output_format="hdf5", strand_index=5)
    """
)


def _fixture(tmp: Path) -> dict:
    rng = np.random.default_rng(7)
    chr1 = random_dna(2000, seed=21)
    chr1 = chr1[:900] + "NNNNN" + chr1[905:1200] + chr1[1200:1400].lower() + chr1[1400:]
    chr2 = random_dna(800, seed=22)
    write_fasta(tmp / "g.fa", {"chr1": chr1, "chr2": chr2})
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tSTRAND"]
    kinds = {}

    def add(chrom, pos, ref, alt, strand="+", name=None):
        name = name or f"v{len(lines)}"
        lines.append(f"{chrom}\t{pos}\t{name}\t{ref}\t{alt}\t.\t.\t.\t{strand}")
        kinds[name] = "del" if any(len(a) < len(ref) for a in alt.split(",")) else "ok"

    seqs = {"chr1": chr1, "chr2": chr2}
    for i in range(60):
        chrom = "chr1" if i % 3 else "chr2"
        seq = seqs[chrom]
        pos = int(rng.integers(40, len(seq) - 40))
        r = int(rng.choice([1, 1, 1, 2, 3]))
        ref = seq[pos - 1 : pos - 1 + r]
        kind = i % 6
        if kind == 0:
            alt = ",".join(b for b in "ACGT" if b != ref[0].upper())[:3] if r == 1 else "A" * r
        elif kind == 1:
            alt = "".join(rng.choice(list("ACGT"), r))
        elif kind == 2:
            alt = ref[0] + "".join(rng.choice(list("ACGT"), int(rng.integers(1, 4))))
        elif kind == 3:
            alt = ref[0] if r > 1 else ref + "T"
        elif kind == 4:  # REF mismatch
            ref = "".join("A" if b.upper() != "A" else "C" for b in ref)
            alt = "G" * r
        else:
            alt = ("acgt"[i % 4] * r).lower()
        add(chrom if i % 5 else chrom[3:], pos, ref, alt, "-" if i % 2 else "+")
    add("chr1", 903, chr1[902], "A", "+", "in_n")
    (tmp / "v.vcf").write_text("\n".join(lines) + "\n")
    (tmp / "s.fa").write_text(
        ">a x\n" + chr1[100:150] + "\n>b\n" + chr1[1210:1240] + "\n>c\n" + chr2[0:70] + "\n"
    )
    (tmp / "r.bed").write_text(
        "chr1\t100\t180\tx\t0\t+\n2\t300\t310\ty\t0\t-\nchr1\t880\t920\tz\t0\t.\n"
    )
    (tmp / "model_def.py").write_text(MODEL_SOURCE)
    return kinds


def _load_model(tmp: Path):
    namespace: dict = {}
    exec(compile(MODEL_SOURCE, str(tmp / "model_def.py"), "exec"), namespace)
    return namespace["Net"]


def _read(directory: Path, name: str):
    with h5py.File(directory / f"{name}.h5") as h5:
        return h5["data"][:]


def _labels(path: Path) -> list[str]:
    return path.read_text().splitlines()[1:]


def test_matches_original_selene(tmp_path, monkeypatch):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "0")
    kinds = _fixture(tmp_path)
    net_class = _load_model(tmp_path)
    torch.manual_seed(3)
    torch.save(net_class().state_dict(), tmp_path / "w.pth")
    env = dict(
        os.environ,
        TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1",
        MPLCONFIGDIR=str(ORIGINAL / "mplconfig"),
        PYTHONWARNINGS="ignore",
    )
    env.pop("PYTHONPATH", None)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    subprocess.run(
        [str(ORIGINAL_PYTHON), str(driver), str(tmp_path)],
        check=True,
        env=env,
        cwd=tmp_path,
        capture_output=True,
    )

    ours = AnalyzeSequences(
        net_class(), str(tmp_path / "w.pth"), L, FEATURES, batch_size=5,
        reference_sequence=Genome(tmp_path / "g.fa"),
    )  # fmt: skip
    save = ["abs_diffs", "diffs", "logits", "predictions"]
    out = tmp_path / "ours"
    with pytest.warns(Warning):
        ours.variant_effect_prediction(
            tmp_path / "v.vcf", save, output_dir=out, output_format="hdf5", strand_index=8
        )
    orig = tmp_path / "orig"
    orig_labels = _labels(orig / "v_row_labels.txt")
    our_labels = _labels(out / "v_row_labels.txt")
    assert our_labels == orig_labels  # same rows, ids and flags (deletions included)
    orig_index = {lab: i for i, lab in enumerate(orig_labels)}
    compared = 0
    worst = 0.0
    for name in ("v_abs_diffs", "v_diffs", "v_logits", "v.ref_predictions", "v.alt_predictions"):
        a, b = _read(orig, name), _read(out, name)
        for j, lab in enumerate(our_labels):
            if kinds[lab.split("\t")[2]] != "ok":
                continue
            i = orig_index[lab]
            worst = max(worst, float(np.abs(a[i] - b[j]).max()))
            compared += 1
    n_ok = sum(1 for lab in our_labels if kinds[lab.split("\t")[2]] == "ok")
    assert compared == 5 * n_ok and n_ok >= 40
    assert {lab.split("\t")[5] for lab in our_labels} == {"+", "-"}
    assert any(lab.endswith("\tFalse\tFalse") and "\tFalse\t" in lab for lab in our_labels)
    assert worst <= 1e-6, worst
    # deletions are built from the VCF-correct haplotype, so their alternative differs
    dels = [j for j, lab in enumerate(our_labels) if kinds[lab.split("\t")[2]] == "del"]
    alt_o, alt_u = _read(orig, "v.alt_predictions"), _read(out, "v.alt_predictions")
    assert dels and all(np.abs(alt_o[j] - alt_u[j]).max() > 1e-6 for j in dels)

    ours.in_silico_mutagenesis("ACGTTGCA" * 6 + "NN", save, out / "ism", output_format="hdf5")
    for name in (
        "ism_abs_diffs",
        "ism_diffs",
        "ism_logits",
        "ism_predictions",
        "ism_ref_predictions",
    ):
        np.testing.assert_allclose(_read(out, name), _read(orig, name), rtol=0, atol=1e-6)
    assert _labels(out / "ism_row_labels.txt") == _labels(orig / "ism_row_labels.txt")

    with pytest.warns(Warning):
        ours.in_silico_mutagenesis_from_file(
            tmp_path / "s.fa", ["diffs"], out / "ismf", mutate_n_bases=2, output_format="hdf5",
            start_position=10, end_position=16,
        )  # fmt: skip
    for rec in ("a", "b", "c"):
        np.testing.assert_allclose(
            _read(out / "ismf", f"{rec}_diffs"), _read(orig / "ismf", f"{rec}_diffs"), atol=1e-6
        )
        assert _labels(out / "ismf" / f"{rec}_row_labels.txt") == _labels(
            orig / "ismf" / f"{rec}_row_labels.txt"
        )

    with pytest.warns(Warning):
        ours.get_predictions(str(tmp_path / "s.fa"), out, output_format="hdf5")
        ours.get_predictions(str(tmp_path / "r.bed"), out, output_format="hdf5", strand_index=5)
    for name in ("s_predictions", "r_predictions"):
        np.testing.assert_allclose(_read(out, name), _read(orig, name), atol=1e-6)

    # the array API is the same core: its numbers agree with the original's files too
    model = net_class()
    model.load_state_dict(torch.load(tmp_path / "w.pth"))
    ism = saturation_mutagenesis(model, encode_many(["ACGTTGCA" * 6 + "NN"]))
    np.testing.assert_allclose(ism.predictions, _read(orig, "ism_predictions"), atol=1e-6)
    np.testing.assert_allclose(ism.scores("diffs"), _read(orig, "ism_diffs"), atol=1e-6)
    np.testing.assert_allclose(ism.reference, _read(orig, "ism_ref_predictions"), atol=1e-6)
    records = (tmp_path / "s.fa").read_text().split(">")[1:]
    fitted = [fit_sequence("".join(r.splitlines()[1:]), L) for r in records]
    np.testing.assert_allclose(
        predict(model, encode_many(fitted)), _read(orig, "s_predictions"), atol=1e-6
    )
    for name in ("s_row_labels.txt", "r_row_labels.txt"):
        assert _labels(out / name) == _labels(orig / name)
    print(
        f"\nmax |ours - original| over {compared} VEP rows x features: {worst:.2e}", file=sys.stderr
    )
