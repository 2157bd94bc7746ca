"""The property-testing recipe for new activations works as documented."""

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mirrorlib.testing import OutOfScope, assert_library_complete, completeness_verdict
from mirrorlib.testing.strategies import datasets, dual_vectors, homogeneous_activations, pwl_activations


@settings(max_examples=25)
@given(activation=homogeneous_activations(), X=datasets(min_size=2, max_size=5, distinct=True))
def test_recipe_on_random_homogeneous_activations(activation, X):
    assert assert_library_complete(activation, X, depth=2).status == "holds"


@settings(max_examples=25, suppress_health_check=[HealthCheck.filter_too_much])
@given(activation=st.one_of(pwl_activations(), homogeneous_activations()), X=datasets(min_size=2, max_size=4, distinct=True))
def test_recipe_rejects_non_homogeneous_activations_and_checks_the_rest(activation, X):
    """Random PWL activations are mostly not homogeneous: those are rejected, not failed."""
    verdict = assert_library_complete(activation, X, depth=2)
    assert verdict.status == "holds" and activation.is_positively_homogeneous


@settings(max_examples=20)
@given(activation=st.sampled_from(["sign", "threshold"]), depth=st.integers(2, 4), X=datasets(min_size=1, max_size=5))
def test_sign_and_threshold_get_the_same_verdict(activation, depth, X):
    """0-homogeneous units are in scope: narrow sign/threshold libraries equal the exact unit features."""
    assert assert_library_complete(activation, X, depth=depth).status == "holds"


def test_other_steps_are_out_of_scope_with_the_reason():
    verdict = completeness_verdict("Piecewise((-1, x < 0), (2, True))", [0, 1, 2])
    assert verdict.status == "out of scope" and "sign and threshold" in verdict.reason


def test_out_of_scope_is_reported_with_the_reason():
    verdict = completeness_verdict("Min(Max(x, 0), 1)", [0, 1, 2])
    assert verdict.status == "out of scope" and "breakpoints away from 0" in verdict.reason
    with pytest.raises(OutOfScope, match="rescaling lemma"):
        assert_library_complete("Min(Max(x, 0), 1)", [0, 1, 2])


def test_a_failing_activation_gives_an_exact_counterexample():
    """Theorem 3.2's depth-3 abs closed form misses midpoint features (see proofs_checks)."""
    verdict = completeness_verdict("abs", ["-2/3", 0, "-7/2", 6], depth=3)
    assert verdict.status == "fails"
    assert Fraction(verdict.counterexample["unit_value λᵀu(X)"]) > Fraction(verdict.counterexample["library_value max_i |λᵀa_i|"])
    with pytest.raises(AssertionError, match="beats the library"):
        assert_library_complete("abs", ["-2/3", 0, "-7/2", 6], depth=3)


@given(st.integers(1, 7).flatmap(lambda n: st.tuples(st.just(n), dual_vectors(n))))
def test_dual_vectors_are_orthogonal_to_ones(case):
    n, lam = case
    assert len(lam) == n and sum(lam) == 0
    assert n == 1 or any(lam)


def test_invalid_input_is_an_error_not_out_of_scope() -> None:
    import pytest

    from mirrorlib.testing import assert_library_complete

    with pytest.raises(ValueError, match="X"):
        assert_library_complete("relu", [0.0, float("nan")], depth=2)
    with pytest.raises(ValueError, match="X is empty"):
        assert_library_complete("relu", [], depth=2)
    with pytest.raises(ValueError, match="depth must be ≥ 2"):
        assert_library_complete("relu", [0, 1], depth=1)


def test_readme_recipe_runs_under_hypothesis_defaults(tmp_path) -> None:
    """The README snippet, in a user's own directory: default deadline and health checks, no conftest."""
    import subprocess
    import sys

    recipe = tmp_path / "test_user_activation.py"
    recipe.write_text(
        "from hypothesis import given, settings\n"
        "from mirrorlib.testing import assert_library_complete\n"
        "from mirrorlib.testing.strategies import datasets, homogeneous_activations\n\n"
        "@settings(derandomize=True)\n"
        "@given(activation=homogeneous_activations(), X=datasets(min_size=2, distinct=True))\n"
        "def test_my_activation(activation, X):\n"
        "    assert_library_complete(activation, X, depth=2)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-c", "/dev/null", "--rootdir", str(tmp_path), str(recipe)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:]
