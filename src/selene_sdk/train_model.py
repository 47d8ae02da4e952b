"""``TrainModel``: the training loop -- steps, validation, checkpoints, logs and curves."""

from __future__ import annotations

import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import torch
from torch import nn

from selene_sdk import distributed
from selene_sdk.errors import SeleneWarning
from selene_sdk.forward import ForwardPath, resolve_device, to_model_layout
from selene_sdk.forward.precision import describe as describe_precision
from selene_sdk.io.atomic import atomic_write, save_npz
from selene_sdk.logging_utils import LOGGER_NAME, initialize_logger
from selene_sdk.metrics import PerformanceMetrics, plot_training_curves
from selene_sdk.metrics.performance import format_score, targets_are_continuous
from selene_sdk.models.loading import load_checkpoint, load_model_from_state_dict
from selene_sdk.progress import LogProgress, progress_bar
from selene_sdk.training.batches import training_batches
from selene_sdk.training.state import capture_rng_state, restore_rng_state, save_checkpoint

__all__ = ["TrainModel", "save_npz"]

_DEFAULT_SCHEDULER = {"patience": 16, "factor": 0.8}


def _no_resume(value: Any) -> bool:
    """``checkpoint_resume`` values meaning "start fresh" (YAML ``False``/``None``/``''``)."""
    if value is None or value is False:
        return True
    return isinstance(value, str) and value.strip().lower() in {"", "none", "null", "false"}


class TrainModel:
    """Train a model on batches from a sampler, validating and checkpointing as it goes.

    Parameters
    ----------
    model
        The model to train (an ``nn.Module``).
    loss_criterion
        The loss module, e.g. ``nn.BCELoss()``.
    optimizer_class, optimizer_kwargs
        How to build the optimizer: ``optimizer_class(model.parameters(),
        **optimizer_kwargs)``.
    data_sampler
        A sampler with ``train`` and ``validate`` modes (``test`` for evaluation).
    batch_size, max_steps
        Examples per step and the number of steps to train.
    report_stats_every_n_steps
        Validate, log and draw curves after every this many steps (and after the last).
    output_dir
        Where logs, checkpoints and curves go (created).
    save_checkpoint_every_n_steps
        Write ``checkpoint.pth.tar`` after every this many steps (None/0: the report
        interval). A final checkpoint is always written when training ends.
    save_new_checkpoints_after_n_steps
        After this many steps, also keep each checkpoint as a timestamped
        ``checkpoint-<mmddHHMMSS>.pth.tar`` instead of only overwriting the latest.
    report_gt_feature_n_positives
        Features with at most this many positives are not scored.
    n_validation_samples, n_test_samples
        Sizes of the validation and test sets (None: the sampler's defaults).
    cpu_n_threads
        Threads torch uses on the CPU.
    use_cuda, data_parallel
        Train on the GPU / on several GPUs (a warning and the CPU when unavailable).
    logging_verbosity
        0 warnings, 1 info, 2 debug (the log file's level).
    checkpoint_resume
        Path of a checkpoint to continue from (None/False: start fresh). Training then
        continues exactly where it stopped (same batches, same random streams).
    metrics
        Name -> ``fn(y_true, y_pred)`` (default ``roc_auc`` and ``average_precision``).
    use_scheduler
        Lower the learning rate with ``ReduceLROnPlateau`` when the validation loss stops
        improving.
    scheduler_kwargs
        Arguments of ``ReduceLROnPlateau`` (default ``patience=16, factor=0.8``).
    deterministic
        Use deterministic algorithms (set when the configuration has a ``random_seed``).
    stopping_criteria
        ``[metric_name, patience]``: stop when the validation average of the metric has not
        improved for ``patience`` reports (``"loss"`` counts lower as better).
    n_data_workers
        DataLoader worker processes preparing training batches (0 = main process).
    precision
        ``32`` (default), ``bf16`` or ``fp16``: mixed precision (autocast) for the forward
        pass; parameters, losses and results stay float32 (``fp16`` scales the loss
        with a gradient scaler, kept in checkpoints).
    compile
        Run the model through ``torch.compile`` (a clear error if it cannot be compiled).
    """

    def __init__(
        self,
        model: nn.Module,
        data_sampler: Any,
        loss_criterion: nn.Module,
        optimizer_class: type[torch.optim.Optimizer],
        optimizer_kwargs: Mapping[str, Any],
        batch_size: int,
        max_steps: int,
        report_stats_every_n_steps: int,
        output_dir: str,
        save_checkpoint_every_n_steps: int | None = 1000,
        save_new_checkpoints_after_n_steps: int | None = None,
        report_gt_feature_n_positives: int = 10,
        n_validation_samples: int | None = None,
        n_test_samples: int | None = None,
        cpu_n_threads: int = 1,
        use_cuda: bool = False,
        data_parallel: bool = False,
        logging_verbosity: int = 2,
        checkpoint_resume: str | None = None,
        metrics: Mapping[str, Callable] | None = None,
        use_scheduler: bool = True,
        deterministic: bool = False,
        scheduler_kwargs: Mapping[str, Any] | None = None,
        stopping_criteria: list | tuple | None = None,
        n_data_workers: int = 2,
        precision: str | int = 32,
        compile: bool = False,
    ):
        self._check_arguments(batch_size, max_steps, report_stats_every_n_steps)
        self.sampler = data_sampler
        self.criterion = loss_criterion
        self.batch_size = int(batch_size)
        self.max_steps = int(max_steps)
        self.nth_step_report_stats = int(report_stats_every_n_steps)
        self.nth_step_save_checkpoint = int(
            save_checkpoint_every_n_steps or report_stats_every_n_steps
        )
        self.save_new_checkpoints = save_new_checkpoints_after_n_steps
        self.n_validation_samples = n_validation_samples
        self.n_test_samples = n_test_samples
        self.n_data_workers = int(n_data_workers)
        self.output_dir = os.fspath(output_dir)
        os.makedirs(self.output_dir, exist_ok=True)
        #: under torchrun: this process's rank; rank 0 alone writes files and logs
        self.ranks = distributed.current()
        if self.ranks.is_main:
            self.logger = initialize_logger(
                os.path.join(self.output_dir, f"{__name__}.log"), verbosity=logging_verbosity
            )
        else:
            self.logger = logging.getLogger(LOGGER_NAME)
            self.logger.setLevel(logging.WARNING)  # one copy of each line, from rank 0

        if deterministic:
            torch.backends.cudnn.deterministic = True
            torch.backends.cudnn.benchmark = False
            torch.use_deterministic_algorithms(True, warn_only=True)
        torch.set_num_threads(int(cpu_n_threads))

        # Selene adds the Lua input axis in prediction and evaluation only, not in training
        device = resolve_device(None, use_cuda) or "cpu"
        if self.ranks.distributed and torch.device(device).type == "cuda":
            device = f"cuda:{self.ranks.local_rank}"  # one device per process
        self.forward = ForwardPath(
            model,
            device,
            data_parallel=data_parallel and not self.ranks.distributed,
            lua=False,
            precision=precision,
            compile=compile,
        )
        # fp16 gradients underflow without loss scaling (bf16 has float32's range)
        self.scaler = (
            torch.amp.GradScaler(self.forward.device.type)
            if self.forward.autocast_dtype == torch.float16
            else None
        )
        if self.forward.autocast_dtype is not None or compile:
            self.logger.info(
                f"precision {describe_precision(self.forward.autocast_dtype)} (autocast)"
                + (", torch.compile" if compile else "")
            )
        self.forward.place()  # trained where it runs, and left there
        if self.ranks.distributed:
            self.forward.distribute()
            self.logger.info(
                f"DistributedDataParallel over {self.ranks.world_size} processes: batch_size "
                f"{batch_size} per process, {batch_size * self.ranks.world_size} per step"
            )
        self.model = model
        self.device = self.forward.device
        self.use_cuda = self.device.type == "cuda"
        self.criterion = self.criterion.to(self.device)
        self.optimizer = optimizer_class(self.model.parameters(), **dict(optimizer_kwargs))
        self.scheduler = None
        if use_scheduler:
            kwargs = dict(_DEFAULT_SCHEDULER if scheduler_kwargs is None else scheduler_kwargs)
            kwargs.pop("verbose", None)  # removed from recent PyTorch; we log LR changes
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
                self.optimizer, "min", **kwargs
            )

        metrics = dict(metrics) if isinstance(metrics, Mapping) else metrics
        self._metrics_spec = metrics
        self._report_gt = report_gt_feature_n_positives
        # continuous targets (GenomicFeaturesH5) get regression metrics and plots
        self._continuous = targets_are_continuous(self.sampler)
        self._validation_metrics = self._new_metrics()
        self._test_metrics = None
        if "test" in getattr(self.sampler, "modes", []):
            self._test_metrics = self._new_metrics()

        self.step = 0
        self.min_loss = float("inf")
        self._loss_sum = 0.0
        self._loss_count = 0
        self._history: dict[str, Any] = {
            "train_steps": [],
            "train_loss": [],
            "val_steps": [],
            "val_loss": [],
            "val_metrics": {name: [] for name in self._validation_metrics.metrics},
        }
        self._stopping = self._parse_stopping(stopping_criteria)
        self._test_data: tuple[list, np.ndarray] | None = None

        self.logger.info(
            f"Drawing the validation set ({n_validation_samples or 'default number of'} samples)"
        )
        t0 = time.perf_counter()
        self._validation_data, self._validation_targets = self.sampler.get_validation_set(
            self.batch_size, n_samples=n_validation_samples
        )
        self.logger.info(
            f"{len(self._validation_targets)} validation samples drawn in "
            f"{time.perf_counter() - t0:.1f} s"
        )

        resuming = not _no_resume(checkpoint_resume)
        if resuming:
            self._load_checkpoint(os.fspath(checkpoint_resume))
        self._open_text_logs(append=resuming)

    # -- construction helpers -----------------------------------------------------------------
    def _new_metrics(self) -> PerformanceMetrics:
        return PerformanceMetrics(
            self.sampler.get_feature_from_index,
            self._report_gt,
            self._metrics_spec,
            continuous=self._continuous,
        )

    @staticmethod
    def _check_arguments(batch_size, max_steps, report_every) -> None:
        for name, value in (
            ("batch_size", batch_size),
            ("max_steps", max_steps),
            ("report_stats_every_n_steps", report_every),
        ):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ValueError(f"TrainModel: {name} must be a positive integer, got {value!r}")

    def _parse_stopping(self, criteria) -> dict[str, Any] | None:
        if criteria is None:
            return None
        names = [*self._validation_metrics.metrics, "loss"]
        if (
            not isinstance(criteria, list | tuple)
            or len(criteria) != 2
            or criteria[0] not in names
            or not isinstance(criteria[1], int)
            or criteria[1] < 1
        ):
            raise ValueError(
                "stopping_criteria must be [metric_name, patience] with metric_name one of "
                f"{names} and a positive integer patience; got {criteria!r}"
            )
        return {"metric": criteria[0], "patience": criteria[1], "best": None, "since_best": 0}

    def _open_text_logs(self, append: bool) -> None:
        self._train_log = os.path.join(self.output_dir, f"{__name__}.train.txt")
        self._validation_log = os.path.join(self.output_dir, f"{__name__}.validation.txt")
        if not self.ranks.is_main:
            return
        names = sorted(self._validation_metrics.metrics)
        for path, header in (
            (self._train_log, "loss"),
            (self._validation_log, "\t".join(["loss", *names])),
        ):
            if not (append and os.path.exists(path)):
                with atomic_write(path) as handle:
                    handle.write(header + "\n")

    def _load_checkpoint(self, path: str) -> None:
        checkpoint = load_checkpoint(path, map_location=self.device)
        if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
            raise ValueError(
                f"{path}: not a training checkpoint (it has no 'state_dict' entry); to start "
                "from plain weights, load them into the model instead of checkpoint_resume"
            )
        load_model_from_state_dict(checkpoint, self.model)
        extra = checkpoint.get("selene_sdk")
        # Ours store completed steps; the original stored the index of the last completed
        # step and re-ran it on resume.
        step = int(checkpoint.get("step", 0))
        self.step = step if extra else step + 1
        if self.step >= self.max_steps:
            self.max_steps += self.step
        self.min_loss = float(checkpoint.get("min_loss", float("inf")))
        if "optimizer" in checkpoint:
            self.optimizer.load_state_dict(checkpoint["optimizer"])
        if extra:
            if self.scheduler is not None and extra.get("scheduler") is not None:
                self.scheduler.load_state_dict(extra["scheduler"])
            self._loss_sum = float(extra.get("loss_sum", 0.0))
            self._loss_count = int(extra.get("loss_count", 0))
            self._history = extra.get("history", self._history)
            if self._stopping is not None and extra.get("stopping"):
                self._stopping.update(extra["stopping"])
            saved_world = int(extra.get("world_size", 1))
            if saved_world != self.ranks.world_size:
                warnings.warn(
                    f"{path} was saved by a run of {saved_world} process(es), this run has "
                    f"{self.ranks.world_size}: training continues from step {self.step}, but "
                    "not on the batches an uninterrupted run would have drawn",
                    SeleneWarning,
                    stacklevel=2,
                )
            if self.scaler is not None and extra.get("grad_scaler"):
                self.scaler.load_state_dict(extra["grad_scaler"])
            per_rank = extra.get("rng_per_rank")
            if per_rank and len(per_rank) == self.ranks.world_size:
                restore_rng_state(per_rank[self.ranks.rank])
            elif "rng" in extra:
                restore_rng_state(extra["rng"])
        self.logger.info(f"Resumed from {path} at step {self.step} (min loss {self.min_loss})")

    # -- checkpoints --------------------------------------------------------------------------
    def _checkpoint_dict(self) -> dict[str, Any]:
        # every rank's random state (dropout draws differ per rank): a collective call
        rng_per_rank = distributed.all_gather(capture_rng_state(), self.ranks)
        return {
            "step": self.step,
            "arch": type(self.model).__name__,
            "state_dict": self.model.state_dict(),
            "min_loss": float(self.min_loss),
            "optimizer": self.optimizer.state_dict(),
            "selene_sdk": {
                "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
                "rng": rng_per_rank[0],
                "rng_per_rank": rng_per_rank if self.ranks.distributed else None,
                "world_size": self.ranks.world_size,
                "grad_scaler": None if self.scaler is None else self.scaler.state_dict(),
                "loss_sum": self._loss_sum,
                "loss_count": self._loss_count,
                "history": self._history,
                "stopping": None if self._stopping is None else dict(self._stopping),
            },
        }

    def _save_checkpoint(self, best: bool = False) -> None:
        checkpoint = self._checkpoint_dict()  # on every rank: it gathers their RNG states
        if not self.ranks.is_main:
            return
        if best:
            save_checkpoint(os.path.join(self.output_dir, "best_model.pth.tar"), checkpoint)
            return
        save_checkpoint(os.path.join(self.output_dir, "checkpoint.pth.tar"), checkpoint)
        if self.save_new_checkpoints is not None and self.step > self.save_new_checkpoints:
            stamp = datetime.now().strftime("%m%d%H%M%S")
            save_checkpoint(
                os.path.join(self.output_dir, f"checkpoint-{stamp}.pth.tar"), checkpoint
            )

    # -- the loop -----------------------------------------------------------------------------
    def train(self, inputs: torch.Tensor, targets: torch.Tensor) -> float:
        """One optimisation step on a batch ``(B, 4, L)`` / ``(B, F)``; returns the loss."""
        self.model.train()
        targets = targets.to(self.device, non_blocking=True)
        self.optimizer.zero_grad(set_to_none=True)
        outputs = self.forward(inputs)
        if outputs.dtype != torch.float32:  # autocast: the loss in float32
            outputs = outputs.float()
        loss = self.criterion(outputs, targets)
        if self.scaler is None:
            loss.backward()
            self.optimizer.step()
        else:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        return float(loss.item())

    def train_and_validate(self) -> None:
        """Train from the current step to ``max_steps``, validating and checkpointing."""
        start = self.step
        record = "train" in getattr(self.sampler, "save_datasets", {})
        self.logger.info(
            f"Training steps {start}..{self.max_steps - 1} (batch size {self.batch_size}) on "
            f"{self.device}"
        )
        t_report, step_report = time.perf_counter(), start
        stopped_early = False
        record = record and self.ranks.is_main  # rank 0 records the batches it trained on
        batches = training_batches(
            self.sampler,
            start,
            self.max_steps,
            self.batch_size,
            self.n_data_workers,
            coordinates=record,
            stream=(self.ranks.rank, self.ranks.world_size),
            pin_memory=self.use_cuda,
        )
        # a bar on a terminal, else a log line every SELENE_SDK_PROGRESS_INTERVAL seconds
        if self.ranks.is_main:
            progress = progress_bar(self.max_steps, "step", "training", initial=start)
        else:
            progress = LogProgress(None, "step", "", interval=None)  # hidden
        try:
            with progress:
                for batch in batches:
                    loss = self.train(batch.inputs, batch.targets)
                    self._loss_sum += loss
                    self._loss_count += 1
                    self.step = batch.step + 1
                    if record and batch.coordinates is not None:
                        coords = tuple(np.asarray(c) for c in batch.coordinates)
                        self.sampler.add_to_saved_dataset("train", coords, batch.targets.numpy())
                    progress.update(1)
                    progress.set_postfix(loss=f"{loss:.4f}", refresh=False)
                    last = self.step == self.max_steps
                    if self.step % self.nth_step_report_stats == 0 or last:
                        elapsed = max(time.perf_counter() - t_report, 1e-9)
                        stopped_early = self._report((self.step - step_report) / elapsed)
                        t_report, step_report = time.perf_counter(), self.step
                    if self.step % self.nth_step_save_checkpoint == 0 or last or stopped_early:
                        self._save_checkpoint()
                    if stopped_early:
                        break
        finally:
            batches.close()  # stops DataLoader workers when training ends early
        if self.ranks.is_main and hasattr(self.sampler, "save_dataset_to_file"):
            self.sampler.save_dataset_to_file("train", close_filehandle=True)
        if stopped_early:
            self.logger.info(f"Early stopping at step {self.step}")

    def _report(self, steps_per_second: float) -> bool:
        """Log the mean training loss, validate, draw the curves; True to stop early."""
        sums = distributed.all_gather((self._loss_sum, self._loss_count), self.ranks)
        train_loss = sum(s for s, _ in sums) / max(sum(n for _, n in sums), 1)
        self._loss_sum, self._loss_count = 0.0, 0
        if self.ranks.is_main:
            with open(self._train_log, "a", encoding="utf-8") as handle:
                handle.write(f"{train_loss}\n")
        self._history["train_steps"].append(self.step)
        self._history["train_loss"].append(train_loss)
        remaining = (self.max_steps - self.step) / max(steps_per_second, 1e-9)
        self.logger.info(
            f"[STEP {self.step}/{self.max_steps}] train loss {train_loss:.5f}, "
            f"{steps_per_second:.2f} steps/s, ETA {remaining / 60:.1f} min"
        )
        stop = self.validate()
        self._draw_curves()
        return stop

    def _predict(self, batches, desc: str | None = None) -> tuple[np.ndarray, float]:
        """Predictions for stored ``(sequences, targets)`` batches and their mean loss.

        With ``desc``, progress is shown (the test set; not the validation set, whose
        passes happen while the training bar is open).
        """
        self.model.eval()
        # under torchrun each rank scores a contiguous share of the batches; the shares are
        # gathered in rank order, so every rank gets what one process would compute
        share = [batches[i] for i in distributed.contiguous_share(len(batches), self.ranks)]
        predictions, loss_total, n = [], 0.0, 0
        if desc and self.ranks.is_main:
            bar = progress_bar(lambda: sum(len(t) for _, t in share), "sample", desc)
        else:
            bar = LogProgress(None, "sample", "", interval=None)  # hidden
        with bar, torch.inference_mode():
            for sequences, targets in share:
                x = torch.from_numpy(to_model_layout(np.asarray(sequences)))
                y = torch.as_tensor(np.asarray(targets, dtype=np.float32), device=self.device)
                out = self.forward.infer(x).float()
                loss_total += float(self.criterion(out, y).item()) * len(y)
                n += len(y)
                predictions.append(out.float().cpu().numpy())
                bar.update(len(y))
        self.model.train()
        if self.ranks.distributed:
            parts = distributed.all_gather((predictions, loss_total, n), self.ranks)
            predictions = [p for part, _, _ in parts for p in part]
            loss_total, n = sum(p[1] for p in parts), sum(p[2] for p in parts)
        return np.concatenate(predictions), loss_total / max(n, 1)

    def validate(self) -> bool:
        """Evaluate on the validation set; log, checkpoint the best model, early stopping.

        Returns True when the stopping criterion says to stop.
        """
        predictions, loss = self._predict(self._validation_data)
        averages = self._validation_metrics.update(predictions, self._validation_targets)
        names = sorted(self._validation_metrics.metrics)
        if self.ranks.is_main:
            with open(self._validation_log, "a", encoding="utf-8") as handle:
                cells = ["NA" if averages[k] is None else str(averages[k]) for k in names]
                handle.write("\t".join([str(loss), *cells]))
                handle.write("\n")
        self._history["val_steps"].append(self.step)
        self._history["val_loss"].append(loss)
        for name in self._validation_metrics.metrics:
            self._history["val_metrics"].setdefault(name, []).append(averages.get(name))
        shown = ", ".join(f"{k} {format_score(averages[k])}" for k in names)
        self.logger.info(f"[STEP {self.step}] validation loss {loss:.5f}, {shown}")

        if self.scheduler is not None:
            before = [group["lr"] for group in self.optimizer.param_groups]
            self.scheduler.step(math.ceil(loss * 1000.0) / 1000.0)
            after = [group["lr"] for group in self.optimizer.param_groups]
            if after != before:
                self.logger.info(f"Learning rate reduced to {after}")
        if loss < self.min_loss:
            self.min_loss = loss
            self._save_checkpoint(best=True)
            self.logger.debug(f"New best model (validation loss {loss:.5f}) saved")
        return self._check_stopping(loss, averages)

    def _check_stopping(self, loss: float, averages: Mapping[str, float | None]) -> bool:
        if self._stopping is None:
            return False
        metric = self._stopping["metric"]
        value = loss if metric == "loss" else averages.get(metric)
        if value is None:
            return False
        better = (lambda a, b: a < b) if metric == "loss" else (lambda a, b: a > b)
        best = self._stopping["best"]
        if best is None or better(value, best):
            self._stopping["best"] = value
            self._stopping["since_best"] = 0
        else:
            self._stopping["since_best"] += 1
        return self._stopping["since_best"] >= self._stopping["patience"]

    def _draw_curves(self) -> None:
        if not self.ranks.is_main:
            return
        h = self._history
        try:
            plot_training_curves(
                h["train_steps"],
                h["train_loss"],
                h["val_steps"],
                h["val_loss"],
                h["val_metrics"],
                os.path.join(self.output_dir, "training_curves.svg"),
            )
        except Exception as exc:  # a plotting problem must never stop training
            warnings.warn(f"could not draw training_curves.svg: {exc}", SeleneWarning, stacklevel=2)

    # -- test set ------------------------------------------------------------------------------
    def create_test_set(self) -> None:
        """Draw the test set and write ``test_targets.npz``."""
        self.logger.info("Drawing the test set")
        batches, targets = self.sampler.get_test_set(self.batch_size, n_samples=self.n_test_samples)
        self._test_data = (batches, targets)
        if self.ranks.is_main:
            save_npz(os.path.join(self.output_dir, "test_targets.npz"), targets)

    def evaluate(self) -> tuple[dict[str, float | None], dict[str, dict[str, float]]]:
        """Score the test set: ``test_predictions.npz``, ``test_performance.txt``, ROC/PR SVGs.

        Returns ``(averages including "loss", feature -> {metric: score})``.
        """
        if self._test_data is None:
            self.create_test_set()
        if self._test_metrics is None:
            self._test_metrics = self._new_metrics()
        batches, targets = self._test_data
        predictions, loss = self._predict(batches, desc="evaluating")
        averages = self._test_metrics.update(predictions, targets)
        if self.ranks.is_main:
            save_npz(os.path.join(self.output_dir, "test_predictions.npz"), predictions)
            features = self._test_metrics.write_feature_scores_to_file(
                os.path.join(self.output_dir, "test_performance.txt")
            )
            self._test_metrics.visualize(
                predictions, targets, self.output_dir, report_gt_feature_n_positives=self._report_gt
            )
        else:
            features = self._test_metrics.feature_scores()
        averages = {"loss": loss, **averages}
        shown = ", ".join(f"{k} {format_score(v)}" for k, v in averages.items())
        self.logger.info(f"Test performance: {shown}")
        return averages, features
