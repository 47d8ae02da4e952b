"""Export of an attribution output for motif discovery with TF-MoDISco (modisco-lite).

``modisco motifs -s ohe.npz -a attr.npz -n 2000 -w 400 -o modisco_results.h5`` reads two
``.npz`` files holding one array each (key ``arr_0``, as ``numpy.savez`` names a positional
array), both ``(N, 4, L)`` float32 with the letters in A, C, G, T order: the one-hot
sequences and the hypothetical contributions of every letter. :func:`export_modisco`
writes them from one feature of an ``attribution`` output.
"""

from __future__ import annotations

import os

import numpy as np

from selene_sdk.interpret.attribution_file import AttributionFile
from selene_sdk.io.atomic import atomic_path

__all__ = ["MODISCO_FILES", "export_modisco"]

#: The two files :func:`export_modisco` writes: one-hot sequences, hypothetical contributions.
MODISCO_FILES = ("ohe.npz", "attr.npz")


def _save(path: str, array: np.ndarray) -> None:
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, array)  # a positional array: key arr_0, what modisco reads


def export_modisco(
    path: str | os.PathLike, output_dir: str | os.PathLike, feature: str | None = None
) -> tuple[str, str]:
    """Write ``<output_dir>/ohe.npz`` and ``<output_dir>/attr.npz`` for ``modisco motifs``.

    Parameters
    ----------
    path
        An attribution file (``<name>_attributions.npz`` or ``.h5``) of a DNA model.
    output_dir
        Directory of the two files (created).
    feature
        The feature whose contributions are exported (None: the file's only feature).

    Returns
    -------
    tuple of str
        The paths of ``ohe.npz`` (one-hot sequences; unknown bases as all-zero columns) and
        ``attr.npz`` (the file's ``hypothetical`` contributions), each ``(N, 4, L)``
        float32, letters A, C, G, T.
    """
    data = AttributionFile.from_file(path)
    index = data.feature_index(feature)
    order = data.dna_columns()
    if order is None:
        raise ValueError(
            f"{data.path}: modisco reads DNA (A, C, G, T); this file's alphabet is "
            f"{''.join(data.alphabet)}"
        )
    arrays = data.arrays(index)
    sequences = arrays["sequences"][..., order]
    # unknown bases (1/4 in every column) are no letter at all for modisco
    sequences = np.where(sequences == 1.0, 1.0, 0.0).astype(np.float32)
    hypothetical = arrays["hypothetical"][..., order]
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    ohe, attr = (os.path.join(output_dir, name) for name in MODISCO_FILES)
    _save(ohe, np.ascontiguousarray(sequences.transpose(0, 2, 1)))
    _save(attr, np.ascontiguousarray(hypothetical.transpose(0, 2, 1)))
    return ohe, attr
