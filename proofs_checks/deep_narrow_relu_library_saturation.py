"""Claim ``deep-narrow-relu-library-saturation`` (docs/theory.md, "The ReLU library stops growing at depth 4").

Deep narrow ReLU libraries with free anchors and both signs at every layer (the all-reflections
variant at a fixed reflection nesting, so every depth has the same first breakpoints): the set of
distinct columns at depth 4 contains the depth-3 set, and every depth L ≥ 5 gives exactly the
depth-4 set. The reason, in one line: for ReLU, a layer l ≥ 3 adds to its parents only their caps
``min(q, q(x_k))`` (and 0), and a cap of a cap is a cap. Checked exactly: the columns of
``library(X, "relu", L, reflection_nesting=1).distinct()`` as sets of rational vectors.
"""

from __future__ import annotations

import numpy as np

from mirrorlib.libraries import Library, library
from mirrorlib.numbers.exact import format_rational
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_distinct_data

NAME = "deep-narrow-relu-library-saturation"
NESTING = 1


def draw(rng: np.random.Generator, max_n: int) -> dict:
    depth = 5 if max_n > 5 else int(rng.integers(5, 7))
    return {"depth": depth, "X": random_distinct_data(rng, 2, max_n)}


def _columns(X: list, depth: int) -> tuple[set[tuple], Library]:
    """The distinct columns (exact tuples on the sorted data) and the library that labels them."""
    lib = library(X, "relu", depth, reflection_nesting=NESTING).distinct()
    matrix = lib.matrix(exact=True, order="sorted")
    return {tuple(matrix[:, index]) for index in range(lib.n_features)}, lib


def _witness(column: tuple, found_at: tuple[int, Library], missing_at: int) -> dict:
    """The column, the unit of the library that has it, and the depth that lacks it."""
    depth, lib = found_at
    matrix = lib.matrix(exact=True, order="sorted")
    index = next(i for i in range(lib.n_features) if tuple(matrix[:, i]) == column)
    return {"column": [format_rational(value) for value in column], "unit": lib.feature(index).label, "found_at_depth": depth, "missing_at_depth": missing_at}


def check(instance: dict) -> Outcome:
    X, depth = exact(instance["X"]), instance["depth"]
    by_depth = {L: _columns(X, L) for L in (3, 4, depth)}
    measurements = {f"distinct_depth{L}": len(columns) for L, (columns, _) in by_depth.items()}
    problems = [
        (column, (found, by_depth[found][1]), missing)
        for found, missing in ((3, 4), (depth, 4), (4, depth))
        for column in sorted(by_depth[found][0] - by_depth[missing][0])
    ]
    if not problems:
        return Outcome(passed=True, measurements=measurements)
    witness = {**_witness(*problems[0]), "differences": len(problems)}
    return Outcome(False, Counterexample(NAME, instance, witness, len(X)), measurements=measurements)


CLAIM = Claim(
    name=NAME,
    statement="deep narrow ReLU libraries (free anchors, both signs) contain depth 3 at depth 4 and equal depth 4 at every depth ≥ 5",
    reference="docs/theory.md (library saturation)",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2),
    default_max_n=7,
    largest_n=48,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=12)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
