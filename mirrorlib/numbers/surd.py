"""Exact surds ``q·R^{1/n}``: the weights of a network rebuilt from a Lasso point.

``c = |z|^{1/L}`` is irrational in general. A :class:`Surd` is a monomial ``q·R^{1/n}``
(``q ∈ Q``, ``R ∈ Q_{>0}``); such monomials are closed under ``×``, ``÷`` and integer powers, and
the sign of ``q·R^{1/n}`` is the sign of ``q``. A sum of two surds is formed only when their
ratio is provably rational (decided with exact integer roots); otherwise ``ArithmeticError`` is
raised — no rounding ever happens. :func:`surd` returns a :class:`~fractions.Fraction` whenever
the value is rational.

Examples
--------
>>> w = surd(1, 2, 2)          # √2
>>> w * w, float(w) > 1.41
(Fraction(2, 1), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import total_ordering
from typing import Union

import numpy as np

from mirrorlib.numbers.exact import format_rational, to_rational

__all__ = ["Surd", "surd", "sqrt_bounds", "Scalar", "ExactScalar"]


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


def sqrt_bounds(value: Fraction, bits: int = 64) -> tuple[Fraction, Fraction]:
    """Rationals ``lo ≤ √value ≤ hi`` with ``hi − lo ≤ 2^-bits`` (both exact when the root is a
    multiple of ``2^-bits``), for ``value ≥ 0``.

    Examples
    --------
    >>> low, high = sqrt_bounds(Fraction(2), 10)
    >>> low, high, low * low <= 2 <= high * high
    (Fraction(181, 128), Fraction(1449, 1024), True)
    """
    scale = 1 << bits
    numerator, denominator = value.numerator * scale * scale, value.denominator
    low = math.isqrt(numerator // denominator)
    high = low if low * low * denominator == numerator else low + 1
    return Fraction(low, scale), Fraction(high, scale)


def surd(coefficient: object, radicand: object = 1, index: int = 1) -> Fraction | Surd:
    """The exact real number ``q·R^{1/n}``: a :class:`Fraction` when rational, else a :class:`Surd`.

    Raises ``ValueError`` for ``R ≤ 0`` or ``n < 1``.

    Examples
    --------
    >>> surd(1, Fraction(9, 4), 2)
    Fraction(3, 2)
    >>> root = surd(1, 2, 2)
    >>> root, root * root
    (Surd((2)^(1/2)), Fraction(2, 1))
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

    Examples
    --------
    >>> root = surd(1, 2, 2)
    >>> root * 3, float(root * 3) > 4.24, root ** 4
    (Surd(3·(2)^(1/2)), True, Fraction(4, 1))
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
