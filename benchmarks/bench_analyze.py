"""Throughput and memory of AnalyzeSequences next to the model-only ceiling.

The ceiling of an operation is the same number of forward passes, at the same batch size,
on random tensors already in memory: what a perfect pipeline (no reading, encoding,
scoring or writing) would reach. Measured on CPU with a fixed number of torch threads.

1. A DeepSEA-like model (DeepSEA's layout: three conv layers with kernel 8, max-pooling,
   two linear layers, sigmoid; narrower channels by default so a run takes minutes, not
   hours; ``--full-width`` for DeepSEA's 320/480/960): VEP variants/s on a 20,000-SNV
   VCF, ISM mutations/s on 1000-bp sequences, FASTA and BED predictions/s.
2. A cheap model (``Conv1d(4, 50, 8)``, max over positions, sigmoid), where our own code
   sets the pace: VEP, ISM and FASTA/BED predictions with HDF5 output.

ISM runs ``in_silico_mutagenesis_from_file`` on ``--ism-sequences`` 1000-bp records
(3,000 single-base mutations each), naive and with ``fast=True``; "fast ISM (array API)"
is ``saturation_mutagenesis(model, X, fast=True)`` on as many sequences, without files.
All ISM rows are compared with the naive model-only ceiling (3,000 forward passes per
sequence). Each ratio is the median over back-to-back pairs of
(our run, ceiling run), which keeps it meaningful on a machine shared with other work.
3. Peak memory (max RSS of a fresh process) of VEP on a 1,000,000-variant VCF.

Usage: ``python benchmarks/bench_analyze.py [--threads 2] [--variants 20000] [--quick]``;
``--original PYTHON`` and ``--tangermeme PYTHON`` also run the original Selene 0.6.0 and
tangermeme 1.6.0's ISM (``bench_tangermeme_ism.py``), each from its own virtualenv.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
from torch import nn

L = 1000
F = 50
BATCH = 64


class DeepSeaLike(nn.Module):
    """DeepSEA's layout with configurable widths (DeepSEA: 320, 480, 960)."""

    def __init__(self, widths=(64, 96, 128), sequence_length=L, n_features=F):
        super().__init__()
        c1, c2, c3 = widths
        k = 8
        self.conv = nn.Sequential(
            nn.Conv1d(4, c1, k),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(4, 4),
            nn.Dropout(0.2),
            nn.Conv1d(c1, c2, k),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(4, 4),
            nn.Dropout(0.2),
            nn.Conv1d(c2, c3, k),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
        )
        n = int(np.floor((np.floor((sequence_length - (k - 1)) / 4) - (k - 1)) / 4) - (k - 1))
        self.head = nn.Sequential(
            nn.Linear(c3 * n, n_features),
            nn.ReLU(inplace=True),
            nn.Linear(n_features, n_features),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.head(self.conv(x).flatten(1))


class Cheap(nn.Module):
    """One convolution, max over positions, sigmoid: ~50x cheaper than DeepSEA-like."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, F, 8)

    def forward(self, x):
        return torch.sigmoid(self.conv(x).amax(dim=2))


class Tiny(nn.Module):
    """Base composition -> linear: nearly free, so the memory run measures our pipeline."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, F)

    def forward(self, x):
        return torch.sigmoid(self.linear(x.mean(dim=2)))


# -- inputs ------------------------------------------------------------------------------------
def make_genome(directory: str, n_chroms: int = 4, size: int = 1_000_000, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    path = os.path.join(directory, "genome.fa")
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "w") as out:
        for c in range(n_chroms):
            seq = letters[rng.integers(0, 4, size)].tobytes().decode()
            out.write(f">chr{c + 1}\n")
            for i in range(0, size, 80):
                out.write(seq[i : i + 80] + "\n")
    return path


def make_vcf(directory: str, genome_path: str, n: int, seed: int = 1, name: str = "v.vcf") -> str:
    from selene_sdk.sequences import Genome

    genome = Genome(genome_path)
    rng = np.random.default_rng(seed)
    chroms = genome.get_chrs()
    lens = genome.len_chrs
    path = os.path.join(directory, name)
    per = -(-n // len(chroms))
    with open(path, "w") as out:
        out.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        written = 0
        for chrom in chroms:
            k = min(per, n - written)
            if k <= 0:
                break
            pos = np.sort(rng.integers(L, lens[chrom] - L, k))
            refs = genome.get_codes_batch([chrom] * k, pos - 1, 1)[:, 0]
            alts = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, k)]
            alts = np.where(alts == refs, np.where(refs == ord("A"), ord("C"), ord("A")), alts)
            lines = [
                f"{chrom}\t{p}\tv{written + i}\t{chr(r)}\t{chr(a)}\t.\tPASS\t.\n"
                for i, (p, r, a) in enumerate(zip(pos.tolist(), refs.tolist(), alts.tolist()))
            ]
            out.writelines(lines)
            written += k
    return path


def make_fasta(directory: str, n: int, seed: int = 2, name: str = "seqs.fa") -> str:
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        for i in range(n):
            out.write(f">s{i}\n{letters[rng.integers(0, 4, L)].tobytes().decode()}\n")
    return path


def make_bed(directory: str, genome_path: str, n: int, seed: int = 3) -> str:
    from selene_sdk.sequences import Genome

    genome = Genome(genome_path)
    rng = np.random.default_rng(seed)
    chroms = genome.get_chrs()
    path = os.path.join(directory, "regions.bed")
    with open(path, "w") as out:
        for i in range(n):
            chrom = chroms[i % len(chroms)]
            start = int(rng.integers(L, genome.len_chrs[chrom] - 2 * L))
            out.write(f"{chrom}\t{start}\t{start + 200}\tr{i}\t0\t+\n")
    return path


# -- measurements ------------------------------------------------------------------------------
_INPUTS: list[torch.Tensor] = []
BACKGROUND: bool | None = None  # AnalyzeSequences(background=...); set by --background


def ceiling(model: nn.Module, n_sequences: int, batch: int = BATCH) -> float:
    """Sequences/s of bare forward passes on random tensors already in memory (16 distinct
    batches used in turn: one batch reused every time would stay in the CPU cache, which
    no real input does)."""
    model.eval()
    if not _INPUTS or _INPUTS[0].shape[0] != batch:
        _INPUTS[:] = [torch.rand(batch, 4, L) for _ in range(16)]
    n_batches = max(1, round(n_sequences / batch))
    with torch.inference_mode():
        model(_INPUTS[0])
        start = time.perf_counter()
        for i in range(n_batches):
            model(_INPUTS[i % 16])
        elapsed = time.perf_counter() - start
    return n_batches * batch / elapsed


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def analyzer(model, genome_path, background=None):
    from selene_sdk.predict import AnalyzeSequences
    from selene_sdk.sequences import Genome

    return AnalyzeSequences(
        model,
        None,
        L,
        [f"f{i}" for i in range(F)],
        batch_size=BATCH,
        reference_sequence=Genome(genome_path),
        background=background,
    )


def paired(repeats: int, ours, ceiling_fn) -> tuple[float, float, float]:
    """Alternate our run and the ceiling run; return (best ours, best ceiling, median of
    the per-pair ratios). Pairs taken back to back share the machine's load, so their
    ratio is steadier than a ratio of separately measured rates on a busy machine."""
    ours_rates, ceilings, ratios = [], [], []
    for _ in range(repeats):
        c = ceiling_fn()
        o = ours()
        ours_rates.append(o)
        ceilings.append(c)
        ratios.append(o / c)
    return max(ours_rates), max(ceilings), float(np.median(ratios))


def row(label: str, result: tuple[float, float, float], unit: str) -> None:
    ours, ceil, ratio = result
    print(
        f"  {label:<30} {ours:>9,.0f} {unit:<11} ceiling {ceil:>9,.0f}   "
        f"ratio {ratio:4.2f} (best/best {ours / ceil:4.2f})"
    )


def bench_model(
    name, model, tmp, genome, vcf, n_variants, fasta, bed, n_seqs, ism_fasta, n_ism, repeats,
    formats,
):  # fmt: skip
    print(f"\n{name}: {sum(p.numel() for p in model.parameters()):,} parameters")
    a = analyzer(model, genome, background=BACKGROUND)
    out = os.path.join(tmp, "out")
    save = ["abs_diffs", "diffs", "logits", "predictions"]
    results = {}
    for fmt in formats:

        def vep(fmt=fmt):
            seconds = timed(
                lambda: a.variant_effect_prediction(vcf, save, output_dir=out, output_format=fmt)
            )
            return n_variants / seconds

        res = paired(repeats, vep, lambda: ceiling(model, 2 * n_variants) / 2)
        row(f"VEP ({fmt}, {len(save)} outputs)", res, "variants/s")
        results[f"vep_{fmt}"] = res
    n_mut = 3 * L * n_ism
    for fmt in formats:

        def ism(fmt=fmt):
            target = os.path.join(out, "ism")
            return n_mut / timed(
                lambda: a.in_silico_mutagenesis_from_file(
                    ism_fasta, save, target, output_format=fmt
                )
            )

        res = paired(repeats, ism, lambda: ceiling(model, n_mut))
        row(f"ISM ({fmt}, {len(save)} outputs)", res, "mutations/s")
        results[f"ism_{fmt}"] = res
    for fmt in formats:

        def fast_ism(fmt=fmt):
            target = os.path.join(out, "ism_fast")
            return n_mut / timed(
                lambda: a.in_silico_mutagenesis_from_file(
                    ism_fasta, save, target, output_format=fmt, fast=True
                )
            )

        res = paired(repeats, fast_ism, lambda: ceiling(model, n_mut))
        row(f"fast ISM ({fmt}, {len(save)} outputs)", res, "mutations/s")
        results[f"fast_ism_{fmt}"] = res
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(4).integers(0, 4, (n_ism, L))]

    def fast_array():
        from selene_sdk.predict import saturation_mutagenesis

        return n_mut / timed(lambda: saturation_mutagenesis(model, X, fast=True))

    res = paired(repeats, fast_array, lambda: ceiling(model, n_mut))
    row("fast ISM (array API, no files)", res, "mutations/s")
    results["fast_ism_array"] = res
    if fasta is not None:
        res = paired(
            repeats,
            lambda: n_seqs / timed(lambda: a.get_predictions(fasta, out, "hdf5")),
            lambda: ceiling(model, n_seqs),
        )
        row("FASTA predictions (hdf5)", res, "seqs/s")
        res = paired(
            repeats,
            lambda: n_seqs / timed(lambda: a.get_predictions(bed, out, "hdf5")),
            lambda: ceiling(model, n_seqs),
        )
        row("BED predictions (hdf5)", res, "seqs/s")
    return results


_ORIGINAL_DRIVER = """
import sys, time, warnings
warnings.simplefilter("ignore")
import torch
torch.set_num_threads(int(sys.argv[6]))
source = open(sys.argv[1]).read()
namespace = {}
exec(source.split("# -- inputs")[0], namespace)  # the model classes only
exec("import time\\n" + source[source.index("_INPUTS: list"):source.index("def timed(")], namespace)
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.sequences import Genome
tmp, which, genome, vcf = sys.argv[2:6]
n_variants = int(sys.argv[7]); n_mut = int(sys.argv[8]); ism_fasta = sys.argv[9]
widths = {"deepsea": (64, 96, 128), "deepsea-full": (320, 480, 960)}
model = namespace["Cheap"]() if which == "cheap" else namespace["DeepSeaLike"](widths[which])
torch.save(model.state_dict(), tmp + "/original_w.pth")
a = AnalyzeSequences(model, tmp + "/original_w.pth", 1000, [f"f{i}" for i in range(50)],
                     batch_size=64, reference_sequence=Genome(genome))
save = ["abs_diffs", "diffs", "logits", "predictions"]
ceiling = namespace["ceiling"]
c = ceiling(model, 2 * n_variants) / 2
t = time.perf_counter()
a.variant_effect_prediction(vcf, save, output_dir=tmp + "/original_out", output_format="hdf5")
print("VEP", n_variants / (time.perf_counter() - t), c, flush=True)
c = ceiling(model, n_mut)
t = time.perf_counter()
a.in_silico_mutagenesis_from_file(ism_fasta, save, tmp + "/original_ism", output_format="hdf5")
print("ISM", n_mut / (time.perf_counter() - t), c, flush=True)
"""


def original_run(python: str, tmp: str, which: str, genome, vcf, n_variants, ism_fasta, n_ism,
                 threads: int) -> None:  # fmt: skip
    """Run the original Selene (its own virtualenv, as a black box) on the same inputs."""
    driver = os.path.join(tmp, "original_driver.py")
    with open(driver, "w") as handle:
        handle.write(_ORIGINAL_DRIVER)
    env = dict(os.environ, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1", PYTHONWARNINGS="ignore")
    env.pop("PYTHONPATH", None)
    args = [python, driver, os.path.abspath(__file__), tmp, which, genome, vcf, str(threads)]
    args += [str(n_variants), str(3 * L * n_ism), ism_fasta]
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp)
    for line in result.stdout.splitlines():
        if line.startswith(("VEP", "ISM")):
            op, ours, ceil = line.split()
            unit = "variants/s" if op == "VEP" else "mutations/s"
            print(
                f"  original 0.6.0: {op:<15} {float(ours):>14,.0f} {unit:<11} ceiling "
                f"{float(ceil):>9,.0f}   ratio {float(ours) / float(ceil):4.2f}"
            )
    if result.returncode:
        print(f"  original Selene failed: {result.stderr.strip().splitlines()[-1:]}")


def tangermeme_run(python: str, widths, n_ism: int, threads: int) -> None:
    """tangermeme 1.6.0's ISM (its own virtualenv; ``bench_tangermeme_ism.py``) on the
    same model layout and sizes: naive and fast mode, each next to its ceiling."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_tangermeme_ism.py")
    args = [python, script, "--threads", str(threads), "--sequences", str(n_ism)]
    args += ["--length", str(L), "--widths", ",".join(map(str, widths)), "--features", str(F)]
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    for line in result.stdout.splitlines():
        if line.startswith("TANGERMEME"):
            _, mode, ours, ceil = line.split()
            print(
                f"  tangermeme 1.6.0: ISM {mode:<9} {float(ours):>9,.0f} mutations/s ceiling "
                f"{float(ceil):>9,.0f}   ratio {float(ours) / float(ceil):4.2f}"
            )
        elif line.startswith("#"):
            print(f"  tangermeme {line}")
    if result.returncode:
        print(f"  tangermeme failed: {result.stderr.strip().splitlines()[-1:]}")


def memory_run(tmp: str, genome: str, n_variants: int) -> None:
    vcf = make_vcf(tmp, genome, n_variants, seed=7, name="big.vcf")
    size = os.path.getsize(vcf) / 1e6
    code = f"""
import resource, time, warnings, sys
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
warnings.simplefilter("ignore")
import torch
torch.set_num_threads(1)  # the model is near-free: this run measures our pipeline's memory
import selene_sdk
selene_sdk.tune_process()
from bench_analyze import Tiny, analyzer
a = analyzer(Tiny(), {genome!r})
t = time.perf_counter()
s = a.variant_effect_prediction({vcf!r}, ["abs_diffs", "diffs", "logits", "predictions"],
                                output_dir={os.path.join(tmp, "big")!r}, output_format="hdf5")
dt = time.perf_counter() - t
print(s.variants, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    variants, seconds, peak_mb = int(out[0]), float(out[1]), float(out[2])
    print(
        f"\nMemory: VEP on a {variants:,}-variant VCF ({size:.0f} MB, HDF5, 4 outputs): "
        f"peak RSS {peak_mb:,.0f} MB (target < 2,048 MB), {seconds:.0f} s "
        f"({variants / seconds:,.0f} variants/s with a near-free model)"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", type=int, default=20_000)
    parser.add_argument("--sequences", type=int, default=20_000)
    parser.add_argument("--ism-sequences", type=int, default=5)
    parser.add_argument("--memory-variants", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full-width", action="store_true", help="DeepSEA's real widths")
    parser.add_argument("--quick", action="store_true", help="small sizes, no memory run")
    parser.add_argument(
        "--original",
        metavar="PYTHON",
        help="python of a virtualenv with the original selene-sdk 0.6.0: run it too",
    )
    parser.add_argument(
        "--tangermeme",
        metavar="PYTHON",
        help="python of a virtualenv with tangermeme 1.6.0: run its ISM (naive, fast) too",
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["deepsea", "cheap", "memory"])
    parser.add_argument(
        "--background",
        choices=["auto", "on", "off"],
        default="auto",
        help="AnalyzeSequences(background=...): build and write batches in threads "
        "(auto: only when the model leaves CPU cores free, or on a GPU)",
    )
    args = parser.parse_args(argv)
    import selene_sdk

    # the state `selene run` / `python -m selene_sdk` run in (library calls leave the
    # process alone; the command line tunes its own)
    selene_sdk.tune_process()
    global BACKGROUND
    BACKGROUND = {"auto": None, "on": True, "off": False}[args.background]
    if args.quick:
        args.variants, args.sequences, args.ism_sequences, args.repeats = 2_000, 1_000, 1, 1
        args.skip = [*args.skip, "memory"]
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    os.environ.setdefault("SELENE_SDK_PROGRESS", "0")
    print(
        f"torch {torch.__version__}, {args.threads} threads, batch {BATCH}, L={L}, F={F}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SELENE_SDK_CACHE_DIR"] = os.path.join(tmp, "cache")
        genome = make_genome(tmp)
        vcf = make_vcf(tmp, genome, args.variants)
        fasta = make_fasta(tmp, args.sequences)
        bed = make_bed(tmp, genome, args.sequences)
        ism_fasta = make_fasta(tmp, args.ism_sequences, seed=9, name="ism.fa")
        torch.manual_seed(0)
        if "deepsea" not in args.skip:
            widths = (320, 480, 960) if args.full_width else (64, 96, 128)
            bench_model(
                f"DeepSEA-like model, widths {widths}",
                DeepSeaLike(widths),
                tmp, genome, vcf, args.variants, fasta, bed, args.sequences, ism_fasta,
                args.ism_sequences, args.repeats, ["tsv", "hdf5"],
            )  # fmt: skip
            if args.original:
                which = "deepsea-full" if args.full_width else "deepsea"
                original_run(
                    args.original, tmp, which, genome, vcf, args.variants, ism_fasta,
                    args.ism_sequences, args.threads,
                )  # fmt: skip
            if args.tangermeme:
                tangermeme_run(args.tangermeme, widths, args.ism_sequences, args.threads)
        if "cheap" not in args.skip:
            bench_model(
                "Cheap model Conv1d(4, 50, 8) + max + sigmoid",
                Cheap(),
                tmp, genome, vcf, args.variants, fasta, bed, args.sequences, ism_fasta,
                args.ism_sequences, args.repeats, ["hdf5"],
            )  # fmt: skip
            if args.original:
                original_run(
                    args.original, tmp, "cheap", genome, vcf, args.variants, ism_fasta,
                    args.ism_sequences, args.threads,
                )  # fmt: skip
        if "memory" not in args.skip:
            memory_run(tmp, genome, args.memory_variants)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmax RSS of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
