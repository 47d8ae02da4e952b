"""``EvaluateModel``: score trained weights on a test set; write predictions, scores, curves."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from selene_sdk.errors import SeleneWarning
from selene_sdk.forward import ForwardPath, resolve_device, to_model_layout
from selene_sdk.io.atomic import atomic_write, save_npz
from selene_sdk.logging_utils import initialize_logger
from selene_sdk.metrics import PerformanceMetrics
from selene_sdk.metrics.performance import format_score, targets_are_continuous
from selene_sdk.models.loading import load_checkpoint, load_model_from_state_dict
from selene_sdk.progress import progress_bar

__all__ = ["EvaluateModel"]


class EvaluateModel:
    """Evaluate a trained model on a sampler's test data.

    Parameters
    ----------
    model, criterion
        The model (architecture) and loss.
    data_sampler
        Gives the test data through ``get_data_and_targets(batch_size, n_samples)``. An
        online sampler or ``MultiSampler`` left in ``train`` mode is switched to ``test``.
    features
        Names of all the model's outputs, in order.
    trained_model_path
        Weights file or checkpoint (``best_model.pth.tar``) to evaluate.
    output_dir
        Where results go (created).
    batch_size, n_test_samples
        Batch size and number of test samples (None: the sampler's default).
    report_gt_feature_n_positives
        Features with at most this many positives are not scored.
    use_cuda, data_parallel
        Run on the GPU(s) when available.
    use_features_ord
        Evaluate only these features (names), in this order.
    metrics
        Name -> ``fn(y_true, y_pred)`` (default ``roc_auc`` and ``average_precision``).
    precision
        ``32`` (default), ``bf16`` or ``fp16``: mixed precision (autocast) for the forward
        pass; results stay float32.
    compile
        Run the model through ``torch.compile`` (a clear error if it cannot be compiled).
    """

    def __init__(
        self,
        model: nn.Module,
        criterion: nn.Module,
        data_sampler: Any,
        features: Sequence[str],
        trained_model_path: str,
        output_dir: str,
        batch_size: int = 64,
        n_test_samples: int | None = None,
        report_gt_feature_n_positives: int = 10,
        use_cuda: bool = False,
        data_parallel: bool = False,
        use_features_ord: Sequence[str] | None = None,
        metrics: Mapping[str, Callable] | None = None,
        precision: str | int = 32,
        compile: bool = False,
    ):
        self.criterion = criterion
        self.sampler = data_sampler
        self.features = list(features)
        self.batch_size = int(batch_size)
        self.output_dir = os.fspath(output_dir)
        os.makedirs(self.output_dir, exist_ok=True)
        self.logger = initialize_logger(os.path.join(self.output_dir, f"{__name__}.log"))

        weights = load_checkpoint(trained_model_path)
        load_model_from_state_dict(weights, model)
        device = resolve_device(None, use_cuda) or "cpu"
        # evaluation mode on the device only while evaluating (see evaluate)
        self.forward = ForwardPath(
            model, device, data_parallel=data_parallel, precision=precision, compile=compile
        )
        self.model = model
        self.device = self.forward.device
        self.lua = self.forward.lua
        self.criterion = self.criterion.to(self.device)

        self._feature_index = self._select_features(use_features_ord)
        self.metrics = PerformanceMetrics(
            lambda i: self.features[self._feature_index[i]],
            report_gt_feature_n_positives,
            metrics,
            continuous=targets_are_continuous(data_sampler),
        )
        self._ensure_test_mode()
        t0 = time.perf_counter()
        self._test_batches, targets = self.sampler.get_data_and_targets(
            self.batch_size, n_test_samples
        )
        targets = np.asarray(targets)
        self._target_columns = self._columns_of_targets(targets.shape[1])
        targets = targets[:, self._target_columns]
        self._all_test_targets = targets
        self.logger.info(f"{len(targets)} test samples drawn in {time.perf_counter() - t0:.1f} s")
        save_npz(os.path.join(self.output_dir, "test_targets.npz"), targets)

    def _select_features(self, names: Sequence[str] | None) -> np.ndarray:
        if names is None:
            return np.arange(len(self.features))
        index = {f: i for i, f in enumerate(self.features)}
        chosen = []
        for name in names:
            if name in index:
                chosen.append(index[name])
            else:
                warnings.warn(
                    f"use_features_ord: feature {name!r} is not in the features list; skipped",
                    SeleneWarning,
                    stacklevel=3,
                )
        if not chosen:
            raise ValueError("use_features_ord names none of the model's features")
        with atomic_write(os.path.join(self.output_dir, "use_features_ord.txt")) as handle:
            handle.writelines(f"{self.features[i]}\n" for i in chosen)
        return np.array(chosen, dtype=np.int64)

    def _columns_of_targets(self, n_columns: int) -> np.ndarray:
        """Target columns, in evaluation order, of a sampler's target matrix."""
        if n_columns == len(self.features):
            return self._feature_index
        if n_columns == len(self._feature_index):
            # Targets already restricted to the chosen features, in the features' order.
            return np.argsort(np.argsort(self._feature_index))
        raise ValueError(
            f"the sampler's targets have {n_columns} columns but the model has "
            f"{len(self.features)} features ({len(self._feature_index)} selected)"
        )

    def _ensure_test_mode(self) -> None:
        modes = getattr(self.sampler, "modes", None)
        mode = getattr(self.sampler, "mode", None)
        if modes and "test" in modes and mode == "train":
            warnings.warn(
                "the evaluation sampler was in 'train' mode; evaluating its 'test' partition "
                "instead (set `mode: test` in the sampler to silence this)",
                SeleneWarning,
                stacklevel=3,
            )
            self.sampler.set_mode("test")

    def evaluate(self) -> dict[str, dict[str, float]]:
        """Predict the test set and write ``test_predictions.npz``, ``test_performance.txt``,
        ``roc_curves.svg`` and ``precision_recall_curves.svg``.

        Returns feature -> {metric: score} (features that could not be scored map to ``{}``).
        """
        predictions, loss_total, n = [], 0.0, 0
        t0 = time.perf_counter()
        bar = progress_bar(len(self._all_test_targets), "sample", "evaluating")
        with bar, self.forward.inference(), torch.inference_mode():
            for sequences, targets in self._test_batches:
                x = torch.from_numpy(to_model_layout(np.asarray(sequences)))
                out = self.forward(x)[:, self._feature_index].float()
                y = np.asarray(targets, dtype=np.float32)[:, self._target_columns]
                y = torch.as_tensor(y, device=self.device)
                loss_total += float(self.criterion(out, y).item()) * len(y)
                n += len(y)
                predictions.append(out.float().cpu().numpy())
                bar.update(len(y))
        predictions = np.concatenate(predictions)
        elapsed = time.perf_counter() - t0
        averages = self.metrics.update(predictions, self._all_test_targets)
        save_npz(os.path.join(self.output_dir, "test_predictions.npz"), predictions)
        scores = self.metrics.write_feature_scores_to_file(
            os.path.join(self.output_dir, "test_performance.txt")
        )
        self.metrics.visualize(
            predictions,
            self._all_test_targets,
            self.output_dir,
            report_gt_feature_n_positives=self.metrics.skip_threshold,
        )
        shown = ", ".join(f"{k} {format_score(v)}" for k, v in averages.items())
        self.logger.info(
            f"test loss {loss_total / max(n, 1):.5f}, {shown} ({n} samples, "
            f"{n / max(elapsed, 1e-9):.0f} samples/s)"
        )
        return scores
