"""File formats and safe writing: BED/FASTA readers and the atomic writer."""

from selene_sdk.io.atomic import atomic_path, atomic_write

__all__ = ["atomic_path", "atomic_write"]
