"""Claim ``two-layer-group-lasso`` (Pilanci & Ergen 2020; Ergen & Pilanci, arXiv 2312.12657):
training a two-layer ReLU network with weight decay on data in ℝ^d is the group Lasso over the
activation patterns.

On each random instance (2-D rational data, labels, β; docs/theory.md §8):

1. the exact patterns number Cover's ``2 Σ_{k≤d} C(N−1, k)`` when the data are in general
   position (and every witness reproduces its pattern exactly — checked inside the enumeration);
2. the group Lasso over all patterns is solved and certified over every pattern (relative gap
   ≤ 1e-6), and the network rebuilt from it has exactly that training objective (1e-9 relative);
3. no network trained directly (L-BFGS from three random starts, widths 2–8) ends below the
   convex optimum by more than the certificate's gap — the equivalence's "no network does
   better" side, tested from the non-convex side.

The group Lasso is solved in float64 (Clarabel), so the verdict is "within the stated tolerance".
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mirrorlib.multidim.group_lasso import fit_group_lasso
from mirrorlib.multidim.patterns import activation_patterns, cover_count
from mirrorlib.multidim.stationary import train_two_layer
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, random_planar_instance

NAME = "two-layer-group-lasso"
TOL = 1e-6


def draw(rng: np.random.Generator, max_n: int) -> dict:
    return random_planar_instance(rng, max_n)


def check(instance: dict) -> Outcome:
    X_exact = [[Fraction(v) for v in row] for row in instance["X"]]
    X = np.array([[float(v) for v in row] for row in X_exact])
    y = np.array([float(Fraction(v)) for v in instance["y"]])
    beta = float(Fraction(instance["beta"]))
    patterns = activation_patterns(X_exact)
    fit = fit_group_lasso(X, y, beta, patterns=patterns, tol=TOL)
    network_objective = fit.network().training_objective(X, y, beta)
    rng = np.random.default_rng(instance["seed"])
    trained = min(
        train_two_layer(X, y, beta, width=int(rng.integers(2, 9)), seed=int(rng.integers(0, 2**31))).training_objective(X, y, beta)
        for _ in range(3)
    )
    failures = []
    if patterns.general_position and len(patterns) != cover_count(len(X), 2):
        failures.append(f"{len(patterns)} patterns in general position, Cover's number is {cover_count(len(X), 2)}")
    if not fit.certificate.is_optimal:
        failures.append(f"group Lasso not certified: {fit.certificate.summary()}")
    if abs(network_objective - fit.objective) > 1e-9 * fit.objective:
        failures.append(f"rebuilt network objective {network_objective!r} ≠ convex optimum {fit.objective!r}")
    if trained < fit.objective - fit.certificate.duality_gap - 1e-9 * fit.objective:
        failures.append(f"a trained network reaches {trained!r} below the certified optimum {fit.objective!r}")
    measurements = {"certified": int(fit.certificate.is_optimal), "general_position": int(bool(patterns.general_position))}
    if not failures:
        return Outcome(passed=True, measurements=measurements)
    witness = {"patterns": len(patterns), "objective": fit.objective, "trained_best": trained, "failures": failures}
    return Outcome(False, Counterexample(NAME, instance, witness, len(X)), measurements=measurements)


def shrink(instance: dict):
    return drop_one_point(instance, min_n=3, keys=("X", "y"))


CLAIM = Claim(
    name=NAME,
    statement="2-layer ReLU training on d-dim data = group Lasso over activation patterns (Cover-many in general position); certified optimum = rebuilt network; no trained net beats it",
    reference="Pilanci & Ergen 2020, Thm 1; Ergen & Pilanci arXiv:2312.12657",
    draw=draw,
    check=check,
    shrink=shrink,
    default_max_n=10,
    largest_n=64,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="holds", trials=8)
    assert report.measurements["certified"] == 8


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
