"""Vertex maps of the bias-space arrangement of a unit (theory §6): every vertex is ``θ = W·x_J``.

For a unit whose weights are fixed to signs, the vector ``u(X)`` is piecewise affine in the biases
``θ``; a linear functional of it is maximised at a vertex of the arrangement cut out by the kink
conditions. Every such vertex is pinned by one condition per layer — a pre-activation vanishing
at a data point, or two data points giving equal outputs of a layer — so it is ``θ = W·x_J`` for
one of finitely many rational *vertex maps* ``W`` applied to a tuple ``x_J`` of data points. This
module lists those maps (exactly, cached per pattern and activation) and sizes them;
:mod:`mirrorlib.groundtruth.oracle` evaluates the candidates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from flint import fmpq, fmpq_mat

from mirrorlib.functions.activations import Activation
from mirrorlib.groundtruth.architectures import Architecture

__all__ = ["MAX_MAP_SUBSETS"]

MAX_MAP_SUBSETS = 100_000
"""Refuse architectures whose vertex maps need more exact d × d solves than this (very deep units:
the row types double with every layer, so the subsets grow like 2^{L²}); the candidate count
``O(N^{L−1})`` would be out of reach anyway."""

Form = tuple[Fraction, ...]  # (coefficient of x, coefficients of θ_0 … θ_{d−1})


# --------------------------------------------------------------------------- row types and maps
@dataclass(frozen=True)
class _RowType:
    """A pre-activation form ``c·x + g·θ`` of one neuron and the slope patterns that give it."""

    neuron: int
    c: Fraction
    g: tuple[Fraction, ...]  # over θ_{<last} (the last neuron's own bias is left out)
    patterns: frozenset[tuple[int, ...]]  # sides (0: t < 0, 1: t ≥ 0) of the neurons before its layer


@dataclass(frozen=True)
class _Row:
    """One tight condition of a vertex map: ``kind`` 'single' (a neuron's kink at column ``columns[0]``)
    or 'meeting' (the last neuron's anchor ``columns[0]`` meets ``columns[1]``)."""

    kind: str
    types: tuple[_RowType, ...]
    columns: tuple[int, ...]


@dataclass(frozen=True)
class _VertexMap:
    """``θ = W x_J``: ``matrix`` has one row per parameter (all d when ``full``, else θ_{<last})."""

    matrix: tuple[tuple[Fraction, ...], ...]
    n_columns: int
    full: bool
    rows: tuple[_Row, ...]


@dataclass(frozen=True)
class _Network:
    """Fixed weights of one pattern, flattened for forward passes."""

    weights: tuple[tuple[tuple[int, ...], ...], ...]  # per layer, rows of integer weights
    bias_index: tuple[tuple[int, ...], ...]  # per layer, θ index of each neuron's bias
    bias_factor: tuple[tuple[int, ...], ...]
    dimension: int

    @property
    def n_neurons(self) -> int:
        return sum(len(layer) for layer in self.weights)

    @property
    def layer_starts(self) -> tuple[int, ...]:
        starts = [0]
        for layer in self.weights:
            starts.append(starts[-1] + len(layer))
        return tuple(starts)


def _network(architecture: Architecture, pattern: Sequence[Fraction]) -> _Network:
    weights = architecture.weights(pattern)
    if any(w.denominator != 1 for layer in weights for row in layer for w in row):
        raise ValueError(f"signs: the oracle needs integer weights (a sign pattern ±1), got {tuple(str(w) for w in pattern)}")
    last_index, last_factor = architecture.bias_slots[-1][0]
    uses = [index for layer in architecture.bias_slots for index, _ in layer]
    if last_index != architecture.n_parameters - 1 or last_factor != 1 or uses.count(last_index) != 1:
        raise ValueError("the oracle needs the last neuron to own the last bias parameter")
    return _Network(
        weights=tuple(tuple(tuple(int(w) for w in row) for row in layer) for layer in weights),
        bias_index=tuple(tuple(index for index, _ in layer) for layer in architecture.bias_slots),
        bias_factor=tuple(tuple(int(factor) for _, factor in layer) for layer in architecture.bias_slots),
        dimension=architecture.n_parameters,
    )


def _forms(net: _Network, slopes: tuple[Fraction, Fraction], sides: Sequence[int]) -> list[Form]:
    """Pre-activation forms of every neuron for one choice of sides of all non-last neurons."""
    d = net.dimension
    outputs: list[Form] = [(Fraction(1),) + (Fraction(0),) * d]
    forms: list[Form] = []
    neuron = 0
    for rows, indices, factors in zip(net.weights, net.bias_index, net.bias_factor):
        layer_outputs = []
        for row, index, factor in zip(rows, indices, factors):
            form = [sum((w * f[i] for w, f in zip(row, outputs)), Fraction(0)) for i in range(d + 1)]
            form[1 + index] += factor
            forms.append(tuple(form))
            if neuron < len(sides):
                layer_outputs.append(tuple(slopes[sides[neuron]] * value for value in form))
            neuron += 1
        outputs = layer_outputs
    return forms


@lru_cache(maxsize=256)
def _row_types(net: _Network, slopes: tuple[Fraction, Fraction]) -> tuple[list[_RowType], list[_RowType]]:
    """(kink row types of the non-last neurons, meeting row types of the last neuron)."""
    n_free = net.n_neurons - 1
    starts = net.layer_starts
    layer_of = [level for level in range(len(net.weights)) for _ in net.weights[level]]
    found: dict[tuple[int, Fraction, tuple[Fraction, ...]], set[tuple[int, ...]]] = {}
    for sides in itertools.product((0, 1), repeat=n_free):
        for neuron, form in enumerate(_forms(net, slopes, sides)):
            upstream = sides[: starts[layer_of[neuron]]]
            key = (neuron, form[0], tuple(form[1:-1]))
            found.setdefault(key, set()).add(upstream)
    singles, meetings = [], []
    for (neuron, c, g), patterns in sorted(found.items(), key=lambda item: (item[0][0], item[0][1], item[0][2])):
        row = _RowType(neuron, c, g, frozenset(patterns))
        if neuron == n_free:
            meetings.append(row)
        elif any(g):
            singles.append(row)
    return singles, meetings


def _q(value: Fraction | int) -> fmpq:
    value = Fraction(value)
    return fmpq(value.numerator, value.denominator)


def _solve(rows: Sequence[tuple[tuple[Fraction, ...], dict[int, Fraction]]], n_columns: int) -> list[list[Fraction]] | None:
    """``W = G⁻¹C`` for rows ``(G_i, {column: C_ij})``, or None when G is singular."""
    size = len(rows)
    if size == 0:
        return []
    gram = fmpq_mat(size, size, [_q(value) for g, _ in rows for value in g])
    if gram.rank() < size:
        return None
    rhs = fmpq_mat(size, n_columns, [_q(rhs.get(j, 0)) for _, rhs in rows for j in range(n_columns)])
    solution = gram.solve(rhs)
    return [[Fraction(int(solution[i, j].p), int(solution[i, j].q)) for j in range(n_columns)] for i in range(size)]


def _build_map(singles: Sequence[_RowType], anchor: _RowType | None, others: Sequence[_RowType]) -> _VertexMap | None:
    rows: list[tuple[tuple[Fraction, ...], dict[int, Fraction]]] = []
    described: list[_Row] = []
    column = 0
    for row in singles:
        rows.append((row.g, {column: -row.c}))
        described.append(_Row("single", (row,), (column,)))
        column += 1
    if anchor is not None:
        anchor_column = column
        column += 1
        for row in others:
            g = tuple(a - b for a, b in zip(row.g, anchor.g))
            rows.append((g, {column: -row.c, anchor_column: anchor.c}))
            described.append(_Row("meeting", (anchor, row), (anchor_column, column)))
            column += 1
    solution = _solve(rows, column)
    if solution is None:
        return None
    matrix = [tuple(values) for values in solution]
    if anchor is not None:  # θ_last puts the anchor at the last neuron's kink: −(c₀ x_{j₀} + g₀·θ_{<last})
        last = [-sum((g * solution[i][j] for i, g in enumerate(anchor.g)), Fraction(0)) for j in range(column)]
        last[anchor_column] -= anchor.c
        matrix.append(tuple(last))
    return _VertexMap(tuple(matrix), column, anchor is not None, tuple(described))


@lru_cache(maxsize=256)
def _vertex_maps(net: _Network, slopes: tuple[Fraction, Fraction]) -> tuple[_VertexMap, ...]:
    """Every non-singular choice of ``d − 1`` kink rows and meeting rows (see module docstring)."""
    singles, meetings = _row_types(net, slopes)
    reduced = net.dimension - 1
    maps = []
    for n_single in range(reduced, -1, -1):
        n_meeting = reduced - n_single
        for chosen in itertools.combinations(singles, n_single):
            if n_meeting == 0:
                built = _build_map(chosen, None, ())
                if built is not None:
                    maps.append(built)
                continue
            for anchor in meetings:
                rest = [row for row in meetings if row.g != anchor.g]
                for others in itertools.combinations(rest, n_meeting):
                    built = _build_map(chosen, anchor, others)
                    if built is not None:
                        maps.append(built)
    return tuple(maps)


def _map_subsets(net: _Network, slopes: tuple[Fraction, Fraction]) -> int:
    """How many row-type subsets :func:`_vertex_maps` solves (cheap to count)."""
    singles, meetings = _row_types(net, slopes)
    reduced = net.dimension - 1
    return sum(
        math.comb(len(singles), k) * (len(meetings) * math.comb(max(len(meetings) - 1, 0), reduced - k) if k < reduced else 1)
        for k in range(reduced + 1)
    )


def _maps_per_pattern(
    architecture: Architecture, activation: Activation, patterns: Sequence[tuple[Fraction, ...]]
) -> dict[tuple[Fraction, ...], list[tuple[bool, tuple[tuple[Fraction, ...], ...]]]]:
    """The distinct vertex maps of every weight pattern, after checking that listing them is affordable."""
    nets = {pattern: _network(architecture, pattern) for pattern in patterns}
    _check_map_budget(nets.values(), activation.slopes)
    return {pattern: _distinct_maps(_vertex_maps(net, activation.slopes)) for pattern, net in nets.items()}


def _check_map_budget(nets: Iterable[_Network], slopes: tuple[Fraction, Fraction]) -> None:
    """Refuse (ValueError naming ``depth``) architectures whose vertex maps are too many to list."""
    nets = list(nets)
    if any(net.n_neurons > 16 for net in nets):
        raise ValueError("depth: the exact oracle handles units of at most 16 neurons; use a smaller depth")
    subsets = 0
    for net in nets:  # stop counting as soon as the limit is passed
        subsets += _map_subsets(net, slopes)
        if subsets > MAX_MAP_SUBSETS:
            break
    if subsets > MAX_MAP_SUBSETS:
        raise ValueError(
            f"depth: the exact oracle would solve more than {subsets:,} linear systems to list this architecture's vertex maps "
            f"(limit {MAX_MAP_SUBSETS:,}); its cost grows like N^(L−1): use depth ≤ 5"
        )


def _active_columns(vertex_map: _VertexMap) -> tuple[int, ...]:
    """Columns whose data point changes θ (the others can be any point: fix them to the first)."""
    return tuple(j for j in range(vertex_map.n_columns) if any(row[j] for row in vertex_map.matrix))


def _distinct_maps(maps: Sequence[_VertexMap]) -> list[tuple[bool, tuple[tuple[Fraction, ...], ...]]]:
    """Maps reduced to their data-dependent columns, up to reordering columns (same point sets)."""
    seen = set()
    for vertex_map in maps:
        active = _active_columns(vertex_map)
        columns = sorted(tuple(row[j] for row in vertex_map.matrix) for j in active)
        seen.add((vertex_map.full, tuple(zip(*columns)) if columns else tuple(() for _ in vertex_map.matrix)))
    return sorted(seen, key=lambda item: (item[0], len(item[1][0]) if item[1] else 0, item[1]))
