"""progress_bar: which display SELENE_SDK_PROGRESS selects, and the log lines off a terminal
(hand-computed against a fake clock)."""

from __future__ import annotations

import io
import logging

import pytest
from tqdm.std import tqdm

from selene_sdk import progress
from selene_sdk.errors import SeleneWarning
from selene_sdk.progress import LogProgress, format_duration, progress_bar


class Clock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(progress, "_now", fake)
    return fake


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="selene")

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "selene"]

    return messages


def test_lines_at_the_interval(monkeypatch, clock, lines):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "30")
    with progress_bar(100, "step", "training") as bar:
        assert isinstance(bar, LogProgress)
        clock.t += 10
        bar.update(20)  # 10 s: before the interval
        assert lines() == []
        clock.t += 20
        bar.update(40)  # 30 s, 60 steps: 2 steps/s, 40 left -> 20 s
        bar.set_postfix(loss="0.5000", refresh=False)
        clock.t += 20
        bar.update(20)  # 50 s: the next line is due at 60 s
        clock.t += 11
        bar.update(10)  # 61 s, 90 steps: 90/61 = 1.475 steps/s, 10 left -> 6.8 s
        clock.t += 9
        bar.update(10)
    # the last line when the work ends: 100 steps in 70 s
    assert lines() == [
        "training: 60/100 steps (60%) after 30s, 2.00 steps/s, ETA 20s",
        "training: 90/100 steps (90%) after 1m01s, 1.48 steps/s, ETA 7s, loss=0.5000",
        "training: 100/100 steps (100%) in 1m10s, 1.43 steps/s, loss=0.5000",
    ]


def test_resumed_run_counts_only_new_steps(monkeypatch, clock, lines):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "10")
    bar = progress_bar(2000, "step", "training", initial=1000)
    clock.t += 10
    bar.update(100)  # 100 new steps in 10 s; 900 left at 10 steps/s
    assert lines() == ["training: 1,100/2,000 steps (55%) after 10s, 10.0 steps/s, ETA 1m30s"]


def test_unknown_total_and_slow_rates(monkeypatch, clock, lines):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.delenv("SELENE_SDK_PROGRESS_INTERVAL", raising=False)  # default 30 s
    with progress_bar(None, "interval", "r.bed") as bar:
        clock.t += 30
        bar.update(5000)  # 166.7/s
    with progress_bar(4, "batch", "slow") as bar:
        clock.t += 3600
        bar.update(1)  # one batch an hour; 3 left
    assert lines() == [
        "r.bed: 5,000 intervals after 30s, 167 intervals/s",
        "r.bed: 5,000 intervals in 30s, 167 intervals/s",
        "slow: 1/4 batches (25%) after 1h00m, 3600.0 s/batch, ETA 3h00m",
        "slow: 1/4 batches (25%) in 1h00m, 3600.0 s/batch",
    ]


def test_short_work_writes_no_line(monkeypatch, clock, lines):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    with progress_bar(10, "sample", "validate set") as bar:
        clock.t += 29
        bar.update(10)
    assert lines() == []


def test_error_ends_without_a_summary_line(monkeypatch, clock, lines):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "5")
    with pytest.raises(RuntimeError), progress_bar(10, "step", "training") as bar:
        clock.t += 5
        bar.update(1)
        raise RuntimeError("boom")
    assert lines() == ["training: 1/10 steps (10%) after 5s, 5.0 s/step, ETA 45s"]


def test_off_hides_everything_and_never_counts(monkeypatch, clock, lines):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "0")

    def count() -> int:
        raise AssertionError("total counted for a hidden display")

    with progress_bar(count, "record", "VEP v.vcf") as bar:
        clock.t += 1000
        bar.update(5)
        bar.set_postfix(loss=1.0)
    assert bar.n == 5 and lines() == []


def test_off_terminal_without_logging_is_hidden(monkeypatch, clock, caplog):
    # a library caller that configured no logging: no lines, and no pass to count records
    monkeypatch.delenv("SELENE_SDK_PROGRESS", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    caplog.set_level(logging.WARNING, logger="selene")
    bar = progress_bar(lambda: 1 / 0, "record", "VEP")
    assert isinstance(bar, LogProgress) and bar.interval is None


def test_terminal_gets_a_bar_and_pipes_get_lines(monkeypatch, lines):
    monkeypatch.delenv("SELENE_SDK_PROGRESS", raising=False)
    monkeypatch.setattr("sys.stderr", Terminal())
    assert progress.progress_mode() == "bar"
    bar = progress_bar(lambda: 7, "step", "training", initial=2)
    assert isinstance(bar, tqdm) and (bar.total, bar.n) == (7, 2)
    bar.close()
    monkeypatch.setattr("sys.stderr", io.StringIO())
    bar = progress_bar(lambda: 7, "step", "training")
    assert isinstance(bar, LogProgress) and bar.total == 7 and bar.interval == 30.0
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "1")  # forced even off a terminal
    assert progress.progress_mode() == "bar"
    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")  # lines even on a terminal
    assert progress.progress_mode() == "log"


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan"])
def test_bad_interval_warns_and_uses_the_default(monkeypatch, lines, value):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", value)
    with pytest.warns(SeleneWarning, match="SELENE_SDK_PROGRESS_INTERVAL"):
        bar = progress_bar(3, "step", "x")
    assert bar.interval == 30.0


def test_format_duration():
    assert [format_duration(s) for s in (0, 59.4, 59.6, 65, 3599.4, 3599.6, 3725, 90061)] == [
        "0s",
        "59s",
        "1m00s",
        "1m05s",
        "59m59s",
        "1h00m",
        "1h02m",
        "25h01m",
    ]
