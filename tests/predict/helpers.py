"""Shared helpers for prediction tests: tiny genomes, analytic models, output readers."""

from __future__ import annotations

import contextlib
import csv
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from selene_sdk.sequences.encoding import DNA


class IdentityModel(nn.Module):
    """Returns its input, flattened: predictions are the one-hot sequence itself
    (feature ``c * L + i`` = column ``c`` of position ``i``), so tests can read back
    exactly which sequence the model saw."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return (x * self.scale).flatten(1)


class LuaIdentityModel(IdentityModel):
    """Identity over Lua-style ``(B, 4, 1, L)`` input (contains a Conv2d, so it is detected
    as Lua-trained)."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Conv2d(1, 1, 1)

    def forward(self, x):
        assert x.dim() == 4 and x.shape[2] == 1, x.shape
        return (x * self.scale).flatten(1)


class GcModel(nn.Module):
    """Two features: fraction of G+C and fraction of A in the window (hand-computable)."""

    def forward(self, x):
        gc = x[:, 1, :] + x[:, 2, :]
        return torch.stack([gc.mean(dim=1), x[:, 0, :].mean(dim=1)], dim=1)


class SmallConv(nn.Module):
    """A small random CNN (used against the original Selene)."""

    def __init__(self, length: int = 40, n_features: int = 3):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 5)
        self.linear = nn.Linear(6 * (length - 4), n_features)

    def forward(self, x):
        return torch.sigmoid(self.linear(torch.relu(self.conv(x)).flatten(1)))


def identity_features(length: int) -> list[str]:
    return [f"{c}{i}" for c in "ACGT" for i in range(length)]


def decode(values: np.ndarray, length: int, letters: str = "ACGT") -> list[str]:
    """Sequences from identity-model predictions ``(B, 4 * L)`` (unknown rows -> N)."""
    values = np.asarray(values, dtype=np.float64).reshape(len(values), 4, length)
    out = []
    for row in values:
        enc = row.T  # (L, 4)
        seq = []
        for col in enc:
            hits = np.nonzero(col == 1)[0]
            seq.append(letters[hits[0]] if len(hits) == 1 and col.sum() == 1 else "N")
        out.append("".join(seq))
    return out


def write_fasta(path: Path, records: dict[str, str], width: int = 60) -> Path:
    with open(path, "w") as handle:
        for name, seq in records.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), width):
                handle.write(seq[i : i + width] + "\n")
    return path


def random_dna(n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list("ACGT"), n))


def read_tsv(path: str | os.PathLike) -> tuple[list[str], list[list[str]]]:
    """Header and rows (as string lists) of a TSV output."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[0], rows[1:]


def tsv_values(rows: list[list[str]], n_ids: int) -> np.ndarray:
    return np.array([[float(v) for v in r[n_ids:]] for r in rows], dtype=np.float64)


def encode(seq: str) -> np.ndarray:
    return DNA.encode(seq)


def files_by_group_rows(monkeypatch, module, run, out_root: Path, sizes=(4, 12, 10_000)):
    """Run ``run(out_dir)`` once per value of ``module.GROUP_ROWS``; return, per value, the
    text of every output file by name (to check grouping does not change outputs)."""
    files = {}
    for rows in sizes:
        monkeypatch.setattr(module, "GROUP_ROWS", rows)
        out = Path(out_root) / f"group_{rows}"
        run(out)
        files[rows] = {name: (out / name).read_text() for name in sorted(os.listdir(out))}
    return files


@contextlib.contextmanager
def tf32(convolutions: bool, matmul: bool = False):
    """PyTorch's TF32 settings for CUDA (cuDNN convolutions, cuBLAS matrix products) set
    for a block and restored after it."""
    cudnn, cublas = torch.backends.cudnn, torch.backends.cuda.matmul
    old = cudnn.allow_tf32, cublas.allow_tf32
    cudnn.allow_tf32, cublas.allow_tf32 = convolutions, matmul
    try:
        yield
    finally:
        cudnn.allow_tf32, cublas.allow_tf32 = old
