"""Byte-for-byte comparison of analysis outputs between two versions of selene_sdk.

Runs the analysis operations of ``bench_analyze.py`` (VEP to TSV, HDF5 and VCF; ISM of
one and two bases; FASTA and BED predictions) on fixed inputs that also hold the unusual
cases (indels, MNPs, multi-allelic records, symbolic alleles, unknown chromosomes,
windows off a chromosome end, N bases, the minus strand, malformed lines), with a seeded
model, inline and with background threads, at two batch sizes. Only the public
``AnalyzeSequences`` interface is used, so any version of the package can run it.

Usage::

    # outputs of the working tree and of another checkout, compared file by file
    python benchmarks/compare_outputs.py before-after --before /tmp/before/src
    # or in steps
    python benchmarks/compare_outputs.py run OUT_DIR [--src SRC_DIR]
    python benchmarks/compare_outputs.py compare DIR_A DIR_B

Exit status 1 when any file differs or is missing on one side.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

L = 200
F = 12
HERE = os.path.dirname(os.path.abspath(__file__))


# -- inputs -----------------------------------------------------------------------------------
def _dna(rng: np.random.Generator, n: int) -> str:
    return np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, n)].tobytes().decode()


def make_inputs(directory: str) -> dict[str, str]:
    """Write the genome, VCF, BED and FASTA inputs; return their paths."""
    rng = np.random.default_rng(20261203)
    chroms = {f"chr{i}": _dna(rng, 30_000) for i in (1, 2, 3)}
    chroms["chr2"] = chroms["chr2"][:5000] + "N" * 300 + chroms["chr2"][5300:]
    chroms["chr3"] = (
        chroms["chr3"][:8000] + chroms["chr3"][8000:9000].lower() + chroms["chr3"][9000:]
    )
    paths = {"genome": os.path.join(directory, "genome.fa")}
    with open(paths["genome"], "w") as out:
        for name, seq in chroms.items():
            out.write(f">{name}\n")
            out.writelines(seq[i : i + 70] + "\n" for i in range(0, len(seq), 70))

    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tSTRAND"]
    names = list(chroms)
    for i in range(3000):
        chrom = names[i % 3]
        seq = chroms[chrom]
        pos = int(rng.integers(2, len(seq) - 2))
        kind = i % 10
        r = 1 if kind < 6 else int(rng.integers(1, 4))
        ref = seq[pos - 1 : pos - 1 + r]
        if kind < 5:  # SNV
            alt = "ACGT".replace(ref[0].upper(), "")[int(rng.integers(0, 3))]
        elif kind == 5:  # multi-allelic, one symbolic
            alt = "A,C,<DEL>" if i % 20 == 5 else ",".join(b for b in "ACGT" if b != ref.upper())
        elif kind == 6:  # MNP
            alt = _dna(rng, r)
        elif kind == 7:  # insertion
            alt = ref[0] + _dna(rng, int(rng.integers(1, 5)))
        elif kind == 8:  # deletion
            ref = seq[pos - 1 : pos + 2]
            alt = ref[0]
        else:  # REF that disagrees with the genome
            ref = "G" if seq[pos - 1].upper() != "G" else "T"
            alt = "C"
        chrom_out = chrom if i % 7 else chrom[3:]  # "1" for "chr1" now and then
        strand = "+-."[i % 3]
        lines.append(f"{chrom_out}\t{pos}\tv{i}\t{ref}\t{alt}\t.\tPASS\t.\t{strand}")
    lines += [
        "chr9\t100\tunknown_chrom\tA\tC\t.\t.\t.\t+",
        "chr1\tabc\tbad_pos\tA\tC\t.\t.\t.\t+",
        "chr1\t1\tleft_edge\t" + chroms["chr1"][0] + "\tA\t.\t.\t.\t+",
        "chr1\t200\tstar\tA\t*\t.\t.\t.\t+",
        "chr1\t300",
        "chr2\t5100\tin_n\t" + chroms["chr2"][5099] + "\tT\t.\t.\t.\t-",
    ]
    paths["vcf"] = os.path.join(directory, "variants.vcf")
    with open(paths["vcf"], "w") as out:
        out.write("\n".join(lines) + "\n")

    bed = []
    for i in range(1500):
        chrom = names[i % 3]
        start = int(rng.integers(0, 29_900))
        bed.append(
            f"{chrom}\t{start}\t{start + int(rng.integers(1, 400))}\tr{i}\t0\t{'+-.'[i % 3]}"
        )
    bed[10:10] = ["track name=x", "chr1\t5\t2\tbad_order\t0\t+", "chrX\t10\t20\tx\t0\t+"]
    bed[500:500] = ["chr1\tabc\t10\tbad\t0\t+", "chr2\t10", "", "chr3\t100\t150\tq\t0\t?"]
    paths["bed"] = os.path.join(directory, "regions.bed")
    with open(paths["bed"], "w") as out:
        out.write("\n".join(bed) + "\n")

    paths["fasta"] = os.path.join(directory, "seqs.fa")
    with open(paths["fasta"], "w") as out:
        for i in range(700):
            n = L if i % 4 else int(rng.integers(50, 2 * L))
            seq = _dna(rng, n)
            if i % 9 == 0:
                seq = seq[:20] + "NNNN" + seq[24:].lower()
            out.write(f">s{i} description {i}\n{seq}\n")

    paths["ism"] = os.path.join(directory, "ism.fa")
    with open(paths["ism"], "w") as out:
        for i in range(3):
            seq = _dna(rng, L - 10 * i)
            out.write(f">m{i}\n{seq[:30]}N{seq[31:]}\n")
    return paths


# -- the model --------------------------------------------------------------------------------
def make_model():
    import torch
    from torch import nn

    torch.manual_seed(7)
    model = nn.Sequential(
        nn.Conv1d(4, 16, 8),
        nn.ReLU(),
        nn.MaxPool1d(4, 4),
        nn.Conv1d(16, 16, 8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(16 * ((L - 7) // 4 - 7), F),
        nn.Sigmoid(),
    )
    return model


# -- running ----------------------------------------------------------------------------------
def run(out_dir: str) -> None:
    """Write every output of the operations under ``out_dir`` (inputs in ``out_dir/inputs``)."""
    import torch

    from selene_sdk.predict import AnalyzeSequences
    from selene_sdk.sequences import Genome

    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    os.environ["SELENE_SDK_PROGRESS"] = "0"
    inputs = os.path.join(out_dir, "inputs")
    os.makedirs(inputs, exist_ok=True)
    os.environ["SELENE_SDK_CACHE_DIR"] = os.path.join(out_dir, "cache")
    paths = make_inputs(inputs)
    features = [f"f{i}" for i in range(F)]
    save = ["abs_diffs", "diffs", "logits", "predictions"]
    for batch_size in (64, 7):
        for background in (False, True):
            tag = f"b{batch_size}_{'bg' if background else 'inline'}"
            a = AnalyzeSequences(
                make_model(), None, L, features, batch_size=batch_size,
                reference_sequence=Genome(paths["genome"]), background=background,
            )  # fmt: skip
            base = os.path.join(out_dir, "outputs", tag)
            for fmt in ("tsv", "hdf5", "vcf"):
                a.variant_effect_prediction(
                    paths["vcf"], save, output_dir=os.path.join(base, f"vep_{fmt}"),
                    output_format=fmt, strand_index=8,
                )  # fmt: skip
            for fmt in ("tsv", "hdf5"):
                a.in_silico_mutagenesis_from_file(
                    paths["ism"], save, os.path.join(base, f"ism_{fmt}"), output_format=fmt
                )
                a.get_predictions(paths["fasta"], os.path.join(base, f"fasta_{fmt}"), fmt)
                a.get_predictions(paths["bed"], os.path.join(base, f"bed_{fmt}"), fmt, 5)
            a.in_silico_mutagenesis_from_file(
                paths["ism"], ["diffs", "predictions"], os.path.join(base, "ism2"),
                mutate_n_bases=2, output_format="hdf5", start_position=20, end_position=60,
                use_sequence_name=False,
            )  # fmt: skip
            a.in_silico_mutagenesis(
                "ACGT" * 40, ["logits", "predictions"], os.path.join(base, "single", "x"),
                output_format="tsv",
            )  # fmt: skip
    torch.save({}, os.path.join(out_dir, "done.pt"))


def compare(a: str, b: str) -> int:
    """Compare every output file under ``a/outputs`` and ``b/outputs``; print differences."""
    files = set()
    for root in (a, b):
        top = os.path.join(root, "outputs")
        for directory, _, names in os.walk(top):
            files.update(os.path.relpath(os.path.join(directory, n), top) for n in names)
    differ, missing = [], []
    for rel in sorted(files):
        pa, pb = os.path.join(a, "outputs", rel), os.path.join(b, "outputs", rel)
        if not (os.path.exists(pa) and os.path.exists(pb)):
            missing.append(rel)
        elif not filecmp.cmp(pa, pb, shallow=False):
            differ.append(rel)
    print(f"{len(files)} files compared: {len(differ)} differ, {len(missing)} on one side only")
    for rel in differ[:20]:
        print(f"  differs: {rel}")
    for rel in missing[:20]:
        print(f"  missing on one side: {rel}")
    return 1 if differ or missing else 0


def _run_subprocess(out_dir: str, src: str | None) -> None:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.path.abspath(src)
    code = (
        f"import sys; sys.path.insert(0, {HERE!r}); import compare_outputs; "
        f"compare_outputs.run({out_dir!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("out_dir")
    p.add_argument("--src", help="the src/ directory of the version to run (default: installed)")
    p = sub.add_parser("compare")
    p.add_argument("a")
    p.add_argument("b")
    p = sub.add_parser("before-after")
    p.add_argument("--before", required=True, help="src/ directory of the earlier version")
    p.add_argument(
        "--after", default=None, help="src/ directory of the later one (default: installed)"
    )
    p.add_argument("--keep", help="keep the outputs in this directory")
    args = parser.parse_args(argv)
    if args.command == "run":
        _run_subprocess(os.path.abspath(args.out_dir), args.src)
        return 0
    if args.command == "compare":
        return compare(args.a, args.b)
    root = args.keep or tempfile.mkdtemp(prefix="selene-compare-")
    before, after = os.path.join(root, "before"), os.path.join(root, "after")
    _run_subprocess(before, args.before)
    _run_subprocess(after, args.after)
    status = compare(before, after)
    print(f"outputs in {root}")
    return status


if __name__ == "__main__":
    sys.exit(main())
