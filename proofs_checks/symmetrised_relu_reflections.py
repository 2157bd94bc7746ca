"""Claim ``symmetrised-relu-reflections`` (arXiv 2403.01046 v3, symmetrised ReLU).

A third layer of symmetrised ReLU creates features with breakpoints at (generalised)
reflections of the data. Each trial draws data (N ≥ 4 distinct rationals, general position) and a seed for up to 4,000
integer directions λ (centred, so λ ⊥ 1; a float search screens them, every decision below is
exact). A trial passes iff for some λ

1. the best depth-3 unit beats every depth-2 group at unit cost, exactly:
   ``ρ₃(λ)² > ρ₂(λ)²`` (:func:`mirrorlib.symmetrised.oracle.dual_value`), and
2. an exact rational unit near that maximiser still beats every depth-2 group (its value is
   computed from its exact channels, independently of the oracle) and has a breakpoint strictly
   between data points: the generalised reflection ``x_j + ρ(x_j − x_k)`` (``ρ = c₁/c₂ > 0``) of
   a data point across another, or the generalised midpoint of two data points.

With N = 3 no λ was found (2,000 random λ on three data sets gave ``ρ₃ = ρ₂`` to 1e-14): the
claim is stated for N ≥ 4. The measurements count the directions tried until a witness, those where the third layer beats
depth 2 and, of those, where the maximiser is an eigenvector strictly inside its arc (an
irrational ratio in general; otherwise every breakpoint of the best unit is a data point), and
the range of the maximisers' ratio ``|c₁/c₂|`` (1 would be the plain reflection ``R(x_k, x_j)``
of the deep abs network).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mirrorlib.symmetrised.network import SymmetrisedUnit
from mirrorlib.symmetrised.oracle import DualValue, dual_value
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import exact, random_distinct_data
from proofs_checks.wider_relu_reflections import in_general_position

NAME = "symmetrised-relu-reflections"
DIRECTIONS = 4000
WITNESS_DENOMINATOR = 10**6


def draw(rng: np.random.Generator, max_n: int) -> dict:
    while True:
        data = random_distinct_data(rng, 4, max(4, max_n))
        if in_general_position(exact(data)):
            break
    return {"X": data, "search_seed": int(rng.integers(2**31))}


def centred(weights: list[int]) -> list[Fraction]:
    mean = Fraction(sum(weights), len(weights))
    return [Fraction(w) - mean for w in weights]


def exact_value(unit: SymmetrisedUnit, x: list[Fraction], lam: list[Fraction]) -> Fraction:
    """``‖G(X)ᵀλ‖²`` of a rational unit from its exact channels (normalised by ``‖c‖²``)."""
    correlation = [sum((w * channel(v) for v, w in zip(x, lam)), Fraction(0)) for channel in unit.channels()]
    return (correlation[0] ** 2 + correlation[1] ** 2) / (unit.mix[0] ** 2 + unit.mix[1] ** 2)


def rational_witness(best: DualValue, x: list[Fraction]) -> SymmetrisedUnit:
    """A rational unit of the maximiser's vertex type with ``c`` rounded to
    :data:`WITNESS_DENOMINATOR`: the kink and one zero (type i) or both zeros (type ii) stay on the
    same data points."""
    c = tuple(Fraction(v).limit_denominator(WITNESS_DENOMINATOR) for v in best.unit.mix)
    G = best.unit.matrix([float(v) for v in x])
    zeros = [v for v, row in zip(x, G) if abs(float(row.sum())) < 1e-9]
    if best.vertex == "kink at a data point":
        a = min(x, key=lambda v: abs(float(v) - float(best.unit.kink)))
        zero = zeros[0]
        return SymmetrisedUnit(a, c, -(c[0] * max(zero - a, 0) + c[1] * max(a - zero, 0)))
    low, high = zeros[0], zeros[-1]
    a = (c[0] * high + c[1] * low) / (c[0] + c[1])
    return SymmetrisedUnit(a, c, -c[0] * (high - a))


def off_data_breakpoints(unit: SymmetrisedUnit, x: list[Fraction]) -> list[Fraction]:
    """Breakpoints of the unit's channels that are not data points."""
    points = set(x)
    found = {b for channel in unit.channels() for b in channel.function.breakpoints}
    return sorted(b for b in found if b not in points)


def check(instance: dict) -> Outcome:
    x = exact(instance["X"])
    points = [float(v) for v in x]
    rng = np.random.default_rng(instance["search_seed"])
    tried, beats, interior, ratios = 0, 0, 0, []
    witness = None
    while witness is None and tried < DIRECTIONS:
        tried += 1
        lam = centred([int(v) for v in rng.integers(-9, 10, len(x))])
        floats = [float(v) for v in lam]
        screen = dual_value(points, floats, 3, exact=False)
        if not float(screen.value) > float(dual_value(points, floats, 2, exact=False).value) * (1 + 1e-9):
            continue  # a float screen only: candidates are decided exactly below
        best, depth2 = dual_value(x, lam, 3), dual_value(x, lam, 2).value.rational
        if not best.value.exceeds(depth2):
            continue
        beats += 1
        interior += best.interior
        if float(best.unit.mix[1]):
            ratios.append(abs(float(best.unit.mix[0]) / float(best.unit.mix[1])))
        if best.interior:
            unit = rational_witness(best, x)
            if exact_value(unit, x, lam) > depth2 and off_data_breakpoints(unit, x):
                witness = unit
    measurements = {
        "directions_tried": tried,
        "directions_where_depth3_beats_depth2": beats,
        "of_which_maximiser_inside_an_arc": interior,
    }
    if ratios:
        measurements["min_ratio_c1_over_c2"] = min(ratios)
        measurements["max_ratio_c1_over_c2"] = max(ratios)
    if witness is not None:
        return Outcome(passed=True, measurements=measurements)
    explanation = {
        "explanation": f"none of {DIRECTIONS} directions λ has a best depth-3 unit that beats depth 2 with a breakpoint off the data",
        "directions_where_depth3_beats_depth2": beats,
    }
    return Outcome(False, Counterexample(NAME, instance, explanation, len(x)), measurements=measurements)


def shrink(instance: dict):
    """Drop one data point (the directions are drawn again from the same seed)."""
    n = len(instance["X"])
    if n <= 4:
        return
    for index in range(n):
        yield {"X": instance["X"][:index] + instance["X"][index + 1 :], "search_seed": instance["search_seed"]}


CLAIM = Claim(
    name=NAME,
    statement="a third symmetrised-ReLU layer creates units that beat depth 2 with breakpoints at generalised reflections of the data",
    reference="arXiv 2403.01046 v3 (symmetrised ReLU networks)",
    draw=draw,
    check=check,
    shrink=shrink,
    default_max_n=6,
)


def test_claim() -> None:
    check_finding(CLAIM, expected="holds", trials=8)


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
