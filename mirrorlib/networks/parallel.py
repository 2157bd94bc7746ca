"""Parallel networks ``f(x) = ξ + Σ_i α_i u_i(x)`` and the exact map to and from the Lasso (theory §1, §3).

A :class:`ParallelNetwork` holds ``m`` deep narrow units of depth ``L`` (``L − 1`` hidden
layers of width 1, see :mod:`mirrorlib.units`) with *trainable* weights::

    h_0 = x,   h_l = σ(w_l h_{l−1} + b_l)   (l = 1, …, L−1),   u = h_{L−1},
    f(x) = ξ + v·x + Σ_i α_i u_i(x),

where ``v`` is an optional unpenalised skip connection (Lemma 3.1; ``v = 0`` otherwise). The
training objective is ::

    J(θ) = ½‖f(X) − y‖² + (β/L) Σ |w|^L        (w over every w_l of every unit and every α_i;
                                                  biases b_l, ξ and v are not penalised).

**Rescaling lemma.** For positively homogeneous σ (σ(ct) = cσ(t), c > 0) a unit satisfies
``u = P·û`` with ``P = ∏_l |w_l|`` and the *normalised* unit û with weights ``s_l = sign(w_l)``
and biases ``b̂_l = b_l / ∏_{k≤l} |w_k|``; so ``f = ξ + v·x + Σ_i z_i û_i`` with
``z_i = α_i ∏_l |w_l|``, and by AM–GM ``(β/L)(|α|^L + Σ_l |w_l|^L) ≥ β|α ∏_l w_l| = β|z_i|``, with
equality iff ``|α| = |w_1| = … = |w_{L−1}|`` (the unit is *balanced*). Hence

* :func:`to_lasso` maps any network to a Lasso point ``(û_i, z_i, ξ)`` with the same function and
  a Lasso objective ``½‖Az + ξ1 − y‖² + β‖z‖₁ ≤ J`` (equality iff every unit is balanced);
* :func:`from_lasso` maps a Lasso point back to a balanced network: with ``c = |z_i|^{1/L}``,
  ``w_l = s_l c``, ``b_l = b̂_l c^l``, ``α_i = sign(z_i) c``, so ``|w|^L = |z_i|`` for each of the
  ``L`` weights and ``J`` equals the Lasso objective exactly.

**Exactness.** ``c = |z|^{1/L}`` is irrational in general. Weights are then :class:`Surd` numbers
``q·R^{1/n}`` (``q ∈ Q``, ``R ∈ Q_{>0}``): the set of such monomials is closed under ``×``, ``÷``
and integer powers, and the sign of ``q·R^{1/n}`` is the sign of ``q``, so ``σ`` (which only
needs the sign of its argument when homogeneous) is evaluated exactly. A sum of two surds is
formed only when their ratio is *provably rational* (``(x/y)^n`` is a rational n-th power,
decided with exact integer roots); otherwise :class:`ArithmeticError` is raised — no rounding
ever happens. By homogeneity every pre-activation of layer ``l`` of a rebuilt unit is
``c^l·(rational)``, so these sums always exist, and ``α·h_{L−1} = ±c^L·(rational) = z·û(x)`` and
``|w|^L = |z|`` are rational: the training objective comes out as a :class:`~fractions.Fraction`.
Float weights are converted exactly (``Fraction(float)``) whenever an exact value is requested.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.functions.pwl import PWL
from mirrorlib.libraries import Library
from mirrorlib.numbers.exact import format_rational, to_rational, to_rational_vector
from mirrorlib.units import NarrowUnit
from mirrorlib.numbers.surd import ExactScalar, Scalar, Surd, _as_parameter, _exact, _format_scalar, _require_rational

__all__ = ["ParallelNetwork", "penalised_objective"]


# =========================================================================== activations
def _require_homogeneous(activation: Activation, purpose: str) -> tuple[Fraction, Fraction]:
    """``(a, b)`` with ``σ(t) = a·t (t < 0), b·t (t ≥ 0)``; ValueError naming ``activation`` otherwise."""
    problem = activation.homogeneity_problem()
    if problem is not None:
        raise ValueError(
            f"activation: {purpose} needs a positively homogeneous σ (σ(ct) = cσ(t), c > 0; theory §1 "
            f"rescaling lemma), but {problem}. The rescaling lemma does not apply to it."
        )
    return activation.slopes


def _sigma_exact(activation: Activation, value: ExactScalar) -> ExactScalar:
    """``σ(t)`` exactly; for a Surd ``t`` (homogeneous σ) ``σ(t) = a·t`` or ``b·t`` by the sign of ``t``."""
    if isinstance(value, Surd):
        negative, positive = _require_homogeneous(activation, "evaluating at an irrational pre-activation")
        return (negative if value.sign < 0 else positive) * value
    return activation.function(value)


# =========================================================================== input checks
def _float_vector(values: object, *, name: str) -> np.ndarray:
    """A finite 1-D float64 vector (column vectors of shape (N, 1) are accepted)."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        array = values[:, 0] if values.ndim == 2 and values.shape[1] == 1 else values
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {values.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite; remove NaN/inf entries")
        if array.size == 0:
            raise ValueError(f"{name} is empty; give at least one number")
        return array
    return np.array([float(v) for v in to_rational_vector(values, name=name)], dtype=np.float64)  # type: ignore[arg-type]


def _exact_vector(values: object, *, name: str) -> tuple[Fraction, ...]:
    if isinstance(values, np.ndarray):
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {values.shape}")
        values = values.tolist()
    return to_rational_vector(values, name=name)  # type: ignore[arg-type]


def _check_beta(beta: object) -> Fraction:
    value = to_rational(beta, name="beta")
    if value <= 0:
        raise ValueError(f"beta must be positive (the weight-decay strength β > 0), got {format_rational(value)}")
    return value


def _check_lengths(n_x: int, n_y: int) -> None:
    if n_x != n_y:
        raise ValueError(f"y has {n_y} labels but X has {n_x} inputs; give exactly one label per input")


def penalised_objective(network: Any, X: object, y: object, beta: object, divisor: int, *, exact: bool) -> Fraction | float:
    """``½‖f(X) − y‖² + (β/divisor)·network.penalty()`` for any network with ``value_exact``,
    ``predict`` and ``penalty(exact=…)``: ``divisor = L`` for homogeneous nets (``Σ|w|^L``),
    2 for sign/threshold nets (``Σ(α² + s²)``). Exact (a Fraction, inputs read exactly) or float;
    ``ValueError`` naming ``beta`` (β ≤ 0) or ``y`` (length differs from ``X``).

    Examples
    --------
    >>> from mirrorlib.networks import from_lasso
    >>> from mirrorlib.libraries import library
    >>> net = from_lasso(library([0, 1, 3], "relu", 2), [1, 0, 0, 0, 0, 0, 0], 0)
    >>> penalised_objective(net, [0, 1, 3], [0, 0, 2], "1/10", 2, exact=True)
    Fraction(11, 10)
    """
    beta_exact = _check_beta(beta)
    if exact:
        points, labels = _exact_vector(X, name="X"), _exact_vector(y, name="y")
        _check_lengths(len(points), len(labels))
        residuals = [network.value_exact(point) - label for point, label in zip(points, labels)]
        data_fit = sum((r * r for r in residuals), Fraction(0)) / 2
        return data_fit + beta_exact / divisor * network.penalty(exact=True)
    points_f, labels_f = _float_vector(X, name="X"), _float_vector(y, name="y")
    _check_lengths(points_f.size, labels_f.size)
    residual = network.predict(points_f) - labels_f
    return 0.5 * float(residual @ residual) + float(beta_exact) / divisor * float(network.penalty())


# =========================================================================== the network
def _check_shapes(
    weights: Sequence[Sequence[object]],
    biases: Sequence[Sequence[object]],
    alpha: Sequence[object],
    labels: Sequence[str] | None,
    depth: int,
) -> None:
    """``m`` units, each with ``L − 1`` weights and biases; ValueError naming the bad field."""
    m = len(alpha)
    if len(weights) != m or len(biases) != m:
        raise ValueError(f"weights, biases and alpha need one entry per unit; got {len(weights)}, {len(biases)}, {m}")
    for name, rows in (("weights", weights), ("biases", biases)):
        for i, row in enumerate(rows):
            if len(row) != depth - 1:
                raise ValueError(f"{name}[{i}] has {len(row)} entries; depth L={depth} needs L−1 = {depth - 1}")
    if labels is not None and len(labels) != m:
        raise ValueError(f"labels has {len(labels)} entries for {m} units")


def _parameter_rows(rows: Sequence[Sequence[object]], name: str) -> tuple[tuple[Scalar, ...], ...]:
    return tuple(
        tuple(_as_parameter(value, name=f"{name}[{i}][{l}]") for l, value in enumerate(row)) for i, row in enumerate(rows)
    )


@dataclass(frozen=True)
class ParallelNetwork:
    """``f(x) = ξ + v·x + Σ_i α_i u_i(x)`` with ``m`` deep narrow units of depth ``L``.

    Attributes
    ----------
    activation : Activation
        σ (scalar; positively homogeneous for :func:`to_lasso` / :func:`from_lasso`).
    depth : int
        ``L ≥ 2``: each unit has ``L − 1`` hidden layers and the output weight α.
    weights, biases : tuple of tuples
        ``weights[i][l − 1] = w_l`` and ``biases[i][l − 1] = b_l`` of unit ``i``.
    alpha : tuple
        Output weights ``α_i``.
    xi : Scalar
        Output bias ξ (unpenalised).
    skip : Scalar
        Unpenalised linear skip weight ``v`` (0 unless rebuilt from a skip-connection library).
    labels : tuple[str, ...] | None
        Optional provenance of each unit (e.g. the library feature it came from).

    Parameters may be floats (trained networks), Fractions, or :class:`Surd` numbers (rebuilt
    networks; exact).

    Examples
    --------
    >>> from mirrorlib.estimator import ConvexNet
    >>> net = ConvexNet('relu', 3, '1/10', exact=True).fit([0, 1, 2, 4], [0, 1, 1, 3]).network_
    >>> net.depth, net.n_units, net.is_balanced()
    (3, 3, True)
    """

    activation: Activation
    depth: int
    weights: tuple[tuple[Scalar, ...], ...]
    biases: tuple[tuple[Scalar, ...], ...]
    alpha: tuple[Scalar, ...]
    xi: Scalar
    skip: Scalar = Fraction(0)
    labels: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        activation = get_activation(self.activation)
        if not activation.is_scalar:
            raise ValueError(f"activation {activation.name} emits several channels; a narrow unit needs a scalar σ")
        if isinstance(self.depth, bool) or not isinstance(self.depth, (int, np.integer)) or self.depth < 2:
            raise ValueError(f"depth must be an integer L ≥ 2, got {self.depth!r}")
        _check_shapes(self.weights, self.biases, self.alpha, self.labels, int(self.depth))
        normalise = object.__setattr__  # frozen dataclass: canonicalise the fields once
        normalise(self, "activation", activation)
        normalise(self, "depth", int(self.depth))
        normalise(self, "weights", _parameter_rows(self.weights, "weights"))
        normalise(self, "biases", _parameter_rows(self.biases, "biases"))
        normalise(self, "alpha", tuple(_as_parameter(a, name=f"alpha[{i}]") for i, a in enumerate(self.alpha)))
        normalise(self, "xi", _as_parameter(self.xi, name="xi"))
        normalise(self, "skip", _as_parameter(self.skip, name="skip"))
        if self.labels is not None:
            normalise(self, "labels", tuple(self.labels))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        activation: Activation | str,
        weights: np.ndarray,
        biases: np.ndarray,
        alpha: np.ndarray,
        xi: float,
        *,
        skip: float = 0.0,
    ) -> ParallelNetwork:
        """A float network from arrays ``W, B`` of shape ``(m, L − 1)``, ``α`` of shape ``(m,)`` and ξ."""
        W = np.asarray(weights, dtype=np.float64)
        B = np.asarray(biases, dtype=np.float64)
        if W.ndim != 2 or B.shape != W.shape:
            raise ValueError(f"weights and biases must be (m, L−1) arrays of equal shape, got {W.shape} and {B.shape}")
        return cls(
            activation=get_activation(activation),
            depth=W.shape[1] + 1,
            weights=tuple(tuple(float(v) for v in row) for row in W),
            biases=tuple(tuple(float(v) for v in row) for row in B),
            alpha=tuple(float(a) for a in np.asarray(alpha, dtype=np.float64).ravel()),
            xi=float(xi),
            skip=float(skip),
        )

    @classmethod
    def from_lasso(cls, library: Library, z: Sequence[object], xi: object) -> ParallelNetwork:
        """See :func:`from_lasso`."""
        return from_lasso(library, z, xi)

    # ------------------------------------------------------------------ structure
    @property
    def n_units(self) -> int:
        """``m``."""
        return len(self.alpha)

    @property
    def is_exact(self) -> bool:
        """True when no parameter is a float."""
        return not any(isinstance(v, float) for v in self._all_parameters())

    def _all_parameters(self) -> Iterator[Scalar]:
        for row in (*self.weights, *self.biases):
            yield from row
        yield from self.alpha
        yield self.xi
        yield self.skip

    def penalised_weights(self) -> Iterator[Scalar]:
        """Every penalised weight: ``w_1 … w_{L−1}`` of every unit, then every ``α_i``."""
        for row in self.weights:
            yield from row
        yield from self.alpha

    @cached_property
    def _float_parameters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
        shape = (self.n_units, self.depth - 1)
        W = np.array([[float(v) for v in row] for row in self.weights], dtype=np.float64).reshape(shape)
        B = np.array([[float(v) for v in row] for row in self.biases], dtype=np.float64).reshape(shape)
        alpha = np.array([float(a) for a in self.alpha], dtype=np.float64)
        return W, B, alpha, float(self.xi), float(self.skip)

    def float_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
        """``(W, B, α, ξ, v)`` as float64 (``W, B`` of shape ``(m, L − 1)``)."""
        W, B, alpha, xi, skip = self._float_parameters
        return W.copy(), B.copy(), alpha.copy(), xi, skip

    # ------------------------------------------------------------------ evaluation
    def hidden_outputs(self, x: np.ndarray | Sequence[float] | float) -> np.ndarray:
        """Float ``u_i(x)`` for every unit: an array of shape ``(m, *x.shape)``."""
        points = np.asarray(x, dtype=np.float64)
        W, B, _, _, _ = self._float_parameters
        hidden = np.broadcast_to(points.ravel(), (self.n_units, points.size)).copy()
        for layer in range(self.depth - 1):
            hidden = self.activation.function.evaluate(W[:, layer, None] * hidden + B[:, layer, None])
        return hidden.reshape((self.n_units, *points.shape))

    def predict(self, x: np.ndarray | Sequence[float] | float) -> np.ndarray:
        """Float64 ``f(x) = ξ + v·x + Σ_i α_i u_i(x)``, vectorised over any array shape of ``x``."""
        points = np.asarray(x, dtype=np.float64)
        _, _, alpha, xi, skip = self._float_parameters
        units = self.hidden_outputs(points).reshape(self.n_units, points.size)
        return (xi + skip * points.ravel() + alpha @ units).reshape(points.shape)

    def unit_value_exact(self, index: int, x: object) -> ExactScalar:
        """Exact ``u_i(x)`` (``h_l = σ(w_l h_{l−1} + b_l)`` with exact/Surd arithmetic)."""
        hidden: ExactScalar = to_rational(x, name="x")
        for weight, bias in zip(self.weights[index], self.biases[index]):
            hidden = _sigma_exact(self.activation, _exact(weight) * hidden + _exact(bias))
        return hidden

    def value_exact(self, x: object) -> Fraction:
        """Exact ``f(x)``; ValueError if it is not rational (impossible for rebuilt or float networks)."""
        point = to_rational(x, name="x")
        total: ExactScalar = _exact(self.xi) + _exact(self.skip) * point
        for index, alpha in enumerate(self.alpha):
            total = total + _exact(alpha) * self.unit_value_exact(index, point)
        return _require_rational(total, f"f({format_rational(point)})")

    def evaluate_exact(self, x: Sequence[object] | np.ndarray | str) -> tuple[Fraction, ...]:
        """Exact ``f(x_j)`` for each input, in the given order (floats are read exactly)."""
        return tuple(self.value_exact(point) for point in _exact_vector(x, name="x"))

    # ------------------------------------------------------------------ objective
    def penalty(self, *, exact: bool = False) -> Fraction | float:
        """``Σ |w|^L`` over all penalised weights (without the factor β/L)."""
        L = self.depth
        if not exact:
            W, _, alpha, _, _ = self._float_parameters
            return float(np.sum(np.abs(W) ** L) + np.sum(np.abs(alpha) ** L))
        total: ExactScalar = Fraction(0)
        for weight in self.penalised_weights():
            total = total + abs(_exact(weight)) ** L
        return _require_rational(total, "the weight penalty Σ|w|^L")

    def training_objective(
        self,
        X: Sequence[object] | np.ndarray | str,
        y: Sequence[object] | np.ndarray | str,
        beta: object,
        *,
        exact: bool = False,
    ) -> Fraction | float:
        """``J = ½‖f(X) − y‖² + (β/L) Σ |w|^L`` (biases, ξ and v unpenalised).

        ``exact=True`` returns a Fraction computed without rounding (float parameters and data
        are read exactly); otherwise a float. Raises ValueError naming ``beta`` (β ≤ 0) or ``y``
        (length differs from ``X``).
        """
        return penalised_objective(self, X, y, beta, self.depth, exact=exact)

    # ------------------------------------------------------------------ balance and the Lasso
    def unit_is_balanced(self, index: int) -> bool:
        """``|α_i| = |w_1| = … = |w_{L−1}|`` exactly (AM–GM equality case)."""
        magnitudes = [abs(_exact(w)) for w in (*self.weights[index], self.alpha[index])]
        return all(m == magnitudes[0] for m in magnitudes)

    def is_balanced(self) -> bool:
        """True iff every unit is balanced, i.e. ``J`` equals the Lasso objective of :meth:`to_lasso`."""
        return all(self.unit_is_balanced(i) for i in range(self.n_units))

    def to_lasso(self) -> LassoPoint:
        """See :func:`to_lasso`."""
        return to_lasso(self)

    def rebalanced(self) -> ParallelNetwork:
        """The balanced network with the same function: ``from_units(*to_lasso(self))`` (exact)."""
        point = to_lasso(self)
        return point.network(self.depth, self.activation)

    # ------------------------------------------------------------------ breakpoints
    def function(self) -> PWL:
        """``f`` as an exact :class:`PWL` of ``x`` (float parameters read exactly)."""
        if self.activation.is_positively_homogeneous:
            return to_lasso(self).function()
        total = PWL.affine(_require_rational(_exact(self.skip), "skip"), _require_rational(_exact(self.xi), "xi"))
        for index in range(self.n_units):
            alpha = _require_rational(_exact(self.alpha[index]), "alpha")
            total = total + self._rational_unit(index).function.scale_output(alpha)
        return total

    def breakpoints(self, *, exact: bool = False) -> np.ndarray | tuple[Fraction, ...]:
        """The kinks (and jumps) of ``f`` in ``x``, ascending: float64 array, or Fractions if ``exact``.

        Computed exactly from the exact PWL :meth:`function` (cancelling kinks of different units
        disappear), then converted.
        """
        kinks = self.function().breakpoints
        return kinks if exact else np.array([float(b) for b in kinks], dtype=np.float64)

    def unit_breakpoints(self) -> tuple[np.ndarray, ...]:
        """Float kinks of each unit ``u_i`` separately (empty for constant units), computed exactly.

        For homogeneous σ these are the kinks of the normalised unit û_i (``u_i = P û_i``, ``P > 0``).
        """
        result = []
        for index in range(self.n_units):
            if self.activation.is_positively_homogeneous:
                weights = tuple(_exact(w) for w in self.weights[index])
                biases = tuple(_exact(b) for b in self.biases[index])
                normalised = normalise_unit(self.activation, weights, biases)
                kinks = () if normalised is None else normalised[1].function.breakpoints
            else:
                kinks = self._rational_unit(index).function.breakpoints
            result.append(np.array([float(b) for b in kinks], dtype=np.float64))
        return tuple(result)

    def _rational_unit(self, index: int) -> NarrowUnit:
        """Unit ``i`` as an exact :class:`NarrowUnit` (rational parameters required)."""
        return NarrowUnit(
            self.activation,
            tuple(_require_rational(_exact(w), "a weight") for w in self.weights[index]),
            tuple(_require_rational(_exact(b), "a bias") for b in self.biases[index]),
        )

    # ------------------------------------------------------------------ display
    def describe(self) -> str:
        """The weights layer by layer, e.g. ``layer 1: w = (1/2)^(1/3) ≈ 0.793701, b = …``."""
        L = self.depth
        lines = [
            f"ParallelNetwork: σ = {self.activation.name}, depth L = {L}, m = {self.n_units} units",
            f"  f(x) = ξ{' + v·x' if self.skip != 0 else ''} + Σ_i α_i u_i(x),  "
            f"u = h_{L - 1},  h_l = σ(w_l h_(l−1) + b_l),  h_0 = x",
            f"  ξ = {_format_scalar(self.xi)}",
        ]
        if self.skip != 0:
            lines.append(f"  v (skip, unpenalised) = {_format_scalar(self.skip)}")
        for index in range(self.n_units):
            title = f"  unit {index + 1}" + (f"  [{self.labels[index]}]" if self.labels else "")
            lines.append(title)
            for layer, (w, b) in enumerate(zip(self.weights[index], self.biases[index]), start=1):
                lines.append(f"    layer {layer}: w = {_format_scalar(w)},  b = {_format_scalar(b)}")
            lines.append(f"    output : α = {_format_scalar(self.alpha[index])}   (z = α∏|w_l| = {self._format_z(index)})")
        return "\n".join(lines)

    def _format_z(self, index: int) -> str:
        """``z_i = α_i ∏_l |w_l|``: exact for exact units, a float for float ones."""
        parameters = (*self.weights[index], self.alpha[index])
        if any(isinstance(v, float) for v in parameters):
            return f"{float(np.prod([abs(float(w)) for w in self.weights[index]]) * float(self.alpha[index])):.6g}"
        z: ExactScalar = _exact(self.alpha[index])
        for weight in self.weights[index]:
            z = z * abs(_exact(weight))
        return _format_scalar(z)

    def __str__(self) -> str:
        return self.describe()


# The Lasso side needs ParallelNetwork; it is imported last so that either module may come first.
from mirrorlib.networks.lasso_map import LassoPoint, from_lasso, normalise_unit, to_lasso  # noqa: E402
