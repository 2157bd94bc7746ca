"""Unit architectures with weights fixed to signs and free biases (theory §1, §3).

A unit of depth ``L`` has hidden layers ``l = 1 … L−1`` of widths ``n_1 … n_{L−1}`` with
``n_{L−1} = 1``::

    h_0 = x,    h_l = σ(W_l h_{l−1} + b_l),    u = h_{L−1}.

For a positively homogeneous σ the rescaling lemma (AM–GM) lets the weights of a *narrow*
unit be fixed to signs ``s_l ∈ {−1, +1}``. The enumeration of :mod:`mirrorlib.groundtruth`
then treats the biases as the free variables: ``b_l = B_l θ`` for a parameter vector
``θ ∈ ℝ^d`` (``B_l`` picks coordinates of θ, possibly tied with a sign).

Architectures:

``narrow``
    width 1 everywhere; ``θ = (b_1, …, b_{L−1})``; weight pattern ``(s_1, …, s_{L−1})``.
``width2``
    one hidden layer ``w`` (``wide_layer``, 1-based, ``1 ≤ w ≤ L−2``) of width 2, the others
    width 1: ``h_w = (σ(s_{w1} h_{w−1} + b_{w1}), σ(s_{w2} h_{w−1} + b_{w2}))`` and
    ``h_{w+1} = σ(c_1 h_{w1} + c_2 h_{w2} + b_{w+1})``. Weight pattern in layer order
    ``(…, s_{w1}, s_{w2}, c_1, c_2, …)``. Fixing *every* weight to ±1 is a slice of the
    width-2 units, not what the rescaling lemma reduces a width-2 unit to: its weight-decay
    cost is ``C·|α|`` with ``C ≥ 1`` (:meth:`Architecture.cost_power`), so ``|λᵀu|/C`` over the
    slice is a LOWER bound on the supremum over unit-cost width-2 units. A lower bound suffices
    to exhibit non-stagnation and reflection breakpoints (Theorem 3.5). Other weight values
    (e.g. a grid of ratios ``c_2/c_1``) can be scanned by passing explicit weight patterns.
``symmetrised``
    the ``width2`` layout with tied opposite weights and a shared bias in the wide layer:
    ``h_w = (σ(t), σ(−t))``, ``t = s h_{w−1} + θ_w``. For σ = ReLU this is the symmetrised ReLU
    of :func:`mirrorlib.functions.activations.symmetrised_relu`. Weight pattern ``(…, s, c_1, c_2, …)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from mirrorlib.functions.activations import Activation
from mirrorlib.numbers.exact import format_rational, to_rational
from mirrorlib.functions.pwl import PWL
from mirrorlib.units import NarrowUnit

__all__ = ["ARCHITECTURES", "Architecture", "LayeredUnit", "make_architecture"]

ARCHITECTURES = ("narrow", "width2", "symmetrised")

Slot = tuple[int, int]  # (index into the weight pattern or θ, factor ±1)


@dataclass(frozen=True)
class Architecture:
    """Where the free weights and biases sit in a unit of depth ``L``.

    Attributes
    ----------
    name : str
        ``"narrow"``, ``"width2"`` or ``"symmetrised"``.
    depth : int
        ``L``.
    weight_slots : tuple
        Per hidden layer a matrix (tuple of rows, one per neuron) of :data:`Slot` s: the entry
        ``W_l[k][m] = factor · pattern[index]``.
    bias_slots : tuple
        Per hidden layer one :data:`Slot` per neuron: ``b_l[k] = factor · θ[index]``.
    n_weights : int
        Length of a weight pattern.
    n_parameters : int
        ``d``, the dimension of the bias space.

    Examples
    --------
    >>> architecture = make_architecture('width2', 3)
    >>> architecture.depth, architecture.n_weights
    (3, 4)
    """

    name: str
    depth: int
    weight_slots: tuple[tuple[tuple[Slot, ...], ...], ...]
    bias_slots: tuple[tuple[Slot, ...], ...]
    n_weights: int
    n_parameters: int

    @property
    def widths(self) -> tuple[int, ...]:
        """``(n_1, …, n_{L−1})``."""
        return tuple(len(rows) for rows in self.bias_slots)

    @property
    def is_narrow(self) -> bool:
        return all(width == 1 for width in self.widths)

    def weights(self, pattern: Sequence[Fraction]) -> tuple[tuple[tuple[Fraction, ...], ...], ...]:
        """The weight matrices ``W_1 … W_{L−1}`` for a weight pattern."""
        return tuple(
            tuple(tuple(factor * pattern[index] for index, factor in row) for row in layer)
            for layer in self.weight_slots
        )

    def biases(self, theta: Sequence[Fraction]) -> tuple[tuple[Fraction, ...], ...]:
        """The bias vectors ``b_1 … b_{L−1}`` for a parameter vector θ."""
        return tuple(tuple(factor * theta[index] for index, factor in layer) for layer in self.bias_slots)

    def bias_forms(self) -> tuple[tuple[tuple[Fraction, ...], ...], ...]:
        """Each bias as an affine form ``(0, coefficients on θ)``."""
        forms = []
        for layer in self.bias_slots:
            rows = []
            for index, factor in layer:
                coefficients = [Fraction(0)] * (self.n_parameters + 1)
                coefficients[index + 1] = Fraction(factor)
                rows.append(tuple(coefficients))
            forms.append(tuple(rows))
        return tuple(forms)

    def sign_patterns(self, activation: Activation) -> list[tuple[Fraction, ...]]:
        """All ±1 weight patterns, up to the exact symmetry of an even activation.

        If σ(−t) = σ(t) (σ = |·| up to scale) and a neuron owns its bias, flipping the sign of
        its incoming weights and its bias leaves the unit unchanged; as biases range over ℝ, the
        first incoming weight of such a neuron can be fixed to +1 without losing any feature.
        """
        negative, positive = activation.slopes
        fixed = self._flippable_slots() if negative == -positive else set()
        choices = [(Fraction(1),) if index in fixed else (Fraction(1), Fraction(-1)) for index in range(self.n_weights)]
        return [tuple(pattern) for pattern in itertools.product(*choices)]

    def _flippable_slots(self) -> set[int]:
        bias_use = _slot_use(slot for layer in self.bias_slots for slot in layer)
        weight_use = _slot_use(slot for layer in self.weight_slots for row in layer for slot in row)
        flippable = set()
        for layer_weights, layer_biases in zip(self.weight_slots, self.bias_slots):
            for row, (bias_index, _) in zip(layer_weights, layer_biases):
                if bias_use[bias_index] == 1 and weight_use[row[0][0]] == 1:
                    flippable.add(row[0][0])
        return flippable

    def cost_power(self, pattern: Sequence[Fraction]) -> Fraction:
        """``C^L = ∏_{l=1}^{L} Σ_{w ∈ layer l} |w|^L`` (the output layer is the single weight α = 1).

        Weight decay ``(β/L) Σ|w|^L`` on a unit ``α·u`` with these weights, after rescaling every
        layer ``l`` by ``t_l`` with ``∏ t_l = 1`` (σ positively homogeneous, biases rescaled along),
        is minimised by AM–GM at ``β|α|·C``. So the unit-cost feature is ``u / C``, and
        ``|λᵀu| / C`` is a LOWER bound on the supremum over unit-cost units of this architecture.
        ``C = 1`` for narrow ±1 units; ``C^3 = 4`` for the ±1 width-2 unit of depth 3 (two weights
        in each of the two hidden layers), so it must beat a narrow library by more than
        ``2^{2/3}`` to beat it per unit cost. Per-neuron rescaling can only lower the cost further.
        """
        power = Fraction(1)
        for layer in self.weights(pattern):
            power *= sum((abs(w) ** self.depth for row in layer for w in row), Fraction(0))
        return power

    def unit(self, activation: Activation, pattern: Sequence[Fraction], theta: Sequence[Fraction]) -> LayeredUnit:
        """The exact unit with weight pattern ``pattern`` and biases ``B θ``."""
        return LayeredUnit(activation, self.weights(pattern), self.biases(theta))


def _slot_use(slots: Iterator[Slot] | Sequence[Slot]) -> dict[int, int]:
    use: dict[int, int] = {}
    for index, _ in slots:
        use[index] = use.get(index, 0) + 1
    return use


def make_architecture(name: str, depth: int, *, wide_layer: int = 1) -> Architecture:
    """Build the :class:`Architecture` ``name`` of depth ``L = depth`` (see module docstring).

    Raises ``ValueError`` naming the argument for an unknown ``name``, ``depth < 2`` (``< 3``
    for the wide architectures) or ``wide_layer`` outside ``1 … L−2``.

    Examples
    --------
    >>> arch = make_architecture('narrow', 3)
    >>> arch.name, arch.depth, arch.n_weights
    ('narrow', 3, 2)
    """
    if name not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {name!r}")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise TypeError(f"depth must be an integer ≥ 2, got {depth!r}")
    if depth < 2:
        raise ValueError(f"depth must be ≥ 2 (at least one hidden layer and the output layer), got {depth}")
    if name == "narrow":
        return _assemble(name, int(depth), [_narrow_layer] * (int(depth) - 1))
    if depth < 3:
        raise ValueError(f"depth must be ≥ 3 for architecture={name!r} (a width-2 layer feeding a width-1 layer), got {depth}")
    if isinstance(wide_layer, bool) or not isinstance(wide_layer, (int, np.integer)) or not 1 <= wide_layer <= depth - 2:
        raise ValueError(f"wide_layer must be an integer in 1..{depth - 2} (the last hidden layer has width 1), got {wide_layer!r}")
    wide = _tied_layer if name == "symmetrised" else _wide_layer
    builders = [_narrow_layer] * (int(depth) - 1)
    builders[wide_layer - 1] = wide
    builders[wide_layer] = _combining_layer
    return _assemble(name, int(depth), builders)


# A layer builder takes (next weight index, next θ index) and returns
# (weight slot rows, bias slots, weights used, parameters used).
LayerSlots = tuple[tuple[tuple[Slot, ...], ...], tuple[Slot, ...], int, int]


def _narrow_layer(w: int, p: int) -> LayerSlots:
    return (((w, 1),),), ((p, 1),), 1, 1


def _wide_layer(w: int, p: int) -> LayerSlots:
    return (((w, 1),), ((w + 1, 1),)), ((p, 1), (p + 1, 1)), 2, 2


def _tied_layer(w: int, p: int) -> LayerSlots:
    return (((w, 1),), ((w, -1),)), ((p, 1), (p, -1)), 1, 1


def _combining_layer(w: int, p: int) -> LayerSlots:
    return (((w, 1), (w + 1, 1)),), ((p, 1),), 2, 1


def _assemble(name: str, depth: int, builders: Sequence) -> Architecture:  # type: ignore[type-arg]
    weight_slots, bias_slots = [], []
    w = p = 0
    for build in builders:
        rows, biases, used_w, used_p = build(w, p)
        weight_slots.append(rows)
        bias_slots.append(biases)
        w, p = w + used_w, p + used_p
    return Architecture(name, depth, tuple(weight_slots), tuple(bias_slots), w, p)


@dataclass(frozen=True)
class LayeredUnit:
    """An exact unit ``u = h_{L−1}``, ``h_l = σ(W_l h_{l−1} + b_l)``, ``h_0 = x`` (any widths, last 1).

    ``weights[l]`` is the matrix ``W_{l+1}`` as a tuple of rows (one per neuron of that layer);
    ``biases[l]`` the vector ``b_{l+1}``. Provenance of a ground-truth feature: evaluating the
    unit at the data reproduces the feature exactly.

    Examples
    --------
    >>> from mirrorlib.functions.activations import get_activation
    >>> unit = LayeredUnit(get_activation('relu'), (((Fraction(1),),),), ((Fraction(-1),),))
    >>> unit(Fraction(3))
    Fraction(2, 1)
    """

    activation: Activation
    weights: tuple[tuple[tuple[Fraction, ...], ...], ...]
    biases: tuple[tuple[Fraction, ...], ...]

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError("weights and biases need one entry per hidden layer (at least one)")
        width = 1
        for level, (matrix, bias) in enumerate(zip(self.weights, self.biases), start=1):
            if len(matrix) != len(bias) or any(len(row) != width for row in matrix):
                raise ValueError(f"layer {level}: W must be {len(bias)}×{width} to match b and the previous layer")
            width = len(bias)
        if width != 1:
            raise ValueError(f"the last hidden layer of a unit must have width 1, got {width}")

    @property
    def depth(self) -> int:
        return len(self.weights) + 1

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(len(bias) for bias in self.biases)

    def __call__(self, x: object) -> Fraction:
        """Exact ``u(x)``, layer by layer."""
        hidden: tuple[Fraction, ...] = (to_rational(x, name="x"),)
        sigma = self.activation.function
        for matrix, bias in zip(self.weights, self.biases):
            hidden = tuple(sigma(sum((w * h for w, h in zip(row, hidden)), Fraction(0)) + b) for row, b in zip(matrix, bias))
        return hidden[0]

    def evaluate(self, x: np.ndarray | Sequence[float]) -> np.ndarray:
        """Float64 ``u(x)`` on an array."""
        hidden = [np.asarray(x, dtype=np.float64)]
        sigma = self.activation.function
        for matrix, bias in zip(self.weights, self.biases):
            hidden = [
                sigma.evaluate(sum(float(w) * h for w, h in zip(row, hidden)) + float(b)) for row, b in zip(matrix, bias)
            ]
        return hidden[0]

    @cached_property
    def function(self) -> PWL:
        """``u`` as an exact PWL function of ``x`` (its breakpoints show reflections)."""
        hidden = [PWL.affine(1, 0)]
        sigma = self.activation.function
        for matrix, bias in zip(self.weights, self.biases):
            hidden = [
                sigma.compose(sum((h.scale_output(w) for w, h in zip(row, hidden)), PWL.constant(b)))
                for row, b in zip(matrix, bias)
            ]
        return hidden[0]

    def as_narrow_unit(self) -> NarrowUnit | None:
        """The equivalent :class:`~mirrorlib.units.NarrowUnit` when every hidden layer has width 1."""
        if any(width != 1 for width in self.widths):
            return None
        return NarrowUnit(self.activation, tuple(m[0][0] for m in self.weights), tuple(b[0] for b in self.biases))

    def describe(self) -> str:
        """Formula, e.g. ``relu(+relu(+x - 1) - relu(-x + 2) + 1/2)``."""
        terms = ["x"]
        name = self.activation.name
        for matrix, bias in zip(self.weights, self.biases):
            terms = [f"{name}({_affine_text(row, terms, b)})" for row, b in zip(matrix, bias)]
        return terms[0]


def _affine_text(row: Sequence[Fraction], terms: Sequence[str], bias: Fraction) -> str:
    parts = []
    for weight, term in zip(row, terms):
        magnitude = "" if abs(weight) == 1 else f"{format_rational(abs(weight))}*"
        parts.append(f"{'-' if weight < 0 else '+'}{magnitude}{term}")
    if bias:
        parts.append(f"{'-' if bias < 0 else '+'} {format_rational(abs(bias))}")
    return " ".join(parts)
