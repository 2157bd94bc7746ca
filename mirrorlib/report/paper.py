"""The paper's figures on its own data sets: Lasso fits and Adam-trained networks, every breakpoint explained.

The data sets and penalties are those of the paper's public notebooks (arXiv 2403.01046, code at
github.com/pilancilab/1d-convex-nn):

============  ==========================  ======================  ========  ==================
name          x                           y                       β         paper figure
============  ==========================  ======================  ========  ==================
``opt``       0, 4, 5, 7, 10, 11          0, 0, 0, 2, 3, 3        1e-7      Figure 3
``zshape``    0, 2, 6, 7                  0, 0, 3, 3              1e-8      Figure 19
``bounce``    0, 2, 6, 7                  0, 0, 3, 7              1e-8      Figure 18
``fig2``      zshape, and zshape with     0, 0, 3, 3              1e-8      Figure 2
              its first point at −1
============  ==========================  ======================  ========  ==================

Every panel is a deep narrow ReLU network of depth ``L``:

* ``lasso``: the exact Lasso over the paper's library (:func:`mirrorlib.library`, ``variant="paper"``)
  at the paper's β, rebuilt as a network, with both certificates;
* ``lasso-limit``: the β → 0⁺ limit, exactly, and among its optima the one of minimum ℓ2 norm
  (the paper code's ``findoptset``);
* ``adam``: a network of ``m`` parallel deep narrow units trained by Adam on
  ``½‖f(X) − y‖² + (β/L)Σ|w|^L`` (:func:`mirrorlib.networks.training.train_nonconvex`), started, as in the
  paper's code, from the Lasso solution's units plus random ones. The paper trains a narrow
  chain feeding one wide layer with PyTorch; the architecture here is the one the Lasso theory
  covers, so the figures match in what they show (breakpoints at data points and reflections),
  not pixel for pixel.

Each breakpoint is named by the least nested reflection tree over the data with that value
(exactly for Lasso fits; within ``tolerance`` of the data range for Adam, which converges only
approximately), or reported as not explained.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from mirrorlib.numbers.exact import format_rational
from mirrorlib.functions.reflections import ReflectionExpression, reflection_expressions

__all__ = ["PaperFigure", "FIGURES", "Panel", "figure_record", "write_figure"]

TOLERANCE = 0.05
"""Adam breakpoints within this fraction of the data range of a reflection tree are explained by it."""

SIGNIFICANT = 0.05
"""Adam kinks whose change of slope is below this fraction of the largest one are not reported
(the paper's networks have 100 units; most end with negligible output weight)."""

MAX_NESTING = 2


@dataclass(frozen=True)
class Panel:
    """One fit: ``kind`` is ``lasso``, ``lasso-limit`` or ``adam``; Adam runs ``epochs`` (default
    mode) or ``full_epochs`` (the paper's count) iterations with ``units`` units, starting from
    ``init``: ``"optimum"`` (a sparsest vertex of the β → 0⁺ optimal set, preferring one with a
    reflection breakpoint, as the paper's code starts from a min-norm solution), ``"random"``, or
    ``"feature"`` (the single library feature ``init_feature = (signs, a_1, anchors)`` fitted by
    least squares, as the paper's Figure 2).

    Examples
    --------
    >>> panel = FIGURES['opt'].panels[-2]
    >>> panel.kind, panel.depth, panel.init, panel.epochs, panel.full_epochs
    ('adam', 3, 'random', 2000, 100000)
    """

    kind: str
    depth: int
    X: tuple[int, ...]
    y: tuple[int, ...]
    label: str = ""
    units: int = 100
    epochs: int = 1000
    full_epochs: int = 1000
    init: str = "optimum"
    init_feature: tuple[tuple[int, ...], str, tuple[int, ...]] | None = None


@dataclass(frozen=True)
class PaperFigure:
    """One of the paper's figures: its name, the figure it reproduces, β, the fits (panels) and a
    one-sentence description.

    Examples
    --------
    >>> figure = FIGURES['bounce']
    >>> figure.figure, figure.beta, [panel.kind for panel in figure.panels]
    ('Figure 18', Fraction(1, 100000000), ['lasso', 'lasso', 'lasso'])
    """

    name: str
    figure: str
    beta: Fraction
    panels: tuple[Panel, ...]
    description: str


_OPT = ((0, 4, 5, 7, 10, 11), (0, 0, 0, 2, 3, 3))
_ZSHAPE = ((0, 2, 6, 7), (0, 0, 3, 3))
_BOUNCE = ((0, 2, 6, 7), (0, 0, 3, 7))
_MOVED = ((-1, 2, 6, 7), (0, 0, 3, 3))


def _lasso_panels(data: tuple[tuple[int, ...], tuple[int, ...]], depths: Sequence[int], limit: bool) -> list[Panel]:
    kinds = ("lasso", "lasso-limit") if limit else ("lasso",)
    return [Panel(kind, depth, *data) for depth in depths for kind in kinds]


FIGURES: dict[str, PaperFigure] = {
    "opt": PaperFigure(
        "opt", "Figure 3", Fraction(1, 10**7),
        (*_lasso_panels(_OPT, (2, 3, 4), limit=True),
         Panel("adam", 2, *_OPT, units=100, epochs=1000, full_epochs=1000),
         Panel("adam", 3, *_OPT, units=100, epochs=2000, full_epochs=100_000, init="random"),
         Panel("adam", 4, *_OPT, units=100, epochs=1000, full_epochs=1000)),
        "Lasso fits at L = 2, 3, 4 with their features (and the minimum-ℓ2 optimum of the β → 0⁺ limit), "
        "and Adam fits of the same architectures",
    ),
    "zshape": PaperFigure(
        "zshape", "Figure 19", Fraction(1, 10**8),
        (*_lasso_panels(_ZSHAPE, (3, 4), limit=False),
         Panel("adam", 3, *_ZSHAPE, units=100, epochs=1000, full_epochs=1000, init="random"),
         Panel("adam", 4, *_ZSHAPE, units=100, epochs=1000, full_epochs=1000)),
        "Lasso and Adam fits at L = 3, 4",
    ),
    "bounce": PaperFigure(
        "bounce", "Figure 18", Fraction(1, 10**8), tuple(_lasso_panels(_BOUNCE, (2, 3, 4), limit=False)),
        "Lasso fits at L = 2, 3, 4 with their features",
    ),
    "fig2": PaperFigure(
        "fig2", "Figure 2", Fraction(1, 10**8),
        (Panel("adam", 4, *_ZSHAPE, label="zshape", units=100, epochs=1000, full_epochs=1000,
               init="feature", init_feature=((-1, -1, 1), "R(x0, x1)", (1, 1))),
         Panel("adam", 4, *_MOVED, label="zshape, x0 moved to −1", units=100, epochs=3000, full_epochs=15_000,
               init="feature", init_feature=((-1, -1, 1), "R(x0, x1)", (1, 1)))),
        "Adam-trained L = 4 networks on zshape and on zshape with its first point at −1, started (as in the paper's "
        "code) from the ramp whose kink is the reflection R(x0, x1): 4, and 5 after the move",
    ),
}


# ----------------------------------------------------------------------------- breakpoints
def _trees(X: Sequence[int]) -> list[ReflectionExpression]:
    return list(reflection_expressions([Fraction(v) for v in X], MAX_NESTING))


def explain_exact(value: Fraction, trees: Sequence[ReflectionExpression]) -> dict[str, Any]:
    """The least nested tree with exactly this value, or ``"not explained"``."""
    for tree in trees:
        if tree.value == value:
            return {"value": format_rational(value), "float": float(value), "tree": str(tree), "nesting": tree.nesting}
    return {"value": format_rational(value), "float": float(value), "tree": "not explained", "nesting": None}


def explain_float(value: float, trees: Sequence[ReflectionExpression], scale: float) -> dict[str, Any]:
    """The nearest tree (least nested among the nearest) if within ``TOLERANCE·scale``."""
    best = min(trees, key=lambda tree: (round(abs(float(tree.value) - value), 12), tree.nesting))
    distance = abs(float(best.value) - value)
    if distance <= TOLERANCE * scale:
        return {"value": repr(value), "float": value, "tree": str(best), "nesting": best.nesting, "distance": distance}
    return {"value": repr(value), "float": value, "tree": "not explained", "nesting": None, "distance": distance}


def significant_kinks(network: Any) -> list[float]:
    """Kinks of ``f`` whose change of slope is at least ``SIGNIFICANT`` times the largest one."""
    breakpoints, slopes, _, _ = network.function().float_arrays()
    if breakpoints.size == 0:
        return []
    change = np.abs(np.diff(slopes))
    return [float(b) for b, c in zip(breakpoints, change) if c >= SIGNIFICANT * change.max()]


# ----------------------------------------------------------------------------- fits
@lru_cache(maxsize=None)
def _lasso_fit(X: tuple[int, ...], y: tuple[int, ...], depth: int, beta: Fraction | None) -> Any:
    """The exact fit over the paper's library (shared by a figure's Lasso and Adam panels)."""
    from mirrorlib.estimator import ConvexNet

    return ConvexNet("relu", depth, beta, exact=True, library="closed-form").fit(list(X), list(y))


@lru_cache(maxsize=None)
def _optima(X: tuple[int, ...], y: tuple[int, ...], depth: int) -> Any:
    """All optima of the β → 0⁺ fit (its minimum-ℓ2 point is shown, its vertices start Adam)."""
    return _lasso_fit(X, y, depth, None).optimal_set()

def _lasso_record(panel: Panel, beta: Fraction) -> dict[str, Any]:
    limit = panel.kind == "lasso-limit"
    model = _lasso_fit(panel.X, panel.y, panel.depth, None if limit else beta)
    trees = _trees(panel.X)
    record: dict[str, Any] = {
        "kind": panel.kind,
        "depth": panel.depth,
        "label": panel.label,
        "X": list(panel.X),
        "y": list(panel.y),
        "beta": "0+" if limit else format_rational(beta),
        "objective": format_rational(model.objective_),
        "lasso_certificate": bool(model.certificate_.is_optimal),
        "network_certificate": model.certificate_.training.reason,
        "optimum": model.uniqueness_,
    }
    network, coefficients = model.network_, {i: v for i, v, _ in model.selected_features()}
    if limit:
        optima = _optima(panel.X, panel.y, panel.depth)
        z = optima.min_l2
        network = model.network_of(z, optima.intercept(z))
        coefficients = {i: v for i, v in enumerate(z) if v}
        record["optimal_set"] = {"dimension": optima.dimension, "vertices": len(optima.vertices), "shown": "minimum-ℓ2 optimum"}
    record["features"] = [
        {"column": i, "z": format_rational(v), "label": model.library_.feature(i).label,
         "breakpoints": [explain_exact(b, trees) for b in model.library_.feature(i).breakpoints]}
        for i, v in sorted(coefficients.items())
    ]
    record["breakpoints"] = [explain_exact(b, trees) for b in network.breakpoints(exact=True)]
    record["_network"] = network
    record["_features"] = [(float(v), model.library_.feature(i)) for i, v in sorted(coefficients.items())]
    return record


def _adam_record(panel: Panel, beta: Fraction, full: bool, seed: int) -> dict[str, Any]:
    from mirrorlib.networks.training import train_nonconvex

    start = _lasso_fit(panel.X, panel.y, panel.depth, beta)
    epochs = panel.full_epochs if full else panel.epochs
    initial = _initial_network(panel)
    report = train_nonconvex(
        list(panel.X), list(panel.y), "relu", panel.depth, beta, n_units=panel.units, n_starts=1, seed=seed,
        method="adam", max_iter=epochs, learning_rate=5e-3, initial_network=initial,
    )
    result = report.best
    trees = _trees(panel.X)
    scale = float(max(panel.X) - min(panel.X))
    kinks = significant_kinks(result.network)
    inside = [b for b in kinks if min(panel.X) - scale <= b <= max(panel.X) + scale]
    return {
        "kind": "adam",
        "depth": panel.depth,
        "label": panel.label,
        "X": list(panel.X),
        "y": list(panel.y),
        "beta": format_rational(beta),
        "units": panel.units,
        "epochs": epochs,
        "seed": seed,
        "init": panel.init,
        "initial_breakpoints": [] if initial is None else [explain_exact(b, trees) for b in initial.breakpoints(exact=True)],
        "objective": result.objective,
        "lasso_objective": float(start.objective_),
        "breakpoints": [explain_float(b, trees, scale) for b in inside],
        "kinks_total": len(result.network.breakpoints()),
        "_network": result.network,
        "_features": [],
    }


def _initial_network(panel: Panel) -> Any:
    """The network Adam starts from (its other units are random), or None for a random start."""
    from mirrorlib.libraries import library
    from mirrorlib.numbers.linalg import least_squares
    from mirrorlib.networks.lasso_map import from_lasso

    if panel.init == "random":
        return None
    if panel.init == "feature":
        signs, first, anchors = panel.init_feature  # type: ignore[misc]
        lib = library(list(panel.X), "relu", panel.depth)
        index = next(i for i, f in enumerate(lib.features)
                     if f.signs == signs and str(f.first_breakpoint) == first and f.anchors == anchors)
        column = lib.matrix(exact=True)[:, index]
        xi, weight = least_squares([[Fraction(1), v] for v in column], [Fraction(v) for v in panel.y])
        z = [Fraction(0)] * lib.n_features
        z[index] = weight
        return from_lasso(lib, z, xi)
    model = _lasso_fit(panel.X, panel.y, panel.depth, None)
    optima = _optima(panel.X, panel.y, panel.depth)
    trees = _trees(panel.X)

    def preference(z: tuple[Fraction, ...]) -> tuple[int, int]:
        kinks = model.network_of(z, optima.intercept(z)).breakpoints(exact=True)
        reflected = any(explain_exact(b, trees)["nesting"] for b in kinks)
        return (sum(1 for v in z if v), 0 if reflected else 1)

    z = min(optima.vertices, key=preference)
    return model.network_of(z, optima.intercept(z))


def figure_record(name: str, *, full: bool = False, seed: int = 0, progress: Any = None) -> dict[str, Any]:
    """Every fit of figure ``name`` with its breakpoints explained (private keys ``_…`` hold the
    networks for plotting and are not written to JSON).

    Parameters
    ----------
    name : str
        A key of :data:`FIGURES` (``"opt"``, ``"zshape"``, ``"bounce"``, ``"fig2"``).
    full : bool
        Run Adam for the paper's number of epochs instead of the short default.
    seed : int
        Seed of the Adam runs.
    progress : callable, optional
        Called with one line per finished fit.

    Returns
    -------
    dict
        JSON-able (except the private ``_…`` keys).

    Examples
    --------
    >>> record = figure_record("bounce")
    >>> [(p["depth"], p["breakpoints"][0]["tree"]) for p in record["panels"]][:2]
    [(2, 'x1'), (3, 'x1')]
    """
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose one of {', '.join(FIGURES)} (mirrorlib paper --list)")
    spec = FIGURES[name]
    panels = []
    try:
        for index, panel in enumerate(spec.panels, start=1):
            if progress is not None:
                progress(f"{name}: fit {index}/{len(spec.panels)} ({panel.kind}, L = {panel.depth}{', ' + panel.label if panel.label else ''})")
            panels.append(_adam_record(panel, spec.beta, full, seed) if panel.kind == "adam" else _lasso_record(panel, spec.beta))
    finally:  # the fits are shared within one figure only
        _optima.cache_clear()
        _lasso_fit.cache_clear()
    return {"figure": spec.figure, "name": name, "description": spec.description, "beta": format_rational(spec.beta),
            "mode": "full" if full else "default", "tolerance": TOLERANCE, "panels": panels}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "panels": [{k: v for k, v in panel.items() if not k.startswith("_")} for panel in record["panels"]]}


def write_figure(record: dict[str, Any], directory: str | Path) -> list[Path]:
    """Write ``NAME.json``, ``NAME.png`` and ``NAME.svg`` into ``directory``; return their paths.

    Parameters
    ----------
    record : dict
        From :func:`figure_record`.
    directory : str or Path
        Created if missing.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> paths = write_figure(figure_record('bounce'), tempfile.mkdtemp())
    >>> [path.suffix for path in paths]
    ['.json', '.png', '.svg']
    """
    from mirrorlib.report.plotting import figure_panels

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    name = record["name"]
    json_path = out / f"{name}.json"
    json_path.write_text(json.dumps(_public(record), indent=2) + "\n")
    figure = figure_panels(record)
    paths = [json_path]
    for suffix in ("png", "svg"):
        path = out / f"{name}.{suffix}"
        figure.savefig(path, dpi=110)
        paths.append(path)
    return paths
