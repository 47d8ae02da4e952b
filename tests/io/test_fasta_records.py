"""Streaming FASTA record reader."""

import gzip

import pytest

from selene_sdk.errors import InputFormatError
from selene_sdk.io.fasta_records import count_fasta_records, iter_fasta_records


def test_records_plain_and_gzip(tmp_path):
    text = ">a desc\nAC\ngt\n>b\n\n>c\nNNN\n"
    (tmp_path / "x.fa").write_text(text)
    with gzip.open(tmp_path / "x.fa.gz", "wt") as handle:
        handle.write(text)
    for name in ("x.fa", "x.fa.gz"):
        assert list(iter_fasta_records(tmp_path / name)) == [("a", "ACgt"), ("b", ""), ("c", "NNN")]
        assert count_fasta_records(tmp_path / name) == 3


def test_empty_and_not_fasta(tmp_path):
    (tmp_path / "e.fa").write_text("\n\n")
    assert list(iter_fasta_records(tmp_path / "e.fa")) == []
    (tmp_path / "n.fa").write_text("chr1\t1\t2\n")
    with pytest.raises(InputFormatError, match="not FASTA"):
        list(iter_fasta_records(tmp_path / "n.fa"))
