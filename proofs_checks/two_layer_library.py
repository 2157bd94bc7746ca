"""Claim ``two-layer-library`` (paper §2, theory §5 first bullet).

For every positively homogeneous σ(t) = a·t (t<0), b·t (t≥0), the 2-layer library
``{σ(s(x − x_j)) : s = ±1, j} ∪ {c·x}`` is dual-complete: no unit σ(w x + b) (any bias, |w| = 1)
beats it on any λ ⊥ 1. Each trial compares it, exactly, with the ground truth (all vertices of
the bias-space cells, :mod:`mirrorlib.groundtruth`) for σ ∈ {relu, abs, leaky, linear, random (a, b)}.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mirrorlib.functions.activations import Activation
from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.libraries import library
from mirrorlib.functions.pwl import PWL
from mirrorlib.verify.registry import Claim, Outcome
from proofs_checks._completeness import completeness_outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_distinct_data, random_rationals

NAME = "two-layer-library"
NAMED = ("relu", "abs", "linear", "leaky_relu(1/10)")


def draw(rng: np.random.Generator, max_n: int) -> dict:
    choice = int(rng.integers(len(NAMED) + 1))
    if choice < len(NAMED):
        activation: dict = {"name": NAMED[choice]}
    else:
        a, b = random_rationals(rng, 2, numerator=4, denominator=3)
        activation = {"negative_slope": a, "positive_slope": b if Fraction(b) != 0 or Fraction(a) != 0 else "1"}
    return {"activation": activation, "X": random_distinct_data(rng, 2, max_n)}


def resolve(activation: dict) -> Activation | str:
    if "name" in activation:
        return activation["name"]
    a, b = Fraction(activation["negative_slope"]), Fraction(activation["positive_slope"])
    return Activation(f"homogeneous({activation['negative_slope']},{activation['positive_slope']})", PWL.continuous([0], [0], left_slope=a, right_slope=b))


def check(instance: dict) -> Outcome:
    X = exact(instance["X"])
    sigma = resolve(instance["activation"])
    return completeness_outcome(NAME, instance, library(X, sigma, 2), ground_truth_library(X, sigma, 2))


def shrink(instance: dict):
    return drop_one_point(instance, min_n=2)


CLAIM = Claim(
    name=NAME,
    statement="for every positively homogeneous σ, {σ(s(x − x_j))} ∪ {c·x} is dual-complete for 2-layer units",
    reference="Paper §2 (2-layer networks), theory §5",
    draw=draw,
    check=check,
    shrink=shrink,
    default_max_n=6,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=40)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
