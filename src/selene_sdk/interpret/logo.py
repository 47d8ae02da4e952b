"""Sequence logos of ``(L, N)`` score matrices, drawn with logomaker glyphs."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from collections.abc import Sequence as SequenceABC
from typing import Any, Literal

import numpy as np

from selene_sdk.interpret._alphabet import resolve_alphabet
from selene_sdk.interpret._axes import label_positions
from selene_sdk.sequences.genome import Genome

__all__ = ["default_colors", "sequence_logo", "stack_layout"]

# ColorBrewer Set1, the original's default palette (one colour per letter, alphabet order).
_SET1 = (
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#ffff33",
    "#a65628",
    "#f781bf",
    "#999999",
)


def default_colors(n_letters: int) -> list[str]:
    """Set1 colours for up to 9 letters; matplotlib's 20 ``tab20`` colours (cycled) beyond."""
    if n_letters <= len(_SET1):
        return list(_SET1[:n_letters])
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    tab20 = [to_hex(c) for c in colormaps["tab20"].colors]
    return [tab20[i % len(tab20)] for i in range(n_letters)]


def _logomaker_scheme(name: str, letters: tuple[str, ...]) -> list[Any] | None:
    """Colours of a named logomaker colour scheme (None if ``name`` is not one)."""
    import logomaker

    names = set(logomaker.list_color_schemes()["color_scheme"])
    if name not in names:
        return None
    import pandas as pd
    from matplotlib.figure import Figure

    # logomaker resolves scheme names only inside a Logo; build a throwaway one off-screen.
    frame = pd.DataFrame(np.zeros((1, len(letters))), columns=list(letters))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logo = logomaker.Logo(frame, ax=Figure().add_subplot(), color_scheme=name)
    return [tuple(logo.rgb_dict.get(c, (0.0, 0.0, 0.0))) for c in letters]


def _letter_colors(color_scheme: Any, letters: tuple[str, ...]) -> list[Any]:
    from matplotlib.colors import is_color_like

    n = len(letters)
    if color_scheme is None:
        return default_colors(n)
    if isinstance(color_scheme, str):
        scheme = _logomaker_scheme(color_scheme, letters)
        if scheme is not None:
            return scheme
        if is_color_like(color_scheme):
            return [color_scheme] * n
        raise ValueError(
            f"color_scheme {color_scheme!r} is neither a colour nor a logomaker colour scheme"
        )
    if isinstance(color_scheme, Mapping):
        lookup = {str(k).upper(): v for k, v in color_scheme.items()}
        missing = [c for c in letters if c not in color_scheme and c.upper() not in lookup]
        if missing:
            raise ValueError(f"color_scheme has no colour for letter(s) {missing}")
        colors = [color_scheme.get(c, lookup.get(c.upper())) for c in letters]
    elif isinstance(color_scheme, SequenceABC) or isinstance(color_scheme, np.ndarray):
        colors = list(color_scheme)
        if len(colors) < n:
            raise ValueError(
                f"color_scheme has {len(colors)} colours for the {n} letters {''.join(letters)}"
            )
        colors = colors[:n]
    else:
        raise ValueError(f"color_scheme must be a list, dict or string, got {color_scheme!r}")
    bad = [c for c in colors if not is_color_like(c)]
    if bad:
        raise ValueError(f"color_scheme contains invalid colour(s) {bad}")
    return colors


def stack_layout(
    score_matrix: np.ndarray, order: Literal["value", "alpha"] = "value"
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom and top y of every letter of a logo; two ``(L, N)`` arrays.

    Positive values stack upward from 0 and negative values downward. ``order="alpha"``
    stacks in alphabet (column) order from the axis outward. ``order="value"``: when the
    matrix has no negative value, each position is stacked by decreasing value (largest
    letter at the bottom); otherwise by increasing value, so the most negative letter sits
    just below the axis and the largest positive letter on top. Ties keep column order.
    """
    m = np.asarray(score_matrix, dtype=np.float64)
    n_pos, n_letters = m.shape
    if order == "alpha":
        idx = np.broadcast_to(np.arange(n_letters), (n_pos, n_letters))
    elif (m >= 0).all():
        idx = np.argsort(-m, axis=1, kind="stable")
    else:
        idx = np.argsort(m, axis=1, kind="stable")
    values = np.take_along_axis(m, idx, axis=1)
    up = np.clip(values, 0, None)
    down = np.clip(values, None, 0)
    top = np.cumsum(up, axis=1)
    bottom = np.cumsum(down, axis=1)
    positive = values >= 0
    floors_sorted = np.where(positive, top - up, bottom)
    ceilings_sorted = np.where(positive, top, bottom - down)
    floors = np.empty_like(m)
    ceilings = np.empty_like(m)
    np.put_along_axis(floors, idx, floors_sorted, axis=1)
    np.put_along_axis(ceilings, idx, ceilings_sorted, axis=1)
    return floors, ceilings


def _font(font_properties: Any) -> dict[str, Any]:
    if font_properties is None:
        return {}
    if isinstance(font_properties, str):
        return {"font_name": font_properties}
    from matplotlib.font_manager import FontProperties

    if isinstance(font_properties, FontProperties):
        return {
            "font_name": font_properties.get_family()[0],
            "font_weight": font_properties.get_weight(),
        }
    raise TypeError(
        "font_properties must be a matplotlib FontProperties or a font family name, got "
        f"{type(font_properties).__name__}"
    )


def sequence_logo(
    score_matrix: np.ndarray,
    order: Literal["value", "alpha"] = "value",
    width: float = 1.0,
    ax: Any = None,
    sequence_type: Any = Genome,
    font_properties: Any = None,
    color_scheme: Any = None,
    **kwargs: Any,
) -> Any:
    """Draw a sequence logo: at each position, letters stacked with heights = their scores.

    Parameters
    ----------
    score_matrix
        ``(L, N)`` scores; column ``j`` is the ``j``-th letter of the alphabet. Positive
        values stack above the axis, negative values below it. Zero values draw nothing.
    order : {"value", "alpha"}, default "value"
        Stacking order within a position (see :func:`stack_layout`): ``"alpha"`` puts the
        first letter of the alphabet next to the axis; ``"value"`` sorts by value.
    width
        Width of each letter in position units (1.0 fills the column).
    ax
        Matplotlib axes to draw on; a new figure is made when None.
    sequence_type
        Alphabet: ``Genome`` (A, C, G, T; default), ``Proteome``, any object with
        ``BASES_ARR``, ``"dna"``, ``"rna"`` (A, C, G, U), ``"protein"``, or the letters.
    font_properties
        A matplotlib ``FontProperties`` (family and weight are used) or a font family name.
        Default: logomaker's bold sans-serif.
    color_scheme
        Colours in alphabet order (a list with at least N entries), a dict letter -> colour,
        a single colour, or a logomaker scheme name (``"classic"``, ``"chemistry"``, ...).
        Default: ColorBrewer Set1 (``tab20`` for alphabets longer than 9 letters).
    **kwargs
        Passed to every :class:`logomaker.Glyph` (e.g. ``edgecolor``, ``vpad``, ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes; x ticks at ``i + 0.5`` labelled with the position ``i`` (every k-th label
        beyond 50 positions), x limits ``[0, L]``.

    Raises
    ------
    ValueError
        If N differs from the alphabet size, values are not finite, ``order`` is unknown or
        ``color_scheme`` has fewer colours than letters.
    """
    matrix = np.asarray(score_matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"score_matrix must be 2-D (L, N), got shape {matrix.shape}")
    letters = resolve_alphabet(sequence_type).letters
    if matrix.shape[1] != len(letters):
        raise ValueError(
            f"score_matrix has {matrix.shape[1]} columns but the alphabet {''.join(letters)} "
            f"has {len(letters)} letters"
        )
    if order not in ("value", "alpha"):
        raise ValueError(f"order must be 'value' or 'alpha', got {order!r}")
    if not np.isfinite(matrix).all():
        raise ValueError("score_matrix contains NaN or infinite values")
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    colors = _letter_colors(color_scheme, letters)
    glyph_kwargs = {**_font(font_properties), **kwargs}

    ###
    import logomaker
    import matplotlib.pyplot as plt

    n_pos = matrix.shape[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(min(max(4.0, 0.3 * n_pos), 60.0), 2.5))
    floors, ceilings = stack_layout(matrix, order)
    for i, j in zip(*np.nonzero(ceilings > floors)):
        logomaker.Glyph(
            i + 0.5,
            letters[j],
            floors[i, j],
            ceilings[i, j],
            ax=ax,
            width=width,
            color=colors[j],
            **glyph_kwargs,
        )
    ax.set_xlim(0, n_pos)
    label_positions(ax, n_pos)
    low, high = min(0.0, floors.min(initial=0.0)), max(0.0, ceilings.max(initial=0.0))
    if high == low:
        high = 1.0
    margin = 0.05 * (high - low)
    ax.set_ylim(low - (margin if low < 0 else 0.0), high + margin)
    if low < 0:
        ax.axhline(0.0, color="black", linewidth=0.5)
    return ax
