"""Run the dual-completeness check on a NEW activation, exactly — for property tests.

Recipe (see docs/property-testing.md)::

    from hypothesis import given
    from mirrorlib.testing import assert_library_complete
    from mirrorlib.testing.strategies import datasets, homogeneous_activations

    @given(activation=homogeneous_activations(), X=datasets(min_size=2, distinct=True))
    def test_my_activation(activation, X):
        assert_library_complete(activation, X, depth=2)

Non-homogeneous activations are outside the theorems' scope: :func:`completeness_verdict`
returns ``status="out of scope"`` with the reason, and :func:`assert_library_complete` rejects
the example (``hypothesis.reject``) so that hypothesis draws another one, or raises
:class:`OutOfScope` outside hypothesis. Invalid input (empty or NaN data, depth < 2) is not out
of scope: it raises ``ValueError`` naming the argument, so a typo is never filtered away.

The exact machinery (ground truth, pycddlib) is imported with this module, so the first example
of a property test costs milliseconds like every other and hypothesis' default 200 ms deadline
holds in your own test files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.data import as_dataset
from mirrorlib.groundtruth import extreme_points_missing, ground_truth_library
from mirrorlib.groundtruth._cdd import require_cdd
from mirrorlib.libraries import library
from mirrorlib.libraries.closed_form import _check_depth
from mirrorlib.signnets.networks import SIGN_ACTIVATIONS

require_cdd()  # import pycddlib now, not inside the first (timed) example

__all__ = ["ActivationVerdict", "OutOfScope", "completeness_verdict", "assert_library_complete"]


class OutOfScope(ValueError):
    """The activation does not satisfy the theorems' hypotheses (reason in the message).

    Examples
    --------
    >>> completeness_verdict('Max(x, 0) + 1', [0, 1, 3]).reason is not None
    True
    """


@dataclass(frozen=True)
class ActivationVerdict:
    """``status`` is ``"holds"``, ``"fails"`` or ``"out of scope"``; ``reason`` explains the last
    two; ``counterexample`` is the exact witness in the format of every library-versus-ground-truth
    verdict (:meth:`~mirrorlib.groundtruth.completeness.MissingExtremePoint.as_json`).

    Examples
    --------
    >>> verdict = completeness_verdict('leaky_relu(1/2)', [0, 1, 3])
    >>> verdict.status, verdict.depth
    ('holds', 2)
    """

    activation: str
    depth: int
    status: str
    reason: str | None = None
    counterexample: dict[str, Any] | None = None


def completeness_verdict(activation: Activation | str | Any, X: Any, depth: int = 2) -> ActivationVerdict:
    """Is the closed-form library of ``activation`` dual-complete on data ``X`` (exact ground truth)?

    Raises ``ValueError`` naming ``X`` or ``depth`` for invalid input (never "out of scope").

    Sign and threshold activations (0-homogeneous) are checked the same way on narrow units
    (width 1 in every hidden layer): the closed form of :mod:`mirrorlib.signnets` against every
    feature a unit produces, enumerated exactly.

    Parameters
    ----------
    activation : str, Activation or PWL
        The activation σ (a name, a sympy expression in ``x`` or an exact PWL).
    X : sequence of rationals
        The data (1-D).
    depth : int
        ``L ≥ 2``.

    Returns
    -------
    ActivationVerdict

    Examples
    --------
    >>> completeness_verdict('relu', [0, 1, 3]).status
    'holds'
    >>> completeness_verdict('sign', [0, 1, 3, 4], 3).status
    'holds'
    >>> completeness_verdict('Max(x, 0) + 1', [0, 1, 3]).status
    'out of scope'
    """
    X = as_dataset(X)
    depth = _check_depth(depth)
    sigma = get_activation(activation)
    if sigma.is_zero_homogeneous:
        if sigma.name in SIGN_ACTIVATIONS:
            return _switching_verdict(sigma, X, depth)
        return ActivationVerdict(
            sigma.name, depth, "out of scope",
            reason=f"{sigma.name} is a step other than sign and threshold, the two 0-homogeneous activations with closed forms",
        )
    problem = sigma.homogeneity_problem()
    if problem is not None:
        return ActivationVerdict(sigma.name, depth, "out of scope", reason=problem + " (the rescaling lemma needs σ(ct) = cσ(t))")
    try:
        closed_form = library(X, sigma, depth)
    except ValueError as error:  # no closed form for this σ and depth (or two channels)
        return ActivationVerdict(sigma.name, depth, "out of scope", reason=str(error))
    closed_form.matrix(exact=True)  # a size refusal (memory limit) is an error, not "out of scope"
    missing = extreme_points_missing(closed_form, ground_truth_library(X, sigma, depth))
    if not missing:
        return ActivationVerdict(sigma.name, depth, "holds")
    counterexample = missing[0].as_json(X)
    reason = (
        f"a unit beats the library: λᵀu(X) = {counterexample['unit_value λᵀu(X)']} > "
        f"{counterexample['library_value max_i |λᵀa_i|']} = max_i |λᵀa_i|"
    )
    return ActivationVerdict(sigma.name, depth, "fails", reason=reason, counterexample=counterexample)


def _switching_verdict(sigma: Activation, X: Any, depth: int) -> ActivationVerdict:
    """Sign/threshold narrow units: the closed form equals the exact set of unit features."""
    from mirrorlib.signnets.checks import check_sign_dictionary

    check = check_sign_dictionary(X, sigma, "tree", (1,) * (depth - 2), depth)
    if check.passed:
        return ActivationVerdict(sigma.name, depth, "holds")
    example = check.counterexample
    reason = f"the closed form and the exact features differ ({example.kind} feature with {example.n_switches} switches)"
    return ActivationVerdict(sigma.name, depth, "fails", reason=reason, counterexample=example.as_json())


def assert_library_complete(activation: Activation | str | Any, X: Any, depth: int = 2) -> ActivationVerdict:
    """Assert dual completeness; out-of-scope activations are rejected (inside hypothesis) or raise
    :class:`OutOfScope`; a failure raises ``AssertionError`` carrying the exact counterexample.

    Parameters
    ----------
    activation : str, Activation or PWL
        The activation σ.
    X : sequence of rationals
        The data.
    depth : int
        ``L ≥ 2``.

    Returns
    -------
    ActivationVerdict
        Always with ``status == "holds"``.

    Raises
    ------
    AssertionError
        With the exact counterexample when the closed form is not dual-complete.
    OutOfScope
        Outside hypothesis, for activations outside the theorems' hypotheses.

    Examples
    --------
    >>> assert_library_complete('abs', [0, 1, 3]).status
    'holds'
    """
    verdict = completeness_verdict(activation, X, depth)
    if verdict.status == "out of scope":
        try:
            from hypothesis import reject
            from hypothesis.control import currently_in_test_context
        except ImportError:  # pragma: no cover - hypothesis is the testing extra
            raise OutOfScope(verdict.reason) from None
        if currently_in_test_context():
            reject()
        raise OutOfScope(verdict.reason)
    assert verdict.status == "holds", f"{verdict.activation}, depth {verdict.depth}: {verdict.reason}; {verdict.counterexample}"
    return verdict
