"""Hypothesis strategies for exact rationals, data sets, PWL functions and activations.

Example
-------
>>> from hypothesis import given
>>> from mirrorlib.testing.strategies import datasets, homogeneous_activations
>>> @given(X=datasets(), activation=homogeneous_activations())
... def test_two_layer_library(X, activation): ...
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from mirrorlib.functions.activations import Activation
from mirrorlib.functions.pwl import PWL

__all__ = [
    "rationals",
    "datasets",
    "pwl_functions",
    "continuous_pwl_functions",
    "homogeneous_activations",
    "pwl_activations",
    "dual_vectors",
]


def rationals(
    max_numerator: int = 20, max_denominator: int = 6, *, allow_zero: bool = True
) -> st.SearchStrategy[Fraction]:
    """Small exact rationals ``p/q`` with ``|p| ≤ max_numerator``, ``1 ≤ q ≤ max_denominator``.

    Parameters
    ----------
    max_numerator : int
        Largest ``|p|``.
    max_denominator : int
        Largest ``q``.
    allow_zero : bool
        Whether 0 may be drawn.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Fraction

    Examples
    --------
    >>> from hypothesis import find
    >>> find(rationals(max_denominator=3), lambda q: q > 1 and q.denominator == 3)
    Fraction(4, 3)
    """
    values = st.builds(
        Fraction,
        st.integers(-max_numerator, max_numerator),
        st.integers(1, max_denominator),
    )
    return values if allow_zero else values.filter(bool)


def datasets(
    min_size: int = 1, max_size: int = 6, *, distinct: bool = False, max_numerator: int = 20
) -> st.SearchStrategy[list[Fraction]]:
    """Lists of rational inputs (unsorted, duplicates allowed unless ``distinct``).

    Parameters
    ----------
    min_size, max_size : int
        Bounds on the number of inputs.
    distinct : bool
        Draw pairwise different inputs.
    max_numerator : int
        Largest ``|p|`` of each ``p/q``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of list of Fraction

    Examples
    --------
    >>> from hypothesis import find
    >>> find(datasets(min_size=3, distinct=True), lambda xs: max(xs) > 2)
    [Fraction(0, 1), Fraction(1, 1), Fraction(3, 1)]
    """
    return st.lists(
        rationals(max_numerator=max_numerator),
        min_size=min_size,
        max_size=max_size,
        unique=distinct,
    )


@st.composite
def pwl_functions(draw: st.DrawFn, max_breakpoints: int = 4, *, continuous: bool = False) -> PWL:
    """Random exact PWL functions, with jumps (explicit values at breakpoints) unless ``continuous``.

    Parameters
    ----------
    max_breakpoints : int
        At most this many breakpoints.
    continuous : bool
        Draw continuous functions only.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of PWL

    Examples
    --------
    >>> from hypothesis import find
    >>> f = find(pwl_functions(), lambda f: len(f.breakpoints) == 1)
    >>> f.breakpoints
    (Fraction(0, 1),)
    """
    breakpoints = sorted(draw(st.sets(rationals(), max_size=max_breakpoints)))
    if continuous:
        if not breakpoints:
            return PWL.affine(draw(rationals()), draw(rationals()))
        values = [draw(rationals()) for _ in breakpoints]
        return PWL.continuous(breakpoints, values, left_slope=draw(rationals()), right_slope=draw(rationals()))
    count = len(breakpoints)
    slopes = [draw(rationals()) for _ in range(count + 1)]
    intercepts = [draw(rationals()) for _ in range(count + 1)]
    values = [draw(rationals()) for _ in range(count)]
    return PWL(tuple(breakpoints), tuple(slopes), tuple(intercepts), tuple(values))


def continuous_pwl_functions(max_breakpoints: int = 4) -> st.SearchStrategy[PWL]:
    """Random continuous exact PWL functions.

    Parameters
    ----------
    max_breakpoints : int
        At most this many breakpoints.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of PWL

    Examples
    --------
    >>> from hypothesis import find
    >>> len(find(continuous_pwl_functions(), lambda f: len(f.breakpoints) == 2).breakpoints)
    2
    """
    return pwl_functions(max_breakpoints, continuous=True)


@st.composite
def homogeneous_activations(draw: st.DrawFn) -> Activation:
    """``σ(t) = a·t (t < 0), b·t (t ≥ 0)`` with random rationals ``a``, ``b`` (not both zero).

    Examples
    --------
    >>> from hypothesis import find
    >>> find(homogeneous_activations(), lambda sigma: sigma.function(-1) != 0).slopes
    (Fraction(1, 1), Fraction(0, 1))
    """
    negative = draw(rationals(max_numerator=4, max_denominator=4))
    positive = draw(rationals(max_numerator=4, max_denominator=4).filter(lambda b: b != 0 or negative != 0))
    function = PWL.continuous([0], [0], left_slope=negative, right_slope=positive)
    return Activation(f"homogeneous({negative},{positive})", function)


def pwl_activations(max_breakpoints: int = 3, *, continuous: bool = True) -> st.SearchStrategy[Activation]:
    """Arbitrary PWL activations (mostly NOT homogeneous): for testing that checks either apply
    or report the activation as outside the theorems' scope.

    Parameters
    ----------
    max_breakpoints, continuous
        As in :func:`pwl_functions`.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Activation

    Examples
    --------
    >>> from hypothesis import find
    >>> find(pwl_activations(), lambda sigma: sigma.function(0) != 0).name
    'drawn'
    """
    return pwl_functions(max_breakpoints, continuous=continuous).map(lambda f: Activation("drawn", f))


@st.composite
def dual_vectors(draw: st.DrawFn, n: int) -> tuple[Fraction, ...]:
    """Exact dual vectors ``λ ∈ Q^n`` with ``1ᵀλ = 0`` (the intercept ξ is free), not all zero
    when ``n ≥ 2``.

    Parameters
    ----------
    n : int
        The length (the number of data points).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple of Fraction

    Examples
    --------
    >>> from hypothesis import find
    >>> find(dual_vectors(3), lambda lam: lam[0] > 0)
    (Fraction(1, 1), Fraction(-1, 1), Fraction(0, 1))
    """
    if n < 1:
        raise ValueError(f"n must be ≥ 1, got {n}")
    if n == 1:
        return (Fraction(0),)
    values = draw(st.lists(rationals(), min_size=n, max_size=n))
    mean = sum(values, Fraction(0)) / n
    centred = tuple(value - mean for value in values)
    if not any(centred):
        centred = (Fraction(1), Fraction(-1)) + (Fraction(0),) * (n - 2)
    return centred
