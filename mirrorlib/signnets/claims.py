"""Sign/threshold dictionary sizes as ``mirrorlib verify`` claims (theory §5, sign/threshold bullet).

Two statements are checked on the same random instances (``proofs_checks/sign_dictionary_size.py``
and ``proofs_checks/sign_dictionary_theory_rule.py`` wrap them):

* ``rule="derived"``: the features of a unit are exactly the ±1 (0/1) vectors with at most ``K``
  switches, ``K = ∏ m_l`` (tree), ``m_1`` (rectangular), 1 (depth 2), and there are
  ``2 Σ_{k≤K} C(n−1, k)`` of them on ``n`` distinct points (attained);
* ``rule="theory"``: theory §5 as written, ``K = ∏ m_l`` for both architectures — false for
  rectangular nets with ``min(∏ m_l, n − 1) > m_1``.

An *instance* is JSON-able: ``{"data": ["p/q", …], "activation", "architecture", "widths": [...],
"depth"}``. :func:`sign_claim_outcome` decides it exactly (closed form versus the exhaustive
ground truth of :mod:`mirrorlib.signnets.groundtruth`, and the count formula recomputed from
binomials); :func:`shrink_sign_instance` proposes smaller instances, so the runner's greedy
shrinking ends at a minimal counterexample (fewest points, shallowest, narrowest, data
``0, 1, …, n − 1``, sign activation).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.numbers.exact import format_rational, to_rational_vector
from mirrorlib.signnets.checks import SignDictionaryCheck, check_sign_dictionary
from mirrorlib.signnets.groundtruth import MAX_GROUND_TRUTH_POINTS
from mirrorlib.signnets.networks import SIGN_ACTIVATIONS, SIGN_ARCHITECTURES
from mirrorlib.verify.registry import Counterexample, Outcome

__all__ = [
    "MAX_CLAIM_DEPTH",
    "MAX_CLAIM_WIDTH",
    "draw_sign_instance",
    "binomial_count",
    "sign_claim_outcome",
    "shrink_sign_instance",
]

Instance = dict[str, Any]

MAX_CLAIM_DEPTH = 5
MAX_CLAIM_WIDTH = 3
DUPLICATE_PROBABILITY = 0.25


def draw_sign_instance(rng: np.random.Generator, max_n: int) -> Instance:
    """Random rationals ``p/q`` (``|p| ≤ 12``, ``q ≤ 4``; each point repeats an earlier one with
    probability 1/4, and always once the ground truth's
    :data:`~mirrorlib.signnets.groundtruth.MAX_GROUND_TRUTH_POINTS` distinct values are drawn),
    activation, architecture, depth ``2 … 5`` and widths ``1 … 3``.

    Examples
    --------
    >>> import numpy as np
    >>> instance = draw_sign_instance(np.random.default_rng(0), 4)
    >>> sorted(instance)
    ['activation', 'architecture', 'data', 'depth', 'widths']
    """
    size = int(rng.integers(1, max_n + 1))
    data: list[Fraction] = []
    distinct: set[Fraction] = set()
    for _ in range(size):
        if data and (rng.random() < DUPLICATE_PROBABILITY or len(distinct) == MAX_GROUND_TRUTH_POINTS):
            data.append(data[int(rng.integers(len(data)))])
        else:
            data.append(Fraction(int(rng.integers(-12, 13)), int(rng.integers(1, 5))))
            distinct.add(data[-1])
    depth = int(rng.integers(2, MAX_CLAIM_DEPTH + 1))
    return {
        "data": [format_rational(x) for x in data],
        "activation": str(rng.choice(SIGN_ACTIVATIONS)),
        "architecture": str(rng.choice(SIGN_ARCHITECTURES)),
        "widths": [int(w) for w in rng.integers(1, MAX_CLAIM_WIDTH + 1, size=depth - 2)],
        "depth": depth,
    }


def binomial_count(n_points: int, max_switches: int) -> int:
    """``2 Σ_{k=0}^{min(K, n−1)} C(n − 1, k)`` straight from :func:`math.comb` (independent of
    :func:`~mirrorlib.signnets.switching.count_switch_vectors`).

    Examples
    --------
    >>> binomial_count(5, 1), binomial_count(5, 10)
    (10, 32)
    """
    return 2 * sum(math.comb(n_points - 1, k) for k in range(min(max_switches, n_points - 1) + 1))


def _check(instance: Instance, rule: str) -> SignDictionaryCheck:
    return check_sign_dictionary(
        to_rational_vector(instance["data"], name="data"),
        instance["activation"],
        instance["architecture"],
        tuple(instance["widths"]),
        int(instance["depth"]),
        rule=rule,
    )


def _measurements(check: SignDictionaryCheck) -> dict[str, Any]:
    """Summed by the runner: ``bound_attained`` (closed-form size = ground-truth size),
    ``switch_bound_binding`` (``K < n − 1``: the bound actually excludes patterns); maxima; and
    counts by architecture and relation."""
    return {
        "bound_attained": int(check.bound_tight),
        "switch_bound_binding": int(check.max_switches < check.n_points - 1),
        "max_distinct_points": check.n_points,
        "max_K": check.max_switches,
        "max_ground_truth_features": check.ground_truth_count,
        "architecture": check.architecture,
        "relation": check.relation,
    }


def _witness(check: SignDictionaryCheck, expected_count: int) -> dict[str, Any]:
    """Exact evidence: the offending vector (caller's order) and its unit (or the statement that
    no unit produces it), and the three counts."""
    witness: dict[str, Any] = {
        "rule": check.rule,
        "K": check.max_switches,
        "closed_form_count": check.formula_count,
        "binomial_formula_count": expected_count,
        "ground_truth_count": check.ground_truth_count,
        "ground_truth_max_switches": check.ground_truth_max_switches,
        "relation": check.relation,
    }
    if check.counterexample is not None:
        example = check.counterexample.as_json()
        witness.update(
            kind=example["kind"],
            vector=example["vector"],
            switches=example["switches"],
            unit=example["unit"],
            explanation=example["explanation"],
        )
    else:
        witness["explanation"] = "the library equals the ground truth but the counts disagree with 2·Σ_{k≤K} C(n−1, k)"
    return witness


def sign_claim_outcome(claim: str, instance: Instance, rule: str) -> Outcome:
    """Decide one instance: the closed form with ``rule``'s ``K`` equals the exact ground truth,
    and ``2 Σ_{k≤K} C(n−1, k)`` (from binomials) equals both the closed form's size and the
    ground truth's (attained). Instances whose ground truth exceeds the work limit are skipped.

    Examples
    --------
    >>> instance = {'data': ['0', '1', '2'], 'activation': 'sign', 'architecture': 'tree', 'widths': [], 'depth': 2}
    >>> sign_claim_outcome('sign-library', instance, 'derived').passed
    True
    """
    try:
        check = _check(instance, rule)
    except ValueError as error:
        if "work_limit" in str(error):
            return Outcome(passed=False, skipped=str(error))
        raise
    expected = binomial_count(check.n_points, check.max_switches)
    holds = check.passed and expected == check.formula_count == check.ground_truth_count
    measurements = _measurements(check)
    if holds:
        return Outcome(passed=True, measurements=measurements)
    witness = _witness(check, expected)
    return Outcome(
        passed=False,
        counterexample=Counterexample(claim, instance, witness, size=len(instance["data"])),
        measurements=measurements,
    )


def _canonical_data(data: list[str]) -> list[str]:
    """The same duplicate structure on ``0, 1, …, n − 1``, ascending (the claims depend on the
    data only through the multiset of ranks, and the caller's order only permutes rows)."""
    values = sorted(to_rational_vector(data, name="data"))
    rank = {value: index for index, value in enumerate(sorted(set(values)))}
    return [str(rank[value]) for value in values]


def shrink_sign_instance(instance: Instance) -> Iterator[Instance]:
    """Smaller variants, most reducing first: drop a data point; drop a hidden layer; narrow a
    layer; then canonical data (:func:`_canonical_data`) and the sign activation.

    Examples
    --------
    >>> instance = {'data': ['0', '1', '2'], 'activation': 'sign', 'architecture': 'tree', 'widths': [2], 'depth': 3}
    >>> next(shrink_sign_instance(instance))['data']
    ['1', '2']
    """
    data, widths = list(instance["data"]), list(instance["widths"])
    depth = int(instance["depth"])
    for index in range(len(data)):
        if len(data) > 1:
            yield {**instance, "data": data[:index] + data[index + 1 :]}
    for index in range(len(widths)):
        yield {**instance, "widths": widths[:index] + widths[index + 1 :], "depth": depth - 1}
    for index, width in enumerate(widths):
        if width > 1:
            yield {**instance, "widths": widths[:index] + [width - 1] + widths[index + 1 :]}
    canonical = _canonical_data(data)
    if canonical != data:
        yield {**instance, "data": canonical}
    if instance["activation"] != "sign":
        yield {**instance, "activation": "sign"}
