"""Names and option sets shared across the package, defined once.

This module imports nothing from selene_sdk, so every layer may use it: strand values,
output column names (Selene's documented row labels), and the ``Literal`` types of
options that several modules check (output formats, score names, strand modes).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "BED_COLS",
    "FASTA_COLS",
    "ISM_COLS",
    "ISM_REFERENCE_LABEL",
    "MINUS",
    "OUTPUT_FORMATS",
    "PLUS",
    "SCORE_NAMES",
    "STRANDS",
    "STRAND_MODES",
    "UNSTRANDED",
    "VARIANTEFFECT_COLS",
    "VEP_OUTPUT_FORMATS",
    "OutputFormat",
    "ScoreName",
    "StrandMode",
    "VepOutputFormat",
]

# -- strands ---------------------------------------------------------------------------------
PLUS = "+"
MINUS = "-"
#: No strand given: read as ``+``.
UNSTRANDED = "."
#: Every strand value a BED, VCF or genome query accepts, in the order messages list them.
STRANDS: tuple[str, ...] = (PLUS, MINUS, UNSTRANDED)

# -- row-label columns of the output files -----------------------------------------------------
#: Variant effect outputs (one row per ALT allele).
VARIANTEFFECT_COLS: list[str] = [
    "chrom",
    "pos",
    "name",
    "ref",
    "alt",
    "strand",
    "ref_match",
    "contains_unk",
]
#: In silico mutagenesis outputs (``;``-joined when several positions change together).
ISM_COLS: list[str] = ["pos", "ref", "alt"]
#: Label of the unmutated sequence's row in ISM prediction outputs.
ISM_REFERENCE_LABEL = "input_sequence"
#: Predictions for the records of a FASTA file.
FASTA_COLS: list[str] = ["index", "name"]
#: Predictions for windows centred on BED intervals.
BED_COLS: list[str] = ["index", "chrom", "start", "end", "strand", "contains_unk"]

# -- option sets -------------------------------------------------------------------------------
OutputFormat = Literal["tsv", "hdf5"]
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)
VepOutputFormat = Literal["tsv", "hdf5", "vcf"]
VEP_OUTPUT_FORMATS: tuple[str, ...] = get_args(VepOutputFormat)
ScoreName = Literal["abs_diffs", "diffs", "logits", "predictions"]
SCORE_NAMES: tuple[str, ...] = get_args(ScoreName)
#: How ``NonStrandSpecific`` combines a sequence's and its reverse complement's outputs.
StrandMode = Literal["mean", "max"]
STRAND_MODES: tuple[str, ...] = get_args(StrandMode)
