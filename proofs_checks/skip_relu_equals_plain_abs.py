"""Claim ``skip-relu-equals-plain-abs``: theory §5's wording of Lemma 3.1 taken literally.

"A 2-layer ReLU net with a skip connection is equivalent to the abs net": ReLU + skip at β
versus the *plain* 2-layer abs net (no skip term) at 2β. This is FALSE in general: the abs net
must pay for its linear part (``|x − b|`` with ``b`` outside the data is its only linear
feature), while the skip weight is free. The exact verifier finds counterexamples; the correct
statement, with a skip term on both sides, is ``lemma-3.1-skip-connection`` (which holds).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mirrorlib.estimator import ConvexNet
from mirrorlib.numbers.exact import format_rational
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_beta, random_distinct_data, random_rationals

NAME = "skip-relu-equals-plain-abs"


def draw(rng: np.random.Generator, max_n: int) -> dict:
    X = random_distinct_data(rng, 2, max_n)
    return {"X": X, "y": random_rationals(rng, len(X)), "beta": random_beta(rng)}


def check(instance: dict) -> Outcome:
    X, y, beta = exact(instance["X"]), exact(instance["y"]), Fraction(instance["beta"])
    relu_skip = ConvexNet("relu", 2, beta, architecture="skip", exact=True).fit(X, y)
    abs_plain = ConvexNet("abs", 2, 2 * beta, exact=True).fit(X, y)
    if relu_skip.objective_ == abs_plain.objective_:
        return Outcome(passed=True)
    witness = {
        "relu_skip_optimum(beta)": format_rational(relu_skip.objective_),
        "plain_abs_optimum(2beta)": format_rational(abs_plain.objective_),
        "relu_skip_slope_term": format_rational(relu_skip.network_.skip),
    }
    return Outcome(False, Counterexample(NAME, instance, witness, len(X)))


def shrink(instance: dict):
    return drop_one_point(instance, min_n=2, keys=("X", "y"))


CLAIM = Claim(
    name=NAME,
    statement="2-layer ReLU + skip at β equals the plain 2-layer abs net at 2β (theory §5 wording of Lemma 3.1)",
    reference="Lemma 3.1 (as worded in theory §5)",
    draw=draw,
    check=check,
    shrink=shrink,
    default_max_n=6,
    largest_n=100,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="fails", trials=20)
    smallest = report.smallest
    assert smallest is not None and smallest.size == 2
    assert Fraction(smallest.witness["relu_skip_optimum(beta)"]) < Fraction(smallest.witness["plain_abs_optimum(2beta)"])


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
