"""The one gzip/bgzip opener: by content, never by name."""

from __future__ import annotations

import gzip

import pysam

from selene_sdk.io.compression import compression_of, is_gzip, open_binary, open_text


def test_by_content_not_by_name(tmp_path):
    plain_gz = tmp_path / "plain.gz"
    plain_gz.write_text("a\tb\r\nc\n")
    hidden = tmp_path / "hidden.txt"
    with gzip.open(hidden, "wt") as handle:
        handle.write("a\tb\r\nc\n")
    assert not is_gzip(plain_gz) and is_gzip(hidden)
    assert compression_of(plain_gz) is None and compression_of(hidden) == "gzip"
    for path in (plain_gz, hidden):
        with open_text(path) as handle:
            assert handle.read() == "a\tb\nc\n"  # universal newlines
        with open_binary(path) as handle:
            assert handle.read() == b"a\tb\r\nc\n"


def test_bgzip_and_undecodable_bytes(tmp_path):
    raw = tmp_path / "x.txt"
    raw.write_bytes(b"chr1\t1\t2\n\xff\n" * 2000)
    pysam.tabix_compress(str(raw), str(tmp_path / "x.txt.gz"))
    path = tmp_path / "x.txt.gz"
    assert is_gzip(path)
    with open_text(path) as handle:
        lines = handle.read().splitlines()
    assert len(lines) == 4000 and lines[1] == "\ufffd"
