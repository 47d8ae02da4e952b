"""A small synthetic genome with planted motifs: the demo's data and the tests' ground truth.

Each feature is a made-up transcription-factor motif planted (in either orientation) at
random, well-separated sites of a random genome. The feature's "peak" is the 200-bp
interval centred on the site, as a ChIP-seq peak would be. A model trained on it should
learn the motifs, and in-silico mutagenesis of a sequence containing a motif should show
the effect concentrated on the motif's bases. Everything is deterministic given ``seed``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from selene_sdk.sequences.encoding import DNA

__all__ = ["MOTIFS", "SyntheticData", "make_synthetic_data"]

#: Feature name -> planted motif (long enough never to occur by chance in a few Mb).
MOTIFS: dict[str, str] = {
    "CTCF_like": "CCACCAGGGGGCGC",
    "GATA_like": "AGATAAGATAAGGT",
    "AP1_like": "GATGACTCATCAAC",
    "NRF1_like": "TGCGCATGCGCACG",
}

PEAK_HALF_WIDTH = 100


@dataclass
class SyntheticData:
    """Paths and ground truth of a generated data set (all paths absolute)."""

    directory: str
    fasta: str
    features_bed: str
    features_list: str
    intervals_bed: str
    vcf: str
    ism_fasta: str
    features: list[str]
    chrom_lengths: dict[str, int]
    sites: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    ism_motif_spans: list[tuple[str, int, int, str]] = field(default_factory=list)


def _write_fasta(path: str, records: list[tuple[str, bytes]], width: int = 60) -> None:
    with open(path, "w", encoding="ascii") as out:
        for name, seq in records:
            out.write(f">{name}\n")
            for i in range(0, len(seq), width):
                out.write(seq[i : i + width].decode("ascii"))
                out.write("\n")


def _bgzip_and_index(path: str, preset: str) -> str:
    """bgzip + tabix a sorted text file (so the original Selene can read it too)."""
    import pysam

    return pysam.tabix_index(path, preset=preset, force=True, keep_original=False)


def make_synthetic_data(
    directory: str | os.PathLike,
    n_chroms: int = 4,
    chrom_length: int = 250_000,
    sites_per_chrom: int = 60,
    features: list[str] | None = None,
    n_ism_sequences: int = 2,
    ism_length: int = 1000,
    seed: int = 7,
) -> SyntheticData:
    """Generate the synthetic genome, feature peaks, intervals, a VCF and ISM sequences.

    Parameters
    ----------
    directory
        Output directory (created).
    n_chroms, chrom_length
        Genome shape: chromosomes ``chr1..chrN`` of ``chrom_length`` bases each.
    sites_per_chrom
        Planted sites per feature per chromosome.
    features
        Subset of :data:`MOTIFS` keys to plant (default: all).
    n_ism_sequences, ism_length
        Sequences written to ``ism.fa``, each with one motif planted at its centre.
    seed
        Random seed; the same seed gives byte-identical files.
    """
    directory = os.path.abspath(os.fspath(directory))
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)
    features = list(features or MOTIFS)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)

    records: list[tuple[str, bytes]] = []
    peaks: list[tuple[str, int, int, str]] = []
    sites: dict[str, list[tuple[str, int, str]]] = {f: [] for f in features}
    spacing = 2 * PEAK_HALF_WIDTH + 100
    usable = chrom_length - 4 * spacing
    n_sites = sites_per_chrom * len(features)
    if n_sites * spacing > usable:
        raise ValueError("too many sites for the chromosome length")
    for c in range(n_chroms):
        chrom = f"chr{c + 1}"
        seq = letters[rng.integers(0, 4, chrom_length)]
        # Well-separated site centres: sorted gaps of at least `spacing`.
        slack = usable - n_sites * spacing
        cuts = np.sort(rng.integers(0, slack + 1, n_sites))
        centres = 2 * spacing + cuts + np.arange(n_sites) * spacing
        order = rng.permutation(n_sites)
        for k, idx in enumerate(order):
            feature = features[k % len(features)]
            motif = MOTIFS[feature]
            strand = "+" if rng.random() < 0.5 else "-"
            site = motif if strand == "+" else DNA.reverse_complement(motif)
            centre = int(centres[idx])
            start = centre - len(site) // 2
            seq[start : start + len(site)] = np.frombuffer(site.encode(), dtype=np.uint8)
            sites[feature].append((chrom, start, strand))
            peaks.append((chrom, centre - PEAK_HALF_WIDTH, centre + PEAK_HALF_WIDTH, feature))
        records.append((chrom, seq.tobytes()))

    fasta = os.path.join(directory, "genome.fa")
    _write_fasta(fasta, records)

    peaks.sort(key=lambda r: (r[0], r[1]))
    bed = os.path.join(directory, "features.bed")
    with open(bed, "w") as out:
        out.writelines(f"{c}\t{s}\t{e}\t{f}\n" for c, s, e, f in peaks)
    features_bed = _bgzip_and_index(bed, "bed")

    features_list = os.path.join(directory, "features.txt")
    with open(features_list, "w") as out:
        out.writelines(f"{f}\n" for f in features)

    # Intervals for IntervalsSampler: each peak widened to 600 bp so windows vary.
    intervals = os.path.join(directory, "intervals.bed")
    with open(intervals, "w") as out:
        for c, s, e, _ in peaks:
            out.write(f"{c}\t{max(0, s - 200)}\t{e + 200}\n")

    vcf = _write_vcf(directory, records, sites, rng)
    ism_fasta, spans = _write_ism_fasta(directory, features, n_ism_sequences, ism_length, rng)

    return SyntheticData(
        directory=directory,
        fasta=fasta,
        features_bed=features_bed,
        features_list=features_list,
        intervals_bed=intervals,
        vcf=vcf,
        ism_fasta=ism_fasta,
        features=features,
        chrom_lengths={name: len(s) for name, s in records},
        sites=sites,
        ism_motif_spans=spans,
    )


def _write_vcf(directory, records, sites, rng) -> str:
    """Variants disrupting planted motifs ("planted_*") and at random positions ("random_*")."""
    genome = {name: seq for name, seq in records}
    rows = []
    for feature, feature_sites in sites.items():
        motif_len = len(MOTIFS[feature])
        for k, (chrom, start, _) in enumerate(feature_sites[:6]):
            pos0 = start + motif_len // 2  # a core base of the motif
            ref = chr(genome[chrom][pos0])
            alt = "ACGT"[("ACGT".index(ref) + 2) % 4]
            rows.append((chrom, pos0 + 1, f"planted_{feature}_{k}", ref, alt))
    names = list(genome)
    for k in range(24):
        chrom = names[k % len(names)]
        pos0 = int(rng.integers(2000, len(genome[chrom]) - 2000))
        ref = chr(genome[chrom][pos0])
        alt = "ACGT"[("ACGT".index(ref) + 1) % 4]
        rows.append((chrom, pos0 + 1, f"random_{k}", ref, alt))
    rows.sort(key=lambda r: (r[0], r[1]))
    path = os.path.join(directory, "variants.vcf")
    with open(path, "w") as out:
        out.write("##fileformat=VCFv4.2\n")
        for name, seq in records:
            out.write(f"##contig=<ID={name},length={len(seq)}>\n")
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        out.writelines(f"{c}\t{p}\t{i}\t{r}\t{a}\t.\t.\t.\n" for c, p, i, r, a in rows)
    return path


def _write_ism_fasta(directory, features, n, length, rng):
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    records, spans = [], []
    for k in range(n):
        feature = features[k % len(features)]
        motif = MOTIFS[feature]
        seq = letters[rng.integers(0, 4, length)]
        start = length // 2 - len(motif) // 2
        seq[start : start + len(motif)] = np.frombuffer(motif.encode(), dtype=np.uint8)
        name = f"seq{k}_{feature}"
        records.append((name, seq.tobytes()))
        spans.append((name, start, start + len(motif), feature))
    path = os.path.join(directory, "ism.fa")
    _write_fasta(path, records)
    return path, spans
