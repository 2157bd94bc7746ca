"""Plots (matplotlib, the ``plot`` extra): data, the fitted network and its selected features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_fit"]


def plot_fit(model: Any, X: Any, y: Any, path: str | Path, *, margin: float = 0.15) -> Path:
    """Draw the data, ``f(x)`` of the rebuilt network and each selected feature ``z_i·a_i(x)``.

    ``model`` is a fitted :class:`mirrorlib.estimator.ConvexNet`. Breakpoints of ``f`` are marked.
    """
    output = check_plot_path(path)
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError('plotting needs matplotlib: pip install "mirrorlib[plot]"') from error
    x = np.asarray([float(v) for v in X])
    target = np.asarray([float(v) for v in y])
    span = float(x.max() - x.min()) or 1.0
    grid = np.linspace(x.min() - margin * span, x.max() + margin * span, 801)
    figure = Figure(figsize=(8, 7))  # no pyplot: the caller's backend and figure registry are left alone
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    top.scatter(x, target, color="black", zorder=3, label="data")
    top.plot(grid, model.predict(grid), color="C0", label="rebuilt network f(x)")
    for kink in model.network_.breakpoints():
        top.axvline(float(kink), color="C0", alpha=0.15, linestyle=":")
    top.set_ylabel("y")
    top.set_title(f"{model.library_.activation.name}, depth {model.depth}, β = {model.beta}")
    top.legend(loc="best")
    for column, coefficient, feature in model.selected_features():
        values = float(coefficient) * feature.function.evaluate(grid)
        bottom.plot(grid, values, label=f"z[{column}]·a[{column}]")
    bottom.set_xlabel("x")
    bottom.set_ylabel("z_i · feature_i(x)")
    if model.selected_features():
        bottom.legend(loc="best", fontsize="small")
    figure.tight_layout()
    figure.savefig(output, dpi=120)
    return output


PLOT_FORMATS = ("png", "svg", "pdf")


def check_plot_path(path: str | Path) -> Path:
    """``path`` as a Path if a plot can be written there; ``ValueError`` naming what to fix.

    Examples
    --------
    >>> check_plot_path("fit.svg").suffix
    '.svg'
    """
    output = Path(path)
    suffix = output.suffix.lower().lstrip(".")
    if not suffix:
        raise ValueError(f"{str(path)!r} has no extension; end the file name with one of .{', .'.join(PLOT_FORMATS)}")
    if suffix not in PLOT_FORMATS:
        raise ValueError(f"{str(path)!r}: cannot write .{suffix} plots; use one of .{', .'.join(PLOT_FORMATS)}")
    if not output.parent.is_dir():
        raise ValueError(f"{str(path)!r}: the directory {str(output.parent)!r} does not exist; create it first")
    return output
