"""The PWL algebra against direct pointwise evaluation, in exact arithmetic."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from mirrorlib.functions.pwl import PWL
from mirrorlib.testing.strategies import continuous_pwl_functions, pwl_functions, rationals


def probe_points(*functions: PWL, extra: tuple[Fraction, ...] = ()) -> list[Fraction]:
    """Every breakpoint, midpoints between them, points beyond both ends, and ``extra``."""
    points = sorted({b for f in functions for b in f.breakpoints} | set(extra))
    probes = set(points)
    probes.update((a + b) / 2 for a, b in zip(points, points[1:]))
    if points:
        probes.update({points[0] - 1, points[-1] + 1, points[0] - Fraction(1, 7)})
    probes.update({Fraction(-1), Fraction(0), Fraction(1)})
    return sorted(probes)


@given(pwl_functions(), pwl_functions(), rationals())
def test_sum_difference_and_scaling_agree_pointwise(f, g, c):
    for t in probe_points(f, g):
        assert (f + g)(t) == f(t) + g(t)
        assert (f - g)(t) == f(t) - g(t)
        assert (c * f)(t) == c * f(t)
        assert (f + c)(t) == f(t) + c


@given(pwl_functions(), rationals(), rationals(), rationals())
def test_affine_maps_of_input_and_output(f, a, c, t0):
    inner = f.affine_input(a, c)
    outer = f.affine_output(a, c)
    for t in probe_points(inner, outer, extra=(t0,)):
        assert inner(t) == f(a * t + c)
        assert outer(t) == a * f(t) + c


@given(pwl_functions(max_breakpoints=3), pwl_functions(max_breakpoints=3))
def test_composition_agrees_pointwise_including_jumps(sigma, f):
    composed = sigma.compose(f)
    preimages = tuple(composed.breakpoints)
    for t in probe_points(composed, f, extra=preimages):
        assert composed(t) == sigma(f(t))


@given(pwl_functions(), st.lists(rationals(), max_size=12), st.sampled_from([1, 3, 2**60 + 1]))
def test_restrict_on_a_common_denominator_equals_pointwise_evaluation(f, points, denominator):
    """Exact vectorised evaluation: at every breakpoint (jumps included), between and beyond
    them, and at arbitrary rationals, also over a huge common denominator (floats' 2⁵² and more)."""
    probes = [*probe_points(f), *points, *(t + Fraction(1, denominator) for t in points)]
    assert f.restrict(probes) == tuple(f(t) for t in probes)
    assert f.restrict([]) == ()


@given(pwl_functions())
def test_canonical_form_has_no_redundant_breakpoint(f):
    for i, b in enumerate(f.breakpoints):
        left, right = f.pieces[i], f.pieces[i + 1]
        assert left != right or left[0] * b + left[1] != f.values[i]


def test_simplification_merges_collinear_neighbours():
    f = PWL.continuous([0, 1, 2], [0, 1, 2], left_slope=1, right_slope=1)
    assert f == PWL.affine(1, 0)
    assert f.breakpoints == ()


@given(pwl_functions(), pwl_functions())
def test_equality_is_equality_of_functions(f, g):
    equal_everywhere = all(f(t) == g(t) for t in probe_points(f, g))
    assert (f == g) == equal_everywhere


@given(pwl_functions(), st.lists(st.floats(-30, 30, allow_nan=False), max_size=20))
def test_vectorised_float_evaluation_matches_exact(f, points):
    """Off breakpoints the float value is that of the exact function at the float; a float that
    rounds a breakpoint ``b`` is read as ``b`` (jump values included)."""
    by_float = {float(b): b for b in f.breakpoints}
    grid = np.array(points + list(by_float))
    exact = np.array([float(f(by_float.get(t, Fraction(t)))) for t in grid])
    assert np.allclose(f.evaluate(grid), exact, rtol=1e-12, atol=1e-9)


@given(pwl_functions())
def test_sympy_round_trip_is_exact(f):
    x = sympy.Symbol("x", real=True)
    expression = f.to_sympy(x)
    assert PWL.from_sympy(expression, x) == f
    for t in probe_points(f):
        assert Fraction(str(expression.subs(x, sympy.Rational(t.numerator, t.denominator)))) == f(t)


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Abs(x - 2) + Max(x, 0) - Min(x, 1)", [-3, 0, 1, 2, 5]),
        ("3*Heaviside(x - 1) + sign(2 - x)", [0, 1, 2, 3]),
        ("Heaviside(x, 1)", [-1, 0, 1]),
        ("Piecewise((x, x < 1), (2 - x, x <= 3), (x/2, True))", [0, 1, 2, 3, 4]),
    ],
)
def test_from_sympy_matches_sympy_evaluation(text, points):
    x = sympy.Symbol("x")
    expression = sympy.sympify(text, locals={"x": x})
    f = PWL.from_sympy(expression, x)
    for t in points:
        assert f(t) == Fraction(str(expression.subs(x, t)))


@pytest.mark.parametrize("text", ["x**2", "exp(x)", "x*Abs(x)", "sqrt(2)*x"])
def test_from_sympy_rejects_non_piecewise_linear(text):
    with pytest.raises(ValueError):
        PWL.from_sympy(text)


def test_constructor_rejects_inconsistent_data():
    with pytest.raises(ValueError, match="strictly increasing"):
        PWL((Fraction(1), Fraction(0)), (Fraction(0),) * 3, (Fraction(0),) * 3, (Fraction(0),) * 2)
    with pytest.raises(ValueError, match="k\\+1 slopes"):
        PWL((Fraction(0),), (Fraction(0),), (Fraction(0),), (Fraction(0),))
    with pytest.raises(TypeError, match="not piecewise linear"):
        PWL.affine(1, 0) * PWL.affine(1, 0)


@given(continuous_pwl_functions())
def test_continuity_flags(f):
    assert f.is_continuous
    assert f.jumps == ()
    for b in f.breakpoints:
        assert f.left_limit(b) == f(b) == f.right_limit(b)


def test_jump_value_is_kept_at_breakpoint():
    step = PWL((Fraction(0),), (Fraction(0), Fraction(0)), (Fraction(-1), Fraction(1)), (Fraction(1),))
    assert step(0) == 1 and step(Fraction(-1, 10**9)) == -1
    assert step.jumps == (Fraction(0),)
    flat_inner = PWL.constant(0)
    assert step.compose(flat_inner) == PWL.constant(1)
