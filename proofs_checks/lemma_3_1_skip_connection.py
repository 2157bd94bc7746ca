"""Claim ``lemma-3.1-skip-connection`` (paper Lemma 3.1): ReLU with a skip connection ≡ abs.

Since ``|t| = 2·relu(t) − t``, a 2-layer ReLU net with an unpenalised linear skip term at weight
decay β and a 2-layer abs net *with the same skip term* at 2β have the same optimal value, and
solutions map both ways: ``w·relu(s(x − b)) ↦ (w/2)|x − b| + linear``, ``z|x − b| ↦ 2z·relu(x − b) −
z(x − b)``. Each trial solves both Lassos exactly (rational homotopy, KKT-certified), checks the
optima are equal, and maps each solution into the other problem and checks that the image is
certified optimal there.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


from mirrorlib.estimator import ConvexNet
from mirrorlib.numbers.exact import format_rational
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import drop_one_point, exact, random_beta, random_distinct_data, random_rationals

NAME = "lemma-3.1-skip-connection"


def draw(rng: np.random.Generator, max_n: int) -> dict:
    X = random_distinct_data(rng, 2, max_n)
    return {"X": X, "y": random_rationals(rng, len(X)), "beta": random_beta(rng)}


def _as_abs_point(relu_model: ConvexNet, abs_model: ConvexNet) -> tuple[list[Fraction], Fraction]:
    """Map the ReLU+skip solution to the abs+skip columns: relu(s(x−b)) = (|x−b| + s(x−b))/2."""
    by_breakpoint = {f.first_breakpoint.value: i for i, f in enumerate(abs_model.library_.features) if f.penalised and f.first_breakpoint is not None}
    skip_index = next(i for i, f in enumerate(abs_model.library_.features) if not f.penalised)
    z = [Fraction(0)] * abs_model.library_.n_features
    xi = relu_model.intercept_exact_
    for _, weight, feature in relu_model.selected_features():
        if not feature.penalised:
            z[skip_index] += weight * feature.linear_slope
            continue
        b, s = feature.first_breakpoint.value, feature.signs[0]
        target = by_breakpoint.get(b)
        if target is None:  # |x − b| duplicates another column on the data (e.g. linear): use the abs feature's column
            raise LookupError(b)
        z[target] += weight / 2
        z[skip_index] += s * weight / 2
        xi -= s * weight * b / 2
    return z, xi


def check(instance: dict) -> Outcome:
    X, y, beta = exact(instance["X"]), exact(instance["y"]), Fraction(instance["beta"])
    relu_model = ConvexNet("relu", 2, beta, architecture="skip", exact=True).fit(X, y)
    abs_model = ConvexNet("abs", 2, 2 * beta, architecture="skip", exact=True).fit(X, y)
    witness: dict = {
        "relu_skip_optimum(beta)": format_rational(relu_model.objective_),
        "abs_skip_optimum(2beta)": format_rational(abs_model.objective_),
    }
    mapped_ok = True
    try:
        z, xi = _as_abs_point(relu_model, abs_model)
        A = abs_model.library_.matrix(exact=True)
        residual = [yi - sum(a * zi for a, zi in zip(row, z)) - xi for row, yi in zip(A, y)]
        penalty = sum(abs(zi) for zi, p in zip(z, abs_model.library_.penalised) if p)
        mapped_value = sum(r * r for r in residual) / 2 + 2 * beta * penalty
        witness["relu_solution_mapped_to_abs_objective"] = format_rational(mapped_value)
        mapped_ok = mapped_value == abs_model.objective_
    except LookupError:
        witness["mapping"] = "a ReLU breakpoint has no abs column of its own (duplicate on the data)"
    holds = relu_model.objective_ == abs_model.objective_ and mapped_ok
    measurements = {"certified_both": int(relu_model.certificate_.is_optimal and abs_model.certificate_.is_optimal)}
    if holds:
        return Outcome(passed=True, measurements=measurements)
    return Outcome(False, Counterexample(NAME, instance, witness, len(X)), measurements=measurements)


def shrink(instance: dict):
    return drop_one_point(instance, min_n=2, keys=("X", "y"))


CLAIM = Claim(
    name=NAME,
    statement="2-layer ReLU + skip at β and abs + skip at 2β have equal optima; solutions map both ways (|t| = 2relu(t) − t)",
    reference="Lemma 3.1",
    draw=draw,
    check=check,
    shrink=shrink,
    default_max_n=6,
    largest_n=200,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="holds", trials=25)
    assert report.measurements["certified_both"] == 25


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
