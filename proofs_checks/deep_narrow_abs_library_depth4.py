"""Claim ``deep-narrow-abs-library-depth4`` (Theorem 3.2 read at depth 4, as theory §5 states it).

The recursion ``h_3 = |h_2(x) − h_2(x_{j3})|`` with ``h_1 = |x − x_{j1}|`` (first breakpoint at a
data point) is NOT dual-complete for depth-4 narrow abs units. Smallest counterexample found
(N = 4, data 2, −8, 5, 3): the unit ``|||x − 7/2| − 3/2| − 10|`` — whose first breakpoint 7/2 is
the midpoint of x = 2 and x = 5, neither a data point nor a reflection — reaches
``λᵀu(X) = 12/11`` for ``λ = (−1, 2, −2, 1)/11`` (sorted data) while every library column gives
at most 1. A float grid search over the biases confirms 12/11. The verifier checks, per random
instance, whether the closed form is complete; the finding is that it often is not.
"""

from __future__ import annotations

import numpy as np

from mirrorlib.verify.registry import Claim
from proofs_checks._completeness import closed_form_check
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, random_distinct_data

NAME = "deep-narrow-abs-library-depth4"


def draw(rng: np.random.Generator, max_n: int) -> dict:
    return {"depth": 4, "X": random_distinct_data(rng, 2, max_n)}


check = closed_form_check(NAME, "abs")


CLAIM = Claim(
    name=NAME,
    statement="the deep narrow abs recursion h_3 = |h_2(x) − h_2(x_{j3})| is dual-complete at depth 4",
    reference="Theorem 3.2 (depth 4, as theory §5 states it)",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=5,
    largest_n=24,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="fails", trials=10)
    assert report.smallest is not None and report.smallest.size <= 4


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
