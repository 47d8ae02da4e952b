"""Measure the demo and the chr20 tutorial, record the numbers, and write them into the docs.

The docs quote run times and test ROC AUCs between markers such as
``<!-- measured:demo-time -->...<!-- /measured:demo-time -->``. The text between the markers
is generated from a recorded run (``examples/demo/recorded_run.json``,
``examples/chr20/recorded_run.json``), so the docs say exactly what was measured, on which
machine and when.

    .venv/bin/python tools/record_runs.py demo [--fresh] [--machine "a 2-core shared VM"]
    .venv/bin/python tools/record_runs.py chr20 [--data DIR] [--machine ...]
    .venv/bin/python tools/record_runs.py render      # rewrite the spans from the records
    .venv/bin/python tools/record_runs.py --check     # exit 1 when a span is out of date

``demo`` runs ``python -m selene_sdk.demo`` in a temporary directory and times it;
``--fresh`` also times ``make venv`` and ``make demo`` in a fresh export of the checkout
(``git archive HEAD``), i.e. the first run on a new clone. Without ``--fresh`` the fresh-clone
numbers of the previous record are kept. ``chr20`` runs the tutorial as its README says
(``make_tiles.py``, then ``python -m selene_sdk train_chr20.yml``) in a temporary copy whose
``data`` links to the prepared data (``../shared/data/real/hg19_chr20`` by default), and
checks that nothing was written into that directory.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_RECORD = REPO / "examples" / "demo" / "recorded_run.json"
CHR20_RECORD = REPO / "examples" / "chr20" / "recorded_run.json"
CHR20_DATA = REPO.parent / "shared" / "data" / "real" / "hg19_chr20"
#: Files whose marked spans are generated.
DOC_FILES = (
    REPO / "README.md",
    REPO / "docs" / "getting_started.md",
    REPO / "examples" / "demo" / "README.md",
    REPO / "examples" / "chr20" / "README.md",
)
SPAN = re.compile(r"<!-- measured:([\w-]+) -->(.*?)<!-- /measured:\1 -->", re.S)


def duration(seconds: float) -> str:
    """``25 s``, ``1 min 17 s``, ``8 min``: seconds rounded as a reader would say them."""
    seconds = round(seconds)
    if seconds < 90:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes >= 5:
        return f"{round(seconds / 60)} min"
    return f"{minutes} min {rest} s"


def _auc(value: float | None) -> str:
    return "NA" if value is None else f"{value:.3f}"


def _range(aucs: dict[str, float | None]) -> str:
    values = [v for v in aucs.values() if v is not None]
    return f"{min(values):.3f}–{max(values):.3f}"


def render_spans(demo: dict, chr20: dict) -> dict[str, str]:
    """Marker name -> the text that belongs between its markers."""
    on = f"on {demo['machine']}, {demo['date']}"
    spans = {
        "demo-time": f"{duration(demo['demo_s'])} {on}",
        "demo-fresh": (
            f"{duration(demo['fresh_install_s'] + demo['fresh_demo_s'])} from a fresh clone, "
            f"{duration(demo['fresh_install_s'])} of it installing (pip took torch and the "
            "other packages from a local wheel cache there; downloading them takes longer)"
        ),
        "demo-auc": _range(demo["test_roc_auc"]),
    }
    chr20_on = f"on {chr20['machine']}, {chr20['date']}"
    spans["chr20-time"] = (
        f"{duration(chr20['seconds'])} {chr20_on} (torch {chr20['torch']}): train, "
        f"evaluate and score {chr20['snps_scored']:,} SNPs"
    )
    rows = [
        "| feature | test ROC AUC, selene_sdk (recorded run) | original Selene 0.6.0, same model, "
        "tiles and steps (earlier measurement, not re-run) |",
        "|---|---|---|",
    ]
    for feature, value in chr20["test_roc_auc"].items():
        original = chr20["original_selene_roc_auc"].get(feature) or "—"
        rows.append(f"| `{feature}` | {_auc(value)} | {original} |")
    spans["chr20-table"] = "\n" + "\n".join(rows) + "\n"
    return spans


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def rewrite(text: str, spans: dict[str, str]) -> str:
    """``text`` with the content of every known marked span replaced."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in spans:
            raise KeyError(f"unknown measured span {name!r}")
        return f"<!-- measured:{name} -->{spans[name]}<!-- /measured:{name} -->"

    return SPAN.sub(replace, text)


def out_of_date() -> list[str]:
    """The doc files whose marked spans differ from the recorded runs."""
    spans = render_spans(_load(DEMO_RECORD), _load(CHR20_RECORD))
    stale = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        if rewrite(text, spans) != text:
            stale.append(str(path.relative_to(REPO)))
    return stale


def write_docs() -> None:
    spans = render_spans(_load(DEMO_RECORD), _load(CHR20_RECORD))
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, spans)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(REPO)}")


def _timed(cmd: list[str], cwd: Path, log: Path) -> float:
    t0 = time.perf_counter()
    with open(log, "w") as handle:
        result = subprocess.run(cmd, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {result.returncode}); see {log}")
    return elapsed


def _test_aucs(results: Path) -> dict[str, float | None]:
    lines = (results / "test_performance.txt").read_text().splitlines()
    aucs = {}
    for line in lines[1:]:
        name, auc = line.split("\t")[:2]
        aucs[name] = None if auc == "NA" else round(float(auc), 4)
    return aucs


def _torch_version() -> str:
    import torch

    return torch.__version__


def record_demo(machine: str, fresh: bool) -> None:
    record = _load(DEMO_RECORD) if DEMO_RECORD.exists() else {}
    with tempfile.TemporaryDirectory(prefix="selene-demo-") as tmp:
        work = Path(tmp)
        out = work / "demo_output"
        cmd = [sys.executable, "-m", "selene_sdk.demo", "--output-dir", str(out)]
        demo_s = _timed(cmd, work, work / "demo.log")
        record.update(
            date=datetime.date.today().isoformat(),
            machine=machine,
            torch=_torch_version(),
            demo_s=round(demo_s, 1),
            test_roc_auc=_test_aucs(out / "results"),
        )
        if fresh:
            clone = work / "clone"
            clone.mkdir()
            archive = subprocess.run(
                ["git", "archive", "HEAD"], cwd=REPO, check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(clone)], input=archive, check=True)
            record["fresh_install_s"] = round(_timed(["make", "venv"], clone, work / "v.log"), 1)
            record["fresh_demo_s"] = round(_timed(["make", "demo"], clone, work / "d.log"), 1)
    if "fresh_install_s" not in record:
        raise SystemExit("no fresh-clone numbers recorded yet: run with --fresh once")
    DEMO_RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
    }


def record_chr20(machine: str, data: Path) -> None:
    record = _load(CHR20_RECORD) if CHR20_RECORD.exists() else {"original_selene_roc_auc": {}}
    before = _snapshot(data)
    with tempfile.TemporaryDirectory(prefix="selene-chr20-") as tmp:
        work = Path(tmp) / "chr20"
        shutil.copytree(
            REPO / "examples" / "chr20",
            work,
            ignore=shutil.ignore_patterns("data", "runs", "tiles.bed", "*.html", "__pycache__"),
        )
        (work / "data").symlink_to(data)
        t0 = time.perf_counter()
        _timed([sys.executable, "make_tiles.py"], work, work / "tiles.log")
        cmd = [sys.executable, "-m", "selene_sdk", "train_chr20.yml"]
        _timed(cmd, work, work / "run.log")
        seconds = time.perf_counter() - t0
        run = work / "runs" / "chr20"
        scores = run / "snps" / "common_snps.chr20_abs_diffs.tsv"
        with open(scores) as handle:
            snps = sum(1 for _ in handle) - 1
        record.update(
            date=datetime.date.today().isoformat(),
            machine=machine,
            torch=_torch_version(),
            seconds=round(seconds, 1),
            snps_scored=snps,
            test_roc_auc=_test_aucs(run),
        )
    if _snapshot(data) != before:
        raise SystemExit(f"the tutorial wrote into {data}")
    CHR20_RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("demo", "chr20", "render"), default="render")
    parser.add_argument("--check", action="store_true", help="only check the docs' spans")
    parser.add_argument("--fresh", action="store_true", help="demo: also time a fresh clone")
    parser.add_argument("--data", type=Path, default=CHR20_DATA, help="chr20: data directory")
    parser.add_argument(
        "--machine",
        default=f"a {os.cpu_count()}-core machine",
        help="how the docs describe the machine (default: 'a N-core machine')",
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = out_of_date()
        for name in stale:
            print(f"{name}: measured spans out of date; run tools/record_runs.py render")
        return 1 if stale else 0
    if args.what == "demo":
        record_demo(args.machine, args.fresh)
    elif args.what == "chr20":
        record_chr20(args.machine, args.data.resolve())
    write_docs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
