"""Claim ``deep-narrow-abs-library`` (Theorem 3.2 as theory §5 states it) at depth 3 — it FAILS.

Claim: the deep narrow abs library ``h_1 = |x − x_{j1}|``, ``h_2 = |h_1(x) − h_1(x_{j2})|`` (plus
``x``) is dual-complete for deep narrow abs units of depth 3. Checked exactly against the ground
truth (every vertex of the bias-space cells of the chain).

Finding: it is not. The ground truth contains *midpoint* features
``||x − (x_a + x_b)/2| − |x_b − x_a|/2|`` (zeros at two data points, first breakpoint at their
midpoint, not at a data point), which beat the library on some λ ⊥ 1; e.g. data
``−2/3, 0, −7/2, 6``, unit ``||x + 7/4| − 7/4|``, ``λ = (−12, 51, −51, 12)/80`` (sorted data):
``λᵀu(X) = 53/40 > 1 = max_i |λᵀa_i|``. Adding the midpoint features restores completeness:
``deep-narrow-abs-depth3-with-midpoints``. At depth 4 see ``deep-narrow-abs-library-depth4``.
"""

from __future__ import annotations

import numpy as np

from mirrorlib.verify.registry import Claim
from proofs_checks._completeness import closed_form_check
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, random_distinct_data

NAME = "deep-narrow-abs-library"


def draw(rng: np.random.Generator, max_n: int) -> dict:
    return {"depth": 3, "X": random_distinct_data(rng, 2, max_n)}


check = closed_form_check(NAME, "abs")


CLAIM = Claim(
    name=NAME,
    statement="deep narrow abs library h_2 = |h_1(x) − h_1(x_{j2})|, h_1 = |x − x_{j1}| is dual-complete at depth 3",
    reference="Theorem 3.2",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=6,
    largest_n=32,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="fails", trials=30)
    assert report.smallest is not None and report.smallest.size <= 4


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
