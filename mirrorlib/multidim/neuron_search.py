"""The dual constraint over *every* neuron, bounded by branch and bound on the sphere of neurons.

A group-Lasso point with centred residual ``r`` is optimal over all two-layer networks when

    ρ(r) = sup_{‖θ‖₂ = 1} |rᵀ relu(X̄θ)|   (ReLU)   or   sup_g ‖X̄ᵀ D_g r‖   (gated ReLU)

is at most β (:mod:`mirrorlib.multidim.group_lasso`). Over an exact pattern list ``ρ`` is a
maximum over patterns; for larger ``N`` or ``d`` the list is too long and a fit runs over
sampled patterns (:mod:`mirrorlib.multidim.sampling`), which says nothing about networks
outside the sample. This module bounds ``ρ`` without listing patterns, so that a sampled fit gets a
duality gap over every network of the architecture.

**Method.** Every direction ``θ ∈ ℝ^{d+1}`` is a positive multiple of a point of the cube's surface
``‖θ‖_∞ = 1``, so the search space is ``2(d + 1)`` faces, each a box in ``d`` free coordinates.
On a box with centre ``c`` and half-widths ``h`` each pre-activation ``zᵢ = x̄ᵢᵀθ`` lies in
``[x̄ᵢᵀc − |x̄ᵢ|ᵀh, x̄ᵢᵀc + |x̄ᵢ|ᵀh]``, so each data point is *on*, *off* or *uncertain*. The box's
upper bound is the smallest of:

* a linear relaxation (ReLU): on points contribute ``rᵢzᵢ``; uncertain points with ``rᵢ > 0`` the
  chord of ``relu`` over their interval, with ``rᵢ < 0`` a linear minorant. This gives
  ``rᵀrelu(X̄θ) ≤ gᵀθ + κ`` on the box, bounded both by its maximum over the box divided by the
  smallest ``‖θ‖`` and by ``‖g‖·cos(max(0, ∠(g, c) − ∠-radius of the box)) + κ/min‖θ‖``;
* when at most :data:`ENUMERATED_UNCERTAIN` points are uncertain, the box's patterns are among
  the ``2^m`` completions ``D``, and the value of each is exact: ``‖Π_{K_D}(±X̄ᵀD r)‖`` for ReLU
  (a non-negative least-squares problem, cached per pattern; it is attained by the neuron
  ``Π_{K_D}(±X̄ᵀDr)``, so such a box is *closed*), ``‖X̄ᵀDr‖`` for gated ReLU.

Boxes are split (best bound first, along the coordinate that moves the pre-activations most)
until every remaining bound is within ``rtol`` of the best value attained, or below a ``floor``
the caller does not need resolved (β, for a certificate), or the box budget is spent. The final
``upper`` is the largest bound of any leaf box, so ``ρ ≤ upper`` holds whether or not the search
converged; ``lower`` is attained by the returned neuron.

**Arithmetic.** float64; interval radii are widened by ``1e-12`` of the pre-activations' scale and
bounds by a relative ``1e-10`` against rounding. For general-position data every box small enough
has at most ``d`` uncertain points, so the search ends with ``upper = lower`` for ``d ≤``
:data:`ENUMERATED_UNCERTAIN`; its cost grows exponentially with ``d``.

Examples
--------
>>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
>>> r = np.array([-0.5, 0.5, 0.5, -0.5, 0.0])
>>> search = neuron_supremum(X, r, "relu")
>>> search.converged, round(search.lower, 6), round(search.upper, 6)
(True, 0.353553, 0.353553)

The same supremum over the exact list of all 20 patterns:

>>> from mirrorlib.multidim.group_lasso import dual_constraint_values
>>> from mirrorlib.multidim.patterns import activation_patterns
>>> round(float(dual_constraint_values(X, activation_patterns(X).matrix(), r, "relu").max()), 6)
0.353553
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.multidim.group_lasso import ACTIVATIONS, GroupLassoFit, PatternCertificate, _project_to_cone, check_magnitude, checked_problem, residual_certificate, working_set_fit
from mirrorlib.multidim.network import augment
from mirrorlib.multidim.patterns import integer_direction, patterns_of
from mirrorlib.progress import LOGGER

__all__ = [
    "DEFAULT_MAX_BOXES",
    "ENUMERATED_UNCERTAIN",
    "MAX_FIT_DIMENSION",
    "NeuronSearchOracle",
    "NeuronSupremum",
    "SEARCH_ARITHMETIC",
    "every_neuron_certificate",
    "fit_with_neuron_search",
    "neuron_supremum",
    "search_scope",
]

MAX_FIT_DIMENSION = 5
"""Largest ``d`` :func:`fit_with_neuron_search` accepts: a fit runs one search per round, and the
search's cost grows exponentially with ``d`` (random residuals: converged at d = 5, N = 200 in
about 3 s; not within :data:`DEFAULT_MAX_BOXES` at d = 8)."""

DEFAULT_MAX_BOXES = 400_000
"""Boxes :func:`neuron_supremum` evaluates before it stops unconverged (its bound stays valid)."""

ENUMERATED_UNCERTAIN = 4
"""A box with at most this many uncertain data points is bounded by the exact values of its
``2^m`` candidate patterns."""

MAX_BATCH = 2048
"""Boxes split per step (fewer when ``N`` is large): the split is best-first in steps of this size."""

STUCK_WIDTH = 1e-6
STUCK_UNCERTAIN = 12
"""Boxes narrower than ``STUCK_WIDTH`` are enumerated with up to ``STUCK_UNCERTAIN`` uncertain
points: only degenerate data (many hyperplanes through one direction) keep that many there."""

_WIDEN = 1e-12
_SLACK = 1e-10


@dataclass(frozen=True)
class NeuronSupremum:
    """Bounds on ``ρ(r)``, the dual constraint's supremum over every neuron.

    Attributes
    ----------
    lower : float
        A value attained by :attr:`neuron` (so ``ρ ≥ lower``).
    upper : float
        ``ρ ≤ upper``: the largest bound over the leaf boxes.
    neuron : ndarray (d + 1,)
        Attains ``lower``: ReLU, a unit ``θ = (w, b)`` with ``sign·rᵀrelu(X̄θ) = lower``; gated,
        a gate ``g`` (any positive scale) with ``‖X̄ᵀD_g r‖ = lower``.
    sign : int
        ``±1``: the output sign of the ReLU neuron (``+1`` for gated).
    boxes : int
        Boxes evaluated.
    converged : bool
        ``upper ≤ (1 + rtol)·max(lower, floor)``.
    violators : ndarray (k, d + 1)
        Unit neurons (ReLU) or gates (gated) whose pattern's value, attained, exceeds ``floor``:
        the best ``keep`` of those the search evaluated exactly, best first.

    Examples
    --------
    >>> s = neuron_supremum([[0.0], [1.0], [2.0]], [1.0, -2.0, 1.0], "relu")
    >>> s.converged, s.sign, round(s.lower, 6) == round(s.upper, 6)
    (True, 1, True)
    """

    lower: float
    upper: float
    neuron: np.ndarray
    sign: int
    boxes: int
    converged: bool
    violators: np.ndarray


@dataclass
class _Boxes:
    """Boxes on the cube's faces: centres ``c`` (with ``|c_k| = 1`` on the face's coordinate),
    half-widths ``h`` (``h_k = 0``), ReLU output signs and bounds."""

    centers: np.ndarray
    halfs: np.ndarray
    signs: np.ndarray
    uppers: np.ndarray

    def take(self, index: np.ndarray) -> "_Boxes":
        return _Boxes(self.centers[index], self.halfs[index], self.signs[index], self.uppers[index])

    @staticmethod
    def join(parts: list["_Boxes"]) -> "_Boxes":
        return _Boxes(*(np.concatenate([getattr(p, name) for p in parts]) for name in ("centers", "halfs", "signs", "uppers")))


def _faces(q: int, activation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``2q`` faces of ``[−1, 1]^q`` (twice for ReLU: one per output sign): centres,
    half-widths and signs, as :func:`_split` returns children."""
    centers = np.concatenate([np.eye(q), -np.eye(q)])
    halfs = 1.0 - np.abs(centers)
    if activation == "gated":
        return centers, halfs, np.ones(2 * q)
    return np.concatenate([centers, centers]), np.concatenate([halfs, halfs]), np.repeat([1.0, -1.0], 2 * q)


def _split(boxes: _Boxes, column_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Halve every box along the coordinate that moves the pre-activations most: children's
    centres, half-widths and signs (each parent's two children are adjacent)."""
    axis = np.argmax(boxes.halfs * column_scale, axis=1)
    rows = np.arange(len(axis))
    halfs = boxes.halfs.copy()
    halfs[rows, axis] /= 2
    low, high = boxes.centers.copy(), boxes.centers.copy()
    low[rows, axis] -= halfs[rows, axis]
    high[rows, axis] += halfs[rows, axis]
    return np.concatenate([low, high]), np.concatenate([halfs, halfs]), np.concatenate([boxes.signs, boxes.signs])


def _norm_range(centers: np.ndarray, halfs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and largest ``‖θ‖`` over each box."""
    smallest = np.linalg.norm(np.maximum(np.abs(centers) - halfs, 0.0), axis=1)
    return smallest, np.linalg.norm(np.abs(centers) + halfs, axis=1)


def _angular_radius(centers: np.ndarray, halfs: np.ndarray, smallest: np.ndarray) -> np.ndarray:
    """An upper bound of the angle between ``c`` and any ``θ`` of its box (π when unknown)."""
    acute = np.sum(centers * centers, axis=1) > np.sum(np.abs(centers) * halfs, axis=1)
    sine = np.linalg.norm(halfs, axis=1) / smallest
    return np.where(acute & (sine < 1), np.arcsin(np.minimum(sine, 1.0)), np.pi)


class _PatternValues:
    """Exact dual values of patterns, cached, each with a unit neuron and whether the value is
    attained: ``‖Π_{K_D}(s·X̄ᵀD r)‖`` per sign ``s`` for ReLU, attained by the projection (it lies
    in ``K_D``, where ``relu(X̄u) = D X̄u``); ``‖X̄ᵀD r‖`` for gated ReLU, attained when a gate with
    the pattern ``D`` is found (a linear program proposes one, :func:`patterns_of` confirms it
    exactly). A gated pattern without a confirmed gate still counts in upper bounds."""

    def __init__(self, X: np.ndarray, Xbar: np.ndarray, r: np.ndarray, activation: str) -> None:
        self.X, self.Xbar, self.weighted, self.activation = X, Xbar, Xbar * r[:, None], activation
        self.cache: dict[tuple[bytes, float], tuple[float, np.ndarray, bool]] = {}

    def __call__(self, mask: np.ndarray, sign: float) -> tuple[float, np.ndarray, bool]:
        key = (np.packbits(mask).tobytes(), sign)
        if key not in self.cache:
            correlation = sign * (mask.astype(np.float64) @ self.weighted)
            if self.activation == "gated":
                gate = self._gate(mask)
                if gate is None:  # no gate has this pattern
                    self.cache[key] = (-np.inf, correlation, False)
                else:
                    self.cache[key] = (float(np.linalg.norm(correlation)), gate, not np.isnan(gate[0]))
            else:
                projected = _project_to_cone(self.Xbar, mask, correlation)
                norm = float(np.linalg.norm(projected))
                self.cache[key] = (norm, projected / norm if norm > 0 else projected, True)
        return self.cache[key]

    def violators(self, floor: float, count: int) -> np.ndarray:
        """The unit neurons of the ``count`` largest attained values above ``floor``."""
        found = sorted(((value, tuple(neuron)) for value, neuron, attained in self.cache.values() if attained and value > floor), reverse=True)
        neurons = [np.array(neuron) for _, neuron in found[:count]]
        return np.array(neurons).reshape(len(neurons), self.Xbar.shape[1])

    def _gate(self, mask: np.ndarray) -> np.ndarray | None:
        """A gate ``g`` with ``1[X̄g ≥ 0] = D`` exactly (as the float it is returned as), ``None``
        when no gate has the pattern, ``nan``s when no float gate reproduces it. A float linear
        program (the largest margin ``t`` on every point, ``|g| ≤ 1``) proposes a gate and
        :func:`patterns_of` confirms it; failing that, pycddlib decides exactly (the
        ``groundtruth`` extra; without it the pattern stays undecided)."""
        from scipy.optimize import linprog

        q = self.Xbar.shape[1]
        rows = np.where(mask[:, None], -self.Xbar, self.Xbar)
        bounds = [(-1.0, 1.0)] * q + [(None, 1.0)]
        result = linprog(np.r_[np.zeros(q), -1.0], A_ub=np.hstack([rows, np.ones((len(mask), 1))]), b_ub=np.zeros(len(mask)), bounds=bounds, method="highs")
        if result.status == 0 and result.x[q] > 0:
            gate = _confirmed(self.X, result.x[:q] / np.linalg.norm(result.x[:q]), mask)
            if gate is not None:
                return gate
        return _exact_gate(self.X, self.Xbar, mask)


def _confirmed(X: np.ndarray, gate: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """``gate`` if its exact pattern is ``mask``."""
    return gate if np.array_equal(patterns_of(X, gate[None, :])[0], mask) else None


def _exact_gate(X: np.ndarray, Xbar: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """Exactly: a gate with pattern ``mask`` (maximise the margin ``t`` of the off points with
    ``x̄ᵢᵀg ≥ 0`` on the on points, ``t ≤ 1``: a gate exists iff ``t* > 0``), as its primitive
    integer vector scaled by a power of two (exact in float64 when the integers are below 2^53);
    ``None`` if there is none; ``nan``s when pycddlib is missing or the float gate loses the
    pattern."""
    undecided = np.full(Xbar.shape[1], np.nan)
    try:
        from mirrorlib.groundtruth._cdd import maximise
    except ImportError:  # pragma: no cover - exercised only without pycddlib
        return undecided
    q = Xbar.shape[1]
    exact = [[Fraction(float(v)) for v in row] for row in Xbar]
    forms = [(0, *row, 0) if on else (0, *(-v for v in row), -1) for row, on in zip(exact, mask)]
    forms.append((1, *([0] * q), -1))
    result = maximise((0, *([0] * q), 1), forms, q + 1)
    if result.status != "optimal" or result.value is None or result.value <= 0:
        return None
    assert result.point is not None
    if not any(result.point[:q]):
        return np.eye(q)[-1]  # g = 0 has every point on, as has the bias direction
    integers = integer_direction(result.point[:q])  # exact in float64 below 2^53
    shift = max(abs(v) for v in integers).bit_length()
    gate = np.array([float(Fraction(v, 2**shift)) for v in integers])
    confirmed = _confirmed(X, gate, mask)
    return undecided if confirmed is None else confirmed


def _subsets(m: int) -> np.ndarray:
    """All ``2^m`` subsets of ``m`` items as a boolean ``(2^m, m)`` array."""
    return ((np.arange(2**m)[:, None] >> np.arange(m)) & 1).astype(bool)


@dataclass(frozen=True)
class _Evaluation:
    uppers: np.ndarray
    values: np.ndarray
    neurons: np.ndarray
    closed: np.ndarray


def _evaluate(Xbar: np.ndarray, r: np.ndarray, activation: str, centers: np.ndarray, halfs: np.ndarray, signs: np.ndarray, patterns: _PatternValues, beat: float) -> _Evaluation:
    """Each box's upper bound, the best value attained in it and by which unit neuron, and whether
    its bound is exact (closed). Boxes bounded below ``beat`` by the cheap bounds skip the exact
    pattern values."""
    absolute = np.abs(Xbar)
    Z = centers @ Xbar.T
    W = halfs @ absolute.T
    W += _WIDEN * (np.abs(centers) @ absolute.T + W)
    lo, hi = Z - W, Z + W
    smallest, largest = _norm_range(centers, halfs)
    weighted = signs[:, None] * r[None, :]
    on = lo >= 0
    if activation == "relu":
        uncertain = ~on & (hi > 0)
        uppers, values, neurons = _relu_bounds(Xbar, weighted, lo, hi, on, uncertain, centers, halfs, smallest, largest)
    else:
        uncertain = ~on & (hi >= 0)
        uppers, values, neurons = _gated_bounds(Xbar, r, Z, on, uncertain, centers)
    uppers = uppers + _SLACK * np.sum(np.abs(weighted) * (np.abs(Z) + W), axis=1) / smallest
    closed = np.zeros(len(uppers), dtype=bool)
    counts = uncertain.sum(axis=1)
    tiny = np.max(halfs, axis=1) < STUCK_WIDTH
    enumerate_ = (counts <= ENUMERATED_UNCERTAIN) | (tiny & (counts <= STUCK_UNCERTAIN))
    for box in np.flatnonzero(enumerate_ & (uppers > beat)):
        upper, value, neuron = _best_completion(patterns, on[box], np.flatnonzero(uncertain[box]), signs[box], beat)
        uppers[box] = min(uppers[box], upper * (1 + _SLACK))
        closed[box] = value == upper  # the box's best completion is attained
        if value > values[box] and neuron is not None and np.any(neuron):
            values[box], neurons[box] = value, neuron
    return _Evaluation(uppers, values, neurons, closed)


def _best_completion(patterns: _PatternValues, on: np.ndarray, where: np.ndarray, sign: float, beat: float) -> tuple[float, float, np.ndarray | None]:
    """Over the completions ``on ∪ S`` (``S`` ⊆ the uncertain points ``where``) of a box: an upper
    bound of their values, the best attained value and its neuron. Completions are visited in
    decreasing ``‖X̄ᵀD r‖`` (a bound of each value), stopping once that bound cannot beat the best
    attained value, or falls to ``beat`` (the box then closes below the level it needs)."""
    subsets = _subsets(len(where))
    sums = sign * (on.astype(np.float64) @ patterns.weighted + subsets.astype(np.float64) @ patterns.weighted[where])
    norms = np.linalg.norm(sums, axis=1)
    upper, value, neuron = -np.inf, -np.inf, None
    for index in np.argsort(-norms):
        if norms[index] <= value or norms[index] <= beat:
            return max(upper, float(norms[index])), value, neuron  # every completion left is bounded by this norm
        mask = on.copy()
        mask[where[subsets[index]]] = True
        found, direction, attained = patterns(mask, sign)
        upper = max(upper, found)
        if attained and found > value:
            value, neuron = found, direction
    return upper, value, neuron


def _relu_bounds(
    Xbar: np.ndarray, weighted: np.ndarray, lo: np.ndarray, hi: np.ndarray, on: np.ndarray, uncertain: np.ndarray,
    centers: np.ndarray, halfs: np.ndarray, smallest: np.ndarray, largest: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds of ``s·rᵀrelu(X̄θ)/‖θ‖`` over each box from the linear relaxation, and the value at
    the better of the centre and the box point nearest the relaxation's gradient."""
    chord = np.divide(hi, hi - lo, out=np.zeros_like(hi), where=uncertain)
    rising = uncertain & (weighted > 0)
    coefficients = np.where(on, weighted, 0.0) + np.where(rising, weighted * chord, 0.0)
    coefficients += np.where(uncertain & (weighted < 0) & (hi >= -lo), weighted, 0.0)
    constant = np.sum(np.where(rising, -weighted * chord * lo, 0.0), axis=1)
    g = coefficients @ Xbar
    linear = np.sum(g * centers, axis=1) + np.sum(np.abs(g) * halfs, axis=1) + constant
    by_box = np.where(linear > 0, linear / smallest, linear / largest)
    g_norm = np.linalg.norm(g, axis=1)
    c_norm = np.linalg.norm(centers, axis=1)
    cosine = np.divide(np.sum(g * centers, axis=1), g_norm * c_norm, out=np.zeros_like(g_norm), where=g_norm > 0)
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    by_angle = g_norm * np.cos(np.maximum(0.0, angle - _angular_radius(centers, halfs, smallest))) + constant / smallest
    face = np.argmin(halfs, axis=1)
    rows = np.arange(len(face))
    toward = g[rows, face] * centers[rows, face] > 0
    scale = np.divide(centers[rows, face], g[rows, face], out=np.zeros_like(g_norm), where=toward)
    nearest = np.where(toward[:, None], np.clip(g * scale[:, None], centers - halfs, centers + halfs), centers)
    candidates = [centers, nearest]
    values = [np.sum(weighted * np.maximum(p @ Xbar.T, 0.0), axis=1) / np.linalg.norm(p, axis=1) for p in candidates]
    better = values[1] > values[0]
    return np.minimum(by_box, by_angle), np.maximum(values[0], values[1]), np.where(better[:, None], nearest, centers) / np.where(better, np.linalg.norm(nearest, axis=1), c_norm)[:, None]


def _gated_bounds(Xbar: np.ndarray, r: np.ndarray, Z: np.ndarray, on: np.ndarray, uncertain: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds of ``‖X̄ᵀD_g r‖`` over the gates ``g`` of each box (each coordinate of the
    correlation ranges over an interval), and the value at the centre's gate."""
    contributions = Xbar * r[:, None]
    base = on.astype(np.float64) @ contributions
    loose = np.linalg.norm(base, axis=1) + uncertain.astype(np.float64) @ np.linalg.norm(contributions, axis=1)
    high = base + uncertain.astype(np.float64) @ np.maximum(contributions, 0.0)
    low = base + uncertain.astype(np.float64) @ np.minimum(contributions, 0.0)
    coordinatewise = np.linalg.norm(np.maximum(np.abs(high), np.abs(low)), axis=1)
    values = np.linalg.norm((Z >= 0).astype(np.float64) @ contributions, axis=1)
    return np.minimum(loose, coordinatewise), values, centers.copy()


def _merge_duplicates(Xbar: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repeated data points always share their sign, so they enter as one point with the sum of
    their residuals (their completions would otherwise include impossible patterns)."""
    rows, inverse = np.unique(Xbar, axis=0, return_inverse=True)
    return rows, np.bincount(inverse.reshape(-1), weights=r, minlength=len(rows))


def neuron_supremum(
    X: Any,
    r: Any,
    activation: str = "relu",
    *,
    rtol: float = 1e-9,
    floor: float = 0.0,
    max_boxes: int = DEFAULT_MAX_BOXES,
    keep: int = 0,
) -> NeuronSupremum:
    """Bound ``ρ(r)``, the dual constraint's supremum over every neuron, by branch and bound.

    Parameters
    ----------
    X : array-like (N, d)
    r : array-like (N,)
        The (centred) residual.
    activation : ``"relu"`` or ``"gated"``
    rtol : float
        Stop when ``upper ≤ (1 + rtol)·max(lower, floor)``.
    floor : float
        Bounds at or below ``floor`` are not refined (pass β to decide ``ρ ≤ β``).
    max_boxes : int
        Evaluation budget; when it is spent the result has ``converged = False`` and a valid
        but wider ``upper``.
    keep : int
        How many violating neurons to return (:attr:`NeuronSupremum.violators`).

    Returns
    -------
    NeuronSupremum

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> s = neuron_supremum(X, [1.0, -1.0, -1.0, 1.0], "gated")
    >>> s.converged, round(s.upper, 6)
    (True, 3.162278)
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    Xbar = augment(np.asarray(X, dtype=np.float64).reshape(len(X), -1))
    r = np.asarray(r, dtype=np.float64).reshape(-1)
    if r.size != Xbar.shape[0] or not (np.all(np.isfinite(Xbar)) and np.all(np.isfinite(r))):
        raise ValueError(f"r must be {Xbar.shape[0]} finite residuals (one per row of X), got shape {r.shape}")
    check_magnitude(Xbar, "X")
    check_magnitude(r, "r")
    if not (0 <= rtol < 1 and 1 <= max_boxes and np.isfinite(floor)):
        raise ValueError(f"need 0 ≤ rtol < 1, max_boxes ≥ 1 and a finite floor, got rtol={rtol}, max_boxes={max_boxes}, floor={floor}")
    Xbar, r = _merge_duplicates(Xbar, r)
    patterns = _PatternValues(Xbar[:, :-1], Xbar, r, activation)
    column_scale = np.max(np.abs(Xbar), axis=0) + 1e-300
    batch = max(8, min(MAX_BATCH, 2**20 // (2 * Xbar.shape[0])))
    q = Xbar.shape[1]
    alive = _Boxes(np.zeros((0, q)), np.zeros((0, q)), np.zeros(0), np.zeros(0))
    centers, halfs, signs = _faces(q, activation)
    lower, neuron, sign, closed_bound = -np.inf, np.zeros(q), 1.0, -np.inf
    boxes, steps = 0, 0
    while True:
        result = _evaluate(Xbar, r, activation, centers, halfs, signs, patterns, max(lower, floor))
        boxes += len(signs)
        top = int(np.argmax(result.values))
        if result.values[top] > lower:
            lower, neuron, sign = float(result.values[top]), result.neurons[top], float(signs[top])
        closed_bound = max(closed_bound, float(np.max(result.uppers[result.closed], initial=-np.inf)))
        still_open = ~result.closed
        alive = _Boxes.join([alive, _Boxes(centers[still_open], halfs[still_open], signs[still_open], result.uppers[still_open])])
        level = max(lower, floor)
        finished = alive.uppers <= level
        closed_bound = max(closed_bound, float(np.max(alive.uppers[finished], initial=-np.inf)))
        alive = alive.take(np.flatnonzero(~finished))
        bound = max(closed_bound, float(np.max(alive.uppers, initial=-np.inf)), lower)
        if bound <= (1 + rtol) * level or boxes >= max_boxes:
            break
        order = np.argsort(-alive.uppers)
        centers, halfs, signs = _split(alive.take(order[:batch]), column_scale)
        alive = alive.take(order[batch:])
        steps += 1
        if steps % 50 == 0:
            LOGGER.info("neuron search: %d boxes, %d open, ρ in [%.10g, %.10g]", boxes, len(alive.uppers), lower, bound)
    converged = bound <= (1 + rtol) * max(lower, floor)
    violators = patterns.violators(floor, keep)
    if keep and lower > floor and not any(np.allclose(neuron, v) for v in violators):
        violators = np.vstack([neuron, violators])[:keep]  # the best neuron found, when no pattern value beat it
    return NeuronSupremum(lower, max(bound, lower), neuron, int(sign), boxes, bool(converged), violators)


SEARCH_ARITHMETIC = "float64 with outward rounding margins"
"""How a certificate from the neuron search was computed, as reports state it."""


def search_scope(search: NeuronSupremum, max_boxes: int) -> str:
    """What a certificate from ``search`` covers, in words (and whether its budget ran out).

    Examples
    --------
    >>> search_scope(NeuronSupremum(0.4, 0.5, np.zeros(2), 1, 1_000, False, np.zeros((0, 2))), 1_000)
    'every neuron (branch and bound over (w, b): 1,000 boxes, ρ ≤ 0.5; budget of 1,000 boxes spent, bound not tight)'
    """
    budget = "" if search.converged else f"; budget of {max_boxes:,} boxes spent, bound not tight"
    return f"every neuron (branch and bound over (w, b): {search.boxes:,} boxes, ρ ≤ {search.upper:.10g}{budget})"


def every_neuron_certificate(fit: GroupLassoFit, *, max_boxes: int = DEFAULT_MAX_BOXES) -> tuple[PatternCertificate, NeuronSupremum]:
    """The duality gap of a group-Lasso fit over **every** neuron — every pattern, sampled or
    not — from :func:`neuron_supremum`'s upper bound of ``ρ``: ``θ = min(1, β/ρ̂)·r`` is dual
    feasible for the program over all patterns, so ``G = P − D(θ)`` bounds ``J − J*`` over all
    two-layer networks of any width.

    Parameters
    ----------
    fit : GroupLassoFit
        From :func:`~mirrorlib.multidim.group_lasso.fit_group_lasso` (exact or sampled patterns).
    max_boxes : int
        Budget of the search. An unconverged search still gives a valid, wider gap.

    Returns
    -------
    (PatternCertificate, NeuronSupremum)
        The certificate (its ``scope`` says how the bound was found) and the search.

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> from mirrorlib.multidim.sampling import sampled_patterns
    >>> X = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]]
    >>> fit = fit_group_lasso(X, [0.0, 1.0, 1.0, 0.0, 1.0], 0.05, patterns=sampled_patterns(X, 5, seed=0))
    >>> certificate, search = every_neuron_certificate(fit)
    >>> certificate.scope.startswith("every neuron"), search.converged
    (True, True)
    """
    oracle = NeuronSearchOracle(fit.X, fit.activation, fit.beta, rtol=fit.certificate.tol, max_boxes=max_boxes)
    residual = fit.residual()
    certificate = residual_certificate(oracle, fit.objective, fit.y, residual - residual.mean(), fit.beta, fit.certificate.tol)
    assert oracle.search is not None
    return certificate, oracle.search


class NeuronSearchOracle:
    """:func:`neuron_supremum` as the oracle of
    :func:`~mirrorlib.multidim.group_lasso.working_set_fit`: an upper bound of ``ρ`` over every
    neuron and the exact patterns of the violating neurons it found (each neuron, read as a
    rational, is its pattern's witness).

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> oracle = NeuronSearchOracle(X, "relu", 0.1, rtol=1e-6, max_boxes=10_000)
    >>> sup, masks, gates = oracle(np.array([-1.0, 1.0, 1.0, -1.0]), np.zeros((0, 4), dtype=bool), 4)
    >>> sup > 0.1, len(masks) > 0, oracle.scope.startswith("every neuron")
    (True, True, True)
    """

    def __init__(self, X: np.ndarray, activation: str, beta: float, *, rtol: float, max_boxes: int) -> None:
        self.X, self.activation, self.beta, self.rtol, self.max_boxes = X, activation, beta, rtol, max_boxes
        self.scope, self.arithmetic = "every neuron (no search run yet)", SEARCH_ARITHMETIC
        self.search: NeuronSupremum | None = None

    def __call__(self, centred: np.ndarray, working: np.ndarray, count: int) -> tuple[float, np.ndarray, np.ndarray]:
        search = neuron_supremum(self.X, centred, self.activation, floor=self.beta, rtol=self.rtol, max_boxes=self.max_boxes, keep=count)
        self.search = search
        self.scope = search_scope(search, self.max_boxes)
        masks = patterns_of(self.X, search.violators)
        seen, fresh = {mask.tobytes() for mask in working}, []
        for i, mask in enumerate(masks):
            if mask.tobytes() not in seen:
                seen.add(mask.tobytes())
                fresh.append(i)
        gates = np.array([[Fraction(float(v)) for v in search.violators[i]] for i in fresh], dtype=object).reshape(len(fresh), self.X.shape[1] + 1)
        return search.upper, masks[fresh], gates


def fit_with_neuron_search(
    X: Any,
    y: Any,
    beta: float,
    *,
    activation: str = "relu",
    tol: float = 1e-6,
    max_rounds: int = 200,
    max_boxes: int = DEFAULT_MAX_BOXES,
) -> GroupLassoFit:
    """Solve the two-layer group Lasso without any pattern list: working sets of patterns, where
    each round :func:`neuron_supremum` bounds the dual constraint over every neuron and supplies
    the violating patterns it found. The certificate therefore covers every two-layer network of
    the architecture, of any width, and no enumeration is needed (larger ``N`` in low ``d``).

    Parameters
    ----------
    X : array-like (N, d)
    y : array-like (N,)
    beta : float
        β > 0.
    activation : ``"relu"`` or ``"gated"``
    tol : float
        Relative duality gap over every neuron at which the fit is called optimal.
    max_rounds : int
        Working-set rounds before giving up (the certificate then says NOT OPTIMAL with its gap).
    max_boxes : int
        Budget of each search; an unconverged search keeps a valid, wider bound.

    Returns
    -------
    GroupLassoFit
        Its ``certificate`` covers every neuron (scope ``"every neuron (…)"``).

    Examples
    --------
    >>> X = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], [2, 3]]
    >>> fit = fit_with_neuron_search(X, [0.0, 1.0, 1.0, 0.0, 1.0, 2.0], 0.05)
    >>> fit.certificate.is_optimal, fit.certificate.scope.startswith("every neuron")
    (True, True)
    """
    X, y = checked_problem(X, y, beta, activation)
    if X.shape[1] > MAX_FIT_DIMENSION:
        raise ValueError(
            f"X has d = {X.shape[1]} features; a fit by the neuron search is limited to d ≤ {MAX_FIT_DIMENSION} (its cost grows "
            "exponentially with d): use sampled patterns (patterns='sampled', or --sample K on the command line), whose verdict still "
            "bounds what the sample misses"
        )
    if not (1 <= max_rounds <= 10_000 and 1 <= max_boxes and 0 < tol < 1):
        raise ValueError(f"need 1 ≤ max_rounds ≤ 10,000, max_boxes ≥ 1 and 0 < tol < 1, got max_rounds={max_rounds}, max_boxes={max_boxes}, tol={tol}")
    oracle = NeuronSearchOracle(X, activation, beta, rtol=tol, max_boxes=max_boxes)
    return working_set_fit(X, y, beta, activation, oracle, tol=tol, max_rounds=max_rounds)
