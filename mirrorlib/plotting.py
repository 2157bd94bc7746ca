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
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError('plotting needs matplotlib: pip install "mirrorlib[plot]"') from error
    x = np.asarray([float(v) for v in X])
    target = np.asarray([float(v) for v in y])
    span = float(x.max() - x.min()) or 1.0
    grid = np.linspace(x.min() - margin * span, x.max() + margin * span, 801)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, height_ratios=(3, 2))
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
    output = Path(path)
    figure.savefig(output, dpi=120)
    plt.close(figure)
    return output
