"""``Sampler``: the interface of samplers with train / validate / (test) modes."""

from __future__ import annotations

import abc
import os
import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from selene_sdk.errors import SeleneWarning
from selene_sdk.samplers._saved_dataset import SavedDataset, format_lines

__all__ = ["Sampler"]

_KNOWN_MODES = ("train", "validate", "test")


class Sampler(metaclass=abc.ABCMeta):
    """Base class of samplers that draw data for the ``train``, ``validate`` and ``test`` modes.

    Parameters
    ----------
    features
        Names of the targets, in label-column order.
    save_datasets
        Modes whose drawn samples are recorded in ``<output_dir>/<mode>_data.bed``.
    output_dir
        Directory of those files (created if missing). Without it nothing is saved (a
        warning says so when ``save_datasets`` is not empty).

    Attributes
    ----------
    modes : list[str]
        ``["train", "validate"]``, plus ``"test"`` when the sampler has a test partition.
    mode : str
        The current mode (the default of :meth:`sample`).
    """

    BASE_MODES: tuple[str, ...] = ("train", "validate")

    def __init__(
        self,
        features: Sequence[str],
        save_datasets: Iterable[str] = (),
        output_dir: str | os.PathLike | None = None,
    ):
        self._features = [str(f) for f in features]
        self.modes: list[str] = list(self.BASE_MODES)
        self.mode = self.modes[0]
        self._output_dir = None if output_dir is None else os.fspath(output_dir)
        if self._output_dir is not None:
            os.makedirs(self._output_dir, exist_ok=True)
        modes = [save_datasets] if isinstance(save_datasets, str) else list(save_datasets or [])
        unknown = [m for m in modes if m not in _KNOWN_MODES]
        if unknown:
            raise ValueError(f"save_datasets names unknown mode(s) {unknown}; use {_KNOWN_MODES}")
        if modes and self._output_dir is None:
            warnings.warn(
                f"save_datasets={modes} needs an output_dir; the drawn samples will not be saved",
                SeleneWarning,
                stacklevel=3,
            )
            modes = []
        self._save_datasets: dict[str, SavedDataset] = {
            m: SavedDataset(os.path.join(self._output_dir, f"{m}_data.bed")) for m in modes
        }

    # -- modes --------------------------------------------------------------------------------
    def _check_mode(self, mode: str) -> str:
        if mode not in self.modes:
            raise ValueError(f"mode must be one of {self.modes}, got {mode!r}")
        return mode

    def set_mode(self, mode: str) -> None:
        """Make ``mode`` the current mode; ``ValueError`` if the sampler has no such mode."""
        self.mode = self._check_mode(mode)

    @property
    def save_datasets(self) -> list[str]:
        """Modes whose samples are written to ``<mode>_data.bed``."""
        return list(self._save_datasets)

    # -- saved datasets -----------------------------------------------------------------------
    def add_to_saved_dataset(
        self,
        mode: str,
        coordinates: Sequence[np.ndarray],
        targets: np.ndarray | None,
    ) -> None:
        """Record samples of ``mode`` (no-op unless ``mode`` is in ``save_datasets``).

        Lets the main process record batches that DataLoader workers drew with
        ``sample_for_step(..., return_coordinates=True)``.

        Parameters
        ----------
        coordinates
            ``(chroms, starts, ends, strands)`` of the windows, each ``(B,)``.
        targets
            ``(B, F)`` labels; the indices of non-zero entries are saved.
        """
        dataset = self._save_datasets.get(mode)
        if dataset is not None:
            dataset.add(format_lines(coordinates, targets))

    def save_dataset_to_file(self, mode: str, close_filehandle: bool = False) -> None:
        """Write buffered samples of ``mode`` to ``<output_dir>/<mode>_data.bed``.

        No-op unless ``mode`` is in ``save_datasets``. ``close_filehandle`` finishes the
        file: it is written to a hidden temporary file and renamed into place on close.
        """
        dataset = self._save_datasets.get(mode)
        if dataset is not None:
            dataset.flush(close=close_filehandle)

    # -- abstract interface -------------------------------------------------------------------
    @abc.abstractmethod
    def get_feature_from_index(self, index: int) -> str:
        """Name of the feature in label column ``index``."""

    @abc.abstractmethod
    def sample(self, batch_size: int = 1, mode: str | None = None):
        """Draw one batch ``(sequences (B, L, N), targets (B, F))`` from ``mode``."""

    @abc.abstractmethod
    def get_data_and_targets(
        self, batch_size: int, n_samples: int | None = None, mode: str | None = None
    ):
        """A list of ``(sequences, targets)`` batches and the stacked targets ``(n, F)``."""

    @abc.abstractmethod
    def get_validation_set(self, batch_size: int, n_samples: int | None = None):
        """The validation data, as :meth:`get_data_and_targets` returns it."""

    @abc.abstractmethod
    def get_test_set(self, batch_size: int, n_samples: int | None = None):
        """The test data, as :meth:`get_data_and_targets` returns it."""
