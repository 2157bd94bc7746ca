"""The exact map between parallel networks and Lasso points (theory §1: the rescaling lemma).

:func:`to_lasso` normalises every unit (weights ``±1``) and gives a Lasso point with the same
function and a Lasso objective no larger than the training objective (equal iff the network is
balanced); :func:`from_lasso` rebuilds the balanced network of a Lasso point, with exact surd
weights, whose training objective equals the Lasso objective exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation, linear
from mirrorlib.functions.pwl import PWL
from mirrorlib.libraries import Library
from mirrorlib.numbers.exact import nonzero_rationals, to_rational
from mirrorlib.units import NarrowUnit
from mirrorlib.networks.parallel import ParallelNetwork, _check_beta, _check_lengths, _exact_vector, _require_homogeneous
from mirrorlib.numbers.surd import ExactScalar, _exact, _require_rational, surd

__all__ = ["LassoPoint", "lasso_value", "normalise_unit", "to_lasso", "from_units", "from_lasso"]


# =========================================================================== the Lasso side
def lasso_value(
    columns: Sequence[Sequence[Fraction]],
    z: Sequence[Fraction],
    xi: Fraction,
    labels: Sequence[Fraction],
    beta: Fraction,
    penalised: Sequence[bool] | None = None,
) -> Fraction:
    """``½‖Σ_i z_i a_i + ξ1 − y‖² + β Σ_{i penalised} |z_i|`` exactly, from the columns ``a_i``.

    Examples
    --------
    >>> lasso_value([[0, 1, 2]], [Fraction(1)], Fraction(0), [0, 1, 1], Fraction(1, 10))
    Fraction(3, 5)
    """
    fitted = [xi + sum((coefficient * column[j] for coefficient, column in zip(z, columns)), Fraction(0)) for j in range(len(labels))]
    data_fit = sum(((f - t) ** 2 for f, t in zip(fitted, labels)), Fraction(0)) / 2
    flags = penalised if penalised is not None else [True] * len(z)
    return data_fit + beta * sum((abs(coefficient) for coefficient, flag in zip(z, flags) if flag), Fraction(0))


class LassoPointMethods:
    """What every Lasso point ``f(x) = ξ + Σ_i z_i a_i(x)`` offers, given ``z``, ``xi``, ``units``
    (each with an exact ``function``), ``penalised`` and ``columns(X)``; shared by
    :class:`LassoPoint` and :class:`mirrorlib.signnets.network.SignLassoPoint`."""

    z: tuple[Fraction, ...]
    xi: Fraction
    units: tuple[Any, ...]
    penalised: tuple[bool, ...]

    def columns(self, X: Sequence[object] | np.ndarray | str) -> tuple[tuple[Fraction, ...], ...]:
        raise NotImplementedError

    def penalty(self) -> Fraction:
        """``‖z‖₁`` over the penalised entries."""
        return sum((abs(z) for z, pen in zip(self.z, self.penalised) if pen), Fraction(0))

    def objective(
        self,
        X: Sequence[object] | np.ndarray | str,
        y: Sequence[object] | np.ndarray | str,
        beta: object,
        *,
        exact: bool = True,
    ) -> Fraction | float:
        """``½‖A z + ξ1 − y‖² + β‖z‖₁`` over the penalised entries (exact Fraction, or its float)."""
        beta_exact = _check_beta(beta)
        points, labels = _exact_vector(X, name="X"), _exact_vector(y, name="y")
        _check_lengths(len(points), len(labels))
        value = lasso_value(self.columns(points), self.z, self.xi, labels, beta_exact, self.penalised)
        return value if exact else float(value)

    def function(self) -> PWL:
        """``ξ + Σ z_i a_i`` as an exact PWL."""
        total = PWL.constant(self.xi)
        for z, unit in zip(self.z, self.units):
            if z != 0:
                total = total + unit.function.scale_output(z)
        return total


@dataclass(frozen=True)
class LassoPoint(LassoPointMethods):
    """A Lasso model ``f(x) = ξ + Σ_i z_i û_i(x)`` over normalised units û_i (weights ``±1``).

    ``penalised[i]`` is False only for an unpenalised skip column (a linear-activation unit
    ``û(x) = x``). ``sources[i]`` is the index of the network unit that ``û_i`` came from (−1 for
    the skip connection). Iterating yields ``(units, z, xi)``.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> from mirrorlib.networks import from_lasso
    >>> point = to_lasso(from_lasso(library([0, 1, 3], 'relu', 2), [0, Fraction(2), 0, 0, 0, 0, 0], 0))
    >>> point.z, point.xi
    ((Fraction(2, 1),), Fraction(0, 1))
    """

    units: tuple[NarrowUnit, ...]
    z: tuple[Fraction, ...]
    xi: Fraction
    penalised: tuple[bool, ...]
    sources: tuple[int, ...] = ()

    def __iter__(self) -> Iterator[object]:
        return iter((self.units, self.z, self.xi))

    def columns(self, X: Sequence[object] | np.ndarray | str) -> tuple[tuple[Fraction, ...], ...]:
        """Exact columns ``a_i = û_i(X)`` (one tuple per unit)."""
        points = _exact_vector(X, name="X")
        return tuple(tuple(unit(p) for p in points) for unit in self.units)

    def network(self, depth: int | None = None, activation: Activation | str | None = None) -> ParallelNetwork:
        """The balanced network realising this point (:func:`from_units`)."""
        return from_units(self.units, self.z, self.xi, penalised=self.penalised, depth=depth, activation=activation)


def normalise_unit(
    activation: Activation, weights: Sequence[ExactScalar], biases: Sequence[ExactScalar]
) -> tuple[ExactScalar, NarrowUnit] | None:
    """``u = P·û`` for homogeneous σ: returns ``(P, û)`` with ``P = ∏_l |w_l|``, û having weights
    ``s_l = sign(w_l)`` and biases ``b̂_l = b_l / ∏_{k≤l} |w_k|`` (must be rational); None when
    some ``w_l = 0`` (then ``u`` is constant).

    Proof: if ``h_{l−1} = P_{l−1} ĥ_{l−1}`` then ``w_l h_{l−1} + b_l = P_l (s_l ĥ_{l−1} + b̂_l)`` and
    ``σ(P_l t) = P_l σ(t)`` because ``P_l > 0``.

    Examples
    --------
    >>> from mirrorlib.functions.activations import get_activation
    >>> scale, unit = normalise_unit(get_activation('relu'), [Fraction(2), Fraction(3)], [Fraction(-2), Fraction(0)])
    >>> scale, unit.weights, unit.biases
    (Fraction(6, 1), (Fraction(1, 1), Fraction(1, 1)), (Fraction(-1, 1), Fraction(0, 1)))
    """
    _require_homogeneous(activation, "normalising a unit")
    scale: ExactScalar = Fraction(1)
    signs, normalised_biases = [], []
    for layer, (weight, bias) in enumerate(zip(weights, biases), start=1):
        if weight == 0:
            return None
        scale = scale * abs(weight)
        signs.append(Fraction(1 if weight > 0 else -1))
        normalised_biases.append(_require_rational(bias / scale, f"the normalised bias b̂_{layer}"))
    return scale, NarrowUnit(activation, tuple(signs), tuple(normalised_biases))


def _identity_unit(depth: int) -> NarrowUnit:
    """``û(x) = x`` (a linear-activation chain): the column of an unpenalised skip connection."""
    return NarrowUnit(linear(), (Fraction(1),) * (depth - 1), (Fraction(0),) * (depth - 1))


def to_lasso(network: ParallelNetwork) -> LassoPoint:
    """The Lasso point of a network: ``z_i = α_i ∏_l |w_l|``, û_i normalised (see :func:`normalise_unit`).

    A unit with a zero weight is constant and joins ξ. The result represents the same function
    ``f``, and its Lasso objective ``½‖Az + ξ1 − y‖² + β‖z‖₁`` is ``≤ J`` (AM–GM), with equality
    iff the network is balanced. Parameters are read exactly (floats via ``Fraction(float)``).
    Raises ValueError naming ``activation`` when σ is not positively homogeneous.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 3], 'relu', 2)
    >>> point = to_lasso(from_lasso(lib, [2] + [0] * (lib.n_features - 1), 1))
    >>> point.z, point.xi
    ((Fraction(2, 1),), Fraction(1, 1))
    """
    activation = network.activation
    _require_homogeneous(activation, "mapping a network to the Lasso")
    units, zs, sources = [], [], []
    xi: ExactScalar = _exact(network.xi)
    for index in range(network.n_units):
        weights = tuple(_exact(w) for w in network.weights[index])
        biases = tuple(_exact(b) for b in network.biases[index])
        alpha = _exact(network.alpha[index])
        normalised = normalise_unit(activation, weights, biases)
        if normalised is None:  # constant unit: α·u(0) joins the bias
            xi = xi + alpha * network.unit_value_exact(index, 0)
            continue
        scale, unit = normalised
        units.append(unit)
        zs.append(_require_rational(alpha * scale, f"z_{index} = α∏|w_l|"))
        sources.append(index)
    penalised = [True] * len(units)
    skip = _exact(network.skip)
    if skip != 0:
        units.append(_identity_unit(network.depth))
        zs.append(_require_rational(skip, "skip"))
        penalised.append(False)
        sources.append(-1)
    return LassoPoint(tuple(units), tuple(zs), _require_rational(xi, "xi"), tuple(penalised), tuple(sources))


def _check_units(
    units: Sequence[NarrowUnit], penalised: Sequence[bool], depth: int | None, activation: Activation | None
) -> tuple[Activation, int]:
    """Common activation and depth of the penalised units; ValueError naming ``units``/``activation``/``depth``."""
    penalised_units = [u for u, pen in zip(units, penalised) if pen]
    depths = {u.depth for u in penalised_units} | ({depth} if depth is not None else set())
    if len(depths) > 1:
        raise ValueError(f"units: all units of a ParallelNetwork share one depth L, got depths {sorted(depths)}")
    if not depths:
        raise ValueError("depth: give depth=L when no penalised unit is present")
    activations = {u.activation for u in penalised_units} | ({activation} if activation is not None else set())
    if len(activations) > 1:
        raise ValueError(f"units: all units must share one activation, got {sorted(a.name for a in activations)}")
    if not activations:
        raise ValueError("activation: give activation=σ when no penalised unit is present")
    sigma = activations.pop()
    _require_homogeneous(sigma, "reconstructing a network from a Lasso point")
    return sigma, depths.pop()


def _rescaled_unit(unit: NarrowUnit, z: Fraction, depth: int) -> tuple[tuple[ExactScalar, ...], tuple[ExactScalar, ...], ExactScalar] | None:
    """Balanced parameters for ``z·u``: after normalising ``u = P·û`` set ``ζ = zP``, ``c = |ζ|^{1/L}``,
    ``w_l = s_l c``, ``b_l = b̂_l c^l``, ``α = sign(ζ) c`` (None if ``ζ = 0`` or u is constant)."""
    normalised = normalise_unit(unit.activation, unit.weights, unit.biases)
    if normalised is None:
        return None
    scale, base = normalised
    zeta = _require_rational(z * scale, "z·∏|w_l|")
    if zeta == 0:
        return None
    c = surd(1, abs(zeta), depth)
    weights = tuple(s * c for s in base.weights)
    biases = tuple(b * c**layer for layer, b in enumerate(base.biases, start=1))
    return weights, biases, (1 if zeta > 0 else -1) * c


def from_units(
    units: Sequence[NarrowUnit],
    z: Sequence[object],
    xi: object,
    *,
    penalised: Sequence[bool] | None = None,
    labels: Sequence[str] | None = None,
    depth: int | None = None,
    activation: Activation | str | None = None,
) -> ParallelNetwork:
    """The balanced network ``f = ξ + Σ_i z_i u_i`` (rescaling lemma): each unit with ``z_i ≠ 0``
    becomes weights ``w_l = s_l c``, biases ``b_l = b̂_l c^l`` and ``α = sign(z_i) c``, ``c = |z_i|^{1/L}``
    (exact :class:`Surd` numbers), so its penalty ``(β/L)·L·c^L`` is ``β|z_i|``. Units with ``z_i = 0``
    are dropped; constant units join ξ. Unpenalised units (``penalised[i] = False``) must be affine,
    ``u(x) = k x + d``; they become the skip weight ``v += z_i k`` and ``ξ += z_i d``.

    ``activation`` is required only when no penalised unit is given (otherwise it must match).

    Raises ValueError naming ``z`` (wrong length), ``units`` (mixed depths/activations) or
    ``activation`` (σ not positively homogeneous).

    Examples
    --------
    >>> from mirrorlib.units import NarrowUnit
    >>> from mirrorlib.functions.activations import get_activation
    >>> unit = NarrowUnit(get_activation('relu'), (Fraction(1),), (Fraction(-1),))
    >>> net = from_units([unit], [Fraction(4)], Fraction(0))
    >>> net.evaluate_exact([0, 2, 3])
    (Fraction(0, 1), Fraction(4, 1), Fraction(8, 1))
    """
    units = tuple(units)
    if len(z) != len(units):
        raise ValueError(f"z has {len(z)} entries but there are {len(units)} units; give one coefficient per unit")
    flags = tuple(True for _ in units) if penalised is None else tuple(bool(p) for p in penalised)
    if len(flags) != len(units):
        raise ValueError(f"penalised has {len(flags)} entries for {len(units)} units")
    coefficients = tuple(to_rational(value, name=f"z[{i}]") for i, value in enumerate(z))
    bias: ExactScalar = to_rational(xi, name="xi")
    sigma, L = _check_units(units, flags, depth, None if activation is None else get_activation(activation))
    skip: Fraction = Fraction(0)
    weights, biases, alphas, names = [], [], [], []
    for index, (unit, coefficient, pen) in enumerate(zip(units, coefficients, flags)):
        if not pen:
            affine = unit.function
            if affine.breakpoints:
                raise ValueError(f"units[{index}] is unpenalised, so it must be affine in x (a skip connection)")
            skip += coefficient * affine.slopes[0]
            bias = bias + coefficient * affine.intercepts[0]
            continue
        rescaled = _rescaled_unit(unit, coefficient, L)
        if rescaled is None:
            bias = bias + coefficient * unit(0)  # zero coefficient or constant unit
            continue
        weights.append(rescaled[0])
        biases.append(rescaled[1])
        alphas.append(rescaled[2])
        names.append(labels[index] if labels is not None else unit.describe())
    return ParallelNetwork(
        activation=sigma,
        depth=L,
        weights=tuple(weights),
        biases=tuple(biases),
        alpha=tuple(alphas),
        xi=bias,
        skip=skip,
        labels=tuple(names),
    )


def from_lasso(library: Library, z: Sequence[object], xi: object) -> ParallelNetwork:
    """The balanced network of a Lasso point ``(z, ξ)`` over ``library`` (theory §3 "equivalence").

    Feature ``i`` has ``column_i = unit_i(X) + offset_i`` on the data, so
    ``A z + ξ1 = Σ_i z_i unit_i(X) + (ξ + Σ_i z_i offset_i)1``: the network uses the feature units
    rescaled by :func:`from_units` and the output bias ``ξ' = ξ + Σ_i z_i offset_i``. The skip
    connection's unpenalised linear column ``c·x`` becomes the skip weight ``v = z_i c``. On the
    data, ``f(X) = A z + ξ1`` and the training objective equals ``½‖Az + ξ1 − y‖² + β‖z‖₁`` exactly.

    Raises ValueError naming ``z`` (length ≠ number of features) or ``activation``.

    Parameters
    ----------
    library : Library
        The dictionary the point ``(z, ξ)`` lives in.
    z : sequence
        One coefficient per column of ``library`` (exact or float).
    xi : number
        The intercept ξ.

    Returns
    -------
    ParallelNetwork
        With exact surd weights ``±|z_i|^{1/L}`` where irrational.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 3], 'relu', 2)
    >>> net = from_lasso(lib, [1] + [0] * (lib.n_features - 1), 0)  # z = 1 on relu(x − x0)
    >>> [net.value_exact(x) for x in (0, 1, 3)], net.is_balanced()
    ([Fraction(0, 1), Fraction(1, 1), Fraction(3, 1)], True)
    """
    if not isinstance(library, Library):
        raise TypeError(f"library must be a mirrorlib Library, got {type(library).__name__}")
    _require_homogeneous(library.activation, "reconstructing a network from a Lasso point")
    if len(z) != library.n_features:
        raise ValueError(
            f"z has {len(z)} entries but the library has {library.n_features} features; give one coefficient per column"
        )
    bias = to_rational(xi, name="xi")
    units, unit_z, labels = [], [], []
    skip = Fraction(0)
    for index, coefficient in nonzero_rationals(z, name="z"):
        feature = library.feature(index)
        if not feature.penalised:
            if feature.linear_slope is None:
                raise ValueError(f"feature {feature.label!r} is unpenalised but not linear: no network realises it")
            skip += coefficient * feature.linear_slope
            continue
        units.append(feature.unit)
        unit_z.append(coefficient)
        labels.append(feature.label)
        bias += coefficient * feature.offset
    network = from_units(units, unit_z, bias, labels=labels, depth=library.depth, activation=library.activation)
    return replace(network, skip=skip) if skip != 0 else network
