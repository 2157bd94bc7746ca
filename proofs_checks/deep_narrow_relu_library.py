"""Claim ``deep-narrow-relu-library`` (paper code's recursion, depths 3 and 4).

The closed-form deep narrow ReLU library ``h_1 = relu(s_1(x − a_1))``,
``h_l = relu(s_l(h_{l−1}(x) − h_{l−1}(x_{j_l})))`` with ``a_1`` a data point (and at depth 4 also
``R(x_{j1}, x_{j2})``) is dual-complete for deep narrow ReLU units of that depth. Checked exactly
against the ground truth of the chain (all sign patterns, all cell vertices).
"""

from __future__ import annotations

import numpy as np

from mirrorlib.verify.registry import Claim
from proofs_checks._completeness import closed_form_check
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, random_distinct_data

NAME = "deep-narrow-relu-library"


def draw(rng: np.random.Generator, max_n: int) -> dict:
    return {"depth": int(rng.integers(3, 5)), "X": random_distinct_data(rng, 2, max_n)}


check = closed_form_check(NAME, "relu")


CLAIM = Claim(
    name=NAME,
    statement="the paper code's deep narrow ReLU library (a_1 ∈ data, + R(x_i, x_j) at L = 4) is dual-complete at L = 3, 4",
    reference="Paper §3 (deep narrow ReLU), theory §5",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=5,
    largest_n=48,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=10)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
