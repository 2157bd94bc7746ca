"""Sign/threshold networks ``f = ξ + Σ_i α_i u_i`` and the exact map to and from the Lasso.

Parametrisation (:mod:`mirrorlib.signnets.networks`, theory §1 last bullet). Unit ``i`` is a
sign/threshold tree or rectangular unit with output pre-activation ``p_i(x)`` and *output
amplitude* ``s_i``::

    u_i(x) = s_i σ(p_i(x)),        f(x) = ξ + Σ_i α_i u_i(x),
    J = ½‖f(X) − y‖² + (β/2) Σ_i (α_i² + s_i²)

(inner weights, biases, inner amplitudes and ξ are unpenalised: 0-homogeneity makes any penalty
on them removable, see :mod:`mirrorlib.signnets.networks`). A :class:`SignNetwork` keeps ``p_i``
in a :class:`~mirrorlib.signnets.networks.SignUnit` whose output neuron has amplitude 1 (so
``units[i].feature`` is the Lasso feature ``σ(p_i)``), and ``s_i`` in :attr:`SignNetwork.amplitudes`,
because ``s_i`` may be irrational.

Network ↔ Lasso. With columns ``a_i = σ(p_i(X))`` and ``z_i = α_i s_i``, ``f(X) = A z + ξ1``;
by AM–GM ``(α_i² + s_i²)/2 ≥ |α_i s_i| = |z_i|``, so

    J ≥ P(z, ξ) = ½‖A z + ξ1 − y‖² + β‖z‖₁,   with equality iff |α_i| = |s_i| for all i (balanced).

* :meth:`SignNetwork.to_lasso` maps a network to ``(σ(p_i), z_i, ξ)`` (:class:`SignLassoPoint`),
  and :meth:`SignLassoPoint.on_library` places the ``z_i`` on the columns of a library;
* :func:`from_lasso` maps a Lasso point ``(z, ξ)`` over a :class:`~mirrorlib.signnets.library.SignLibrary`
  to the balanced network ``s_i = √|z_i|``, ``α_i = sign(z_i)√|z_i|`` with the feature's
  realising unit: then ``α_i s_i = z_i`` and ``α_i² + s_i² = 2|z_i|``, so ``J = P(z, ξ)`` for
  *every* ``(z, ξ)``, in particular at the Lasso optimum.

Exactness. ``√|z|`` is irrational unless ``|z|`` is the square of a rational; it is kept as a
:class:`~mirrorlib.networks.parallel.Surd` ``q·R^{1/2}``. Only the products ``α_i s_i`` and the squares
``α_i²``, ``s_i²`` enter ``f`` and ``J``, and Surd multiplication is exact and returns a
:class:`~fractions.Fraction` for them, so ``f(X)`` and ``J`` are computed as Fractions with no
rounding and no sum of irrationals. Float parameters (trained networks) are read exactly
(``Fraction(float)``) whenever an exact value is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from mirrorlib.functions.activations import Activation
from mirrorlib.numbers.exact import format_rational, to_rational
from mirrorlib.numbers.surd import ExactScalar, Scalar, _as_parameter, _exact, _format_scalar, _require_rational, surd
from mirrorlib.networks.parallel import _exact_vector, penalised_objective
from mirrorlib.networks.lasso_map import LassoPointMethods
from mirrorlib.functions.pwl import PWL
from mirrorlib.signnets.library import SignLibrary
from mirrorlib.signnets.networks import SignNetSpec, SignUnit

__all__ = ["SignNetwork", "SignLassoPoint", "from_lasso", "balanced_network"]


def _feature_bit(value: Fraction) -> int:
    """``1[p ≥ 0]`` from a feature value ``σ(p)`` (±1 for sign, 0/1 for threshold)."""
    return 1 if value == 1 else 0


def _balanced_pair(z: Fraction) -> tuple[ExactScalar, ExactScalar]:
    """``(α, s) = (sign(z)√|z|, √|z|)``: ``α s = z`` and ``α² + s² = 2|z|`` (``z ≠ 0``)."""
    root = surd(1, abs(z), 2)
    return (root if z > 0 else -root), root


@dataclass(frozen=True)
class SignNetwork:
    """``f(x) = ξ + Σ_i α_i s_i σ(p_i(x))``: ``m`` sign/threshold units of one architecture.

    Attributes
    ----------
    spec : SignNetSpec
        Activation, architecture (tree/rectangular), hidden widths and depth shared by the units.
    units : tuple[SignUnit, ...]
        Unit ``i`` computes ``p_i``; its output neuron's amplitude must be 1 (``s_i`` lives in
        :attr:`amplitudes`; :meth:`from_units` moves it there).
    amplitudes : tuple
        Output amplitudes ``s_i`` (penalised).
    alpha : tuple
        Outer weights ``α_i`` (penalised).
    xi : Scalar
        Output bias ξ (unpenalised).
    labels : tuple[str, ...] | None
        Optional provenance of each unit (e.g. the library feature it came from).

    Parameters ``α_i, s_i, ξ`` may be floats, Fractions or :class:`~mirrorlib.networks.parallel.Surd` numbers.

    Examples
    --------
    >>> from mirrorlib.estimator import ConvexNet
    >>> net = ConvexNet('sign', 2, '1/10', exact=True).fit([0, 1, 2, 3], [0, 0, 1, 1]).network_
    >>> net.predict([0.5, 2.5]).round(3)
    array([0.025, 0.975])
    """

    spec: SignNetSpec
    units: tuple[SignUnit, ...]
    amplitudes: tuple[Scalar, ...]
    alpha: tuple[Scalar, ...]
    xi: Scalar
    labels: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        m = len(self.units)
        if len(self.amplitudes) != m or len(self.alpha) != m:
            raise ValueError(
                f"units, amplitudes and alpha need one entry per unit; got {m}, {len(self.amplitudes)}, {len(self.alpha)}"
            )
        if self.labels is not None and len(self.labels) != m:
            raise ValueError(f"labels has {len(self.labels)} entries for {m} units")
        for index, unit in enumerate(self.units):
            if unit.spec != self.spec:
                raise ValueError(f"units[{index}] is a {unit.spec.describe()}, the network is a {self.spec.describe()}")
            if unit.amplitude != 1:
                raise ValueError(
                    f"units[{index}] has output amplitude {format_rational(unit.amplitude)}; a SignNetwork keeps "
                    "s_out in `amplitudes` (build it with SignNetwork.from_units)"
                )
        normalise = object.__setattr__  # frozen dataclass: canonicalise the fields once
        normalise(self, "units", tuple(self.units))
        normalise(self, "amplitudes", tuple(_as_parameter(s, name=f"amplitudes[{i}]") for i, s in enumerate(self.amplitudes)))
        normalise(self, "alpha", tuple(_as_parameter(a, name=f"alpha[{i}]") for i, a in enumerate(self.alpha)))
        normalise(self, "xi", _as_parameter(self.xi, name="xi"))
        if self.labels is not None:
            normalise(self, "labels", tuple(self.labels))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_lasso(cls, library: SignLibrary, z: Sequence[object], xi: object) -> SignNetwork:
        """See :func:`from_lasso`."""
        return from_lasso(library, z, xi)

    @classmethod
    def from_units(
        cls, units: Sequence[SignUnit], alpha: Sequence[object], xi: object, *, labels: Sequence[str] | None = None
    ) -> SignNetwork:
        """A network from units that carry their output amplitude ``s_i`` themselves (e.g. trained
        units): ``s_i`` moves to :attr:`amplitudes`, the units keep amplitude 1.

        Raises ``ValueError`` for an empty ``units`` (the architecture would be unknown) or
        units of different architectures.
        """
        units = tuple(units)
        if not units:
            raise ValueError("units: give at least one unit (or build SignNetwork(spec, (), (), (), xi))")
        return cls(
            spec=units[0].spec,
            units=tuple(unit.with_output_amplitude(1) for unit in units),
            amplitudes=tuple(unit.amplitude for unit in units),
            alpha=tuple(alpha),
            xi=xi,
            labels=None if labels is None else tuple(labels),
        )

    # ------------------------------------------------------------------ structure
    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def activation(self) -> Activation:
        return self.spec.activation

    @property
    def depth(self) -> int:
        return self.spec.depth

    @property
    def is_exact(self) -> bool:
        """True when no parameter is a float."""
        return not any(isinstance(v, float) for v in (*self.amplitudes, *self.alpha, self.xi))

    def coefficient(self, index: int) -> ExactScalar:
        """``z_i = α_i s_i`` exactly (rational for balanced rebuilt networks)."""
        return _exact(self.alpha[index]) * _exact(self.amplitudes[index])

    @cached_property
    def _float_coefficients(self) -> np.ndarray:
        """``α_i s_i`` in float64: one rounding of the exact product when both are exact."""
        values = []
        for index, (alpha, amplitude) in enumerate(zip(self.alpha, self.amplitudes)):
            exact = not isinstance(alpha, float) and not isinstance(amplitude, float)
            values.append(float(self.coefficient(index)) if exact else float(alpha) * float(amplitude))
        return np.array(values, dtype=np.float64)

    @cached_property
    def feature_functions(self) -> tuple[PWL, ...]:
        """``σ(p_i)`` of each unit as an exact PWL step function of ``x``."""
        return tuple(unit.function for unit in self.units)

    # ------------------------------------------------------------------ evaluation
    def features(self, x: np.ndarray | Sequence[float] | float) -> np.ndarray:
        """Float ``σ(p_i(x))`` for every unit: shape ``(m, *x.shape)``.

        Each feature is the float evaluation of its exact step function, so a switch decision can
        only differ from the exact one for ``x`` within rounding of a switch point.
        """
        points = np.asarray(x, dtype=np.float64)
        rows = [function.evaluate(points.ravel()) for function in self.feature_functions]
        return np.array(rows, dtype=np.float64).reshape((self.n_units, *points.shape))

    def predict(self, x: np.ndarray | Sequence[float] | float) -> np.ndarray:
        """Float64 ``f(x) = ξ + Σ_i (α_i s_i) σ(p_i(x))``, vectorised over any array shape of ``x``."""
        points = np.asarray(x, dtype=np.float64)
        features = self.features(points).reshape(self.n_units, points.size)
        return (float(self.xi) + self._float_coefficients @ features).reshape(points.shape)

    def unit_value_exact(self, index: int, x: object) -> ExactScalar:
        """Exact ``u_i(x) = s_i σ(p_i(x))``."""
        return _exact(self.amplitudes[index]) * self.units[index].feature(to_rational(x, name="x"))

    def value_exact(self, x: object) -> Fraction:
        """Exact ``f(x)``; ``ValueError`` if it is not rational (impossible when every ``α_i s_i`` is)."""
        point = to_rational(x, name="x")
        total: ExactScalar = _exact(self.xi)
        for index, unit in enumerate(self.units):
            total = total + self.coefficient(index) * unit.feature(point)
        return _require_rational(total, f"f({format_rational(point)})")

    def evaluate_exact(self, x: Sequence[object] | np.ndarray | str) -> tuple[Fraction, ...]:
        """Exact ``f(x_j)`` for each input, in the given order (floats are read exactly)."""
        return tuple(self.value_exact(point) for point in _exact_vector(x, name="x"))

    # ------------------------------------------------------------------ objective
    def penalty(self, *, exact: bool = False) -> Fraction | float:
        """``Σ_i (α_i² + s_i²)`` (without the factor β/2)."""
        if not exact:
            return float(sum(float(a) ** 2 + float(s) ** 2 for a, s in zip(self.alpha, self.amplitudes)))
        total: ExactScalar = Fraction(0)
        for alpha, amplitude in zip(self.alpha, self.amplitudes):
            total = total + _exact(alpha) ** 2 + _exact(amplitude) ** 2
        return _require_rational(total, "the amplitude penalty Σ(α² + s²)")

    def training_objective(
        self,
        X: Sequence[object] | np.ndarray | str,
        y: Sequence[object] | np.ndarray | str,
        beta: object,
        *,
        exact: bool = False,
    ) -> Fraction | float:
        """``J = ½‖f(X) − y‖² + (β/2) Σ_i (α_i² + s_i²)``.

        ``exact=True`` returns a Fraction computed without rounding; otherwise a float. Raises
        ``ValueError`` naming ``beta`` (β ≤ 0) or ``y`` (length differs from ``X``).
        """
        return penalised_objective(self, X, y, beta, 2, exact=exact)

    # ------------------------------------------------------------------ balance and the Lasso
    def unit_is_balanced(self, index: int) -> bool:
        """``|α_i| = |s_i|`` exactly (the AM–GM equality case)."""
        return abs(_exact(self.alpha[index])) == abs(_exact(self.amplitudes[index]))

    def is_balanced(self) -> bool:
        """True iff ``J`` equals the Lasso objective of :meth:`to_lasso` (for every ``X, y, β``)."""
        return all(self.unit_is_balanced(i) for i in range(self.n_units))

    def to_lasso(self) -> SignLassoPoint:
        """The Lasso point ``(σ(p_i), z_i = α_i s_i, ξ)``: same function ``f``, Lasso objective ``≤ J``
        with equality iff balanced. Raises ``ValueError`` if some ``α_i s_i`` or ξ is irrational."""
        return SignLassoPoint(
            spec=self.spec,
            units=self.units,
            z=tuple(_require_rational(self.coefficient(i), f"z_{i} = α_i s_i") for i in range(self.n_units)),
            xi=_require_rational(_exact(self.xi), "xi"),
        )

    def rebalanced(self) -> SignNetwork:
        """The balanced network with the same function: ``to_lasso().network()``."""
        return self.to_lasso().network()

    # ------------------------------------------------------------------ switch points
    def function(self) -> PWL:
        """``f`` as an exact PWL step function (float parameters read exactly)."""
        return self.to_lasso().function()

    def breakpoints(self, *, exact: bool = False) -> np.ndarray | tuple[Fraction, ...]:
        """The switch points (jumps) of ``f`` in ``x``, ascending: float64 array, or Fractions if
        ``exact``. Computed from the exact :meth:`function`, so coinciding jumps that cancel vanish."""
        jumps = self.function().breakpoints
        return jumps if exact else np.array([float(b) for b in jumps], dtype=np.float64)

    def unit_breakpoints(self) -> tuple[np.ndarray, ...]:
        """Float switch points of each unit's feature ``σ(p_i)`` separately."""
        return tuple(np.array([float(b) for b in function.breakpoints], dtype=np.float64) for function in self.feature_functions)

    # ------------------------------------------------------------------ display
    def describe(self) -> str:
        """Every neuron's weights, bias and amplitude, layer by layer, per unit; then ``s_i``, ``α_i``
        and ``z_i = α_i s_i``."""
        lines = [
            f"SignNetwork: {self.spec.describe()}, m = {self.n_units} units",
            f"  f(x) = ξ + Σ_i α_i u_i(x),  u_i(x) = s_i·{self.activation.name}(p_i(x)),  "
            "penalty (β/2)·Σ_i(α_i² + s_i²)",
            f"  ξ = {_format_scalar(self.xi)}",
        ]
        for index, unit in enumerate(self.units):
            lines.append(f"  unit {index + 1}" + (f"  [{self.labels[index]}]" if self.labels else ""))
            lines.extend(f"    {line}" for line in _describe_layers(unit))
            lines.append(
                f"    output: s = {_format_scalar(self.amplitudes[index])},  α = {_format_scalar(self.alpha[index])}"
                f"   (z = α·s = {self._format_z(index)})"
            )
            lines.append(f"    feature σ(p(x)) = {unit.describe()}")
        return "\n".join(lines)

    def _format_z(self, index: int) -> str:
        if isinstance(self.alpha[index], float) or isinstance(self.amplitudes[index], float):
            return f"{self._float_coefficients[index]:.6g}"
        return _format_scalar(self.coefficient(index))

    def __str__(self) -> str:
        return self.describe()


def _describe_layers(unit: SignUnit) -> Iterator[str]:
    """``layer l: n0: w = (…), b = …, amplitude …; n1: …`` (the output layer last)."""
    for layer_index, layer in enumerate(unit.layers, start=1):
        title = "output layer" if layer_index == len(unit.layers) else f"layer {layer_index}"
        neurons = []
        for position, neuron in enumerate(layer):
            weights = ", ".join(format_rational(w) for w in neuron.weights)
            amplitude = "" if layer_index == len(unit.layers) else f", amplitude {format_rational(neuron.amplitude)}"
            neurons.append(f"n{position}: w = ({weights}), b = {format_rational(neuron.bias)}{amplitude}")
        yield f"{title}: " + "; ".join(neurons)


# =========================================================================== the Lasso side
@dataclass(frozen=True)
class SignLassoPoint(LassoPointMethods):
    """A Lasso model ``f(x) = ξ + Σ_i z_i σ(p_i(x))`` over sign/threshold units (amplitude 1).

    Iterating yields ``(units, z, xi)``.

    Examples
    --------
    >>> from mirrorlib.estimator import ConvexNet
    >>> net = ConvexNet('sign', 2, '1/10', exact=True).fit([0, 1, 2, 3], [0, 0, 1, 1]).network_
    >>> point = net.to_lasso()
    >>> point.z, point.xi
    ((Fraction(19, 40),), Fraction(1, 2))
    """

    spec: SignNetSpec
    units: tuple[SignUnit, ...]
    z: tuple[Fraction, ...]
    xi: Fraction

    def __iter__(self) -> Iterator[object]:
        return iter((self.units, self.z, self.xi))

    def columns(self, X: Sequence[object] | np.ndarray | str) -> tuple[tuple[Fraction, ...], ...]:
        """Exact columns ``a_i = σ(p_i(X))`` (one tuple per unit)."""
        points = _exact_vector(X, name="X")
        return tuple(unit.feature_values(points) for unit in self.units)

    @property
    def penalised(self) -> tuple[bool, ...]:
        """Every sign/threshold column is penalised."""
        return (True,) * len(self.z)

    def network(self) -> SignNetwork:
        """The balanced network realising this point (:func:`balanced_network`)."""
        return balanced_network(self.spec, self.units, self.z, self.xi)

    def on_library(self, library: SignLibrary) -> tuple[Fraction, ...]:
        """Coefficients over the columns of ``library``: ``z_i`` is added to the column equal to
        ``σ(p_i)`` on the library's data, so ``A z' + ξ1 = f(X)`` there (units with equal features
        merge; ``‖z'‖₁ ≤ ‖z‖₁``).

        Raises ``ValueError`` if the library is for another architecture, or (impossible for units
        of the library's architecture, :mod:`mirrorlib.signnets.switching`) a feature has more
        than ``K`` switches.
        """
        if library.spec != self.spec:
            raise ValueError(f"library is for a {library.spec.describe()}, the units are of a {self.spec.describe()}")
        coefficients = [Fraction(0)] * library.n_features
        for z, unit in zip(self.z, self.units):
            pattern = tuple(_feature_bit(value) for value in unit.feature_values(library.points))
            coefficients[library.index_of(pattern)] += z
        return tuple(coefficients)


def balanced_network(
    spec: SignNetSpec,
    units: Sequence[SignUnit],
    z: Sequence[object],
    xi: object,
    *,
    labels: Sequence[str] | None = None,
) -> SignNetwork:
    """``f = ξ + Σ_i z_i σ(p_i)`` as a balanced network: ``s_i = √|z_i|``, ``α_i = sign(z_i)√|z_i|``
    (exact :class:`~mirrorlib.networks.parallel.Surd` numbers when irrational), so ``α_i s_i = z_i`` and
    ``(β/2)(α_i² + s_i²) = β|z_i|``. Units with ``z_i = 0`` are dropped; the units' output
    amplitudes are set to 1.

    Raises ``ValueError`` naming ``z`` (length or value) or ``labels``.

    Examples
    --------
    >>> from mirrorlib.signnets.construction import realising_unit
    >>> from mirrorlib.signnets.networks import SignNetSpec
    >>> from mirrorlib.functions.activations import get_activation
    >>> spec = SignNetSpec(get_activation('sign'), 'tree', (), 2)
    >>> unit = realising_unit(spec, [Fraction(0), Fraction(1)], (0, 1))
    >>> net = balanced_network(spec, [unit], [Fraction(4)], Fraction(0))
    >>> net.amplitudes, net.alpha
    ((Fraction(2, 1),), (Fraction(2, 1),))
    """
    units = tuple(units)
    if len(z) != len(units):
        raise ValueError(f"z has {len(z)} entries but there are {len(units)} units; give one coefficient per unit")
    if labels is not None and len(labels) != len(units):
        raise ValueError(f"labels has {len(labels)} entries for {len(units)} units")
    kept_units, amplitudes, alphas, names = [], [], [], []
    for index, (unit, value) in enumerate(zip(units, z)):
        coefficient = to_rational(value, name=f"z[{index}]")
        if coefficient == 0:
            continue
        alpha, amplitude = _balanced_pair(coefficient)
        kept_units.append(unit.with_output_amplitude(1))
        amplitudes.append(amplitude)
        alphas.append(alpha)
        names.append(labels[index] if labels is not None else unit.describe())
    return SignNetwork(
        spec=spec,
        units=tuple(kept_units),
        amplitudes=tuple(amplitudes),
        alpha=tuple(alphas),
        xi=to_rational(xi, name="xi"),
        labels=tuple(names),
    )


def from_lasso(library: SignLibrary, z: Sequence[object], xi: object) -> SignNetwork:
    """The balanced network of a Lasso point ``(z, ξ)`` over a sign/threshold ``library``.

    Column ``i`` is ``σ(p(X))`` of the feature's realising unit
    (:mod:`mirrorlib.signnets.construction`), so ``f(X) = A z + ξ1`` and
    ``J = ½‖A z + ξ1 − y‖² + β‖z‖₁`` exactly, for every ``(z, ξ)`` (module docstring).

    Raises ``TypeError`` for a non-:class:`SignLibrary`, ``ValueError`` naming ``z`` (length or
    value) or ``xi``.

    Examples
    --------
    >>> from mirrorlib.signnets import sign_library
    >>> lib = sign_library([0, 1, 2], 'sign', 'tree', (), 2).distinct()
    >>> net = from_lasso(lib, [Fraction(1)] + [Fraction(0)] * (lib.n_features - 1), Fraction(0))
    >>> len(net.units), net.xi
    (1, Fraction(0, 1))
    """
    if not isinstance(library, SignLibrary):
        raise TypeError(f"library must be a SignLibrary, got {type(library).__name__}")
    if len(z) != library.n_features:
        raise ValueError(
            f"z has {len(z)} entries but the library has {library.n_features} features; give one coefficient per column"
        )
    coefficients = tuple(to_rational(value, name=f"z[{i}]") for i, value in enumerate(z))
    support = [index for index, value in enumerate(coefficients) if value != 0]
    features = [library.feature(index) for index in support]
    return balanced_network(
        library.spec,
        [feature.unit for feature in features],
        [coefficients[index] for index in support],
        xi,
        labels=[feature.label for feature in features],
    )
