"""The exact unit oracle ``λ ↦ sup_u |λᵀu(X)|`` by direct vertex enumeration (theory §3, §6).

Setting. Data ``x_1 < … < x_n`` (distinct values), a positively homogeneous σ
(``σ(t) = a·t`` for ``t < 0``, ``b·t`` for ``t ≥ 0``), an architecture whose weights are fixed to a
pattern of signs and whose biases ``θ ∈ ℝ^d`` are free (:mod:`.architectures`). For λ with
``1ᵀλ = 0`` the map ``θ ↦ λᵀu(X; θ)`` is continuous and piecewise affine; its cells are pointed
polyhedra and it is bounded above (:mod:`.library`), so its supremum is attained at a vertex of a
cell.

Vertices as linear maps of the data. On a cell every pre-activation is affine in θ. The
pre-activation of neuron ν at data point ``x_j`` is ``p_{ν,j}(θ) = g·θ + c·x_j`` where the pair
``(g, c)`` — a *row type* — depends only on which side of its kink every upstream neuron is at
``x_j`` (a slope pattern), not on ``j``. A vertex is pinned by ``d`` independent tight rows, so it
solves ``Gθ = −C x_J`` for some choice of ``d`` row types and data points ``J``: ``θ = W x_J`` with
``W = −G⁻¹C`` taken from a finite list of *vertex maps* that depends on the architecture and σ
only. Every such θ is a genuine bias vector, so the maximum over all ``W x_J`` is the supremum:
it can only include extra points, never miss a vertex.

The last bias. The last hidden layer is one neuron with its own bias ``θ_last``; for fixed
``θ_{<last}`` the best ``θ_last`` puts the kink at a data point, and the values at all ``n`` kinks
come from one sort and two prefix sums. So rows of the last neuron are only needed when two or
more data points are tight there at once: their differences, ``h(x_j) = h(x_k)`` ("two data
points whose layer outputs meet"), pin ``θ_{<last}`` (the *meeting* rows; all of them share one
anchor point since every tight point of one neuron has the same pre-activation value).

Exactness. With ``D`` the common denominator of the data, ``q_W`` that of the maps
and ``q_σ`` that of σ's slopes, every quantity scaled by ``Q = D·q_W·q_σ^{L−1}`` is an integer;
the enumeration runs in int64 when a bound on every intermediate magnitude proves it cannot
overflow. Otherwise every candidate is first evaluated in float64 with a bound on its rounding
error, and only the candidates that may be the largest are evaluated in Python integers
(:func:`_float_shortlist`). The returned value is exact, and the maximising unit is re-evaluated
in Fractions as a self-check.

Cost. ``Σ_W n^{k_W}`` candidate points (``k_W`` data columns of map W) of ``O(n)`` each: for a deep
narrow unit ``O(n^{L−1})`` points, e.g. ``O(n²)`` for ReLU at depth 3 (``O(n³ log n)`` work for
abs). :func:`oracle_size` estimates it before any work; :func:`unit_oracle` refuses above
``max_candidates``.

References
----------
.. [1] Zeger, Wang, Mishkin, Ergen, Candès, Pilanci, "A Library of Mirrors: Deep Neural Nets in
   Low Dimensions are Convex Lasso Models with Reflection Features", arXiv:2403.01046.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, partial
from typing import Any

import numpy as np

from mirrorlib.functions.activations import Activation
from mirrorlib.libraries.narrow_columns import apply_homogeneous
from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import format_short, to_rational_vector
from mirrorlib.progress import LOGGER
from mirrorlib.groundtruth.architectures import Architecture, LayeredUnit, make_architecture
from mirrorlib.groundtruth.library import resolve_activation, resolve_patterns
from mirrorlib.groundtruth.vertex_maps import _check_map_budget, _maps_per_pattern, _network, _Network, _RowType, _vertex_maps
from mirrorlib.functions.pwl import PWL
from mirrorlib.functions.reflections import ReflectionExpression, explain_value

__all__ = ["DEFAULT_MAX_CANDIDATES", "OracleResult", "oracle_size", "unit_oracle", "vertex_points"]

DEFAULT_MAX_CANDIDATES = 50_000_000
"""Refuse an oracle call that would evaluate more candidate points than this (override per call)."""

MAX_RUNNERS_UP = 1_000
"""Largest ``runners_up`` :func:`unit_oracle` accepts: it keeps ``1 + runners_up`` candidates per
vertex map while it enumerates and evaluates up to :data:`RUNNER_UP_TRIES` times as many exactly
(``10⁹`` made one abs depth-4 call on 40 points take 56 s instead of 0.6 s)."""

_INT64_SAFE = 2**62
_CHUNK_ENTRIES = 32768
"""Candidate units × data points evaluated per numpy block: 256 KB per float64 array, so that the
few arrays a block forms stay in a core's L2 cache (blocks of 2·10⁶ entries made the float64
pass 2–3× slower on a 2-core EPYC, and much smaller ones pay Python's per-block overhead)."""


def _rows_per_block(n: int) -> int:
    """Candidates evaluated per numpy block on ``n`` points (about :data:`_CHUNK_ENTRIES` entries)."""
    return max(1, _CHUNK_ENTRIES // max(n, 1))


def _data_columns(matrix: Sequence[Sequence[Fraction]]) -> int:
    """``k``: the number of data points a vertex map ``θ = W x_J`` takes."""
    return len(matrix[0]) if matrix else 0



# --------------------------------------------------------------------------- problem set-up
@dataclass(frozen=True)
class _Problem:
    """Exact data of one oracle call, scaled to integers."""

    activation: Activation
    architecture: Architecture
    dataset: Dataset
    points: tuple[Fraction, ...]  # distinct sorted x
    weights_at_points: tuple[Fraction, ...]  # λ summed over duplicates of each distinct x
    lam_sorted: tuple[Fraction, ...]
    patterns: tuple[tuple[Fraction, ...], ...]


def _problem(X, lam, activation, depth, architecture, wide_layer, signs, order) -> _Problem:  # type: ignore[no-untyped-def]
    dataset = as_dataset(X)
    spec = make_architecture(architecture, depth, wide_layer=wide_layer)
    sigma = resolve_activation(activation, architecture)
    if sigma.slopes[0] == sigma.slopes[1]:
        raise ValueError(f"activation {sigma.name} is linear: every unit is affine, the oracle has nothing to search")
    patterns = tuple(resolve_patterns(signs, spec, sigma))
    exact = to_rational_vector(lam, name="lam")
    if len(exact) != dataset.n_samples:
        raise ValueError(f"lam has {len(exact)} entries but X has {dataset.n_samples}; give one dual weight per data point")
    if sum(exact) != 0:
        raise ValueError(f"lam must satisfy 1ᵀλ = 0 exactly (the output bias ξ is free), got 1ᵀλ = {sum(exact)}; subtract its mean")
    if order not in ("original", "sorted"):
        raise ValueError(f"order must be 'original' or 'sorted', got {order!r}")
    lam_sorted = tuple(exact[i] for i in dataset.order) if order == "original" else tuple(exact)
    points = dataset.distinct_x
    position = {value: index for index, value in enumerate(points)}
    aggregated = [Fraction(0)] * len(points)
    for value, weight in zip(dataset.x, lam_sorted):
        aggregated[position[value]] += weight
    return _Problem(sigma, spec, dataset, points, tuple(aggregated), lam_sorted, patterns)


def _lcm(values: Iterable[int]) -> int:
    result = 1
    for value in values:
        result = math.lcm(result, value)
    return result


def oracle_size(
    n_points: int,
    activation: Activation | str = "relu",
    depth: int = 2,
    *,
    architecture: str = "narrow",
    wide_layer: int = 1,
    signs: Iterable[object] | None = None,
) -> int:
    """Number of candidate points :func:`unit_oracle` evaluates on ``n_points`` distinct inputs.

    Each candidate costs ``O(n)`` work (``O(n log n)`` when the last bias is swept). The count
    depends only on ``n``, σ and the architecture, so it is known before any work.

    Parameters
    ----------
    n_points : int
        Distinct inputs.
    activation : str or Activation
        σ.
    depth : int
        ``L ≥ 2``.
    architecture, wide_layer, signs
        As for :func:`unit_oracle`.

    Returns
    -------
    int

    Examples
    --------
    >>> oracle_size(10, "relu", 3), oracle_size(10, "abs", 3)
    (80, 110)
    """
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 1:
        raise ValueError(f"n_points must be a positive integer, got {n_points!r}")
    spec = make_architecture(architecture, depth, wide_layer=wide_layer)
    sigma = resolve_activation(activation, architecture)
    maps = _maps_per_pattern(spec, sigma, [tuple(p) for p in resolve_patterns(signs, spec, sigma)])
    return sum(int(n_points) ** _data_columns(matrix) for per_pattern in maps.values() for _, matrix in per_pattern)


# --------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class _Scaled:
    """Integer view: ``x'' = Q x`` and per-map integer matrices with ``θ'' = W'' X_J``."""

    points: np.ndarray  # int (X = D x) per distinct point
    scale: int  # Q / D: multiply D·x (ints) by it to get x''
    lam: np.ndarray  # λ·D_λ, ints
    denominator: int  # Q · q_σ · D_λ: divides the integer values
    unit_denominator: int  # Q · q_σ: divides σ of the last pre-activation, giving u(x)
    slopes: tuple[int, int]  # a·q_σ, b·q_σ
    q_sigma: int
    dtype: object


def _scaled(
    points_exact: Sequence[Fraction],
    lam_exact: Sequence[Fraction],
    activation: Activation,
    architecture: Architecture,
    matrices: Sequence[tuple[tuple[Fraction, ...], ...]],
) -> _Scaled:
    depth = architecture.depth
    data_den = _lcm(value.denominator for value in points_exact)
    map_den = _lcm(value.denominator for matrix in matrices for row in matrix for value in row)
    a, b = activation.slopes
    q_sigma = _lcm((a.denominator, b.denominator))
    scale = map_den * q_sigma ** (depth - 1)
    lam_den = _lcm(value.denominator for value in lam_exact)
    points = [int(value * data_den) for value in points_exact]
    lam = [int(value * lam_den) for value in lam_exact]
    slopes = (int(a * q_sigma), int(b * q_sigma))
    # a bound on every integer formed in _forward, _kink_values and _full_values: |x''|, |θ''| ≤ B;
    # per hidden layer |pre| ≤ (fan-in + 1)·B, |slope·pre| ≤ K·|pre| before the exact division by
    # q_σ and ⌈K/q_σ⌉·|pre| after it; finally sums of λ-weighted products
    fan_in = max(len(row) for layer in architecture.weight_slots for row in layer)
    theta = max((sum(abs(v) for v in row) for matrix in matrices for row in matrix), default=Fraction(0))
    steep = max(abs(s) for s in slopes) or 1
    value = max(abs(p) for p in points) * scale * (1 + math.ceil(theta))
    largest = value
    for _ in range(depth - 1):
        pre = (fan_in + 1) * value
        largest = max(largest, steep * pre)
        value = max(value, -(-steep // q_sigma) * pre)
    bound = max(largest, 4 * steep * (sum(abs(v) for v in lam) + 1) * (fan_in + 1) * value)
    dtype = np.int64 if bound < _INT64_SAFE else object
    return _Scaled(
        points=np.array(points, dtype=dtype),
        scale=scale,
        lam=np.array(lam, dtype=dtype),
        denominator=data_den * scale * q_sigma * lam_den,
        unit_denominator=data_den * scale * q_sigma,
        slopes=slopes,
        q_sigma=q_sigma,
        dtype=dtype,
    )


def _sigma(pre: np.ndarray, slopes: tuple[Any, Any]) -> np.ndarray:
    """σ of the (possibly broadcast, read-only) pre-activations ``pre``, in a new array
    (:func:`~mirrorlib.libraries.narrow_columns.apply_homogeneous` with σ's scaled slopes).

    >>> _sigma(np.broadcast_to(np.array([-2, 0, 3]), (2, 3)), (0, 2)).tolist()
    [[0, 0, 6], [0, 0, 6]]
    """
    return apply_homogeneous(pre, slopes, out=np.empty(pre.shape, dtype=pre.dtype))


def _preactivations(net: _Network, theta: np.ndarray, x: np.ndarray, s: _Scaled, hidden: bool = True) -> list[np.ndarray]:
    """Pre-activation of every neuron at every point, shape (C, n) each, scaled by Q; the last
    neuron's without its own bias when θ has no column for it (the reduced maps). With
    ``hidden=False`` only the last neuron's is returned, and each hidden neuron's array is
    activated in place: one (C, n) array per neuron.

    >>> net = _Network(weights=(((1,),), ((-1,),)), bias_index=((0,), (1,)), bias_factor=((1,), (1,)), dimension=2)
    >>> s = _Scaled(np.array([0, 1, 3]), 1, np.array([1, 0, -1]), 1, 1, (0, 1), 1, np.int64)
    >>> [t.tolist() for t in _preactivations(net, np.array([[-1, 2]]), s.points, s)]  # relu(x − 1), then 2 − it
    [[[-1, 0, 2]], [[2, 2, 0]]]
    >>> _preactivations(net, np.array([[-1, 2]]), s.points, s, hidden=False)[0].tolist()
    [[2, 2, 0]]
    """
    outputs = [x[None, :]]
    result = []
    for depth, (rows, indices, factors) in enumerate(zip(net.weights, net.bias_index, net.bias_factor), start=1):
        layer = []
        for row, index, factor in zip(rows, indices, factors):
            bias = factor * theta[:, index : index + 1] if index < theta.shape[1] else None
            pre = _weighted_sum(row, outputs, bias, (theta.shape[0], x.shape[0]), x.dtype)
            if hidden or depth == len(net.weights):
                result.append(pre)
            if depth < len(net.weights):  # the output neuron's activation is the caller's
                activated = apply_homogeneous(pre, s.slopes, out=np.empty_like(pre) if hidden else pre)
                if s.q_sigma != 1:
                    activated //= s.q_sigma
                layer.append(activated)
        outputs = layer
    return result


def _weighted_sum(weights: Sequence[int], inputs: Sequence[np.ndarray], bias: np.ndarray | None, shape: tuple[int, int], dtype: object) -> np.ndarray:
    """``Σ_i w_i·h_i + bias`` (inputs and bias broadcast to ``shape``) in one new array, one pass
    per term: the first term is written with the bias, sign weights ±1 add or subtract without a
    product.

    >>> _weighted_sum((1, -2), [np.array([[1, 2]]), np.array([[3, 4]])], np.array([[10], [20]]), (2, 2), np.int64).tolist()
    [[5, 4], [15, 14]]
    >>> _weighted_sum((0, -1), [np.array([[1, 2]]), np.array([[3, 4]])], None, (1, 2), np.int64).tolist()
    [[-3, -4]]
    """
    terms = [(weight, values) for weight, values in zip(weights, inputs) if weight]
    total = np.empty(shape, dtype=dtype)
    if not terms:
        total[...] = 0 if bias is None else bias
        return total
    (weight, values), rest = terms[0], terms[1:]
    if bias is not None and weight == 1:
        np.add(values, bias, out=total)
    elif bias is not None and weight == -1:
        np.subtract(bias, values, out=total)
    else:
        np.multiply(values, weight, out=total)
        if bias is not None:
            total += bias
    for weight, values in rest:
        if weight == 1:
            total += values
        elif weight == -1:
            total -= values
        else:
            total += weight * values
    return total


def _kink_values(t: np.ndarray, s: _Scaled) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``t`` (C × n) and each k: ``v_k = Σ_j λ_j σ(t_j − t_k)·(q_σ)``; returns
    (the value of largest ``|v_k|`` with its sign, the maximising k) per row.

    On each row sorted ascending, with suffix sums ``U_k = Σ_{j≥k} λ_j`` and ``V_k = Σ_{j≥k} λ_j t_j``
    and ``1ᵀλ = 0`` (so ``Σ_{j<k} λ_j = −U_k``), σ's slopes ``(a, b)`` give
    ``v_k = b(V_k − t_k U_k) + a(V_0 − V_k + t_k U_k) = (b − a)(V_k − t_k U_k) + a V_0``.

    >>> s = _Scaled(np.array([0, 1, 2]), 1, np.array([1, 1, -2]), 1, 1, (-1, 1), 1, np.int64)
    >>> values, kinks = _kink_values(np.array([[0, 1, 2], [5, 5, 5]]), s)  # Σ λ_j |t_j − t_k|
    >>> values.tolist(), kinks.tolist()
    ([-3, 0], [0, 0])
    """
    a, b = s.slopes
    order = np.argsort(t, axis=1, kind="stable")
    ts = np.sort(t, axis=1)  # the same values as t along order (equal values are interchangeable)
    ls = s.lam[order]
    suffix_l = np.cumsum(ls[:, ::-1], axis=1)[:, ::-1]
    np.multiply(ls, ts, out=ls)
    suffix_lt = np.cumsum(ls[:, ::-1], axis=1)[:, ::-1]
    values = np.multiply(ts, suffix_l, out=ts)
    np.subtract(suffix_lt, values, out=values)
    if b - a != 1:
        values *= b - a
    if a:
        values += a * suffix_lt[:, :1]
    best = np.argmax(np.abs(values), axis=1)
    rows = np.arange(t.shape[0])
    return values[rows, best], order[rows, best]


def _full_values(t_pre: np.ndarray, s: _Scaled) -> np.ndarray:
    """``Σ_j λ_j σ(t_j)`` for each row of ``t`` (C × n), which is activated in place.

    >>> s = _Scaled(np.array([0, 1]), 1, np.array([1, -1]), 1, 1, (0, 1), 1, np.int64)
    >>> _full_values(np.array([[2, -3], [-1, 4]]), s).tolist()
    [2, -4]
    """
    return apply_homogeneous(t_pre, s.slopes) @ s.lam


def _index_blocks(n: int, k: int, block: int) -> Iterator[np.ndarray]:
    """All index tuples in [n]^k, as (C, k) arrays of at most ``block`` rows."""
    if k == 0:
        yield np.zeros((1, 0), dtype=np.int64)
        return
    total = n**k
    for start in range(0, total, block):
        flat = np.arange(start, min(total, start + block), dtype=np.int64)
        yield np.stack(np.unravel_index(flat, (n,) * k), axis=1)


def _block_values(net: _Network, full: bool, theta: np.ndarray, x: np.ndarray, s: _Scaled) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate (row of ``θ``): its best signed value ``λᵀu`` and the kink point of the
    last bias (``−1`` for maps that pin the last bias themselves)."""
    last = _preactivations(net, theta, x, s, hidden=False)[-1]
    if full:
        values = _full_values(last, s)
        return values, np.full(values.shape, -1)
    return _kink_values(last, s)


PROGRESS_SECONDS = 2.0
"""Interval of the oracle's progress records."""


class _Counter:
    """Candidates evaluated so far, logged on :data:`~mirrorlib.progress.LOGGER` every
    :data:`PROGRESS_SECONDS` seconds of a long call."""

    def __init__(self, total: int, stage: str) -> None:
        self.total, self.stage, self.done, self.last = total, stage, 0, time.monotonic()

    def add(self, count: int) -> None:
        self.done += count
        if time.monotonic() - self.last >= PROGRESS_SECONDS:
            self.last = time.monotonic()
            LOGGER.info("unit oracle (%s): %s of %s candidates", self.stage, f"{self.done:,}", f"{self.total:,}")


_Map = tuple[tuple[Fraction, ...], bool, tuple[tuple[Fraction, ...], ...]]  # (pattern, full, matrix)


_Found = tuple  # (pattern, matrix (Fraction rows), data indices, full, kink point): one candidate unit


class _Leaders:
    """Per vertex map, the ``keep`` candidates with the largest ``|λᵀu|`` offered so far (earlier
    in enumeration order first on ties), with their signed values."""

    def __init__(self, maps: Sequence[_Map], keep: int = 1) -> None:
        self.maps, self.keep, self.offered = maps, keep, 0
        self.top: list[list[tuple[Any, int, Any, _Found]]] = [[] for _ in maps]  # (|value|, order, value, candidate)

    def offer(self, position: int, indices: np.ndarray, values: np.ndarray, kinks: np.ndarray) -> None:
        """Consider one evaluated block of map ``position`` (see :func:`_evaluated`): only its
        candidates above the map's current ``keep``-th largest ``|value|`` can enter."""
        size = np.abs(values)
        top = self.top[position]
        contenders = np.flatnonzero(size > top[-1][0]) if len(top) == self.keep else np.arange(size.size)
        if contenders.size > self.keep:  # the largest, the earliest first among equals
            contenders = contenders[np.argsort(-size[contenders], kind="stable")[: self.keep]]
        pattern, full, matrix = self.maps[position]
        entries = [
            (size[place], self.offered + place, values[place], (pattern, matrix, tuple(int(i) for i in indices[place]), full, int(kinks[place])))
            for place in contenders.tolist()
        ]
        self.offered += size.size
        if entries:
            self.top[position] = sorted(top + entries, key=lambda entry: (-entry[0], entry[1]))[: self.keep]

    def best(self) -> tuple[Any, _Found | None]:
        """``(signed value, candidate)`` of the largest ``|λᵀu|`` over every map (the first in
        enumeration order on ties)."""
        leaders = [top[0] for top in self.top if top]
        if not leaders:
            return 0, None
        _, _, value, found = min(leaders, key=lambda entry: (-entry[0], entry[1]))
        return value, found

    def ranked(self) -> list[_Found]:
        """Every kept candidate, largest ``|λᵀu|`` first (earlier in enumeration order on ties)."""
        return [found for _, _, _, found in sorted((entry for top in self.top for entry in top), key=lambda entry: (-entry[0], entry[1]))]


FLOAT_RANGE = (Fraction(1, 2**300), Fraction(2**300))
"""Nonzero sizes of the data, λ and σ's slopes the float64 shortlist accepts: every product it
forms then stays clear of float64's underflow and overflow, so each rounding error is relative."""


def _float_view(problem: _Problem) -> _Scaled | None:
    """The data, λ and σ's slopes as float64 (unscaled), or None when a nonzero value is outside
    :data:`FLOAT_RANGE`."""
    low, high = FLOAT_RANGE
    if any(value and not low <= abs(value) <= high for value in (*problem.points, *problem.weights_at_points, *problem.activation.slopes)):
        return None
    points = np.array([float(v) for v in problem.points])
    lam = np.array([float(v) for v in problem.weights_at_points])
    slopes = (float(problem.activation.slopes[0]), float(problem.activation.slopes[1]))
    return _Scaled(points=points, scale=1, lam=lam, denominator=1, unit_denominator=1, slopes=slopes, q_sigma=1, dtype=np.float64)  # type: ignore[arg-type]


def _float_error(view: _Scaled, architecture: Architecture, nets: Iterable[_Network], maps: Sequence[_Map]) -> float:
    """A bound on ``|v_float − v|`` for every candidate's value ``v = λᵀu`` evaluated in float64.

    Every pre-activation is at most ``M = max|x|·(1 + ‖W‖)·G^{L−1}`` in size, ``G = c·max(1, Lip σ)``
    with ``c`` the largest ``Σ|w| + |bias factor|`` of a neuron (``fan-in + 1`` for sign weights).
    Each value goes through at most ``m = k + L(fan-in + 2) + 2n + 8`` rounded
    operations (the map's dot product, the layers, two prefix sums over the ``n`` points, the
    rounding of ``x`` and ``λ``), each off by at most ``u = 2⁻⁵²`` of a quantity of size at most
    ``M``, and an error in a pre-activation grows at most ``G``-fold per layer and ``2·Lip σ·‖λ‖₁``-
    fold into the value. So ``|v_float − v| ≤ 2u·m·G^L·2·Lip σ·‖λ‖₁·M`` to first order; the bound
    returned is four times that.
    """
    n = view.points.size
    lipschitz = max(abs(slope) for slope in view.slopes)
    fan_in = max(len(row) for layer in architecture.weight_slots for row in layer)
    widest = max((sum(abs(float(v)) for v in row) for _, _, matrix in maps for row in matrix), default=0.0)
    columns = max(_data_columns(matrix) for _, _, matrix in maps)
    row_sum = max(
        float(sum(abs(w) for w in row) + abs(factor))
        for net in nets
        for rows, factors in zip(net.weights, net.bias_factor)
        for row, factor in zip(rows, factors)
    )
    growth = max(fan_in + 1, row_sum) * max(1.0, lipschitz)
    magnitude = float(np.abs(view.points).max()) * (1 + widest) * growth ** (architecture.depth - 1)
    operations = columns + architecture.depth * (fan_in + 2) + 2 * n + 8
    return 4 * 2 * 2.0**-52 * operations * growth**architecture.depth * 2 * lipschitz * float(np.abs(view.lam).sum()) * magnitude


def _map_weights(matrix: Sequence[Sequence[Fraction]], view: _Scaled) -> tuple[np.ndarray, int]:
    """``(weights, factor)`` with ``θ = (points[J] @ weightsᵀ)·factor`` in ``view``'s arithmetic: the
    map in float64 (factor 1), or the map times its denominator ``q`` (factor ``scale / q``)."""
    shape = (len(matrix), _data_columns(matrix))
    if view.dtype is np.float64:
        return np.array([[float(v) for v in row] for row in matrix]).reshape(shape), 1
    den = _lcm(value.denominator for row in matrix for value in row)
    return np.array([[int(v * den) for v in row] for row in matrix], dtype=view.dtype).reshape(shape), view.scale // den


def _evaluated(
    nets: dict,  # type: ignore[type-arg]
    maps: Sequence[_Map],
    view: _Scaled,
    blocks: Callable[[int, int], Iterable[np.ndarray]],
    counter: _Counter,
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """``(map position, indices, values, kinks)`` for every block of candidates (rows of data
    indices) that ``blocks(position, k)`` gives for each map, evaluated in ``view``'s arithmetic."""
    x = view.points * view.scale
    for position, (pattern, full, matrix) in enumerate(maps):
        weights, factor = _map_weights(matrix, view)
        for indices in blocks(position, _data_columns(matrix)):
            theta = (view.points[indices] @ weights.T) * factor if weights.shape[1] else np.zeros((1, len(matrix)), dtype=view.dtype)
            values, kinks = _block_values(nets[pattern], full, np.asarray(theta, dtype=view.dtype), x, view)
            counter.add(values.size)
            yield position, indices, values, kinks


def _float_shortlist(
    problem: _Problem, nets: dict, maps: Sequence[_Map], total: int, block: int, keep: int  # type: ignore[type-arg]
) -> tuple[list[np.ndarray], _Leaders] | None:
    """Per map, the candidates (rows of data indices, in enumeration order) whose float64 value is
    within twice :func:`_float_error` of the largest: every candidate whose exact ``|value|`` is the
    maximum is among them; and each map's ``keep`` float64 leaders. None when the data or λ do not
    fit in float64."""
    view = _float_view(problem)
    if view is None:
        return None
    error = _float_error(view, problem.architecture, nets.values(), maps)
    largest = 0.0
    kept: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in maps]
    leaders = _Leaders(maps, keep)
    every = _evaluated(nets, maps, view, lambda _, k: _index_blocks(view.points.size, k, block), _Counter(total, "float64 pass"))
    for position, indices, values, kinks in every:
        leaders.offer(position, indices, values, kinks)
        size = np.abs(values)
        largest = max(largest, float(size.max()))
        near = size >= largest - 2 * error
        kept[position].append((indices[near], size[near]))
    return [np.concatenate([rows[size >= largest - 2 * error] for rows, size in blocks]) for blocks in kept], leaders


def _search(problem: _Problem, max_candidates: int, keep: int = 1) -> tuple[tuple[int, _Found | None], _Leaders | None, _Scaled | None, int]:
    """``((signed value, candidate), leaders, scaled, total)``: the first candidate, in enumeration
    order, with the largest exact ``|λᵀu|``; and each map's ``keep`` leaders (:class:`_Leaders`)
    over every candidate, by exact value or, on the float64 path, by float64 value.

    In int64 every candidate is evaluated exactly. When the scaled integers may not fit in int64
    (e.g. data or λ that are floats, with denominators ``2⁵²`` and more), every candidate is first
    evaluated in float64 and only those within the float error of the largest value are evaluated
    in Python integers (:func:`_float_shortlist`)."""
    nets = {pattern: _network(problem.architecture, pattern) for pattern in problem.patterns}
    per_pattern = _maps_per_pattern(problem.architecture, problem.activation, problem.patterns)
    n = len(problem.points)
    total = sum(n ** _data_columns(m) for maps in per_pattern.values() for _, m in maps)
    if total > max_candidates:
        raise ValueError(
            f"the oracle would evaluate {total:,} candidate units on {n} distinct points (limit max_candidates="
            f"{max_candidates:,}); use fewer points or a smaller depth, or raise max_candidates"
        )
    if not any(problem.weights_at_points):
        return (0, None), None, None, total
    maps: list[_Map] = [(pattern, full, matrix) for pattern, per in per_pattern.items() for full, matrix in per]
    scaled = _scaled(problem.points, problem.weights_at_points, problem.activation, problem.architecture, [m for _, _, m in maps])
    block = _rows_per_block(n)
    shortlisted = _float_shortlist(problem, nets, maps, total, block, keep) if scaled.dtype is object else None
    if shortlisted is None:
        blocks, counter = (lambda _, k: _index_blocks(n, k, block)), _Counter(total, "exact")
    else:
        shortlist = shortlisted[0]
        blocks, counter = (lambda position, _: _row_blocks(shortlist[position], block)), _Counter(sum(r.shape[0] for r in shortlist), "exact")
    exact = _Leaders(maps, keep if shortlisted is None else 1)
    for evaluated in _evaluated(nets, maps, scaled, blocks, counter):
        exact.offer(*evaluated)
    value, found = exact.best()
    return (int(value), found), exact if shortlisted is None else shortlisted[1], scaled, total


def _row_blocks(rows: np.ndarray, block: int) -> Iterator[np.ndarray]:
    """``rows`` in consecutive blocks of at most ``block`` rows (none when it is empty)."""
    for start in range(0, rows.shape[0], block):
        yield rows[start : start + block]


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class OracleResult:
    """``sup_u |λᵀu(X)|`` over the units of an architecture, with a maximising unit, exactly.

    Attributes
    ----------
    value : Fraction
        ``sup_u |λᵀu(X)|`` (attained: see the module docstring).
    signed_value : Fraction
        ``λᵀu(X)`` of :attr:`unit` (``±value``).
    unit : LayeredUnit
        A maximising unit: weights fixed to signs, exact biases.
    vector : tuple[Fraction, ...]
        ``u(X)`` in the caller's data order.
    n_candidates : int
        Candidate units evaluated.
    dataset : Dataset
        The data (for explaining breakpoints as reflection trees).
    runners_up : tuple[OracleResult, ...]
        Further units when asked for (``unit_oracle(..., runners_up=k)``): up to ``k`` of the
        candidates each vertex map found largest, each with its exact value and a vector that
        differs from :attr:`vector` and from one another by more than a constant, in descending
        ``value``. Evaluated exactly on first access (from ``find_runners_up``).

    Examples
    --------
    >>> result = unit_oracle([0, 1, 3], [1, -2, 1], 'relu', 2)
    >>> result.value, result.vector
    (Fraction(2, 1), (Fraction(0, 1), Fraction(0, 1), Fraction(2, 1)))
    """

    value: Fraction
    signed_value: Fraction
    unit: LayeredUnit
    vector: tuple[Fraction, ...]
    n_candidates: int
    dataset: Dataset
    find_runners_up: Callable[[], tuple[OracleResult, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def runners_up(self) -> tuple[OracleResult, ...]:
        return () if self.find_runners_up is None else self.find_runners_up()

    @property
    def weights(self) -> tuple[Fraction, ...]:
        """The unit's weights in layer order (signs)."""
        return tuple(w for layer in self.unit.weights for row in layer for w in row)

    @property
    def biases(self) -> tuple[Fraction, ...]:
        """The unit's biases in layer order."""
        return tuple(b for layer in self.unit.biases for b in layer)

    @cached_property
    def function(self) -> PWL:
        """``u`` as an exact piecewise-linear function of ``x``."""
        return self.unit.function

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        return self.function.breakpoints

    def breakpoint_trees(self, max_nesting: int = 2) -> dict[Fraction, ReflectionExpression | None]:
        """Each breakpoint as the least nested reflection tree over the data (None: no tree up to
        ``max_nesting`` gives it)."""
        return {value: explain_value(value, self.dataset, max_nesting) for value in self.breakpoints}

    def describe(self) -> str:
        """E.g. ``abs(+abs(+x - 3/2) - 3/2)  |λᵀu| = 4/3`` (long values as decimals)."""
        return f"{self.unit.describe()}  |λᵀu| = {format_short(self.value)}"


def _candidate_unit(problem: _Problem, found: _Found) -> LayeredUnit:
    """The unit of one candidate, with exact biases."""
    pattern, matrix, indices, full, kink = found
    chosen = [problem.points[i] for i in indices]
    theta = [sum((w * v for w, v in zip(row, chosen)), Fraction(0)) for row in matrix]
    if not full:
        probe = problem.architecture.unit(problem.activation, pattern, [*theta, Fraction(0)])
        theta.append(-_last_preactivation(probe, problem.points[kink]))
    return problem.architecture.unit(problem.activation, pattern, theta)


def _sorted_values(problem: _Problem, unit: LayeredUnit) -> tuple[Fraction, ...]:
    """``u(x)`` at the sorted data (duplicates included), each distinct point evaluated once."""
    return problem.dataset.on_samples([unit(value) for value in problem.points])


def _last_preactivation(unit: LayeredUnit, x: Fraction) -> Fraction:
    """Pre-activation of the last neuron at ``x`` (with its bias)."""
    hidden: tuple[Fraction, ...] = (x,)
    sigma = unit.activation.function
    for level, (matrix, bias) in enumerate(zip(unit.weights, unit.biases)):
        pre = tuple(sum((w * h for w, h in zip(row, hidden)), Fraction(0)) + b for row, b in zip(matrix, bias))
        if level == len(unit.weights) - 1:
            return pre[0]
        hidden = tuple(sigma(p) for p in pre)
    raise AssertionError("unreachable")


def unit_oracle(
    X: Iterable[object] | str | Dataset,
    lam: Iterable[object] | str,
    activation: Activation | str = "relu",
    depth: int = 2,
    *,
    architecture: str = "narrow",
    wide_layer: int = 1,
    signs: Iterable[object] | None = None,
    order: str = "original",
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    runners_up: int = 0,
) -> OracleResult:
    """``sup |λᵀu(X)|`` over every unit of an architecture, exactly, with a maximising unit.

    For a positively homogeneous σ the rescaling lemma fixes the weights of a narrow unit to signs
    (theory §1), so the supremum over all units of depth ``L`` with unit cost is the supremum over
    sign patterns and biases, which this function computes exactly (module docstring).

    Parameters
    ----------
    X : sequence of numbers
        Data ``x_1 … x_N`` (exact; floats are converted exactly; duplicates allowed).
    lam : sequence of numbers
        The dual vector λ, one entry per data point, with ``1ᵀλ = 0`` exactly.
    activation : str or Activation
        Positively homogeneous, non-linear σ (relu, abs, leaky_relu(a), custom).
    depth : int
        ``L ≥ 2`` (``≥ 3`` for the wide architectures).
    architecture : {"narrow", "width2", "symmetrised"}
        As in :func:`~mirrorlib.groundtruth.ground_truth_library` (the wide ones with every
        weight ±1).
    wide_layer : int
        The width-2 layer of the wide architectures.
    signs : sequence, optional
        One weight pattern or a list of them; all sign patterns by default.
    order : {"original", "sorted"}
        Whether ``lam`` follows the caller's order of ``X`` or ascending ``x``.
    max_candidates : int
        Refuse (``ValueError``) when :func:`oracle_size` exceeds it.
    runners_up : int
        Also return up to this many further units, in :attr:`OracleResult.runners_up`. While it
        enumerates, the oracle keeps each vertex map's ``1 + runners_up`` largest candidates
        (by exact value, or by float64 value when the scaled integers exceed int64); on first
        access the largest of them are evaluated exactly, leaving out columns equal to the
        maximiser's or to one another's up to a constant. Column generation adds those that
        beat β in the same round (multiple pricing). 0 (default): none.

    Returns
    -------
    OracleResult

    Raises
    ------
    ValueError
        λ not ⊥ 1 or of the wrong length, σ not positively homogeneous or linear, a bad
        architecture or depth, or an enumeration above ``max_candidates``.

    Examples
    --------
    >>> result = unit_oracle([0, 2, 3, 5], [1, -1, -1, 1], "abs", 3)
    >>> result.value, result.unit.describe()
    (Fraction(4, 1), 'abs(+abs(+x) - 2)')
    >>> sum(l * u for l, u in zip([1, -1, -1, 1], result.vector))   # the unit reproduces it
    Fraction(4, 1)

    With ``runners_up``, further units come too, largest first (here two more maximisers):

    >>> [other.describe() for other in unit_oracle([0, 2, 3, 5], [1, -1, -1, 1], "abs", 3, runners_up=2).runners_up]
    ['abs(+abs(+x - 3))  |λᵀu| = 4', 'abs(+abs(+x - 5/2) + 5/2)  |λᵀu| = 4']
    """
    for name, given, least in (("max_candidates", max_candidates, 1), ("runners_up", runners_up, 0)):
        if isinstance(given, bool) or not isinstance(given, (int, np.integer)) or given < least:
            raise ValueError(f"{name} must be an integer ≥ {least}, got {given!r}")
    if runners_up > MAX_RUNNERS_UP:
        raise ValueError(
            f"runners_up must be at most {MAX_RUNNERS_UP:,}, got {runners_up:,}: the oracle keeps 1 + runners_up candidates "
            "per vertex map while it enumerates; ask for fewer"
        )
    problem = _problem(X, lam, activation, depth, architecture, wide_layer, signs, order)
    (best_value, best_found), leaders, scaled, total = _search(problem, int(max_candidates), 1 + int(runners_up))
    if best_found is None or leaders is None or scaled is None:  # λ = 0 on the distinct points: every unit gives 0
        pattern = problem.patterns[0]
        unit = problem.architecture.unit(problem.activation, pattern, [Fraction(0)] * problem.architecture.n_parameters)
        vector = _sorted_values(problem, unit)
        return OracleResult(Fraction(0), Fraction(0), unit, _caller_order(problem, vector), total, problem.dataset)
    unit = _candidate_unit(problem, best_found)
    vector = _sorted_values(problem, unit)
    signed = _signed_value(problem, vector)
    value = Fraction(abs(best_value), scaled.denominator)
    if abs(signed) != value:
        raise RuntimeError(f"oracle self-check failed: the maximising unit gives {signed}, the enumeration {value}")
    find_runners_up = partial(_runners_up, problem, leaders, scaled, vector, total, int(runners_up)) if runners_up else None
    return OracleResult(value, signed, unit, _caller_order(problem, vector), total, problem.dataset, find_runners_up)


def _signed_value(problem: _Problem, vector: Sequence[Fraction]) -> Fraction:
    """``λᵀu`` exactly, for ``u``'s values at the sorted data."""
    return sum((l * u for l, u in zip(problem.lam_sorted, vector)), Fraction(0))


RUNNER_UP_TRIES = 8
""":func:`_runners_up` evaluates at most this many candidates per runner-up asked for."""


def _candidate_column(net: _Network, scaled: _Scaled, found: _Found) -> np.ndarray:
    """``u(x_j)·unit_denominator`` at the distinct points for one candidate, exactly in
    ``scaled``'s integers (the values :func:`_block_values` sums, before λ)."""
    _, matrix, indices, full, kink = found
    weights, factor = _map_weights(matrix, scaled)
    theta = (scaled.points[list(indices)] @ weights.T) * factor if weights.shape[1] else np.zeros(len(matrix), dtype=scaled.dtype)
    last = _preactivations(net, np.asarray(theta, dtype=scaled.dtype).reshape(1, -1), scaled.points * scaled.scale, scaled)[-1][0]
    return _sigma(last if full else last - last[kink], scaled.slopes)


def _runners_up(
    problem: _Problem, leaders: _Leaders, scaled: _Scaled, best_vector: tuple[Fraction, ...], total: int, count: int
) -> tuple[OracleResult, ...]:
    """Up to ``count`` of the maps' leaders whose columns differ from ``best_vector`` and from one
    another by more than a constant (the free output bias makes such columns equivalent), in
    descending ``|λᵀu|`` (enumeration order on ties). Leaders are tried largest first, at most
    :data:`RUNNER_UP_TRIES` per runner-up, each column evaluated exactly in ``scaled``'s
    integers; only the chosen ones become units with Fraction biases."""
    nets = {pattern: _network(problem.architecture, pattern) for pattern in problem.patterns}
    q = scaled.unit_denominator
    best_column = [value * q for value in _distinct_values(problem, best_vector)]
    seen = {tuple(int(v - best_column[0]) for v in best_column)}
    chosen: list[tuple[Fraction, _Found, np.ndarray]] = []
    for candidate in leaders.ranked()[: RUNNER_UP_TRIES * count]:
        column = _candidate_column(nets[candidate[0]], scaled, candidate)
        key = tuple(int(v) for v in column - column[0])
        if key not in seen:
            seen.add(key)
            chosen.append((Fraction(int((scaled.lam * column).sum()), scaled.denominator), candidate, column))
    chosen.sort(key=lambda entry: -abs(entry[0]))
    results = []
    for signed, candidate, column in chosen[:count]:
        vector = problem.dataset.on_samples([Fraction(int(v), q) for v in column])
        unit = _candidate_unit(problem, candidate)
        results.append(OracleResult(abs(signed), signed, unit, _caller_order(problem, vector), total, problem.dataset))
    return tuple(results)


def _distinct_values(problem: _Problem, sorted_vector: Sequence[Fraction]) -> list[Fraction]:
    """A vector on the sorted data (duplicates included) at the distinct points only."""
    at_points = dict(zip(problem.dataset.x, sorted_vector))
    return [at_points[value] for value in problem.points]


def _caller_order(problem: _Problem, sorted_vector: Sequence[Fraction]) -> tuple[Fraction, ...]:
    return tuple(problem.dataset.to_original_order(sorted_vector))


# --------------------------------------------------------------------------- vertex sets
def vertex_points(
    architecture: Architecture, activation: Activation, pattern: Sequence[Fraction], points: Sequence[Fraction]
) -> dict[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Every cell vertex θ of one weight pattern with ``u(points; θ)``, exactly.

    The candidates ``W x_J`` of every vertex map (the last bias at each data point's kink) are
    kept when the slope pattern that each tight row assumes is the one of its data point at θ
    (a point exactly at an earlier kink fits either side): exactly the vertices of the cells
    (cross-checked against the cdd cell enumeration in the tests). ``points`` must be distinct.

    Examples
    --------
    >>> from mirrorlib.functions.activations import get_activation
    >>> spec = make_architecture("narrow", 2)
    >>> sorted(vertex_points(spec, get_activation("relu"), (1,), [0, 1]))
    [(Fraction(-1, 1),), (Fraction(0, 1),)]
    """
    net = _network(architecture, pattern)
    _check_map_budget([net], activation.slopes)
    values = tuple(Fraction(v) for v in points)
    n = len(values)
    maps = _vertex_maps(net, activation.slopes)
    scaled = _scaled(values, (Fraction(0),), activation, architecture, [m.matrix for m in maps])
    x = scaled.points * scaled.scale
    found: dict[tuple[int, ...], np.ndarray] = {}
    for vertex_map in maps:
        weights, factor = _map_weights(vertex_map.matrix, scaled)
        for indices in _index_blocks(n, vertex_map.n_columns, _rows_per_block(n)):
            theta = np.asarray((scaled.points[indices] @ weights.T) * factor, dtype=scaled.dtype)
            theta = theta.reshape(indices.shape[0], len(vertex_map.matrix))
            if not vertex_map.full:  # the last bias at each point's kink
                last = _preactivations(net, theta, x, scaled)[-1]
                theta = np.concatenate([np.repeat(theta, n, axis=0), -last.reshape(-1, 1)], axis=1)
                indices = np.repeat(indices, n, axis=0)
            pre = _preactivations(net, theta, x, scaled)
            keep = np.ones(theta.shape[0], dtype=bool)
            for row in vertex_map.rows:
                for row_type, column in zip(row.types, row.columns):
                    keep &= _fits_all(row_type, pre, indices[:, column])
            outputs = _sigma(pre[-1], scaled.slopes)
            for position in np.flatnonzero(keep):
                key = tuple(int(v) for v in theta[position])
                if key not in found:
                    found[key] = outputs[position]
    q = scaled.unit_denominator
    return {
        tuple(Fraction(v, q // scaled.q_sigma) for v in key): tuple(Fraction(int(v), q) for v in output)
        for key, output in found.items()
    }


def _fits_all(row_type: _RowType, pre: Sequence[np.ndarray], point: np.ndarray) -> np.ndarray:
    """Per candidate: some slope pattern of the row type matches the sides of the upstream neurons
    at the row's data point (a pre-activation exactly 0 fits either side)."""
    rows = np.arange(point.shape[0])
    upstream = [pre[neuron][rows, point] for neuron in range(len(next(iter(row_type.patterns))))]
    fits = np.zeros(point.shape[0], dtype=bool)
    for pattern in row_type.patterns:
        match = np.ones(point.shape[0], dtype=bool)
        for value, side in zip(upstream, pattern):
            match &= (value == 0) | ((value > 0) == bool(side))
        fits |= match
    return fits
