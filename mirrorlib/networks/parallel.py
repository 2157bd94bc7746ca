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

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property, total_ordering
from typing import Any, Union

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation, linear
from mirrorlib.numbers.exact import format_rational, to_rational, to_rational_vector
from mirrorlib.libraries.closed_form import Library
from mirrorlib.functions.pwl import PWL
from mirrorlib.units import NarrowUnit

__all__ = [
    "Surd",
    "surd",
    "Scalar",
    "ExactScalar",
    "ParallelNetwork",
    "LassoPoint",
    "from_lasso",
    "from_units",
    "to_lasso",
    "normalise_unit",
]


# =========================================================================== exact surds
def _integer_root(value: int, n: int) -> int | None:
    """The integer ``r ≥ 0`` with ``r^n = value`` if it exists (``value ≥ 0``), else None (Newton, exact)."""
    if value < 2:
        return value
    guess = 1 << -(-value.bit_length() // n)  # ≥ the real root
    while True:
        better = ((n - 1) * guess + value // guess ** (n - 1)) // n
        if better >= guess:
            break
        guess = better
    return guess if guess**n == value else None


def _rational_root(value: Fraction, n: int) -> Fraction | None:
    """The positive rational ``ρ`` with ``ρ^n = value > 0`` if it exists, else None.

    ``value = p/q`` in lowest terms is an n-th power in Q iff ``p`` and ``q`` are n-th powers in Z.
    """
    numerator = _integer_root(value.numerator, n)
    denominator = _integer_root(value.denominator, n) if numerator is not None else None
    return None if denominator is None else Fraction(numerator, denominator)  # type: ignore[arg-type]


def _prime_factors(n: int) -> list[int]:
    """Distinct prime factors of ``n ≥ 1``."""
    factors, candidate = [], 2
    while candidate * candidate <= n:
        if n % candidate == 0:
            factors.append(candidate)
            while n % candidate == 0:
                n //= candidate
        candidate += 1
    return factors + ([n] if n > 1 else [])


def _reduce_index(radicand: Fraction, index: int) -> tuple[Fraction, int]:
    """Rewrite ``R^{1/n}`` as ``ρ^{1/k}`` with the smallest possible ``k`` (``k | n``).

    If ``R = ρ^p`` for a prime ``p | n`` then ``R^{1/n} = ρ^{1/(n/p)}``; repeating until no prime
    works reaches the minimal index ``k`` (the set of ``j`` with ``R^{j/n} ∈ Q`` is ``kZ`` and
    ``R`` is a perfect ``(n/k)``-th power), so ``k = 1`` iff ``R^{1/n}`` is rational.
    """
    reduced = True
    while reduced and index > 1:
        reduced = False
        for prime in _prime_factors(index):
            root = _rational_root(radicand, prime)
            if root is not None:
                radicand, index, reduced = root, index // prime, True
                break
    return radicand, index


def surd(coefficient: object, radicand: object = 1, index: int = 1) -> Fraction | Surd:
    """The exact real number ``q·R^{1/n}``: a :class:`Fraction` when rational, else a :class:`Surd`.

    Raises ``ValueError`` for ``R ≤ 0`` or ``n < 1``.
    """
    q = to_rational(coefficient, name="coefficient")
    r = to_rational(radicand, name="radicand")
    if isinstance(index, bool) or not isinstance(index, int) or index < 1:
        raise ValueError(f"index must be an integer ≥ 1, got {index!r}")
    if r <= 0:
        raise ValueError(f"radicand must be positive, got {format_rational(r)}")
    if q == 0:
        return Fraction(0)
    r, index = _reduce_index(r, index)
    if index == 1 or r == 1:
        return q * r if index == 1 else q
    return Surd(q, r, index)


def _parts(value: object) -> tuple[Fraction, Fraction, int]:
    """``(q, R, n)`` with ``value = q·R^{1/n}``; rationals are ``(value, 1, 1)``."""
    if isinstance(value, Surd):
        return value.coefficient, value.radicand, value.index
    if isinstance(value, (Fraction, int)) and not isinstance(value, bool):
        return Fraction(value), Fraction(1), 1
    raise TypeError(f"exact arithmetic needs int, Fraction or Surd operands, got {type(value).__name__}")


def _multiply(left: object, right: object) -> Fraction | Surd:
    """``q₁R₁^{1/n₁} · q₂R₂^{1/n₂} = q₁q₂ (R₁^{m/n₁} R₂^{m/n₂})^{1/m}`` with ``m = lcm(n₁, n₂)``."""
    q1, r1, n1 = _parts(left)
    q2, r2, n2 = _parts(right)
    m = math.lcm(n1, n2)
    if q1 == 0 or q2 == 0:
        return Fraction(0)
    return surd(q1 * q2, r1 ** (m // n1) * r2 ** (m // n2), m)


def _power(value: object, exponent: int) -> Fraction | Surd:
    """``(q R^{1/n})^k = q^k (R^k)^{1/n}`` for an integer ``k`` (``k < 0`` needs ``value ≠ 0``)."""
    q, r, n = _parts(value)
    if q == 0:
        if exponent < 0:
            raise ZeroDivisionError("0 raised to a negative power")
        return Fraction(0) if exponent > 0 else Fraction(1)
    return surd(q**exponent, r**exponent, n)


def _add(left: object, right: object) -> Fraction | Surd:
    """``x + y`` exactly when ``x/y`` is rational (then ``x + y = y(1 + x/y)``); else ArithmeticError."""
    q1, _, _ = _parts(left)
    q2, _, _ = _parts(right)
    if q1 == 0:
        return right if isinstance(right, Surd) else Fraction(right)  # type: ignore[arg-type]
    if q2 == 0:
        return left if isinstance(left, Surd) else Fraction(left)  # type: ignore[arg-type]
    ratio = _multiply(left, _power(right, -1))
    if isinstance(ratio, Surd):
        raise ArithmeticError(
            f"the sum {left} + {right} is not a single monomial q·R^(1/n) (the ratio {ratio} is irrational); "
            "mirrorlib never rounds such sums"
        )
    return _multiply(right, 1 + ratio)


def _sign(value: object) -> int:
    q, _, _ = _parts(value)
    return (q > 0) - (q < 0)


def _compare(left: object, right: object) -> int:
    """Exact sign of ``left − right``: compare signs, then ``|x|^m`` with ``m = lcm(n₁, n₂)`` (rational)."""
    s1, s2 = _sign(left), _sign(right)
    if s1 != s2 or s1 == 0:
        return (s1 > s2) - (s1 < s2)
    q1, r1, n1 = _parts(left)
    q2, r2, n2 = _parts(right)
    m = math.lcm(n1, n2)
    a, b = abs(q1) ** m * r1 ** (m // n1), abs(q2) ** m * r2 ** (m // n2)
    return s1 * ((a > b) - (a < b))


@total_ordering
@dataclass(frozen=True, eq=False)
class Surd:
    """An irrational real number ``q·R^{1/n}`` (``q ∈ Q∖{0}``, ``R ∈ Q_{>0}``, ``n ≥ 2``, ``R^{1/n} ∉ Q``).

    Build with :func:`surd`, which returns a :class:`Fraction` whenever the value is rational, so
    a ``Surd`` is never rational and never zero. Supports ``+ − × ÷``, integer ``**``, ``abs``,
    comparisons and ``float``; every operation is exact, and ``+``/``−`` raise
    :class:`ArithmeticError` when the result is not a monomial ``q·R^{1/n}`` (see module docstring).
    Its sign is the sign of ``q`` because ``R^{1/n} > 0``.
    """

    coefficient: Fraction
    radicand: Fraction
    index: int

    def __post_init__(self) -> None:
        if self.coefficient == 0 or self.radicand <= 0 or self.index < 2:
            raise ValueError("a Surd needs q ≠ 0, R > 0 and n ≥ 2; use surd() to build numbers")
        if _reduce_index(self.radicand, self.index)[1] == 1:
            raise ValueError(f"{format_rational(self.radicand)}^(1/{self.index}) is rational; use surd()")

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other: object) -> Fraction | Surd:
        return _add(self, other) if _is_exact(other) else NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Fraction | Surd:
        return _add(self, _multiply(-1, other)) if _is_exact(other) else NotImplemented

    def __rsub__(self, other: object) -> Fraction | Surd:
        return _add(other, -self) if _is_exact(other) else NotImplemented

    def __mul__(self, other: object) -> Fraction | Surd:
        return _multiply(self, other) if _is_exact(other) else NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Fraction | Surd:
        return _multiply(self, _power(other, -1)) if _is_exact(other) else NotImplemented

    def __rtruediv__(self, other: object) -> Fraction | Surd:
        return _multiply(other, _power(self, -1)) if _is_exact(other) else NotImplemented

    def __pow__(self, exponent: int) -> Fraction | Surd:
        if isinstance(exponent, bool) or not isinstance(exponent, int):
            return NotImplemented
        return _power(self, exponent)

    def __neg__(self) -> Surd:
        return Surd(-self.coefficient, self.radicand, self.index)

    def __abs__(self) -> Surd:
        return Surd(abs(self.coefficient), self.radicand, self.index)

    # ---------------------------------------------------------------- comparison
    def __eq__(self, other: object) -> bool:
        return _is_exact(other) and _compare(self, other) == 0

    def __lt__(self, other: object) -> bool:
        if not _is_exact(other):
            return NotImplemented
        return _compare(self, other) < 0

    def __hash__(self) -> int:
        # n is the minimal index of the value (see _reduce_index), so (n, sign, x^n) is canonical.
        return hash((self.index, self.coefficient > 0, self.coefficient**self.index * self.radicand))

    @property
    def sign(self) -> int:
        return 1 if self.coefficient > 0 else -1

    # ---------------------------------------------------------------- conversion
    def __float__(self) -> float:
        radicand = float(self.radicand)
        if 0.0 < radicand < math.inf:
            return float(self.coefficient) * radicand ** (1.0 / self.index)
        log_root = (math.log(self.radicand.numerator) - math.log(self.radicand.denominator)) / self.index
        return float(self.coefficient) * math.exp(log_root)

    def __str__(self) -> str:
        root = f"({format_rational(self.radicand)})^(1/{self.index})"
        if self.coefficient == 1:
            return root
        if self.coefficient == -1:
            return f"-{root}"
        return f"{format_rational(self.coefficient)}·{root}"

    def __repr__(self) -> str:
        return f"Surd({self})"


def _is_exact(value: object) -> bool:
    return isinstance(value, (Fraction, Surd)) or (isinstance(value, int) and not isinstance(value, bool))


Scalar = Union[float, Fraction, Surd]
"""A network parameter: a float (trained nets) or an exact number (rebuilt nets)."""
ExactScalar = Union[Fraction, Surd]


def _exact(value: Scalar, *, name: str = "value") -> ExactScalar:
    """Exact version of a parameter: Surds and Fractions unchanged, floats converted exactly."""
    return value if isinstance(value, Surd) else to_rational(value, name=name)


def _as_parameter(value: object, *, name: str) -> Scalar:
    """Normalise a parameter: Surd/Fraction kept, integers → Fraction, floats → finite float."""
    if isinstance(value, (Surd, Fraction)):
        return value
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got a boolean")
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return float(value)
    return to_rational(value, name=name)


def _require_rational(value: ExactScalar, what: str) -> Fraction:
    if isinstance(value, Surd):
        raise ValueError(f"{what} is the irrational number {value}, but a rational value is required here")
    return value


def _format_scalar(value: Scalar) -> str:
    if isinstance(value, Surd):
        return f"{value} ≈ {float(value):.6g}"
    if isinstance(value, Fraction):
        return format_rational(value)
    return f"{value:.6g}"


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
        beta_exact = _check_beta(beta)
        if exact:
            points, labels = _exact_vector(X, name="X"), _exact_vector(y, name="y")
            _check_lengths(len(points), len(labels))
            residuals = [self.value_exact(p) - t for p, t in zip(points, labels)]
            data_fit = sum((r * r for r in residuals), Fraction(0)) / 2
            return data_fit + beta_exact / self.depth * self.penalty(exact=True)  # type: ignore[operator]
        points_f, labels_f = _float_vector(X, name="X"), _float_vector(y, name="y")
        _check_lengths(points_f.size, labels_f.size)
        residual = self.predict(points_f) - labels_f
        return 0.5 * float(residual @ residual) + float(beta_exact) / self.depth * float(self.penalty())

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


# =========================================================================== the Lasso side
def lasso_value(
    columns: Sequence[Sequence[Fraction]],
    z: Sequence[Fraction],
    xi: Fraction,
    labels: Sequence[Fraction],
    beta: Fraction,
    penalised: Sequence[bool] | None = None,
) -> Fraction:
    """``½‖Σ_i z_i a_i + ξ1 − y‖² + β Σ_{i penalised} |z_i|`` exactly, from the columns ``a_i``."""
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
    """
    if not isinstance(library, Library):
        raise TypeError(f"library must be a mirrorlib Library, got {type(library).__name__}")
    _require_homogeneous(library.activation, "reconstructing a network from a Lasso point")
    if len(z) != library.n_features:
        raise ValueError(
            f"z has {len(z)} entries but the library has {library.n_features} features; give one coefficient per column"
        )
    coefficients = tuple(to_rational(value, name=f"z[{i}]") for i, value in enumerate(z))
    bias = to_rational(xi, name="xi")
    units, unit_z, labels = [], [], []
    skip = Fraction(0)
    for index, coefficient in enumerate(coefficients):
        if coefficient == 0:
            continue
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
