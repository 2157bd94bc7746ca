"""Float64 cross-check of the exact ground truth: ``sup_θ |λᵀu(X; θ)|`` by grid + local refinement.

Independent of the cell enumeration (theory §3, "numeric" check): for every weight pattern the
bias parameters θ are scanned on a regular grid over a box that contains every cell vertex;
the best grid points of each pattern are refined by a vectorised zoom (a small local grid around
the incumbent, shrunk round by round, which follows ridges of the piecewise-linear objective
better than a simplex), and the overall best by Nelder–Mead with restarts. The result is a
lower bound on the true supremum up to float rounding, and approaches it as the grid is refined.

The box. At a vertex of a cell no neuron can have all its pre-activations of one strict sign
(otherwise its bias could be moved, compensated by the next layer's bias, or freely for a dead
ReLU, without leaving the cell). Hence ``|b_l| ≤ r_l H_{l−1}`` and ``H_l ≤ K(r_l H_{l−1} + |b_l|)``
with ``H_0 = max|x_j|``, ``r_l`` the largest absolute row sum of ``W_l`` and ``K = max(|a|, |b|)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.optimize import minimize

from mirrorlib.functions.activations import Activation
from mirrorlib.libraries.narrow_columns import apply_homogeneous
from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import to_rational_vector
from mirrorlib.groundtruth.architectures import Architecture, LayeredUnit, make_architecture
from mirrorlib.groundtruth.library import resolve_activation, resolve_patterns

__all__ = ["NumericSup", "numeric_sup", "parameter_box"]

Objective = Callable[[np.ndarray], np.ndarray]

_DEFAULT_GRID = {1: 4001, 2: 241, 3: 41, 4: 17}


@dataclass(frozen=True)
class NumericSup:
    """Best value found, ``|λᵀu(X)|`` at weight pattern ``pattern`` and biases θ = ``parameters``.

    Examples
    --------
    >>> estimate = numeric_sup([0, 1, 3], 'relu', 2, [1, -2, 1], rng=0)
    >>> round(estimate.value, 6), estimate.pattern
    (2.0, (Fraction(1, 1),))
    """

    value: float
    pattern: tuple[Fraction, ...]
    parameters: tuple[float, ...]
    unit: LayeredUnit


def parameter_box(architecture: Architecture, pattern: Sequence[Fraction], x: Sequence[Fraction], slopes: tuple[Fraction, Fraction]) -> tuple[Fraction, ...]:
    """Half-widths ``R_i`` with every cell vertex θ in ``∏[−R_i, R_i]`` (module docstring).

    Examples
    --------
    >>> from mirrorlib.groundtruth.architectures import make_architecture
    >>> parameter_box(make_architecture('narrow', 2), (Fraction(1),), (Fraction(0), Fraction(3)), (Fraction(0), Fraction(1)))
    (Fraction(3, 1),)
    """
    lipschitz = max(abs(slopes[0]), abs(slopes[1]))
    bound = max((abs(value) for value in x), default=Fraction(0))
    half_widths = [Fraction(0)] * architecture.n_parameters
    for matrix, bias_slots in zip(architecture.weights(pattern), architecture.bias_slots):
        row_sum = max(sum(abs(w) for w in row) for row in matrix)
        bias_bound = row_sum * bound
        for index, _ in bias_slots:
            half_widths[index] = max(half_widths[index], bias_bound)
        bound = lipschitz * (row_sum * bound + bias_bound)
    return tuple(max(width, Fraction(1, 10**6)) for width in half_widths)


def _forward(
    x: np.ndarray, weights: Sequence[np.ndarray], bias_slots: Sequence[Sequence[tuple[int, int]]], theta: np.ndarray, slopes: tuple[float, float]
) -> np.ndarray:
    """``u(X; θ)`` for a batch θ of shape (P, d): returns (P, n), float64."""
    hidden = [np.broadcast_to(x, (theta.shape[0], x.size))]
    for matrix, slots in zip(weights, bias_slots):
        layer = []
        for row, (index, factor) in zip(matrix, slots):
            pre = sum(weight * h for weight, h in zip(row, hidden)) + factor * theta[:, index : index + 1]
            layer.append(apply_homogeneous(pre, slopes))  # pre is a new array
        hidden = layer
    return hidden[0]


def _grid(box: Sequence[float], points_per_axis: int) -> tuple[np.ndarray, float]:
    axes = [np.linspace(-width, width, points_per_axis) for width in box]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(box))
    spacing = max(2 * width / (points_per_axis - 1) for width in box)
    return mesh, spacing


def numeric_sup(
    X: Iterable[object] | str | Dataset,
    activation: Activation | str,
    depth: int,
    lam: Iterable[object] | str,
    *,
    architecture: str = "narrow",
    signs: Iterable[object] | None = None,
    wide_layer: int = 1,
    grid: int | None = None,
    refine: int = 8,
    rng: np.random.Generator | int | None = None,
    chunk: int = 50_000,
) -> NumericSup:
    """Float64 estimate of ``sup |λᵀu(X)|`` over all biases and weight patterns (a lower bound).

    ``lam`` is in sorted data order and must satisfy ``1ᵀλ = 0`` exactly (as for the exact
    checks). ``grid`` is the number of points per bias axis (default by dimension: 4001, 241,
    41, 17, …); the ``refine`` best grid points of each pattern are zoomed into, and the best
    result is polished by Nelder–Mead from simplices jittered by ``rng`` (a Generator or seed;
    default seed 0, so the result is reproducible).

    Parameters
    ----------
    X : sequence of rationals, str or Dataset
        The data.
    activation : str or Activation
        σ.
    depth : int
        ``L ≥ 2``.
    lam : sequence of rationals or str
        λ in sorted data order, ``1ᵀλ = 0``.
    architecture : str
        ``"narrow"``, ``"width2"`` or ``"symmetrised"`` (:func:`~mirrorlib.groundtruth.architectures.make_architecture`).
    signs : sequence, optional
        One weight pattern instead of all of them.
    wide_layer : int
        The layer of width 2 (``"width2"``).
    grid : int, optional
        Grid points per bias axis.
    refine : int
        Grid points per pattern that are zoomed into.
    rng : Generator, int or None
        Randomness of the polish.
    chunk : int
        Grid points evaluated per block (memory).

    Returns
    -------
    NumericSup
        A lower bound of the exact supremum, with the best unit found.

    Examples
    --------
    >>> estimate = numeric_sup([0, 1, 3], 'relu', 2, [1, -2, 1], rng=0)
    >>> round(float(estimate.value), 6)
    2.0
    """
    dataset = as_dataset(X)
    spec = make_architecture(architecture, depth, wide_layer=wide_layer)
    sigma = resolve_activation(activation, architecture)
    exact_lam = to_rational_vector(lam, name="lam")
    if len(exact_lam) != dataset.n_samples:
        raise ValueError(f"lam has {len(exact_lam)} entries but X has {dataset.n_samples}")
    if sum(exact_lam) != 0:
        raise ValueError(f"lam must satisfy 1ᵀλ = 0 exactly, got 1ᵀλ = {sum(exact_lam)}")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(0 if rng is None else rng)
    points = grid if grid is not None else _DEFAULT_GRID.get(spec.n_parameters, max(5, int(3e5 ** (1 / spec.n_parameters))))
    if points < 2:
        raise ValueError(f"grid must be ≥ 2 points per axis, got {points}")
    x = np.array([float(value) for value in dataset.x])
    lam_float = np.array([float(value) for value in exact_lam])
    slopes = (float(sigma.slopes[0]), float(sigma.slopes[1]))
    patterns = resolve_patterns(signs, spec, sigma)
    best = (-1.0, 0, np.zeros(spec.n_parameters), 1.0)
    for pattern_index, pattern in enumerate(patterns):
        objective = _objective(spec, pattern, x, lam_float, slopes)
        box = [float(width) for width in parameter_box(spec, pattern, dataset.x, sigma.slopes)]
        mesh, spacing = _grid(box, points)
        values = np.concatenate([objective(mesh[start : start + chunk]) for start in range(0, len(mesh), chunk)])
        for index in np.argsort(values)[::-1][:refine]:
            theta, value = _zoom(objective, mesh[index], spacing)
            if value > best[0]:
                best = (value, pattern_index, theta, spacing)
    _, pattern_index, theta, spacing = best
    pattern = patterns[pattern_index]
    objective = _objective(spec, pattern, x, lam_float, slopes)
    theta, value = _polish(objective, theta, spacing / 16, generator)
    exact_theta = tuple(Fraction(float(t)) for t in theta)
    return NumericSup(float(value), pattern, tuple(float(t) for t in theta), spec.unit(sigma, pattern, exact_theta))


def _objective(
    spec: Architecture, pattern: Sequence[Fraction], x: np.ndarray, lam: np.ndarray, slopes: tuple[float, float]
) -> Objective:
    """``θ-batch ↦ |λᵀu(X; θ)|`` for one weight pattern (float64)."""
    weights = [np.array(matrix, dtype=np.float64) for matrix in spec.weights(pattern)]

    def objective(theta: np.ndarray) -> np.ndarray:
        return np.abs(_forward(x, weights, spec.bias_slots, np.atleast_2d(theta), slopes) @ lam)

    return objective


def _zoom(objective: Objective, start: np.ndarray, spacing: float, rounds: int = 30, points: int = 7) -> tuple[np.ndarray, float]:
    """Local grid search: evaluate a ``points^d`` grid of half-width ``h`` around the incumbent,
    move to its best point, and halve ``h`` when the incumbent stays best (start ``h = spacing``)."""
    d = start.size
    offsets = np.stack(np.meshgrid(*([np.linspace(-1.0, 1.0, points)] * d), indexing="ij"), axis=-1).reshape(-1, d)
    theta, value, half_width = start, float(objective(start)[0]), spacing
    for _ in range(rounds):
        candidates = theta + half_width * offsets
        values = objective(candidates)
        best = int(np.argmax(values))
        if values[best] > value:
            theta, value = candidates[best], float(values[best])
        else:
            half_width /= 2
    return theta, value


def _polish(
    objective: Objective, start: np.ndarray, spacing: float, generator: np.random.Generator, restarts: int = 4
) -> tuple[np.ndarray, float]:
    """Nelder–Mead on ``−objective`` from ``start``, restarted with fresh jittered simplices
    (sizes ``spacing``, ``spacing/4``, …) while it improves: NM stalls on the kinks of a PWL
    objective, and a new simplex lets it slide along the next ridge."""
    d = start.size
    best_theta, best_value = start, float(objective(start)[0])
    size = spacing
    for _ in range(restarts):
        simplex = np.vstack([best_theta, best_theta + size * (np.eye(d) + 0.3 * generator.standard_normal((d, d)))])
        result = minimize(
            lambda theta: -float(objective(theta)[0]),
            best_theta,
            method="Nelder-Mead",
            options={"initial_simplex": simplex, "xatol": 1e-13, "fatol": 1e-15, "maxiter": 300 * d},
        )
        if -result.fun <= best_value * (1 + 1e-15):
            size /= 4
            continue
        best_theta, best_value = np.asarray(result.x), float(-result.fun)
    return best_theta, best_value
