"""Sign and threshold networks in the amplitude parametrisation (theory §1, last bullet).

Activations
-----------
``σ ∈ {sign, threshold}`` with the paper's conventions at the jump (:mod:`mirrorlib.functions.activations`)::

    sign(t) = +1 (t ≥ 0), −1 (t < 0),        threshold(t) = 1[t ≥ 0].

Both are 0-homogeneous, ``σ(ct) = σ(t)`` for ``c > 0``.

Neurons and units
-----------------
A neuron reads the outputs ``h`` of the layer below and computes, with trainable *amplitude* ``s``::

    n(h) = s · σ(wᵀh + b),        w ∈ Q^{fan-in}, b ∈ Q, s ∈ Q.

A unit of depth ``L`` has ``L − 1`` activation layers; layer 1 reads the input ``x`` (fan-in 1),
layer ``L − 1`` is a single neuron, the unit's output ``u(x) = s_out σ(p_out(x))``. The hidden
widths ``m_1, …, m_{L−2}`` (``len(widths) = L − 2``) are counted from the input:

* **tree**: every neuron of layer ``l + 1`` reads its *own* ``m_l`` neurons of layer ``l``
  (neuron ``k`` reads neurons ``k m_l, …, (k+1) m_l − 1``), so layer ``l`` has
  ``∏_{k=l}^{L−2} m_k`` neurons;
* **rectangular**: layer ``l`` (``1 ≤ l ≤ L − 2``) has ``m_l`` neurons and every neuron of layer
  ``l + 1`` reads all ``m_l`` of them.

Depth 2 is a single neuron ``s σ(w x + b)``; at depth 3 both architectures coincide.

Network and penalty (what is penalised)
---------------------------------------
A network is ``f(x) = ξ + Σ_i α_i u_i(x)``; its training objective in this toolkit is::

    ½‖f(X) − y‖² + (β/2) Σ_i (α_i² + s_{i,out}²),

i.e. only the outer weights ``α_i`` and the *output amplitudes* ``s_{i,out}`` are penalised;
``ξ``, every bias, every inner weight and every inner amplitude are not. Penalising the inner
parameters would change nothing but the existence of minimisers: ``(w, b) ↦ (cw, cb)``, ``c > 0``,
leaves ``σ(wᵀh + b)`` unchanged, and an inner amplitude ``s`` only enters the next layer through
the products ``w'_i s``, so ``(s, w') ↦ (cs, w'/c)`` leaves ``f`` unchanged; any penalty on them
can be made arbitrarily small (infimum 0, not attained). By AM–GM ``α² + s² ≥ 2|αs|`` with
equality at ``|α| = |s|``, so the optimal penalty of unit ``i`` is ``β|z_i|``, ``z_i = α_i s_{i,out}``,
and training is the Lasso of theory §2 with the columns ``a_i = σ(p_{i,out}(X))`` — vectors in
``{−1, 1}^N`` (sign) or ``{0, 1}^N`` (threshold). These *features* are what the libraries of
:mod:`mirrorlib.signnets.library` list. (A penalty ``(β/L) Σ |·|^L`` over ``α`` and amplitudes, as
for homogeneous σ, would reduce, after the free inner rescalings above, to
``(β/L)(|α|^L + |s_out|^L) ≥ (2β/L)|α s_out|^{L/2}``: not a Lasso for ``L > 2``; hence the
quadratic penalty on the pair ``(α, s_out)``.)

Everything here is exact (``Fraction``); :meth:`SignUnit.function` also composes the unit as an
exact :class:`~mirrorlib.functions.pwl.PWL` step function, independently of pointwise evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.numbers.exact import format_rational, to_rational, to_rational_vector
from mirrorlib.functions.pwl import PWL

__all__ = [
    "SIGN_ARCHITECTURES",
    "SIGN_ACTIVATIONS",
    "SignNetSpec",
    "sign_net_spec",
    "parse_widths",
    "Neuron",
    "SignUnit",
    "amplitude_penalty",
    "neuron",
]

SIGN_ARCHITECTURES = ("tree", "rectangular")
SIGN_ACTIVATIONS = ("sign", "threshold")


def parse_widths(widths: str | Iterable[object] | None, *, name: str = "widths") -> tuple[int, ...]:
    """``"2,2"``, ``[2, 2]`` or ``None`` (no hidden widths) as a tuple of positive ints, read by
    the one number parser :func:`~mirrorlib.numbers.exact.to_rational_vector`.

    Raises ``ValueError`` naming ``name`` and the position for non-integers and widths ``≤ 0``.

    Examples
    --------
    >>> parse_widths('2,3'), parse_widths([4]), parse_widths(None)
    ((2, 3), (4,), ())
    """
    items = widths if widths is None or isinstance(widths, str) else list(widths)
    if not (items.strip() if isinstance(items, str) else items):
        return ()
    values = to_rational_vector(items, name=name)
    for position, value in enumerate(values):
        if value.denominator != 1:
            raise ValueError(f"{name}[{position}] must be a positive integer, got {value}")
        if value <= 0:
            raise ValueError(f"{name}[{position}] must be ≥ 1 (a layer needs at least one neuron), got {value}")
    return tuple(int(value) for value in values)


@dataclass(frozen=True)
class SignNetSpec:
    """Activation, architecture, hidden widths ``(m_1, …, m_{L−2})`` and depth ``L`` of a unit.

    Build it with :func:`sign_net_spec`, which validates the combination.

    Examples
    --------
    >>> spec = SignNetSpec(get_activation('sign'), 'tree', (2, 2), 4)
    >>> spec.layer_sizes, spec.fan_ins
    ((4, 2, 1), (1, 2, 2))
    """

    activation: Activation
    architecture: str
    widths: tuple[int, ...]
    depth: int

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Neurons per activation layer ``1, …, L − 1`` (the last is the output neuron)."""
        if self.architecture == "tree":
            return tuple(math.prod(self.widths[layer:]) for layer in range(len(self.widths))) + (1,)
        return self.widths + (1,)

    @property
    def fan_ins(self) -> tuple[int, ...]:
        """Inputs per neuron in layers ``1, …, L − 1``: ``(1, m_1, …, m_{L−2})``."""
        return (1,) + self.widths

    def inputs(self, layer: int, neuron: int) -> range:
        """Indices (into layer ``layer − 1``; layer 0 is ``(x,)``) read by ``neuron`` of ``layer`` (1-based)."""
        if layer == 1:
            return range(1)
        fan_in = self.widths[layer - 2]
        if self.architecture == "tree":
            return range(neuron * fan_in, (neuron + 1) * fan_in)
        return range(fan_in)

    def native(self, bit: int) -> Fraction:
        """The value ``σ(p)`` for ``bit = 1[p ≥ 0]``: ±1 for sign, 0/1 for threshold."""
        if self.activation.name == "sign":
            return Fraction(2 * bit - 1)
        return Fraction(bit)

    def describe(self) -> str:
        widths = ",".join(str(width) for width in self.widths) or "-"
        return f"{self.activation.name} {self.architecture} net, depth {self.depth}, widths {widths}"


def _check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise ValueError(f"depth must be an integer ≥ 2, got {depth!r}")
    if depth < 2:
        raise ValueError(f"depth must be ≥ 2 (a depth-L unit has L − 1 activation layers), got {depth}")
    return int(depth)


def _check_activation(activation: Activation | str) -> Activation:
    sigma = get_activation(activation)
    if sigma.name not in SIGN_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {SIGN_ACTIVATIONS} for sign/threshold networks, got {sigma.name!r}; "
            "homogeneous activations use mirrorlib.libraries.closed_form"
        )
    return sigma


def sign_net_spec(
    activation: Activation | str = "sign",
    architecture: str = "tree",
    widths: str | Iterable[object] | None = (),
    depth: int = 2,
) -> SignNetSpec:
    """Validate and bundle a sign/threshold unit architecture.

    Raises
    ------
    ValueError
        naming the argument: ``activation`` not sign/threshold, ``architecture`` not tree/rectangular,
        ``depth < 2`` (or not an integer), a width ``≤ 0``, or ``len(widths) ≠ depth − 2``.

    Examples
    --------
    >>> spec = sign_net_spec('threshold', 'rectangular', '2,2', 4)
    >>> spec.architecture, spec.widths, spec.depth
    ('rectangular', (2, 2), 4)
    """
    sigma = _check_activation(activation)
    if architecture not in SIGN_ARCHITECTURES:
        raise ValueError(f"architecture must be one of {SIGN_ARCHITECTURES}, got {architecture!r}")
    depth = _check_depth(depth)
    parsed = parse_widths(widths)
    if len(parsed) != depth - 2:
        raise ValueError(
            f"widths must list the L − 2 = {depth - 2} hidden widths m_1, …, m_{{L−2}} of a depth-{depth} unit "
            f"(counted from the input), got {len(parsed)}: {parsed}"
        )
    return SignNetSpec(sigma, architecture, parsed, depth)


@dataclass(frozen=True)
class Neuron:
    """``n(h) = amplitude · σ(Σ_i weights_i h_{inputs_i} + bias)``; the wiring comes from the spec.

    Examples
    --------
    >>> Neuron((Fraction(1),), Fraction(-1, 2))
    Neuron(weights=(Fraction(1, 1),), bias=Fraction(-1, 2), amplitude=Fraction(1, 1))
    """

    weights: tuple[Fraction, ...]
    bias: Fraction
    amplitude: Fraction = Fraction(1)

    def preactivation(self, inputs: Sequence[Fraction]) -> Fraction:
        return sum((w * h for w, h in zip(self.weights, inputs)), self.bias)

    def as_json(self) -> dict[str, object]:
        return {
            "weights": [format_rational(w) for w in self.weights],
            "bias": format_rational(self.bias),
            "amplitude": format_rational(self.amplitude),
        }


def neuron(weights: Iterable[object], bias: object, amplitude: object = 1) -> Neuron:
    """A :class:`Neuron` from rational-like numbers.

    Examples
    --------
    >>> neuron([1, '-1/2'], 3)
    Neuron(weights=(Fraction(1, 1), Fraction(-1, 2)), bias=Fraction(3, 1), amplitude=Fraction(1, 1))
    """
    return Neuron(
        tuple(to_rational(w, name="weights") for w in weights),
        to_rational(bias, name="bias"),
        to_rational(amplitude, name="amplitude"),
    )


@dataclass(frozen=True)
class SignUnit:
    """A sign/threshold unit: ``layers[l−1]`` holds the neurons of activation layer ``l``.

    The layer sizes and fan-ins must match ``spec`` (see :class:`SignNetSpec`); the wiring is
    implied by the architecture.

    Examples
    --------
    >>> from mirrorlib.signnets.construction import realising_unit
    >>> spec = SignNetSpec(get_activation('sign'), 'tree', (), 2)
    >>> unit = realising_unit(spec, [Fraction(0), Fraction(1)], (0, 1))
    >>> unit.describe(), unit(Fraction(1, 2)), unit(2)
    ('sign(x - 1/2)', Fraction(1, 1), Fraction(1, 1))
    """

    spec: SignNetSpec
    layers: tuple[tuple[Neuron, ...], ...]

    def __post_init__(self) -> None:
        sizes = tuple(len(layer) for layer in self.layers)
        if sizes != self.spec.layer_sizes:
            raise ValueError(f"a {self.spec.describe()} has layer sizes {self.spec.layer_sizes}, got {sizes}")
        for index, (layer, fan_in) in enumerate(zip(self.layers, self.spec.fan_ins), start=1):
            wrong = [k for k, unit_neuron in enumerate(layer) if len(unit_neuron.weights) != fan_in]
            if wrong:
                raise ValueError(f"neurons {wrong} of layer {index} need {fan_in} weights (their fan-in)")

    @property
    def output_neuron(self) -> Neuron:
        return self.layers[-1][0]

    @property
    def amplitude(self) -> Fraction:
        """``s_out``: the Lasso coefficient of the unit is ``z = α · s_out``."""
        return self.output_neuron.amplitude

    def hidden_values(self, x: object) -> list[tuple[Fraction, ...]]:
        """Exact neuron outputs ``n(h)`` (amplitudes included) of every layer at ``x``."""
        below: tuple[Fraction, ...] = (to_rational(x, name="x"),)
        values = []
        for layer_index, layer in enumerate(self.layers, start=1):
            below = tuple(
                unit_neuron.amplitude
                * self._sigma(unit_neuron.preactivation([below[i] for i in self.spec.inputs(layer_index, k)]))
                for k, unit_neuron in enumerate(layer)
            )
            values.append(below)
        return values

    def output_preactivation(self, x: object) -> Fraction:
        """``p_out(x)``, the output neuron's pre-activation."""
        hidden = self.hidden_values(x)
        below = hidden[-2] if len(hidden) > 1 else (to_rational(x, name="x"),)
        return self.output_neuron.preactivation([below[i] for i in self.spec.inputs(len(self.layers), 0)])

    def feature(self, x: object) -> Fraction:
        """The Lasso feature ``σ(p_out(x))`` (amplitude stripped): ±1 or 0/1."""
        return self._sigma(self.output_preactivation(x))

    def __call__(self, x: object) -> Fraction:
        """``u(x) = s_out σ(p_out(x))`` exactly."""
        return self.hidden_values(x)[-1][0]

    def feature_values(self, points: Iterable[object]) -> tuple[Fraction, ...]:
        return tuple(self.feature(point) for point in points)

    @cached_property
    def function(self) -> PWL:
        """``u`` as an exact PWL step function of ``x``, composed layer by layer with PWL arithmetic."""
        below: list[PWL] = [PWL.affine(1, 0)]
        for layer_index, layer in enumerate(self.layers, start=1):
            current = []
            for k, unit_neuron in enumerate(layer):
                pre = PWL.constant(unit_neuron.bias)
                for weight, i in zip(unit_neuron.weights, self.spec.inputs(layer_index, k)):
                    if weight:
                        pre = pre + below[i] * weight
                current.append(self.spec.activation.function.compose(pre) * unit_neuron.amplitude)
            below = current
        return below[0]

    def _sigma(self, t: Fraction) -> Fraction:
        return self.spec.activation.function(t)

    def describe(self) -> str:
        """Nested formula, e.g. ``sign(1·sign(x - 1/2) + 1·sign(-x + 5/2) + 1)``."""
        return self._describe(len(self.layers), 0)

    def _describe(self, layer: int, index: int) -> str:
        unit_neuron = self.layers[layer - 1][index]
        terms = [
            (weight, "x" if layer == 1 else self._describe(layer - 1, i))
            for weight, i in zip(unit_neuron.weights, self.spec.inputs(layer, index))
            if weight != 0
        ]
        if unit_neuron.bias != 0 or not terms:
            terms.append((unit_neuron.bias, ""))
        text = ""
        for position, (coefficient, inner) in enumerate(terms):
            magnitude = abs(coefficient)
            body = format_rational(magnitude) if not inner else inner if magnitude == 1 else f"{format_rational(magnitude)}·{inner}"
            if position == 0:
                text = f"-{body}" if coefficient < 0 else body
            else:
                text += f" {'-' if coefficient < 0 else '+'} {body}"
        scale = "" if unit_neuron.amplitude == 1 else f"{format_rational(unit_neuron.amplitude)}·"
        return f"{scale}{self.spec.activation.name}({text})"

    def with_output_amplitude(self, amplitude: object) -> SignUnit:
        """The same unit with ``s_out`` replaced (e.g. ``s_out = z/α`` when rebuilding a network
        from a Lasso coefficient ``z``)."""
        top = self.output_neuron
        replaced = Neuron(top.weights, top.bias, to_rational(amplitude, name="amplitude"))
        return SignUnit(self.spec, self.layers[:-1] + ((replaced,),))

    def as_json(self) -> dict[str, object]:
        return {
            "architecture": self.spec.architecture,
            "widths": list(self.spec.widths),
            "depth": self.spec.depth,
            "layers": [[unit_neuron.as_json() for unit_neuron in layer] for layer in self.layers],
            "formula": self.describe(),
        }


def amplitude_penalty(alpha: object, unit: SignUnit) -> Fraction:
    """The unit's regulariser ``(α² + s_out²)/2`` (times β in the objective).

    Its minimum over the free rescaling ``(α, s_out) ↦ (cα, s_out/c)`` is ``|α s_out| = |z|``.

    Examples
    --------
    A unit ``s_out·sign(x − 1/2)`` with ``s_out = 1`` and output weight ``α = 2``:

    >>> unit = SignUnit(SignNetSpec(get_activation('sign'), 'tree', (), 2), ((Neuron((Fraction(1),), Fraction(-1, 2)),),))
    >>> amplitude_penalty(2, unit)
    Fraction(5, 2)
    """
    a = to_rational(alpha, name="alpha")
    return (a * a + unit.amplitude * unit.amplitude) / 2
