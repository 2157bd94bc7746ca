"""Claim ``sign-dictionary-product-rule``: theory §5's switch bound as written — FAILS.

theory §5: "A unit's output switches at most (product of the widths below it) times; the number
of ±1 vectors with ≤ K switches on N sorted points is 2·Σ_{k≤K} C(N−1, k)", read as: the
library is the set of vectors with ``≤ K = m_1 ⋯ m_{L−2}`` switches, for tree AND rectangular
units. True for trees; false for rectangular nets whenever ``min(∏ m_l, n − 1) > m_1``: every
neuron above layer 1 is a function of the ``m_1`` layer-1 steps, so it switches at most ``m_1``
times (:mod:`mirrorlib.signnets.switching`). The smallest counterexample: rectangular widths
``(1, 2)``, depth 4, data ``0, 1, 2``; the product rule lists ``(−1, 1, −1)`` (2 switches), but no
such unit produces it (exhaustive exact enumeration; ``K = m_1 = 1``).

Run: ``python -m proofs_checks.sign_dictionary_theory_rule --trials 200``.
"""

from __future__ import annotations

import numpy as np

from mirrorlib.signnets.claims import draw_sign_instance, shrink_sign_instance, sign_claim_outcome
from mirrorlib.verify.registry import Claim, Outcome
from proofs_checks._harness import check_finding, main

NAME = "sign-dictionary-product-rule"

SMALLEST_COUNTEREXAMPLE = {
    "data": ["0", "1", "2"],
    "activation": "sign",
    "architecture": "rectangular",
    "widths": [1, 2],
    "depth": 4,
}


def draw(rng: np.random.Generator, max_n: int) -> dict:
    return draw_sign_instance(rng, max_n)


def check(instance: dict) -> Outcome:
    return sign_claim_outcome(NAME, instance, rule="theory")


CLAIM = Claim(
    name=NAME,
    statement=(
        "theory §5 as written: a sign/threshold unit (tree or rectangular) switches at most ∏ m_l times, "
        "and its features are all 2·Σ_{k≤∏m_l} C(n−1, k) vectors with that many switches"
    ),
    reference="theory §5 (sign/threshold bullet)",
    draw=draw,
    check=check,
    shrink=shrink_sign_instance,
    default_max_n=7,
    largest_n=500,
)


def test_claim() -> None:
    # the harness's status for a failing claim is "FAILS" (mirrorlib.verify.runner.ClaimReport.status)
    report = check_finding(CLAIM, expected="fails", trials=200)
    smallest = report.smallest
    assert smallest is not None and smallest.instance == SMALLEST_COUNTEREXAMPLE
    assert smallest.witness["kind"] == "extra" and smallest.witness["vector"] == ["-1", "1", "-1"]
    assert smallest.witness["unit"] is None
    replayed = CLAIM.check(smallest.instance)
    assert not replayed.passed and replayed.skipped is None


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
