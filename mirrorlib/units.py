"""Units: the building blocks ``u`` of a parallel network ``f(x) = ξ + Σ_i α_i u_i(x)`` (theory §1).

A *deep narrow* unit of depth ``L`` has ``L − 1`` activation layers of width 1::

    h_0 = x,    h_l = σ(w_l · h_{l−1} + b_l)   (l = 1, …, L−1),    u = h_{L−1}.

Everything is exact: :meth:`NarrowUnit.function` composes the layers as
:class:`~mirrorlib.functions.pwl.PWL` functions, so a unit is a PWL function of ``x`` with rational
breakpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.numbers.exact import format_rational, to_rational
from mirrorlib.functions.pwl import PWL

__all__ = ["NarrowUnit", "narrow_unit"]


@dataclass(frozen=True)
class NarrowUnit:
    """A deep narrow unit ``u = h_{L−1}`` with exact weights ``w_l`` and biases ``b_l``.

    With a positively homogeneous σ the weights can be taken as signs ``s_l ∈ {−1, +1}``
    (theory §1 rescaling lemma); general rational weights are allowed too.

    Examples
    --------
    >>> from mirrorlib.functions.activations import get_activation
    >>> unit = NarrowUnit(get_activation('relu'), (Fraction(1), Fraction(-1)), (Fraction(-1), Fraction(2)))
    >>> [unit(x) for x in (0, 1, 2, 3, 5)]
    [Fraction(2, 1), Fraction(2, 1), Fraction(1, 1), Fraction(0, 1), Fraction(0, 1)]
    """

    activation: Activation
    weights: tuple[Fraction, ...]
    biases: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.biases):
            raise ValueError(
                f"weights and biases need one entry per hidden layer; got {len(self.weights)} and {len(self.biases)}"
            )
        if not self.weights:
            raise ValueError("a unit needs at least one hidden layer (depth ≥ 2)")
        if not self.activation.is_scalar:
            raise ValueError(
                f"{self.activation.name} emits several channels per neuron; a narrow unit needs a scalar activation"
            )

    @property
    def depth(self) -> int:
        """``L``: the number of hidden layers plus one (the output layer α)."""
        return len(self.weights) + 1

    @cached_property
    def layer_functions(self) -> tuple[PWL, ...]:
        """``(h_1, …, h_{L−1})`` as exact PWL functions of ``x``."""
        hidden = PWL.affine(1, 0)
        layers = []
        for weight, bias in zip(self.weights, self.biases):
            hidden = self.activation.function.compose(hidden.affine_output(weight, bias))
            layers.append(hidden)
        return tuple(layers)

    @property
    def function(self) -> PWL:
        """``u = h_{L−1}`` as an exact PWL function of ``x``."""
        return self.layer_functions[-1]

    def __call__(self, x: object) -> Fraction:
        """Exact ``u(x)``, evaluated layer by layer (independent of the PWL composition)."""
        value = to_rational(x, name="x")
        for weight, bias in zip(self.weights, self.biases):
            value = self.activation.function(weight * value + bias)
        return value

    def evaluate(self, x: np.ndarray | Sequence[float]) -> np.ndarray:
        """Float64 ``u(x)`` on an array, layer by layer."""
        values = np.asarray(x, dtype=np.float64)
        for weight, bias in zip(self.weights, self.biases):
            values = self.activation.function.evaluate(float(weight) * values + float(bias))
        return values

    def describe(self) -> str:
        """Human-readable formula, e.g. ``relu(-relu(x - 3) + 2)``."""
        text = "x"
        for weight, bias in zip(self.weights, self.biases):
            scaled = text if weight == 1 else f"-{text}" if weight == -1 else f"{format_rational(weight)}*{text}"
            if bias:
                scaled += f" {'+' if bias > 0 else '-'} {format_rational(abs(bias))}"
            text = f"{self.activation.name}({scaled})"
        return text


def narrow_unit(activation: Activation | str, weights: Sequence[object], biases: Sequence[object]) -> NarrowUnit:
    """Build a :class:`NarrowUnit` from any activation spec and rational-like weights/biases.

    Parameters
    ----------
    activation : str or Activation
        σ.
    weights : sequence of rationals
        ``w_1 … w_{L−1}`` (one per layer of the narrow unit).
    biases : sequence of rationals
        ``b_1 … b_{L−1}``.

    Returns
    -------
    NarrowUnit
        ``u(x) = σ(w_{L−1} … σ(w_1 x + b_1) … + b_{L−1})``.

    Examples
    --------
    >>> unit = narrow_unit('relu', [1, -1], [0, 2])
    >>> unit(Fraction(1)), unit(Fraction(3))
    (Fraction(1, 1), Fraction(0, 1))
    """
    return NarrowUnit(
        get_activation(activation),
        tuple(to_rational(w, name="weights") for w in weights),
        tuple(to_rational(b, name="biases") for b in biases),
    )
