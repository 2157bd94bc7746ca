"""Exact rational numbers: parsing user input and the fast linear-algebra backend.

Every exact quantity in mirrorlib is a :class:`fractions.Fraction`. Fractions are in the
standard library, hash and compare with ``int``, interoperate with sympy's ``Rational`` and
pycddlib's exact mode, and so make a safe public currency. Where exact *linear algebra* is
the bottleneck (the exact Lasso path, exact rank tests) mirrorlib hands matrices to
python-flint's ``fmpq_mat`` (FLINT, C), which is one to two orders of magnitude faster than
Fraction arithmetic in Python; see :mod:`mirrorlib.numbers.linalg`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction

__all__ = ["Rational", "to_rational", "to_rational_vector", "nonzero_rationals", "positive_beta", "format_rational"]

Rational = Fraction

_FRACTION_TEXT = re.compile(r"^\s*[+-]?\d+\s*/\s*[+-]?\d+\s*$")


def to_rational(value: object, *, name: str = "value") -> Fraction:
    """Convert ``value`` to an exact :class:`~fractions.Fraction`.

    Accepted: ``int``, ``Fraction``, finite ``float`` (converted exactly, e.g. ``0.1`` becomes
    ``3602879701896397/36028797018963968``), numpy integers/floats, sympy ``Rational``,
    python-flint ``fmpq``/``fmpz``, and strings such as ``"3"``, ``"-7/2"``, ``"0.1"`` (decimal
    strings are read exactly, so ``"0.1"`` is ``1/10``).

    Parameters
    ----------
    value : number or str
    name : str
        What the caller calls the value in error messages.

    Returns
    -------
    Fraction

    Raises
    ------
    TypeError
        for booleans and objects that are not numbers (the message names ``name``).
    ValueError
        for NaN, infinities and unparsable strings (the message names ``name``).

    Examples
    --------
    >>> to_rational('-7/2'), to_rational(0.5), to_rational('0.1')
    (Fraction(-7, 2), Fraction(1, 2), Fraction(1, 10))
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got the boolean {value!r}; pass 0 or 1 instead")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, str):
        return _parse_rational_text(value, name=name)
    if isinstance(value, float) or (isinstance(value, numbers.Real) and type(value).__module__ == "numpy"):
        as_float = float(value)
        if not math.isfinite(as_float):
            raise ValueError(f"{name} must be finite, got {as_float!r}; remove NaN/inf entries")
        return Fraction(as_float)
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    numerator = getattr(value, "p", None), getattr(value, "q", None)
    if all(isinstance(part, int) for part in numerator):  # sympy.Rational / Integer
        return Fraction(numerator[0], numerator[1])
    flint_parts = getattr(value, "numer", None), getattr(value, "denom", None)
    if all(callable(part) for part in flint_parts):  # python-flint fmpq
        return Fraction(int(flint_parts[0]()), int(flint_parts[1]()))
    if type(value).__name__ == "fmpz":
        return Fraction(int(value))  # type: ignore[call-overload]
    raise TypeError(
        f"{name} must be a rational number (int, Fraction, finite float or a string like '3/4'), "
        f"got {type(value).__name__}: {value!r}"
    )


def _parse_rational_text(text: str, *, name: str) -> Fraction:
    if _FRACTION_TEXT.match(text):
        numerator, denominator = (int(part) for part in text.split("/"))
        if denominator == 0:
            raise ValueError(f"{name} has a zero denominator: {text!r}")
        return Fraction(numerator, denominator)
    try:
        decimal = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(
            f"{name} must be a number such as '3', '-7/2' or '0.25', got the text {text!r}"
        ) from None
    if not decimal.is_finite():
        raise ValueError(f"{name} must be finite, got {text!r}; remove NaN/inf entries")
    return Fraction(decimal)


def to_rational_vector(values: Iterable[object] | str, *, name: str = "values") -> tuple[Fraction, ...]:
    """Convert a sequence (or a comma-separated string like ``"0,1/2,3"``) to exact Fractions.

    Raises ``ValueError`` naming ``name`` for an empty input, and for any entry that
    :func:`to_rational` rejects (the message gives the entry's position).

    Parameters
    ----------
    values : sequence of numbers or str
    name : str
        What the caller calls the values in error messages.

    Returns
    -------
    tuple of Fraction

    Examples
    --------
    >>> to_rational_vector('0,1/2,3')
    (Fraction(0, 1), Fraction(1, 2), Fraction(3, 1))
    >>> to_rational_vector([1, 0.25])
    (Fraction(1, 1), Fraction(1, 4))
    """
    if isinstance(values, str):
        items: list[object] = values.split(",") if values.strip() else []
        empty = [index for index, item in enumerate(items) if not item.strip()]
        if items and empty:
            raise ValueError(f"{name} has an empty item at position {empty[0]} in {values!r}; separate numbers by single commas")
    else:
        try:
            items = list(values)
        except TypeError:
            raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}") from None
        if items and hasattr(items[0], "__len__") and not isinstance(items[0], str):
            raise ValueError(f"{name} must be one-dimensional (scalar inputs x_1..x_N), got nested sequences")
    if not items:
        raise ValueError(f"{name} is empty; give at least one number")
    return tuple(to_rational(item, name=f"{name}[{index}]") for index, item in enumerate(items))


def nonzero_rationals(values: Iterable[object], *, name: str = "values") -> list[tuple[int, Fraction]]:
    """The nonzero entries of a coefficient vector as exact ``(index, Fraction)`` pairs.

    The support of a Lasso point ``z`` is usually a few dozen of its ``M`` entries; float zeros
    (``0.0``, numpy's included) are skipped without conversion, every other entry goes through
    :func:`to_rational` (so NaN, infinities and non-numbers raise, naming ``name[i]``).

    Parameters
    ----------
    values : iterable of numbers
    name : str
        What the caller calls the vector in error messages.

    Returns
    -------
    list of (int, Fraction)
        In ascending index order.

    Examples
    --------
    >>> nonzero_rationals([0.0, 0.5, Fraction(0), "-1/3"])
    [(1, Fraction(1, 2)), (3, Fraction(-1, 3))]
    >>> nonzero_rationals([0.0, float("nan")], name="z")
    Traceback (most recent call last):
    ...
    ValueError: z[1] must be finite, got nan; remove NaN/inf entries
    """
    pairs = []
    for index, value in enumerate(values):
        if isinstance(value, float) and value == 0.0:
            continue
        rational = to_rational(value, name=f"{name}[{index}]")
        if rational:
            pairs.append((index, rational))
    return pairs


def positive_beta(value: object, *, name: str = "beta", limit: str = "beta=None with exact=True") -> Fraction:
    """The weight-decay strength β as an exact positive rational (the one β validator).

    Parameters
    ----------
    value : number or str
        β, e.g. ``0.01``, ``"1/100"``.
    name : str
        What the caller calls it in error messages (``"beta"``, ``"--beta"``).
    limit : str
        How the caller asks for the β → 0⁺ limit instead, named in the error for β ≤ 0.

    Raises
    ------
    ValueError
        For β ≤ 0 (naming ``name`` and ``limit``), NaN, infinities or text that is not a number.

    Examples
    --------
    >>> positive_beta("1/100")
    Fraction(1, 100)
    >>> positive_beta(0, name="--beta", limit="0+ with --exact")
    Traceback (most recent call last):
    ...
    ValueError: --beta must be > 0, got 0; for the β → 0⁺ limit use 0+ with --exact
    """
    exact = to_rational(value, name=name)
    if exact <= 0:
        raise ValueError(f"{name} must be > 0, got {format_rational(exact)}; for the β → 0⁺ limit use {limit}")
    return exact


def format_rational(value: Fraction) -> str:
    """Render a Fraction as ``"p/q"`` (or ``"p"`` when the denominator is 1).

    Parameters
    ----------
    value : Fraction

    Returns
    -------
    str

    Examples
    --------
    >>> format_rational(Fraction(-7, 2)), format_rational(Fraction(3))
    ('-7/2', '3')
    """
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def format_short(value: Fraction, width: int = 24) -> str:
    """``"p/q"`` when it fits in ``width`` characters, else a 12-digit decimal.

    >>> format_short(Fraction(4, 3)), format_short(Fraction(2**100, 3))
    ('4/3', '4.22550200076e+29')
    """
    text = format_rational(value)
    return text if len(text) <= width else f"{float(value):.12g}"
