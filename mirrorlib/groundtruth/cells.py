"""Exact enumeration of the linear regions ("cells") of the bias-to-feature map (theory §3).

Fix data ``x_1 < … < x_n`` (distinct values), a positively homogeneous σ (σ(t) = a·t for t < 0,
b·t for t ≥ 0) and the weights of a unit; its biases are ``b = Bθ`` with θ ∈ ℝ^d. Every
pre-activation ``p_{l,k,j}(θ) = W_l[k]·h_{l−1}(x_j; θ) + b_{l,k}`` is affine in θ as long as the
signs of all earlier pre-activations are fixed, and then ``h_{l,k}(x_j) = b·p`` (if p ≥ 0) or
``a·p`` (if p ≤ 0) is affine too. A *cell* is a full-dimensional closed polyhedron
``C = {θ : ε_{l,k,j} p_{l,k,j}(θ) ≥ 0 ∀ l,k,j}`` for one sign choice ε; on C the feature vector
``u(X; θ)`` is an affine map of θ. The cells cover ℝ^d (their union is closed and contains the
dense complement of the finitely many pieces of hyperplanes), and u is continuous, so

    sup_θ λᵀu(X; θ) = max over cells C of sup_{θ∈C} λᵀu(X; θ).

The enumeration is a depth-first search over the pre-activations in the order (layer, neuron,
data point), branching on the closed half-spaces ``p ≥ 0`` / ``p ≤ 0`` and keeping a branch
only if it is full-dimensional (exact LP, :func:`~._cdd.strictly_interior_point`). Each node
carries a strictly interior point θ*; the branch that contains θ* needs no LP, and when the
other branch is not full-dimensional the cell lies in the first closed half-space (a closed
full-dimensional convex set is the closure of its interior), so that implied constraint is not
recorded, keeping constraint lists short. Linear neurons (a = b) do not branch.

Affine forms ``(c, a_1, …, a_d)`` (θ ↦ c + aᵀθ) are held as python-flint ``fmpq`` rationals
inside the search (exact, ~10× faster than :class:`fractions.Fraction`); everything that
leaves this module is a Fraction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from flint import fmpq

from mirrorlib.groundtruth._cdd import minimal_face_points, strictly_interior_point

__all__ = ["Cell", "enumerate_cells"]

QForm = tuple[fmpq, ...]


def to_fmpq(value: Fraction | int) -> fmpq:
    """Exact Fraction/int → fmpq."""
    value = Fraction(value)
    return fmpq(value.numerator, value.denominator)


def to_fraction(value: fmpq) -> Fraction:
    """Exact fmpq → Fraction."""
    return Fraction(int(value.p), int(value.q))


def _evaluate(form: QForm, theta: Sequence[fmpq]) -> fmpq:
    """``c + aᵀθ``."""
    total = form[0]
    for coefficient, value in zip(form[1:], theta):
        total += coefficient * value
    return total


def _combine(terms: Sequence[tuple[fmpq, QForm]], base: QForm) -> QForm:
    """``base + Σ w·f`` for ``(w, f)`` in ``terms``."""
    result = list(base)
    for weight, form in terms:
        if weight:
            for index, value in enumerate(form):
                result[index] += weight * value
    return tuple(result)


def _scale(factor: fmpq, form: QForm) -> QForm:
    return tuple(factor * value for value in form)


@dataclass(frozen=True)
class Cell:
    """A full-dimensional cell ``{θ : f(θ) ≥ 0 for f in constraints}`` with the affine feature map.

    ``constraints`` and ``outputs`` are affine forms with fmpq entries; ``outputs[j]`` is
    ``u(x_j; θ)`` on the cell (one per distinct data value); ``interior`` a strictly interior point.

    Examples
    --------
    >>> cell = next(enumerate_cells([Fraction(0), Fraction(1)], (Fraction(0), Fraction(1)), [[[Fraction(1)]]], [[(Fraction(0), Fraction(1))]], 1))
    >>> len(cell.constraints), len(cell.outputs)
    (2, 2)
    """

    constraints: tuple[QForm, ...]
    outputs: tuple[QForm, ...]
    interior: tuple[fmpq, ...]

    @property
    def dimension(self) -> int:
        return len(self.interior)

    def points(self) -> list[tuple[Fraction, ...]]:
        """Vertices of the cell, exact (one point per minimal face if it has a lineality space)."""
        return minimal_face_points(self.constraints, self.dimension)

    def feature_at(self, theta: Sequence[Fraction]) -> tuple[Fraction, ...]:
        """``u(x_j; θ)`` for every distinct data value, by the cell's affine map (θ in the cell)."""
        point = [to_fmpq(value) for value in theta]
        return tuple(to_fraction(_evaluate(form, point)) for form in self.outputs)


@dataclass(frozen=True)
class _Node:
    position: int  # index of the next decision (layer, neuron, point) in row-major order
    constraints: tuple[QForm, ...]
    interior: tuple[fmpq, ...]
    outputs: tuple[QForm, ...]  # forms of h_{l,k}(x_j) decided so far, same order as decisions


def enumerate_cells(
    x: Sequence[Fraction],
    slopes: tuple[Fraction, Fraction],
    weights: Sequence[Sequence[Sequence[Fraction]]],
    bias_forms: Sequence[Sequence[Sequence[Fraction]]],
    dimension: int,
) -> Iterator[Cell]:
    """Yield every full-dimensional cell of the bias space ℝ^d for fixed weights.

    Parameters
    ----------
    x : distinct data values ``x_1 … x_n``.
    slopes : ``(a, b)`` of σ.
    weights : ``W_1 … W_{L−1}`` (``W_1`` has one column; the last layer has one row).
    bias_forms : per layer, the bias of each neuron as an affine form ``(c, coefficients on θ)``.
    dimension : ``d``.

    Examples
    --------
    >>> cells = list(enumerate_cells([Fraction(0), Fraction(1)], (Fraction(0), Fraction(1)), [[[Fraction(1)]]], [[(Fraction(0), Fraction(1))]], 1))
    >>> [tuple(Fraction(int(v.p), int(v.q)) for v in cell.interior) for cell in cells]
    [(Fraction(-2, 1),), (Fraction(-1, 2),), (Fraction(1, 1),)]
    """
    negative, positive = to_fmpq(slopes[0]), to_fmpq(slopes[1])
    points = [to_fmpq(value) for value in x]
    q_weights = [[[to_fmpq(w) for w in row] for row in layer] for layer in weights]
    q_biases = [[tuple(to_fmpq(c) for c in form) for form in layer] for layer in bias_forms]
    n = len(points)
    widths = [len(layer) for layer in q_biases]
    starts = [sum(widths[:level]) * n for level in range(len(widths) + 1)]
    decisions = [(level, k, j) for level, width in enumerate(widths) for k in range(width) for j in range(n)]
    stack = [_Node(0, (), (fmpq(0),) * dimension, ())]
    while stack:
        node = stack.pop()
        if node.position == len(decisions):
            yield Cell(node.constraints, node.outputs[starts[-2] :], node.interior)
            continue
        level, k, j = decisions[node.position]
        row = q_weights[level][k]
        if level == 0:
            inputs: list[tuple[fmpq, QForm]] = [(row[0] * points[j], (fmpq(1),) + (fmpq(0),) * dimension)]
        else:
            inputs = [(w, node.outputs[starts[level - 1] + m * n + j]) for m, w in enumerate(row)]
        pre = _combine(inputs, q_biases[level][k])
        for constraint, slope, interior in _branches(pre, node, negative, positive):
            constraints = node.constraints if constraint is None else (*node.constraints, constraint)
            stack.append(_Node(node.position + 1, constraints, interior, (*node.outputs, _scale(slope, pre))))


def _branches(
    pre: QForm, node: _Node, negative: fmpq, positive: fmpq
) -> list[tuple[QForm | None, fmpq, tuple[fmpq, ...]]]:
    """Full-dimensional refinements of the node's cell by the sign of ``pre``.

    Each entry is ``(recorded constraint or None if implied, slope of σ on that side, interior point)``.
    """
    if negative == positive:
        return [(None, positive, node.interior)]
    if not any(pre[1:]):  # constant pre-activation: its sign is known
        return [(None, positive if pre[0] >= 0 else negative, node.interior)]
    at_interior = _evaluate(pre, node.interior)
    sides: list[tuple[QForm | None, fmpq, tuple[fmpq, ...]]] = []
    for sign, slope in ((1, positive), (-1, negative)):
        constraint = _scale(fmpq(sign), pre)
        if sign * at_interior > 0:
            sides.append((constraint, slope, node.interior))
            continue
        interior = strictly_interior_point((*node.constraints, constraint), len(node.interior))
        if interior is not None:
            sides.append((constraint, slope, tuple(to_fmpq(value) for value in interior)))
    if len(sides) == 1:
        _, slope, interior = sides[0]
        return [(None, slope, interior)]
    return sides
