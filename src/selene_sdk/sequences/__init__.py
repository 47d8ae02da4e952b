"""Reference sequences (``Genome``, ``Proteome``) and the one-hot encoding functions."""

from selene_sdk.sequences.genome import Genome
from selene_sdk.sequences.proteome import Proteome
from selene_sdk.sequences.sequence import (
    Sequence,
    encoding_to_sequence,
    get_reverse_encoding,
    reverse_complement_sequence,
    sequence_to_encoding,
)

__all__ = [
    "Genome",
    "Proteome",
    "Sequence",
    "encoding_to_sequence",
    "get_reverse_encoding",
    "reverse_complement_sequence",
    "sequence_to_encoding",
]
