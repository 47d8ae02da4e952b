"""Shared pieces of the fuzz tests: the active profile, hostile inputs, and the error contract.

Inputs are bytes: random bytes, or a valid seed file put through a few mutations (byte
flips, inserted NUL/control/non-ASCII bytes, huge and negative numbers, dropped or extra
columns, duplicated or lost lines, CRLF or CR line ends, truncation), then written plain,
gzip-compressed (whole, truncated, corrupted or as two bgzip-like members) or empty.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, reject, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError

#: ``SELENE_FUZZ_PROFILE``: ``ci`` (default: a few dozen examples per target, the whole fuzz
#: suite in well under 30 s) or ``slow`` (10,000 examples per target; the tests are then
#: marked ``slow``, so they run only with ``-m slow``).
PROFILE = os.environ.get("SELENE_FUZZ_PROFILE", "ci").strip().lower() or "ci"
if PROFILE not in ("ci", "slow"):
    raise RuntimeError(f"SELENE_FUZZ_PROFILE must be 'ci' or 'slow', got {PROFILE!r}")
SLOW = PROFILE == "slow"

#: Examples per target in the slow profile.
SLOW_EXAMPLES = 10_000

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "fuzz-ci",
    max_examples=40,
    deadline=timedelta(seconds=5),
    suppress_health_check=_QUIET,
    print_blob=True,
)
settings.register_profile(
    "fuzz-slow",
    max_examples=SLOW_EXAMPLES,
    deadline=timedelta(seconds=10),
    suppress_health_check=_QUIET,
    print_blob=True,
)


def fuzz(ci: int = 40, slow: int = SLOW_EXAMPLES, deadline_s: float | None = None) -> settings:
    """Settings for one fuzz target: ``ci`` examples by default, ``slow`` in the slow
    profile (used as a decorator, so other tests' hypothesis settings are untouched)."""
    parent = settings.get_profile("fuzz-slow" if SLOW else "fuzz-ci")
    extra = {} if deadline_s is None else {"deadline": timedelta(seconds=deadline_s)}
    return settings(parent, max_examples=slow if SLOW else ci, **extra)


# -- never a hang ---------------------------------------------------------------------------
class Hang(Exception):
    """An example ran past its wall-clock limit (hypothesis' deadline only reports slow
    examples after they finish; this stops one that never would)."""


@contextlib.contextmanager
def time_limit(seconds: float = 30.0) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread if the block runs longer than ``seconds``."""

    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the error contract -----------------------------------------------------------------------
def is_own_error(exc: BaseException, path: str | os.PathLike) -> bool:
    """Whether ``exc`` is one of the library's own input errors and names ``path``:
    an :class:`InputFormatError` (or ConfigError), or a plain ``ValueError`` naming the file.
    Raw numpy/pandas/zlib/codec errors (``UnicodeDecodeError`` and pandas' parser errors are
    ``ValueError`` subclasses) are not."""
    path = os.fspath(path)
    if isinstance(exc, InputFormatError):
        return path in str(exc)
    return type(exc) is ValueError and path in str(exc)


@contextlib.contextmanager
def reader_contract(path: str | os.PathLike, seconds: float = 30.0, known=()) -> Iterator[list]:
    """Run a reader on ``path``: its own error naming the file is recorded in the yielded
    list (``[exc]``), anything else propagates and fails the example; so does a hang.

    ``known``: raw exception types (or a predicate on the exception) of bugs already
    reported and pinned by a strict xfail test; such an example is discarded
    (``reject()``) so the fuzzer keeps looking for other bugs. Remove the type when the bug
    is fixed (the xfail test then passes and fails as XPASS, as a reminder)."""
    caught: list[BaseException] = []
    try:
        with time_limit(seconds):
            yield caught
    except Hang:
        raise
    except Exception as exc:  # the point: classify whatever the reader raised
        is_known = known(exc) if callable(known) else isinstance(exc, known)
        if is_known and not isinstance(exc, InputFormatError):
            reject()
        if not is_own_error(exc, path):
            raise
        caught.append(exc)


# -- hostile bytes ---------------------------------------------------------------------------
#: Single bytes and short byte strings readers must survive.
SPECIAL_BYTES = [
    b"\x00", b"\x01", b"\x07", b"\x08", b"\x0b", b"\x0c", b"\x1b", b"\x1c", b"\x7f",
    b"\x80", b"\xa0", b"\xff", b"\xfe", b"\xc3\xa9", b"\xc2\x85", b"\xe2\x80\xa8",
    b"\xef\xbb\xbf", b"\r", b"\n", b"\r\n", b"\t", b" ", b"#", b">", b"@", b",", b".",
    b"-", b"*", b"<", b"[", b"\\", b'"', b"'", b":", b"!", b"&", b"{", b"}",
]  # fmt: skip

#: Tokens that replace a field or are inserted: numbers at and past the int64 and
#: 1-Tb limits, negative numbers, non-decimal digits, words with a meaning somewhere.
TOKENS = [
    b"99999999999999999999", b"-99999999999999999999", b"9223372036854775807",
    b"9223372036854775808", b"18446744073709551616", b"1099511627776", b"1099511627777",
    b"-1", b"0", b"-0", b"1", b"+5", b" 7 ", b"007", b"1.0", b"1.5", b"1e3", b"nan",
    b"inf", b"true", b"True", b"1_000", b"0x10", b"\xd9\xa3", b"\xc2\xb2", b"", b"NA",
    b"None", b"null", b"chr1", b"chrM", b"track", b"browser", b"##", b"#CHROM", b"\t\t",
    b"A", b"N", b"acgt", b"<DEL>", b"A,C", b"A,", b"+", b"-", b".", b"*",
]  # fmt: skip

#: Numbers that replace a number of the file (see the ``number`` mutation).
NUMBERS = [
    b"99999999999999999999", b"-99999999999999999999", b"9223372036854775807",
    b"9223372036854775808", b"-9223372036854775808", b"-9223372036854775809",
    b"18446744073709551616", b"1099511627776", b"1099511627777", b"-1", b"0", b"-0",
    b"+5", b" 7 ", b"007", b"1.0", b"1.5", b"1e3", b"nan", b"true", b"1_000", b"\xd9\xa3",
    b"\xc2\xb2", b"", b"1" * 30,
]  # fmt: skip

_POS = st.integers(0, 1 << 20)  # positions are taken modulo the length (shrinks to 0)


def _fields_op(data: bytes, line: int, field: int, how: str, token: bytes) -> bytes:
    lines = data.split(b"\n")
    i = line % len(lines)
    fields = lines[i].split(b"\t")
    j = field % len(fields)
    if how == "replace":
        fields[j] = token
    elif how == "drop" and len(fields) > 1:
        del fields[j]
    elif how == "add":
        fields.insert(j, token)
    lines[i] = b"\t".join(fields)
    return b"\n".join(lines)


def _lines_op(data: bytes, a: int, b: int, how: str) -> bytes:
    lines = data.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    if how == "dup":
        lines.insert(j, lines[i])
    elif how == "del" and len(lines) > 1:
        del lines[i]
    elif how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "cut":  # a line truncated in the middle
        lines[i] = lines[i][: b % (len(lines[i]) + 1)]
    return b"\n".join(lines)


def apply_mutation(data: bytes, op: tuple) -> bytes:
    """One mutation of ``data`` (see :func:`mutations`)."""
    kind = op[0]
    n = len(data)
    if kind == "flip":
        if not n:
            return data
        i = op[1] % n
        return data[:i] + bytes([data[i] ^ op[2]]) + data[i + 1 :]
    if kind == "insert":
        i = op[1] % (n + 1)
        return data[:i] + op[2] + data[i:]
    if kind == "delete":
        i = op[1] % (n + 1)
        return data[:i] + data[i + op[2] :]
    if kind == "truncate":
        return data[: op[1] % (n + 1)]
    if kind == "field":
        return _fields_op(data, op[1], op[2], op[3], op[4])
    if kind == "lines":
        return _lines_op(data, op[1], op[2], op[3])
    if kind == "number":  # replace the k-th run of digits (e.g. a coordinate)
        runs = list(re.finditer(rb"[0-9]+", data))
        if not runs:
            return data
        run = runs[op[1] % len(runs)]
        return data[: run.start()] + op[2] + data[run.end() :]
    if kind == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if kind == "cr":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    if kind == "no_final_newline":
        return data.rstrip(b"\r\n")
    raise AssertionError(kind)  # pragma: no cover


_PIECES = st.one_of(st.sampled_from(SPECIAL_BYTES + TOKENS), st.binary(min_size=1, max_size=6))

MUTATION = st.one_of(
    st.tuples(st.just("flip"), _POS, st.integers(1, 255)),
    st.tuples(st.just("insert"), _POS, _PIECES),
    st.tuples(st.just("delete"), _POS, st.integers(1, 8)),
    st.tuples(st.just("truncate"), _POS),
    st.tuples(st.just("number"), _POS, st.sampled_from(NUMBERS)),
    st.tuples(st.just("number"), _POS, st.sampled_from(NUMBERS)),
    st.tuples(
        st.just("field"),
        _POS,
        _POS,
        st.sampled_from(["replace", "drop", "add"]),
        st.sampled_from(TOKENS),
    ),
    st.tuples(st.just("lines"), _POS, _POS, st.sampled_from(["dup", "del", "swap", "cut"])),
    st.tuples(st.sampled_from(["crlf", "cr", "no_final_newline"])),
)


@st.composite
def mutated(draw, seeds: st.SearchStrategy[bytes], max_mutations: int = 4) -> bytes:
    """A seed with 0 to ``max_mutations`` mutations applied."""
    data = draw(seeds)
    for op in draw(st.lists(MUTATION, max_size=max_mutations)):
        data = apply_mutation(data, op)
    return data


def random_text(alphabet_bytes: bytes, max_size: int = 200) -> st.SearchStrategy[bytes]:
    """Random bytes drawn from ``alphabet_bytes`` (e.g. the format's own characters)."""
    return st.lists(st.sampled_from(list(alphabet_bytes)), max_size=max_size).map(bytes)


def hostile(seeds: st.SearchStrategy[bytes], alphabet: bytes) -> st.SearchStrategy[bytes]:
    """Random bytes, random text of the format's own characters, or mutated seeds."""
    return st.one_of(
        st.binary(max_size=200),
        random_text(alphabet),
        mutated(seeds),
        mutated(seeds),
        mutated(seeds),
    )


# -- containers -------------------------------------------------------------------------------
CONTAINERS = ["plain", "plain", "plain", "gzip", "gzip_truncated", "gzip_corrupt", "bgzip"]


def wrap(data: bytes, container: str, where: int = 0, flip: int = 1) -> bytes:
    """``data`` as stored in a file: plain, or gzip (whole, truncated at ``where``,
    with one byte of the compressed stream changed, or as two members like bgzip)."""
    if container == "plain":
        return data
    packed = gzip.compress(data, mtime=0)
    if container == "gzip":
        return packed
    if container == "gzip_truncated":
        return packed[: 10 + where % (len(packed) - 9)]  # keep the magic bytes and header
    if container == "gzip_corrupt":
        i = 10 + where % (len(packed) - 10)
        return packed[:i] + bytes([packed[i] ^ flip]) + packed[i + 1 :]
    if container == "bgzip":
        cut = where % (len(data) + 1)
        return gzip.compress(data[:cut], mtime=0) + gzip.compress(data[cut:], mtime=0)
    raise AssertionError(container)  # pragma: no cover


def decompressed(stored: bytes, container: str) -> bytes | None:
    """The bytes a reader should see for a file made by :func:`wrap`; None when the stored
    file is broken (a truncated or corrupted gzip stream may still happen to decode: then
    its bytes are returned)."""
    if container == "plain":
        return stored
    try:
        return gzip.decompress(stored)
    except Exception:  # any failure to decompress means "broken"
        return None


@st.composite
def stored_file(draw, content: st.SearchStrategy[bytes]) -> tuple[bytes, str, bytes]:
    """``(file bytes, container, content)`` for one example."""
    data = draw(content)
    container = draw(st.sampled_from(CONTAINERS))
    stored = wrap(data, container, draw(_POS), draw(st.integers(1, 255)))
    return stored, container, data


@contextlib.contextmanager
def file_with(data: bytes, name: str) -> Iterator[Path]:
    """A fresh temporary file holding ``data`` (a new directory per example: caches keyed
    on path, size and mtime never see an earlier example's file)."""
    with tempfile.TemporaryDirectory(prefix="selene-fuzz-") as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        yield path


def universal_lines(text: str) -> list[str]:
    """Lines as Python's universal-newline text reading gives them (``\\r\\n``, ``\\r`` and
    ``\\n`` end a line; unlike ``str.splitlines`` nothing else does), without line ends and
    without the empty string after a final line end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
