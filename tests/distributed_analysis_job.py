"""File analyses for torchrun (or one plain process), used by tests/test_distributed.py.

    torchrun --standalone --nproc_per_node=2 tests/distributed_analysis_job.py DATA OUT [MODE]
    python tests/distributed_analysis_job.py DATA OUT

DATA holds ``genome.fa``, ``records.fa``, ``regions.bed``, ``calls.vcf`` (see
:func:`write_inputs`). Every analysis writes under OUT. MODE ``crash`` makes rank 0 fail
before merging (a run killed after its shards were done); ``count`` writes each rank's
number of shard computations to ``OUT/work-<rank>.json``.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from selene_sdk import distributed
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.predict.files import mutagenesis, predictions, shards, variants
from selene_sdk.sequences import Genome
from tests.training_helpers import TinyCNN

L = 50
FEATURES = ["motif0", "motif1"]


def write_inputs(data: str) -> None:
    rng = np.random.default_rng(5)
    dna = lambda n: "".join(rng.choice(list("ACGT"), n))  # noqa: E731
    os.makedirs(data, exist_ok=True)
    chroms = {"chr1": dna(2000), "chr2": dna(900)}
    with open(os.path.join(data, "genome.fa"), "w") as f:
        for name, seq in chroms.items():
            f.write(f">{name}\n{seq}\n")
    with open(os.path.join(data, "records.fa"), "w") as f:
        for i in range(7):
            f.write(f">r{i}\n{dna(40 + 5 * i)}\n")
    with open(os.path.join(data, "regions.bed"), "w") as f:
        f.write("track name=x\n")
        for i in range(9):
            f.write(f"chr1\t{100 + 150 * i}\t{160 + 150 * i}\t.\t0\t{'+-'[i % 2]}\n")
        f.write("chr9\t10\t20\n")  # unknown chromosome -> .NA
        f.write("chr2\t400\t420\n")
    with open(os.path.join(data, "calls.vcf"), "w") as f:
        f.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i in range(11):
            pos = 200 + 130 * i
            f.write(f"chr1\t{pos}\trs{i}\t{chroms['chr1'][pos - 1]}\tA,C\t.\t.\t.\n")
        f.write("chrX\t5\tbad\tA\tG\t.\t.\t.\n")  # unknown chromosome -> .NA
    with open(os.path.join(data, "ism.fa"), "w") as f:
        for i in range(3):
            f.write(f">s{i}\n{dna(L)}\n")


def analyses(data: str, out: str) -> None:
    torch.manual_seed(0)
    analyzer = AnalyzeSequences(
        TinyCNN(),
        None,
        L,
        FEATURES,
        batch_size=4,
        reference_sequence=Genome(os.path.join(data, "genome.fa")),
    )
    for fmt in ("tsv", "hdf5"):
        analyzer.get_predictions(
            os.path.join(data, "records.fa"), os.path.join(out, f"fa-{fmt}"), fmt
        )
        analyzer.get_predictions(
            os.path.join(data, "regions.bed"), os.path.join(out, f"bed-{fmt}"), fmt, strand_index=5
        )
    for fmt in ("tsv", "hdf5", "vcf"):
        analyzer.variant_effect_prediction(
            os.path.join(data, "calls.vcf"),
            ["abs_diffs", "predictions"],
            os.path.join(out, f"vep-{fmt}"),
            fmt,
        )
    analyzer.in_silico_mutagenesis_from_file(
        os.path.join(data, "ism.fa"), ["predictions", "diffs"], os.path.join(out, "ism")
    )


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else ""
    with distributed.job() as ranks:
        calls = {"n": 0}
        if mode == "count":
            for module, name in (
                (predictions, "predict_fasta"),
                (predictions, "predict_bed"),
                (variants, "variant_effect_prediction"),
                (mutagenesis, "in_silico_mutagenesis_from_file"),
            ):
                original = getattr(module, name)

                def counted(*args, _original=original, **kwargs):
                    calls["n"] += 1
                    return _original(*args, **kwargs)

                setattr(module, name, counted)
        if mode == "crash" and ranks.is_main:

            def crash(*args, **kwargs):
                raise SystemExit("killed before the merge")

            shards.merge = crash
        analyses(data, out)
        if mode == "count":
            with open(os.path.join(out, f"work-{ranks.rank}.json"), "w") as handle:
                json.dump(calls, handle)


if __name__ == "__main__":
    main()
