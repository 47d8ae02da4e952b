"""``MultiSampler``: one sampler (or DataLoader) per partition, behind the ``Sampler`` interface."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from selene_sdk.errors import SeleneWarning
from selene_sdk.progress import progress_bar
from selene_sdk.samplers.online_sampler import DEFAULT_N_SAMPLES, check_batch_size
from selene_sdk.samplers.sampler import Sampler

__all__ = ["MultiFileSampler", "MultiSampler"]


def _is_dataloader(obj: object) -> bool:
    # Without importing torch: an object can only be a DataLoader if torch is loaded already.
    data = sys.modules.get("torch.utils.data")
    return data is not None and isinstance(obj, data.DataLoader)


def _to_numpy(item: Any) -> tuple[np.ndarray, ...]:
    """A DataLoader item (tensors or arrays, a tuple or a single one) -> float32 arrays."""
    parts = item if isinstance(item, list | tuple) else (item,)
    out = []
    for part in parts:
        if hasattr(part, "detach"):
            part = part.detach().cpu().numpy()
        out.append(np.asarray(part, dtype=np.float32))
    return tuple(out)


def _loader_is_finite(loader: Any) -> bool:
    try:
        return 0 < len(loader) < sys.maxsize
    except TypeError:
        return False


class _LoaderStream:
    """Re-batches a DataLoader's items to any requested batch size (restarting at its end)."""

    def __init__(self, loader: Any):
        self.loader = loader
        self._iterator: Any = None
        self._parts: list[tuple[np.ndarray, ...]] = []
        self._rows = 0

    def _next_item(self) -> tuple[np.ndarray, ...]:
        for _attempt in range(2):
            if self._iterator is None:
                self._iterator = iter(self.loader)
            try:
                return _to_numpy(next(self._iterator))
            except StopIteration:
                self._iterator = None
        raise ValueError("a DataLoader partition of the MultiSampler yields no data")

    def take(self, n: int) -> tuple[np.ndarray, ...]:
        """The next ``n`` rows as ``(sequences, targets)`` (or ``(sequences,)``)."""
        while self._rows < n:
            item = self._next_item()
            self._parts.append(item)
            self._rows += len(item[0])
        joined = tuple(np.concatenate(cols) for cols in zip(*self._parts))
        head = tuple(col[:n] for col in joined)
        rest = tuple(col[n:] for col in joined)
        self._rows -= n
        self._parts = [rest] if self._rows else []
        return head

    def __getstate__(self) -> dict[str, Any]:
        return {"loader": self.loader, "_iterator": None, "_parts": [], "_rows": 0}


class MultiSampler(Sampler):
    """A sampler whose partitions are separate samplers or torch DataLoaders.

    Parameters
    ----------
    train_sampler, validate_sampler, test_sampler
        For each partition: a :class:`~selene_sdk.samplers.file_samplers.FileSampler`, any
        :class:`~selene_sdk.samplers.Sampler` (an online sampler serves the partition of its
        own current mode), or a ``torch.utils.data.DataLoader`` (e.g.
        :class:`~selene_sdk.samplers.dataloader.SamplerDataLoader` or
        :class:`~selene_sdk.samplers.dataloader.H5DataLoader`). ``"test"`` is a mode only if
        ``test_sampler`` is given.
    features
        Feature names, in label-column order.
    mode
        Initial mode.
    save_datasets, output_dir
        Accepted for compatibility; saving is done by the partition samplers themselves
        (``save_dataset_to_file`` and ``add_to_saved_dataset`` are passed on to them).
    """

    def __init__(
        self,
        train_sampler: Any,
        validate_sampler: Any,
        features: Sequence[str],
        test_sampler: Any = None,
        mode: str = "train",
        save_datasets: Iterable[str] = (),
        output_dir: str | os.PathLike | None = None,
    ):
        super().__init__(features, save_datasets=(), output_dir=output_dir)
        if save_datasets:
            warnings.warn(
                "MultiSampler does not record samples itself; set save_datasets on the "
                "partition samplers instead",
                SeleneWarning,
                stacklevel=2,
            )
        self._partitions: dict[str, Any] = {"train": train_sampler, "validate": validate_sampler}
        if test_sampler is not None:
            self._partitions["test"] = test_sampler
            self.modes.append("test")
        for name, part in self._partitions.items():
            if not (_is_dataloader(part) or hasattr(part, "sample")):
                raise TypeError(
                    f"{name} partition must be a Sampler, a FileSampler or a torch DataLoader, "
                    f"got {type(part).__name__}"
                )
        self._streams = {
            m: _LoaderStream(p) for m, p in self._partitions.items() if _is_dataloader(p)
        }
        self._eval_sets: dict[tuple[str, int, int | None], Any] = {}
        self.set_mode(mode)

    def partition(self, mode: str) -> Any:
        """The sampler or DataLoader serving ``mode``."""
        return self._partitions[self._check_mode(mode)]

    def get_feature_from_index(self, index: int) -> str:
        """Name of label column ``index``."""
        return self._features[index]

    def sample(self, batch_size: int = 1, mode: str | None = None) -> tuple[np.ndarray, ...]:
        """The next batch of the partition of ``mode`` (default: the current mode).

        A sampler partition returns what its own ``sample(batch_size)`` returns; a DataLoader
        partition is re-batched to ``batch_size`` and returned as float32 numpy arrays.
        """
        mode = self._check_mode(mode or self.mode)
        batch_size = check_batch_size(batch_size)
        if mode in self._streams:
            return self._streams[mode].take(batch_size)
        return self._partitions[mode].sample(batch_size)

    def sample_for_step(
        self,
        step: int,
        batch_size: int,
        mode: str = "train",
        return_coordinates: bool = False,
        *,
        seed: int | None = None,
    ) -> tuple[Any, ...]:
        """Batch ``step`` of the partition of ``mode``, drawn by that partition's sampler.

        An online partition draws from its own current mode. ``NotImplementedError`` for a
        DataLoader partition (a DataLoader cannot produce an arbitrary step on demand).
        """
        mode = self._check_mode(mode)
        part = self._partitions[mode]
        if _is_dataloader(part) or not hasattr(part, "sample_for_step"):
            raise NotImplementedError(
                f"the {mode!r} partition of this MultiSampler is a {type(part).__name__}, which "
                "cannot draw the batch of an arbitrary step; use sample() for it, or give an "
                "online sampler or file sampler for this partition"
            )
        part_mode = part.mode if isinstance(part, Sampler) else mode
        return part.sample_for_step(
            step, batch_size, mode=part_mode, return_coordinates=return_coordinates, seed=seed
        )

    def sample_codes_for_step(
        self,
        step: int,
        batch_size: int,
        mode: str = "train",
        return_coordinates: bool = False,
        *,
        seed: int | None = None,
    ) -> Any:
        """:meth:`sample_for_step` as a ``CodeBatch`` (``NotImplementedError`` where the
        partition cannot give codes)."""
        part = self._partitions[self._check_mode(mode)]
        if _is_dataloader(part) or not hasattr(part, "sample_codes_for_step"):
            raise NotImplementedError(f"the {mode!r} partition cannot return code batches")
        part_mode = part.mode if isinstance(part, Sampler) else mode
        return part.sample_codes_for_step(
            step, batch_size, mode=part_mode, return_coordinates=return_coordinates, seed=seed
        )

    def add_to_saved_dataset(
        self, mode: str, coordinates: Sequence[np.ndarray], targets: np.ndarray | None
    ) -> None:
        """Pass samples of ``mode`` on to that partition's sampler (if it saves datasets)."""
        part = self._partitions.get(mode)
        if isinstance(part, Sampler):
            part.add_to_saved_dataset(part.mode, coordinates, targets)

    def save_dataset_to_file(self, mode: str, close_filehandle: bool = False) -> None:
        """Ask the partition sampler of ``mode`` to write its saved dataset."""
        part = self._partitions.get(mode)
        if isinstance(part, Sampler):
            part.save_dataset_to_file(part.mode, close_filehandle=close_filehandle)

    def _loader_data(
        self, mode: str, batch_size: int, n_samples: int | None
    ) -> tuple[list[tuple[np.ndarray, ...]], np.ndarray]:
        key = (mode, batch_size, n_samples)
        if key in self._eval_sets:  # a DataLoader set is fixed once drawn
            return self._eval_sets[key]
        loader = self._partitions[mode]
        stream = _LoaderStream(loader)
        if n_samples is None and _loader_is_finite(loader):
            items = []
            with progress_bar(len(loader), "batch", f"{mode} set") as bar:
                for item in loader:
                    items.append(_to_numpy(item))
                    bar.update(1)
            joined = tuple(np.concatenate(cols) for cols in zip(*items))
            n = len(joined[0])
            stream._parts, stream._rows = [joined], n
            batches = [stream.take(min(batch_size, n - i)) for i in range(0, n, batch_size)]
        else:
            n = n_samples if n_samples is not None else DEFAULT_N_SAMPLES.get(mode)
            if n is None:
                raise ValueError(f"n_samples is required for mode {mode!r}")
            batches = []
            with progress_bar(n, "sample", f"{mode} set") as bar:
                for first in range(0, n, batch_size):
                    batches.append(stream.take(min(batch_size, n - first)))
                    bar.update(len(batches[-1][0]))
        if len(batches[0]) < 2:
            raise ValueError(f"the {mode!r} DataLoader partition yields no targets")
        result = (batches, np.concatenate([b[1] for b in batches]))
        self._eval_sets[key] = result
        return result

    def get_data_and_targets(
        self, batch_size: int, n_samples: int | None = None, mode: str | None = None
    ) -> tuple[list[tuple[np.ndarray, ...]], np.ndarray]:
        """A fixed data set from the partition of ``mode`` (which becomes the current mode).

        Sampler partitions answer with their own ``get_data_and_targets(batch_size,
        n_samples)``. A DataLoader partition gives one full pass when it is finite and
        ``n_samples`` is None, else ``n_samples`` rows (default 32000 validate / 640000 test);
        the result is kept, so the set is the same every time.
        """
        if mode is not None:
            self.set_mode(mode)
        mode = self.mode
        batch_size = check_batch_size(batch_size)
        if mode in self._streams:
            return self._loader_data(mode, batch_size, n_samples)
        return self._partitions[mode].get_data_and_targets(batch_size, n_samples)

    def _with_mode(self, mode: str, batch_size: int, n_samples: int | None):
        previous = self.mode
        try:
            return self.get_data_and_targets(batch_size, n_samples, mode)
        finally:
            self.mode = previous

    def get_validation_set(self, batch_size: int, n_samples: int | None = None):
        """The validation partition's fixed data set."""
        return self._with_mode("validate", batch_size, n_samples)

    def get_test_set(self, batch_size: int, n_samples: int | None = None):
        """The test partition's fixed data set (``ValueError`` without a test sampler)."""
        if "test" not in self.modes:
            raise ValueError("this MultiSampler has no test partition (test_sampler=None)")
        return self._with_mode("test", batch_size, n_samples)


def MultiFileSampler(*args: Any, **kwargs: Any) -> MultiSampler:
    """Deprecated alias: returns ``MultiSampler(*args, **kwargs)``."""
    warnings.warn(
        "MultiFileSampler is deprecated; use MultiSampler (same arguments)",
        DeprecationWarning,
        stacklevel=2,
    )
    return MultiSampler(*args, **kwargs)
