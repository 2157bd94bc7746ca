"""Plots (matplotlib, the ``plot`` extra): data, the fitted network and its selected features."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_fit", "figure_panels", "plot_library", "plot_reflections", "plot_series_comparison", "BREAKPOINT_KINDS"]


def plot_fit(model: Any, X: Any, y: Any, path: str | Path, *, margin: float = 0.15) -> Path:
    """Draw the data, ``f(x)`` of the rebuilt network and each selected feature ``z_i·a_i(x)``.

    ``model`` is a fitted :class:`mirrorlib.estimator.ConvexNet`. Breakpoints of ``f`` are marked.

    Parameters
    ----------
    model : ConvexNet
        A fitted model on 1-D data.
    X, y : sequences
        The training data.
    path : str or Path
        Image file (``.png``, ``.svg``, ``.pdf``).
    margin : float
        Extra range left and right of the data, as a fraction of its span.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> from mirrorlib.estimator import ConvexNet
    >>> X, y = [0, 1, 2, 4], [0, 1, 1, 3]
    >>> path = plot_fit(ConvexNet('relu', 2, 0.1).fit(X, y), X, y, tempfile.mkdtemp() + '/fit.png')
    >>> path.suffix, path.stat().st_size > 0
    ('.png', True)
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


BREAKPOINT_KINDS = {0: ("data point", "C2"), 1: ("reflection", "C3"), 2: ("reflection of a reflection", "C4"), None: ("not explained", "0.4")}
"""Colour of a breakpoint by the nesting of its reflection tree (None: no tree explains it)."""


def _new_figure(rows: int, columns: int, size: tuple[float, float]) -> tuple[Any, np.ndarray]:
    """A matplotlib Figure without pyplot (the caller's backend and figure registry stay untouched)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError('plotting needs matplotlib: pip install "mirrorlib[plot]"') from error
    figure = Figure(figsize=size)
    axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _mark_breakpoints(ax: Any, breakpoints: list[dict[str, Any]], seen: set[Any]) -> None:
    for entry in breakpoints:
        label, colour = BREAKPOINT_KINDS[entry["nesting"]]
        ax.axvline(entry["float"], color=colour, linestyle="--", linewidth=1.2, label=None if label in seen else label)
        seen.add(label)


def figure_panels(record: dict[str, Any]) -> Any:
    """The figure of :func:`mirrorlib.report.paper.figure_record`: one row per fit, the network and the data
    on the left with each breakpoint coloured by what explains it, the selected features on the right.

    Examples
    --------
    >>> from mirrorlib.report.paper import figure_record
    >>> figure = figure_panels(figure_record('bounce'))
    >>> len(figure.axes)
    6
    """
    panels = record["panels"]
    figure, axes = _new_figure(len(panels), 2, (11, 2.6 * len(panels)))
    for row, panel in zip(axes, panels):
        fit_ax, feature_ax = row
        x = np.array(panel["X"], dtype=float)
        span = float(x.max() - x.min()) or 1.0
        grid = np.linspace(x.min() - 0.15 * span, x.max() + 0.15 * span, 600)
        fit_ax.plot(grid, panel["_network"].predict(grid), color="C0", linewidth=2, label="network")
        fit_ax.scatter(x, panel["y"], color="red", zorder=3, label="data")
        seen: set[Any] = set()
        _mark_breakpoints(fit_ax, panel["breakpoints"], seen)
        title = f"{panel['kind']}, L = {panel['depth']}" + (f" — {panel['label']}" if panel["label"] else "")
        fit_ax.set_title(f"{title}, β = {panel['beta']}", fontsize="medium")
        fit_ax.legend(loc="upper left", fontsize="x-small")
        if panel["_features"]:
            for coefficient, feature in panel["_features"]:
                feature_ax.plot(grid, feature.function.evaluate(grid), linewidth=2, label=f"z = {coefficient:.4g}: {feature.label}"[:70])
            feature_ax.set_title("selected features", fontsize="medium")
            feature_ax.legend(loc="upper left", fontsize="xx-small")
        else:
            feature_ax.axis("off")
            objective = panel["objective"]
            feature_ax.text(0.02, 0.5, f"Adam: {panel['epochs']} iterations, {panel['units']} units\nJ = {objective:.3e}"
                            f" (Lasso optimum {panel['lasso_objective']:.3e})", transform=feature_ax.transAxes, fontsize="small")
    figure.suptitle(f"{record['figure']} ({record['name']}): {record['description']}", fontsize="medium", wrap=True)
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.8 / (2.6 * len(panels))))
    return figure


def plot_library(library: Any, ax: Any = None, *, max_features: int = 12, margin: float = 0.15) -> Any:
    """Features of a library in the style of the paper's Figure 1: each breakpoint marked and
    coloured by what it is (data point, reflection, reflection of a reflection).

    Parameters
    ----------
    library : mirrorlib.libraries.Library
        Usually ``library(...).distinct()``; its first ``max_features`` non-linear features are drawn.
    ax : matplotlib Axes, optional
        Drawn into (its Figure is returned); a new Figure otherwise. pyplot is never used.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from mirrorlib import library
    >>> figure = plot_library(library([0, 1, 3], "abs", 3).distinct())
    >>> len(figure.axes[0].lines) > 0
    True
    """
    figure, ax = (ax.figure, ax) if ax is not None else (lambda f_a: (f_a[0], f_a[1][0, 0]))(_new_figure(1, 1, (8, 4.5)))
    x = np.array([float(v) for v in library.dataset.x])
    span = float(x.max() - x.min()) or 1.0
    grid = np.linspace(x.min() - margin * span, x.max() + margin * span, 600)
    drawn = [f for f in library.features if not f.is_linear][:max_features]
    seen: set[str] = set()
    for index, feature in enumerate(drawn):
        line = ax.plot(grid, feature.function.evaluate(grid), linewidth=1.8, label=feature.label[:60])[0]
        for value, tree in library.breakpoint_trees(feature).items():
            name, colour = BREAKPOINT_KINDS[None if tree is None else min(tree.nesting, 2)]
            level = float(feature.function(value))
            ax.scatter([float(value)], [level], color=colour, edgecolor=line.get_color(), zorder=4, s=40,
                       label=None if name in seen else name)
            seen.add(name)
    ax.scatter(x, np.zeros_like(x), marker="|", color="black", s=200, zorder=5, label="data x")
    ax.set_title(f"{library.activation.name}, depth {library.depth}: {len(drawn)} of {library.n_features} features", fontsize="medium")
    ax.legend(loc="upper left", fontsize="xx-small")
    return figure


MAX_DRAWN_TREES = 200
"""A drawing of more trees than this is unreadable: refused."""


def plot_reflections(X: Any, nesting: int, ax: Any = None) -> Any:
    """Reflection trees over the data drawn as a graph (networkx + matplotlib, no graphviz):
    a node per tree, an edge from each tree to the two trees it reflects (``R(a, b)``: a → across b).

    Parameters
    ----------
    X : sequence of rationals
        The data.
    nesting : int
        Largest nesting drawn.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> figure = plot_reflections([0, 1, 3], 1)
    >>> len(figure.axes)
    1
    """
    import networkx as nx

    from mirrorlib.data import as_dataset
    from mirrorlib.functions.reflections import reflection_expressions

    dataset = as_dataset(X)
    figure, ax = (ax.figure, ax) if ax is not None else (lambda f_a: (f_a[0], f_a[1][0, 0]))(_new_figure(1, 1, (9, 6)))
    expressions = list(itertools.islice(reflection_expressions(dataset, nesting), MAX_DRAWN_TREES + 1))
    if len(expressions) > MAX_DRAWN_TREES:
        raise ValueError(f"more than {MAX_DRAWN_TREES} reflection trees to draw; use a smaller nesting or fewer points")
    graph = nx.DiGraph()
    for expression in expressions:
        node = str(expression)
        graph.add_node(node, nesting=expression.nesting, value=float(expression.value))
        if not expression.is_leaf:
            graph.add_edge(node, str(expression.reflected), role="reflected")
            graph.add_edge(node, str(expression.mirror), role="mirror")
    positions = _number_line_positions(graph)
    colours = [BREAKPOINT_KINDS[min(graph.nodes[node]["nesting"], 2)][1] for node in graph.nodes]
    labels = {node: node if graph.nodes[node]["nesting"] <= 1 else format_value(graph.nodes[node]["value"]) for node in graph.nodes}
    nx.draw_networkx(graph, positions, ax=ax, labels=labels, node_color=colours, node_size=260, font_size=6,
                     arrows=True, edge_color="0.75", width=0.6)
    ax.set_xlabel("value of the tree (x)")
    ax.set_yticks(range(nesting + 1), [f"nesting {level}" for level in range(nesting + 1)])
    ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
    ax.set_title(f"reflection trees of nesting ≤ {nesting} over {dataset.n_samples} points (edges: tree → the trees it reflects)", fontsize="medium")
    return figure


def _number_line_positions(graph: Any) -> dict[str, tuple[float, float]]:
    """Each tree at (its value, its nesting); trees of one level sharing a value are stacked a little."""
    positions: dict[str, tuple[float, float]] = {}
    stacked: dict[tuple[int, float], int] = {}
    for node, data in graph.nodes(data=True):
        key = (data["nesting"], data["value"])
        rank = stacked.get(key, 0)
        stacked[key] = rank + 1
        positions[node] = (data["value"], data["nesting"] + 0.12 * rank)
    return positions


def format_value(value: float) -> str:
    return f"{value:.4g}"


def plot_series_comparison(result: Any, ax: Any = None) -> Any:
    """One-step-ahead predictions of the convex net, AR(1) and the non-convex net on a series
    (:func:`mirrorlib.autoregressive.compare_on_series`), the train/test split marked.

    Parameters
    ----------
    result : SeriesComparison
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from mirrorlib.autoregressive import compare_on_series
    >>> result = compare_on_series(2 + np.sin(np.arange(40) / 3), depth=2, beta=0.01, n_starts=1)
    >>> len(plot_series_comparison(result).axes[0].lines) >= 4
    True
    """
    figure, ax = (ax.figure, ax) if ax is not None else (lambda f_a: (f_a[0], f_a[1][0, 0]))(_new_figure(1, 1, (11, 4.5)))
    values = np.asarray(result.series, dtype=float)
    steps = np.arange(values.size)
    ax.plot(steps, values, color="black", linewidth=1.2, label="series")
    ax.plot(steps[1:], result.model.predict(values), color="C0", label=f"convex net (test MSE {result.convex_test:.0f})")
    intercept, slope = result.ar1_params
    ax.plot(steps[1:], intercept + slope * values[:-1], color="C1", linestyle="--",
            label=f"AR(1) (test MSE {result.ar1_test:.0f})")
    ax.plot(steps[1:], result.nonconvex.predict(values[:-1]), color="C2", linestyle=":",
            label=f"same net, non-convex (test MSE {result.nonconvex_test:.0f})")
    ax.axvline(result.n_train - 0.5, color="0.5", linewidth=1)
    ax.set_xlabel("t")
    ax.set_ylabel("x_t and one-step predictions")
    ax.set_title(f"{result.name}: x_t = f(x_(t−1)), relu depth {result.depth}, β = {result.beta:g} (train | test)", fontsize="medium")
    ax.legend(loc="upper left", fontsize="small")
    return figure


def plot_surface(fit: Any, ax: Any = None, *, resolution: int = 200, margin: float = 0.15) -> Any:
    """The output of a certified 2-D two-layer network (:func:`mirrorlib.multidim.group_lasso.fit_group_lasso`)
    as a filled contour over the data's box, with the data coloured by label and every neuron's
    boundary line ``w_jᵀx + b_j = 0`` (the lines where the activation pattern changes).

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> X = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]])
    >>> fit = fit_group_lasso(X, np.array([0.0, 1.0, 1.0, 0.0, 1.0]), 0.05, activation="gated")
    >>> len(plot_surface(fit, resolution=20).axes) >= 1
    True
    """
    X = np.asarray(fit.X, dtype=float)
    if X.shape[1] != 2:
        raise ValueError(f"plot_surface draws 2-D data; this fit has d = {X.shape[1]}")
    figure, ax = (ax.figure, ax) if ax is not None else (lambda f_a: (f_a[0], f_a[1][0, 0]))(_new_figure(1, 1, (6.5, 5.5)))
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-9)
    grid_x, grid_y = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution), np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))
    network = fit.network()
    values = network.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    contour = ax.contourf(grid_x, grid_y, values, levels=20, cmap="coolwarm", alpha=0.8)
    figure.colorbar(contour, ax=ax, label="network output")
    lines = network.gates if network.gates is not None else np.column_stack([network.weights, network.biases])
    for w1, w2, b in np.asarray(lines, dtype=float):
        if abs(w2) > 1e-12:
            ax.plot(grid_x[0], -(w1 * grid_x[0] + b) / w2, color="0.2", linewidth=0.6, alpha=0.6)
        elif abs(w1) > 1e-12:
            ax.axvline(-b / w1, color="0.2", linewidth=0.6, alpha=0.6)
    ax.scatter(X[:, 0], X[:, 1], c=fit.y, cmap="coolwarm", edgecolors="black", s=28)
    ax.set_xlim(grid_x.min(), grid_x.max())
    ax.set_ylim(grid_y.min(), grid_y.max())
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    certificate = fit.certificate
    ax.set_title(
        f"{fit.activation} net, {network.width} neurons, β = {fit.beta:g}: "
        f"{'certified' if certificate.is_optimal else 'NOT certified'} (gap {certificate.relative_gap:.1e})",
        fontsize="medium",
    )
    return figure
