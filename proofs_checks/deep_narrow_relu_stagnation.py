"""Claim ``deep-narrow-relu-stagnation`` (Theorem 3.4).

Depth adds nothing for deep narrow ReLU units: every feature of a depth-L chain (L = 4, 5) lies in
the convex hull of ±(depth-3 ground-truth features) modulo constants, so the depth-L Lasso has the
same optimum as the depth-3 one. Checked exactly: ground truth at depth L against ground truth at
depth 3 as the library.
"""

from __future__ import annotations

import numpy as np

from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.verify.registry import Claim, Outcome
from proofs_checks._completeness import completeness_outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_distinct_data

NAME = "deep-narrow-relu-stagnation"


def draw(rng: np.random.Generator, max_n: int) -> dict:
    depth = 4 if max_n > 4 else int(rng.integers(4, 6))
    return {"depth": depth, "X": random_distinct_data(rng, 2, max_n)}


def check(instance: dict) -> Outcome:
    X, depth = exact(instance["X"]), instance["depth"]
    shallow = ground_truth_library(X, "relu", 3)
    deep = ground_truth_library(X, "relu", depth)
    outcome = completeness_outcome(NAME, instance, shallow, deep)
    outcome.measurements["depth3_vectors_total"] = len(shallow)
    outcome.measurements[f"depth{depth}_vectors_total"] = len(deep)
    return outcome


CLAIM = Claim(
    name=NAME,
    statement="deep narrow ReLU stagnates: ground-truth features at depth 4 (5 for N ≤ 4) add nothing over depth 3",
    reference="Theorem 3.4",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=5,
    largest_n=32,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=8)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
