"""Claim ``training-optimality`` (theory §6): the default fit is optimal among ALL networks.

Each trial draws an activation and depth, data, labels and β, and fits ``ConvexNet`` exactly with
its default ``library="complete"`` (column generation with the exact unit oracle). It checks,
exactly:

1. the Lasso certificate and the training-optimality certificate hold
   (``sup_u |rᵀu(X)| ≤ β`` over every unit of the architecture, exact duality gap 0);
2. the objective EQUALS the Lasso optimum over the exact ground-truth library (every cell-vertex
   feature of the architecture), computed independently by the rational homotopy;
3. the rebuilt network's training objective equals that optimum.

It also records how often the closed-form library alone was already optimal for the network
(``closed_form_optimal``): the deep narrow abs closed form is not, at depth 3 and 4.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mirrorlib.estimator import ConvexNet
from mirrorlib.numbers.exact import format_rational
from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.lasso import solve_lasso_exact
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_beta, random_distinct_data, random_rationals

NAME = "training-optimality"
ARCHITECTURES = (("relu", 2), ("abs", 2), ("relu", 3), ("abs", 3), ("leaky_relu(1/4)", 3), ("relu", 4), ("abs", 4))


def draw(rng: np.random.Generator, max_n: int) -> dict:
    activation, depth = ARCHITECTURES[int(rng.integers(len(ARCHITECTURES)))]
    X = random_distinct_data(rng, 2, min(max_n, 5) if depth == 4 else max_n)
    return {"activation": activation, "depth": depth, "X": X, "y": random_rationals(rng, len(X)), "beta": random_beta(rng)}


def check(instance: dict) -> Outcome:
    X, y, beta = exact(instance["X"]), exact(instance["y"]), Fraction(instance["beta"])
    activation, depth = instance["activation"], instance["depth"]
    model = ConvexNet(activation, depth, beta, exact=True).fit(X, y)
    truth = ground_truth_library(X, activation, depth)
    optimum = solve_lasso_exact(truth.matrix(exact=True).tolist(), y, beta).objective
    rebuilt = model.network_.training_objective(X, y, beta, exact=True)
    measurements: dict = {"columns_added": len(model.added_features_)}
    try:
        closed = ConvexNet(activation, depth, beta, exact=True, library="closed-form").fit(X, y)
        measurements["closed_form_optimal"] = f"{activation}-L{depth}:{bool(closed.certificate_.training_optimal)}"
    except ValueError:  # no closed form (leaky ReLU at depth ≥ 3)
        measurements["closed_form_optimal"] = f"{activation}-L{depth}:none"
    certificate = model.certificate_
    if certificate.is_optimal and certificate.training_optimal and model.objective_ == optimum == rebuilt:
        return Outcome(passed=True, measurements=measurements)
    witness = {
        "objective": format_rational(model.objective_),
        "ground_truth_lasso_optimum": format_rational(optimum),
        "rebuilt_network_objective": format_rational(rebuilt),
        "training_certificate": certificate.training.summary(),
    }
    return Outcome(False, Counterexample(NAME, instance, witness, len(X)), measurements=measurements)


CLAIM = Claim(
    name=NAME,
    statement="the default fit is optimal among all networks of the architecture: certificate holds and objective = Lasso over the ground truth",
    reference="theory §6",
    draw=draw,
    check=check,
    shrink=lambda instance: drop_one_point(instance, min_n=2, keys=("X", "y")),
    default_max_n=6,
    largest_n=48,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=60)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
