"""Claim ``dictionary-size-bounds`` (theory §5, last bullet; the paper's dictionary-size bounds).

For deep narrow units the closed form generates ``2^{L−1} N^{L−1}`` columns (ReLU; ``2^L N^{L−1}``
at L = 4, where the paper code adds the reflected first breakpoints ``R(x_{j1}, x_{j2})`` tied to the
layer-2 anchor; ``N^{L−1}`` for abs), plus the linear feature. Each trial checks, exactly: the generated (naive) count equals the formula; the distinct
columns after exact deduplication are at most that; and the ground-truth library (all cell
vertices, modulo constants) is reported beside them, so the three counts — naive, distinct,
ground truth — can be compared. Measurements record the largest ratios seen.
"""

from __future__ import annotations

import numpy as np

from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.libraries import library
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_distinct_data

NAME = "dictionary-size-bounds"
CASES = (("relu", 2), ("relu", 3), ("relu", 4), ("abs", 3), ("abs", 4))


def formula(activation: str, depth: int, n: int) -> int:
    """The paper's naive column counts (without the linear feature)."""
    if activation == "abs":
        return n ** (depth - 1)
    return 2 ** (depth if depth >= 4 else depth - 1) * n ** (depth - 1)


def draw(rng: np.random.Generator, max_n: int) -> dict:
    activation, depth = CASES[int(rng.integers(len(CASES)))]
    return {"activation": activation, "depth": depth, "X": random_distinct_data(rng, 2, max_n)}


def check(instance: dict) -> Outcome:
    X, activation, depth = exact(instance["X"]), instance["activation"], instance["depth"]
    lib = library(X, activation, depth)
    counts = lib.counts
    truth = ground_truth_library(X, activation, depth)
    n_truth = len(truth.distinct_modulo_constants())
    expected = formula(activation, depth, len(X)) + 1
    measurements = {
        f"max_distinct_over_naive[{activation},L={depth}]": counts.distinct / counts.naive,
        f"max_ground_truth_over_distinct[{activation},L={depth}]": n_truth / counts.distinct,
    }
    if counts.naive == expected and counts.distinct <= counts.naive:
        return Outcome(passed=True, measurements=measurements)
    witness = {"naive": counts.naive, "formula": expected, "distinct": counts.distinct, "ground_truth_mod_constants": n_truth}
    return Outcome(False, Counterexample(NAME, instance, witness, len(X)), measurements=measurements)


CLAIM = Claim(
    name=NAME,
    statement="naive column counts equal 2^{L−1}N^{L−1} (ReLU; 2^L·N^{L−1} at L=4 with the paper code's tied reflections) / N^{L−1} (abs), +1 linear; distinct ≤ naive",
    reference="theory §5 (dictionary-size bounds)",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=5,
    largest_n=32,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="holds", trials=15)
    assert all(value <= 1 for key, value in report.measurements.items() if key.startswith("max_distinct_over_naive"))


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
