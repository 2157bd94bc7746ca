"""Claim ``symmetrised-relu-reflections`` (arXiv 2403.01046 v3, symmetrised ReLU).

A third layer of symmetrised ReLU creates features with breakpoints at (generalised)
reflections of the data. Each trial draws data (N ≥ 4 distinct rationals, general position) and
a seed for up to 1,000 integer directions λ (centred, so λ ⊥ 1). A float search screens them;
every decision is exact. A trial

* **fails** if some λ has a depth-2 group beating every depth-3 unit, ``ρ₃(λ) < ρ₂(λ)`` (depth 3
  contains depth 2 on the data, so this would contradict the theory or the oracle);
* **passes** when it finds a λ whose best depth-3 unit beats every depth-2 group
  (``ρ₃(λ)² > ρ₂(λ)²``, :func:`mirrorlib.symmetrised.oracle.dual_value`) and an exact rational
  unit near that maximiser still beats every depth-2 group — its value computed from its exact
  channels, independently of the oracle — while bending strictly inside the data's range at a
  point that is not a data point: the generalised reflection ``x_j + ρ(x_j − x_k)``
  (``ρ = c₁/c₂ > 0``) of a data point across another, or a generalised midpoint;
* is **skipped** otherwise: the search over λ is finite, so not finding a witness refutes
  nothing. The skip says how many directions had depth 3 beating depth 2 and how many of those
  had a best unit bending inside the range off the data.

With N = 3 no λ with ``ρ₃ > ρ₂`` was found (2,000 random λ on three data sets gave ``ρ₃ = ρ₂``
to 1e-14), so the claim is stated for N ≥ 4.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mirrorlib.symmetrised.network import SymmetrisedUnit
from mirrorlib.symmetrised.oracle import DualValue, dual_value, vertex_unit
from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from proofs_checks._harness import check_finding, main
from proofs_checks._instances import exact, random_distinct_data
from proofs_checks.wider_relu_reflections import in_general_position

NAME = "symmetrised-relu-reflections"
DIRECTIONS = 1000
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


def rational_witness(best: DualValue) -> SymmetrisedUnit:
    """The unit at the maximiser's vertex (same anchoring data points) with ``c`` rounded to
    :data:`WITNESS_DENOMINATOR`: exact, and near the maximiser."""
    return vertex_unit(best.vertex, best.anchors, tuple(Fraction(v).limit_denominator(WITNESS_DENOMINATOR) for v in best.unit.mix))


def off_data_breakpoints(unit: SymmetrisedUnit, x: list[Fraction]) -> list[Fraction]:
    """Breakpoints of the unit's channels strictly inside the data's range that are not data
    points (a breakpoint outside the range changes nothing on the data)."""
    points, low, high = set(x), min(x), max(x)
    found = {b for channel in unit.channels() for b in channel.function.breakpoints}
    return sorted(b for b in found if low < b < high and b not in points)


def float_breakpoints(unit: SymmetrisedUnit) -> list[float]:
    """The kink and the zeros of ``T`` of a float unit (where its channels can bend)."""
    a, (c1, c2), b = float(unit.kink), (float(v) for v in unit.mix), float(unit.shift)
    found = [a]
    if c1 and a - b / c1 > a:
        found.append(a - b / c1)
    if c2 and a + b / c2 < a:
        found.append(a + b / c2)
    return found


def check(instance: dict) -> Outcome:
    x = exact(instance["X"])
    points = [float(v) for v in x]
    rng = np.random.default_rng(instance["search_seed"])
    beats, in_range = 0, 0
    for tried in range(1, DIRECTIONS + 1):
        lam = centred([int(v) for v in rng.integers(-9, 10, len(x))])
        floats = [float(v) for v in lam]
        screen, depth2_float = dual_value(points, floats, 3, exact=False), float(dual_value(points, floats, 2, exact=False).value)
        if float(screen.value) < depth2_float * (1 - 1e-9):  # depth 3 contains depth 2: decide exactly
            if not dual_value(x, lam, 3).value.at_least(dual_value(x, lam, 2).value.rational):
                return Outcome(False, Counterexample(NAME, instance, {"explanation": "a depth-2 group beats every depth-3 unit", "lam": [str(v) for v in lam]}, len(x)))
        if not float(screen.value) > depth2_float * (1 + 1e-9):
            continue  # a float screen only: candidates are decided exactly below
        beats += 1
        if not any(min(points) < b < max(points) and min(abs(b - p) for p in points) > 1e-9 for b in float_breakpoints(screen.unit)):
            continue
        in_range += 1
        best, depth2 = dual_value(x, lam, 3), dual_value(x, lam, 2).value.rational
        if best.value.exceeds(depth2) and best.interior:
            unit = rational_witness(best)
            if unit.correlation_squared(x, lam) > depth2 and off_data_breakpoints(unit, x):
                measurements = {"directions_tried": tried, "directions_where_depth3_beats_depth2": beats, "of_which_best_unit_bends_inside_the_range_off_the_data": in_range}
                return Outcome(passed=True, measurements=measurements)
    reason = (
        f"no witness among {DIRECTIONS} directions ({beats} where depth 3 beats depth 2, {in_range} of them with a "
        "breakpoint inside the data's range off the data): a finite search, not a refutation"
    )
    measurements = {"directions_tried": DIRECTIONS, "directions_where_depth3_beats_depth2": beats, "of_which_best_unit_bends_inside_the_range_off_the_data": in_range}
    return Outcome(False, skipped=reason, measurements=measurements)


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
    largest_n=200,
)


def test_claim() -> None:
    report = check_finding(CLAIM, expected="holds", trials=8)
    assert report.passed >= 2, "a witness should be found on some of these instances (seed 0: 5 of 8)"


if __name__ == "__main__":
    raise SystemExit(main(CLAIM))
