"""Deep narrow symmetrised-ReLU units and networks on 1-D data (depth 2 and 3).

A symmetrised-ReLU neuron emits two channels ``(relu(t), relu(−t))`` that the next layer weighs
independently. A deep narrow network of depth ``L`` has one such neuron per hidden layer in each
of its parallel units::

    t₁ = w x + b₁,          φ = (relu(t₁), relu(−t₁))
    t₂ = cᵀφ + b₂,          G = (relu(t₂), relu(−t₂))      (depth 3 only)
    f(x) = ξ + Σ_units αᵀ G(x)                             (αᵀφ at depth 2)

with ``c, α ∈ ℝ²``. **Convention:** the training objective is

    J = ½‖f(X) − y‖² + (β/L) Σ_units (|w|^L + ‖c‖₂^L + ‖α‖₂^L)

(biases and ξ free; each layer's weights enter through their Euclidean norm — for a single weight
this is the ``|w|^L`` of the narrow networks). By AM–GM a unit costs at least
``β |w| ‖c‖ ‖α‖``, with equality when the three norms agree, and a unit is positively homogeneous
in each layer's weights, so the training problem is the group Lasso

    min ½‖Σ_g G_g(X) α_g + ξ1 − y‖² + β Σ_g ‖α_g‖₂

over the unit-weight groups ``G_g(x) = (relu(T), relu(−T))``, ``T = c·φ_a(x) + b`` with
``‖c‖ = 1``, ``φ_a(x) = (relu(x − a), relu(a − x))`` (:class:`SymmetrisedUnit`).

Examples
--------
>>> unit = SymmetrisedUnit(Fraction(1), (Fraction(1), Fraction(1)), Fraction(-2))
>>> (unit.matrix([0.0, 1.0, 4.0]) ** 2).round(12).tolist()
[[0.0, 0.5], [0.0, 2.0], [0.5, 0.0]]
>>> [[str(b) for b in channel.function.breakpoints] for channel in unit.channels()]
[['-1', '3'], ['-1', '1', '3']]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.functions.activations import relu
from mirrorlib.groundtruth.architectures import LayeredUnit
from mirrorlib.numbers.exact import to_rational
from mirrorlib.numbers.surd import sqrt_bounds

__all__ = ["SymmetrisedNetwork", "SymmetrisedUnit", "balanced_network"]


@dataclass(frozen=True)
class SymmetrisedUnit:
    """A unit-weight group: ``G(x) = φ_a(x)`` (depth 2) or ``(relu(T), relu(−T))`` with
    ``T = (c·φ_a(x) + b)/‖c‖`` (depth 3).

    Attributes
    ----------
    kink : number
        ``a``, the first layer's kink.
    mix : pair of numbers or None
        ``c`` (not necessarily of unit norm; the group is normalised by ``‖c‖``); None at depth 2.
    shift : number
        ``b`` (for the given, unnormalised ``c``).

    Examples
    --------
    >>> SymmetrisedUnit(2).depth, SymmetrisedUnit(2).matrix([1.0, 3.0]).tolist()
    (2, [[0.0, 1.0], [1.0, 0.0]])
    """

    kink: Any
    mix: tuple[Any, Any] | None = None
    shift: Any = 0

    @property
    def depth(self) -> int:
        return 2 if self.mix is None else 3

    def matrix(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """``G(X)`` in float64, shape ``(N, 2)``."""
        x = np.asarray(x, dtype=np.float64)
        a = float(self.kink)
        first = np.stack([np.maximum(x - a, 0), np.maximum(a - x, 0)], axis=1)
        if self.mix is None:
            return first
        c = np.array([float(v) for v in self.mix])
        T = (first @ c + float(self.shift)) / math.hypot(*c)
        return np.stack([np.maximum(T, 0), np.maximum(-T, 0)], axis=1)

    def channels(self) -> tuple[LayeredUnit, LayeredUnit]:
        """The two channels as exact units of :mod:`mirrorlib.groundtruth`, for the UNnormalised
        ``c`` (``‖c‖`` times the group's channels; exact when ``a``, ``c``, ``b`` are rational)."""
        a = to_rational(self.kink, name="kink")
        first = ((Fraction(1),), (Fraction(-1),)), (-a, a)
        if self.mix is None:
            return LayeredUnit(relu(), (((Fraction(1),),),), ((-a,),)), LayeredUnit(relu(), (((Fraction(-1),),),), ((a,),))
        c = tuple(to_rational(v, name="mix") for v in self.mix)
        b = to_rational(self.shift, name="shift")
        return tuple(  # type: ignore[return-value]
            LayeredUnit(relu(), (first[0], ((sign * c[0], sign * c[1]),)), (first[1], (sign * b,))) for sign in (1, -1)
        )

    def correlation_squared(self, x: Sequence[Any], lam: Sequence[Any]) -> Fraction:
        """``‖G(X)ᵀλ‖²`` exactly, from the exact channels (divided by ``‖c‖²`` at depth 3), for a
        unit with rational parameters — the quantity the dual constraint bounds by ``β²``.

        Examples
        --------
        >>> SymmetrisedUnit(1, (1, 1), -1).correlation_squared([0, 1, 2], [1, -2, 1])
        Fraction(2, 1)
        """
        values = [to_rational(v, name="x") for v in x]
        weights = [to_rational(v, name="lam") for v in lam]
        correlation = [sum((w * channel(v) for v, w in zip(values, weights)), Fraction(0)) for channel in self.channels()]
        square = correlation[0] ** 2 + correlation[1] ** 2
        if self.mix is None:
            return square
        return square / sum((to_rational(v, name="mix") ** 2 for v in self.mix), Fraction(0))

    def describe(self) -> str:
        """The group as a formula."""
        if self.mix is None:
            return f"(relu(x - {self.kink}), relu({self.kink} - x))"
        return f"(relu(T), relu(-T)), T = ({self.mix[0]}·relu(x - {self.kink}) + {self.mix[1]}·relu({self.kink} - x) + {self.shift})/‖c‖"


@dataclass(frozen=True)
class SymmetrisedNetwork:
    """``f(x) = ξ + Σ_u α_uᵀ G_u(x)`` with explicit weights (module docstring).

    Parameters
    ----------
    first : ndarray (m, 2)
        Per unit ``(w, b₁)``.
    mix : ndarray (m, 3) or None
        Per unit ``(c₁, c₂, b₂)`` (depth 3); None at depth 2.
    output : ndarray (m, 2)
        Per unit ``α``.
    intercept : float
        ``ξ``.

    Examples
    --------
    >>> net = SymmetrisedNetwork(np.array([[1.0, -1.0]]), None, np.array([[2.0, 1.0]]), 0.5)
    >>> net.depth, net.predict([0.0, 3.0]).tolist(), round(net.training_objective([0.0, 3.0], [1.5, 4.5], 1.0), 12)
    (2, [1.5, 4.5], 3.0)
    """

    first: np.ndarray
    mix: np.ndarray | None
    output: np.ndarray
    intercept: float

    @property
    def depth(self) -> int:
        return 2 if self.mix is None else 3

    @property
    def width(self) -> int:
        """The number of parallel units ``m``."""
        return int(np.shape(self.output)[0])

    def pairs(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """Each unit's two last-layer channels, shape ``(N, m, 2)``."""
        x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        first = np.asarray(self.first, dtype=np.float64).reshape(-1, 2)
        t = x * first[:, 0] + first[:, 1]
        channels = np.stack([np.maximum(t, 0), np.maximum(-t, 0)], axis=2)
        if self.mix is None:
            return channels
        mix = np.asarray(self.mix, dtype=np.float64).reshape(-1, 3)
        T = np.einsum("nmk,mk->nm", channels, mix[:, :2]) + mix[:, 2]
        return np.stack([np.maximum(T, 0), np.maximum(-T, 0)], axis=2)

    def predict(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """``f(x)`` in float64."""
        return self.intercept + np.einsum("nmk,mk->n", self.pairs(x), np.asarray(self.output, dtype=np.float64).reshape(-1, 2))

    def penalty(self) -> float:
        """``(1/L) Σ_u (|w|^L + ‖c‖^L + ‖α‖^L)`` (times β in the objective)."""
        L = self.depth
        norms = [np.abs(np.asarray(self.first, dtype=np.float64).reshape(-1, 2)[:, 0])]
        if self.mix is not None:
            norms.append(np.linalg.norm(np.asarray(self.mix, dtype=np.float64).reshape(-1, 3)[:, :2], axis=1))
        norms.append(np.linalg.norm(np.asarray(self.output, dtype=np.float64).reshape(-1, 2), axis=1))
        return float(sum(np.sum(n**L) for n in norms)) / L

    def training_objective(self, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, beta: float) -> float:
        """``J = ½‖f(X) − y‖² + β·penalty`` in float64."""
        residual = self.predict(x) - np.asarray(y, dtype=np.float64)
        return 0.5 * float(residual @ residual) + float(beta) * self.penalty()

    def exact_objective(self, x: Sequence[Any], y: Sequence[Any], beta: Any) -> tuple[Fraction, list[Fraction]]:
        """``(J̄, r)``: a rational upper bound ``J̄ ≥ J`` (norms to odd powers rounded up, within
        ``2^-64`` each) and the exact residual ``r = y − f(X)``, every weight read as the rational
        it stores."""
        exact = np.vectorize(lambda v: to_rational(v, name="weight"), otypes=[object])
        first = exact(np.asarray(self.first, dtype=object).reshape(-1, 2))
        output = exact(np.asarray(self.output, dtype=object).reshape(-1, 2))
        mix = None if self.mix is None else exact(np.asarray(self.mix, dtype=object).reshape(-1, 3))
        beta = to_rational(beta, name="beta")
        residual = []
        for point, label in zip(x, y):
            value = to_rational(point, name="x")
            fitted = to_rational(self.intercept, name="intercept")
            for u in range(self.width):
                t = first[u, 0] * value + first[u, 1]
                channels = (max(t, 0), max(-t, 0))
                if mix is not None:
                    T = mix[u, 0] * channels[0] + mix[u, 1] * channels[1] + mix[u, 2]
                    channels = (max(T, 0), max(-T, 0))
                fitted += output[u, 0] * channels[0] + output[u, 1] * channels[1]
            residual.append(to_rational(label, name="y") - fitted)
        L = self.depth
        squares = [first[:, 0] ** 2, (output**2).sum(axis=1)] + ([] if mix is None else [(mix[:, :2] ** 2).sum(axis=1)])
        penalty = sum((_power_upper(s, L) for column in squares for s in column), Fraction(0))
        return sum((r * r for r in residual), Fraction(0)) / 2 + beta * penalty / L, residual


def _power_upper(square: Fraction, L: int) -> Fraction:
    """A rational ``≥ square^{L/2}`` (exact for even ``L``; the root rounded up, within
    ``2^-64``, for odd ``L``)."""
    if L % 2 == 0:
        return square ** (L // 2)
    return square ** (L // 2) * sqrt_bounds(square)[1]


def balanced_network(units: Sequence[SymmetrisedUnit], coefficients: np.ndarray, intercept: float) -> SymmetrisedNetwork:
    """The network of a group-Lasso point ``(α_g, ξ)``, each unit balanced so that its penalty
    equals ``β‖α_g‖``: every layer's weights get the norm ``‖α_g‖^{1/L}``.

    Examples
    --------
    >>> net = balanced_network([SymmetrisedUnit(1)], np.array([[3.0, 4.0]]), 0.0)
    >>> net.first.tolist(), round(net.penalty(), 12)
    ([[2.23606797749979, -2.23606797749979]], 5.0)
    """
    depth = 2 if not units or units[0].mix is None else 3
    first, mix, output = [], [], []
    for unit, alpha in zip(units, np.asarray(coefficients, dtype=np.float64).reshape(-1, 2)):
        norm = float(np.linalg.norm(alpha))
        if norm == 0:
            continue
        k = norm ** (1 / depth)
        a = float(unit.kink)
        first.append((k, -k * a))
        if unit.mix is None:
            output.append(alpha / k)
            continue
        c = np.array([float(v) for v in unit.mix])
        scale = k / math.hypot(*c)
        mix.append((scale * c[0], scale * c[1], k * scale * float(unit.shift)))
        output.append(alpha / (k * k))
    return SymmetrisedNetwork(
        np.array(first, dtype=np.float64).reshape(-1, 2),
        None if depth == 2 else np.array(mix, dtype=np.float64).reshape(-1, 3),
        np.array(output, dtype=np.float64).reshape(-1, 2),
        float(intercept),
    )
