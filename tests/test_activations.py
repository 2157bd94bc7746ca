"""Activations: values, homogeneity classification and parsing."""

from fractions import Fraction

import pytest
from hypothesis import given

from mirrorlib.functions.activations import (
    Activation,
    absolute,
    get_activation,
    leaky_relu,
    linear,
    pwl_activation,
    relu,
    sign,
    symmetrised_relu,
    threshold,
)
from mirrorlib.functions.pwl import PWL
from mirrorlib.testing.strategies import homogeneous_activations, pwl_activations, rationals


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        (relu(), {-2: 0, 0: 0, 3: 3}),
        (leaky_relu(Fraction(1, 10)), {-2: Fraction(-1, 5), 0: 0, 3: 3}),
        (absolute(), {-2: 2, 0: 0, 3: 3}),
        (linear(), {-2: -2, 0: 0, 3: 3}),
        (sign(), {-2: -1, 0: 1, 3: 1}),
        (threshold(), {-2: 0, 0: 1, 3: 1}),
    ],
)
def test_named_activation_values(activation, expected):
    for t, value in expected.items():
        assert activation(t) == value


def test_homogeneity_flags_of_named_activations():
    for activation in (relu(), leaky_relu("1/3"), absolute(), linear(), symmetrised_relu()):
        assert activation.is_positively_homogeneous, activation.name
    for activation in (sign(), threshold()):
        assert not activation.is_positively_homogeneous
        assert activation.is_zero_homogeneous
    hard_tanh = pwl_activation([-1, 1], [-1, 1], left_slope=0, right_slope=0, name="hard_tanh")
    assert not hard_tanh.is_positively_homogeneous
    assert "breakpoints away from 0" in hard_tanh.homogeneity_problem()
    with pytest.raises(ValueError, match="outside the paper's theorems"):
        hard_tanh.require_positively_homogeneous("test")


def _scales() -> list[Fraction]:
    return [Fraction(1, 3), Fraction(2), Fraction(7, 2)]


@given(homogeneous_activations(), rationals())
def test_homogeneous_activations_satisfy_the_definition(activation, t):
    assert activation.is_positively_homogeneous
    for c in _scales():
        assert activation(c * t) == c * activation(t)


@given(pwl_activations(), rationals())
def test_non_homogeneous_classification_has_a_witness(activation, t):
    """If σ is classified as not homogeneous there is a point and a scale violating σ(ct)=cσ(t)."""
    probes = [t, Fraction(0), Fraction(1), Fraction(-1), *activation.function.breakpoints]
    probes += [b + Fraction(1, 2) for b in activation.function.breakpoints]
    witness = any(activation(c * p) != c * activation(p) for p in probes for c in _scales())
    assert activation.is_positively_homogeneous != witness


def test_composition_with_pwl():
    inner = PWL.affine(-1, 2)
    assert relu()(inner) == PWL.continuous([2], [0], left_slope=-1, right_slope=0)


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("relu", "relu"),
        ("ReLU", "relu"),
        ("abs", "abs"),
        ("leaky_relu", "leaky_relu(1/100)"),
        ("leaky_relu(1/10)", "leaky_relu(1/10)"),
        ("leaky-relu:0.2", "leaky_relu(1/5)"),
        ("sign", "sign"),
        ("threshold", "threshold"),
        ("symmetrized_relu", "symmetrised_relu"),
    ],
)
def test_get_activation_by_name(spec, name):
    assert get_activation(spec).name == name


def test_get_activation_from_sympy_and_pwl():
    capped = get_activation("Min(Max(x, 0), 1)")
    assert capped(Fraction(1, 2)) == Fraction(1, 2) and capped(5) == 1
    assert not capped.is_positively_homogeneous
    assert get_activation(PWL.affine(2, 0)).is_positively_homogeneous
    assert isinstance(get_activation(relu()), Activation)


@pytest.mark.parametrize("spec", ["tanh", "x**2", "softplus", ""])
def test_unknown_activation_is_a_clear_error(spec):
    with pytest.raises(ValueError, match="activation"):
        get_activation(spec)


def test_symmetrised_relu_channels():
    activation = symmetrised_relu()
    assert not activation.is_scalar
    assert [channel(-3) for channel in activation.channels] == [0, 3]
    with pytest.raises(ValueError, match="not a positively homogeneous scalar"):
        activation.slopes


def test_custom_activation_from_slopes_equals_from_values():
    by_slopes = pwl_activation([0, 1], slopes=[0, 1, 0], value_at_first=0)
    by_values = pwl_activation([0, 1], [0, 1], left_slope=0, right_slope=0)
    assert by_slopes.function == by_values.function
    assert by_slopes(Fraction(1, 2)) == Fraction(1, 2) and by_slopes(7) == 1
    with pytest.raises(ValueError, match="len\\(slopes\\)"):
        pwl_activation([0, 1], slopes=[0, 1])
    with pytest.raises(ValueError, match="either values"):
        pwl_activation([0], [0], slopes=[0, 1])
