"""``selene plot roc|pr|training``: figures redrawn from a training or evaluation run's files.

* ``roc`` / ``pr`` read ``test_predictions.npz`` and ``test_targets.npz`` (key ``data``,
  ``(n_samples, n_features)``) and the feature names from ``test_performance.txt``.
* ``training`` reads ``selene_sdk.train_model.train.txt`` (one mean training loss per
  report) and ``selene_sdk.train_model.validation.txt`` (loss and the mean of each metric
  per validation); the step of each row comes from a ``step`` column when the file has one,
  else from the ``[STEP n/...]`` lines of ``selene_sdk.train_model.log``, else the rows are
  numbered (1, 2, ... reports).
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

import numpy as np

from selene_sdk.errors import InputFormatError

__all__ = ["COMMANDS", "add_run_arguments", "read_table_log", "read_training_logs"]

_FIGURE_FORMATS = (".png", ".svg", ".pdf")
TRAIN_LOG = "selene_sdk.train_model.train.txt"
VALIDATION_LOG = "selene_sdk.train_model.validation.txt"
RUN_LOG = "selene_sdk.train_model.log"
_TRAIN_STEP = re.compile(r"\[STEP (\d+)/\d+\] train loss")
_VALIDATION_STEP = re.compile(r"\[STEP (\d+)\] validation loss")


def add_run_arguments(kinds: Any) -> None:
    """Add the ``roc``, ``pr`` and ``training`` sub-parsers to ``kinds``."""
    for name, what, default in (
        ("roc", "ROC curves", "roc_curves.png"),
        ("pr", "precision-recall curves", "precision_recall_curves.png"),
    ):
        sub = kinds.add_parser(
            name,
            help=f"{what} of every feature, redrawn from an evaluation's outputs",
            description=f"Redraw the {what} of an evaluation (ops: [evaluate] or [train, "
            "evaluate]) from test_predictions.npz and test_targets.npz in its output "
            "directory; feature names from test_performance.txt.",
        )
        sub.add_argument("output_dir", help="the run's output directory")
        sub.add_argument(
            "-o", "--output", help=f"figure file, .png/.svg/.pdf (default: OUTPUT_DIR/{default})"
        )
        sub.add_argument("--predictions", help="predictions file (default test_predictions.npz)")
        sub.add_argument("--targets", help="targets file (default test_targets.npz)")
        sub.add_argument("--features", nargs="+", metavar="NAME", help="only these features")
        sub.add_argument(
            "--min-positives",
            type=int,
            default=10,
            help="features with at most this many positives are not drawn (default 10, as "
            "report_gt_feature_n_positives)",
        )
        sub.add_argument(
            "--highlight",
            type=int,
            default=3,
            help="beyond 10 features, colour only this many best and worst (default 3, max 5)",
        )
        sub.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (150)")
    training = kinds.add_parser(
        "training",
        help="training and validation loss and validation metrics against the step",
        description=f"Draw the curves of a training run from {TRAIN_LOG} and "
        f"{VALIDATION_LOG} in its output directory (steps from {RUN_LOG}).",
    )
    training.add_argument("output_dir", help="the run's output directory")
    training.add_argument(
        "-o",
        "--output",
        help="figure file, .png/.svg/.pdf (default: OUTPUT_DIR/training_curves.png)",
    )
    training.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (150)")


def _output(args: argparse.Namespace, default: str) -> str:
    output = args.output or os.path.join(args.output_dir, default)
    if not output.lower().endswith(_FIGURE_FORMATS):
        raise ValueError(
            f"output {output!r}: choose a file name ending in {', '.join(_FIGURE_FORMATS)}"
        )
    return output


def _load_matrix(path: str, what: str) -> np.ndarray:
    if not os.path.exists(path):
        raise ValueError(
            f"{path} not found: `selene plot roc/pr` reads the {what} that evaluation writes "
            "(test_predictions.npz, test_targets.npz); run ops: [evaluate] or [train, "
            "evaluate] first, or name the files with --predictions/--targets"
        )
    loaded = np.load(path, allow_pickle=False)
    if isinstance(loaded, np.ndarray):
        data = loaded
    else:
        with loaded:
            if "data" not in loaded.files:
                raise InputFormatError(path, f"no 'data' array (found {loaded.files})")
            data = loaded["data"]
    data = np.asarray(data, dtype=np.float64)
    return data[:, None] if data.ndim == 1 else data


def _feature_names(output_dir: str, n: int) -> list[str]:
    """Names from ``test_performance.txt`` (the ``class`` column), else ``feature j``."""
    path = os.path.join(output_dir, "test_performance.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            lines = [line.rstrip("\n") for line in handle]
        if lines and lines[0].split("\t")[0] == "class":
            names = [line.split("\t")[0] for line in lines[1:] if line]
            if len(names) == n:
                return names
    return [f"feature {j}" for j in range(n)]


def _plot_curves(args: argparse.Namespace) -> str:
    from selene_sdk.metrics.plots import precision_recall_figure, roc_figure, save_figure

    roc = args.plot_kind == "roc"
    output = _output(args, "roc_curves.png" if roc else "precision_recall_curves.png")
    directory = args.output_dir
    predictions = _load_matrix(
        args.predictions or os.path.join(directory, "test_predictions.npz"), "predictions"
    )
    targets = _load_matrix(args.targets or os.path.join(directory, "test_targets.npz"), "targets")
    if predictions.shape != targets.shape:
        raise ValueError(
            f"predictions {predictions.shape} and targets {targets.shape} have different shapes"
        )
    names = _feature_names(directory, targets.shape[1])
    if args.features:
        from selene_sdk.interpret._tables import check_features

        check_features(args.features, names)
        columns = [names.index(f) for f in args.features]
        predictions, targets = predictions[:, columns], targets[:, columns]
        names = list(args.features)
    draw = roc_figure if roc else precision_recall_figure
    title = "Feature ROC curves" if roc else "Feature precision-recall curves"
    figure = draw(predictions, targets, names, args.min_positives, title, args.highlight)
    save_figure(figure, output, args.dpi)
    return output


def read_table_log(path: str) -> tuple[list[str], list[list[float | None]]]:
    """A tab-separated log with a header: ``(columns, rows)``; ``NA`` cells are None."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    if not lines:
        raise InputFormatError(path, "empty file; expected a header line (loss, ...)", 1)
    columns = lines[0].split("\t")
    rows: list[list[float | None]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise InputFormatError(
                path, f"{len(cells)} values for the {len(columns)} columns of the header", number
            )
        try:
            rows.append([None if c == "NA" else float(c) for c in cells])
        except ValueError:
            raise InputFormatError(path, f"not a number in {line!r}", number) from None
    return columns, rows


def _log_steps(path: str, pattern: re.Pattern[str], n: int) -> list[int] | None:
    """The last ``n`` step numbers of ``pattern`` in the run log (None if fewer)."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as handle:
        steps = [int(m.group(1)) for m in pattern.finditer(handle.read())]
    return steps[len(steps) - n :] if len(steps) >= n else None


def read_training_logs(output_dir: str) -> dict[str, Any]:
    """The training curves of a run: steps, losses and validation metrics, and the x label.

    Returns a dict with ``steps``, ``train_loss``, ``val_steps``, ``val_loss``,
    ``val_metrics`` (name -> values, None where NA) and ``xlabel``.
    """
    train_path = os.path.join(output_dir, TRAIN_LOG)
    validation_path = os.path.join(output_dir, VALIDATION_LOG)
    if not os.path.exists(train_path) and not os.path.exists(validation_path):
        raise ValueError(
            f"neither {TRAIN_LOG} nor {VALIDATION_LOG} in {output_dir}: is it the output_dir "
            "of a training run (ops: [train])?"
        )
    tables = {}
    for key, path in (("train", train_path), ("validation", validation_path)):
        columns, rows = read_table_log(path) if os.path.exists(path) else (["loss"], [])
        if "loss" not in columns:
            raise InputFormatError(path, f"no loss column in the header {columns}", 1)
        tables[key] = ({c: [row[i] for row in rows] for i, c in enumerate(columns)}, len(rows))
    log = os.path.join(output_dir, RUN_LOG)
    found = {}
    for key, pattern in (("train", _TRAIN_STEP), ("validation", _VALIDATION_STEP)):
        values, n = tables[key]
        if "step" in values:
            found[key] = [int(s) for s in values.pop("step")]
        else:
            found[key] = _log_steps(log, pattern, n)
    if found["train"] is not None and found["validation"] is not None:
        xlabel = "training step"
    else:  # rows numbered: one row per report, in both files
        found = {key: list(range(1, tables[key][1] + 1)) for key in tables}
        xlabel = "report (every report_stats_every_n_steps steps)"
    train, validation = tables["train"][0], tables["validation"][0]
    metrics = {c: v for c, v in validation.items() if c != "loss"}
    return {
        "steps": found["train"],
        "train_loss": train["loss"],
        "val_steps": found["validation"],
        "val_loss": validation["loss"],
        "val_metrics": metrics,
        "xlabel": xlabel,
    }


def _plot_training(args: argparse.Namespace) -> str:
    from selene_sdk.metrics.plots import save_figure, training_figure

    output = _output(args, "training_curves.png")
    curves = read_training_logs(args.output_dir)
    figure = training_figure(
        curves["steps"],
        curves["train_loss"],
        curves["val_steps"],
        curves["val_loss"],
        curves["val_metrics"],
        curves["xlabel"],
    )
    save_figure(figure, output, args.dpi)
    return output


COMMANDS = {"roc": _plot_curves, "pr": _plot_curves, "training": _plot_training}
