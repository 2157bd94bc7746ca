"""Claim ``deep-narrow-abs-depth3-with-midpoints`` — the corrected depth-3 abs library.

The closed form of Theorem 3.2 as theory §5 states it misses features (``deep-narrow-abs-library``
fails). Adding, for every pair of data points ``x_a < x_b``, the midpoint feature

    ``||x − m| − d|``,   ``m = (x_a + x_b)/2``,  ``d = (x_b − x_a)/2``

(a depth-3 abs unit with first bias at the midpoint, zeros at ``x_a`` and ``x_b`` — note
``x_b = R(x_a, m)``) gives a library that is dual-complete for depth-3 narrow abs units: checked
exactly against the ground truth on every trial.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.libraries import library
from mirrorlib.verify.registry import Claim, Outcome
from proofs_checks._completeness import completeness_outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_distinct_data

NAME = "deep-narrow-abs-depth3-with-midpoints"


def midpoint_columns(X: list[Fraction]) -> list[tuple[Fraction, ...]]:
    """``||x − m| − d|`` on the sorted data for every pair ``x_a < x_b``."""
    points = sorted(set(X))
    columns = []
    for a, b in itertools.combinations(points, 2):
        middle, half = (a + b) / 2, (b - a) / 2
        columns.append(tuple(abs(abs(x - middle) - half) for x in sorted(X)))
    return columns


def draw(rng: np.random.Generator, max_n: int) -> dict:
    return {"depth": 3, "X": random_distinct_data(rng, 2, max_n)}


def check(instance: dict) -> Outcome:
    X = exact(instance["X"])
    closed_form = [tuple(row) for row in library(X, "abs", 3).sorted_columns_exact]
    return completeness_outcome(NAME, instance, closed_form + midpoint_columns(X), ground_truth_library(X, "abs", 3))


CLAIM = Claim(
    name=NAME,
    statement="Theorem 3.2's depth-3 abs library plus the midpoint features ||x − (x_a+x_b)/2| − (x_b−x_a)/2| is dual-complete",
    reference="Theorem 3.2, corrected by mirrorlib's exact check",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=6,
    largest_n=100,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=30)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
