"""Shared exact completeness verdict (theory §3): a library vs a ground-truth library.

A library ``A`` is dual-complete for a family of units iff every ground-truth vector g, projected
onto ``1^⊥``, lies in ``conv{±P a_i}`` — equivalently ``sup_u |λᵀu(X)| = max_i |λᵀa_i|`` for all
``λ ⊥ 1``. :func:`mirrorlib.groundtruth.extreme_points_missing` decides this by exact LPs and
returns, for each missing vector, a separating λ: that λ, the unit and both values are the exact
counterexample.
"""

from __future__ import annotations

from typing import Any

from mirrorlib.numbers.exact import format_rational
from mirrorlib.groundtruth import GroundTruthLibrary, extreme_points_missing
from mirrorlib.functions.reflections import explain_value
from mirrorlib.verify.registry import Counterexample, Outcome


def _q(values: Any) -> list[str]:
    return [format_rational(value) for value in values]


def completeness_outcome(name: str, instance: dict, columns: Any, ground_truth: GroundTruthLibrary) -> Outcome:
    """Pass iff no ground-truth extreme point is missing; else the most violating one, exactly."""
    missing = extreme_points_missing(columns, ground_truth)
    measurements = {
        "max_ground_truth_vectors": len(ground_truth),
        "cells": ground_truth.n_cells,
    }
    if not missing:
        return Outcome(passed=True, measurements=measurements)
    witness = {**missing[0].as_json(ground_truth.dataset), "missing_vectors": len(missing)}
    return Outcome(False, Counterexample(name, instance, witness, ground_truth.dataset.n_samples), measurements=measurements)


def reflection_breakpoints(unit: Any, ground_truth: GroundTruthLibrary) -> list[str]:
    """Breakpoints of the unit that are not data points but reflections ``R(x_i, x_j)`` of them."""
    data = set(ground_truth.dataset.x)
    found = []
    for value in unit.function.breakpoints:
        if value in data:
            continue
        tree = explain_value(value, ground_truth.dataset, 1)
        if tree is not None:
            found.append(f"{format_rational(value)} = {tree}")
    return found


FULL_CHECK_MAX_N = 8
"""Up to this many points every ground-truth vector is tested (exact LP each); above, the exact
oracle is asked on dual vectors λ (random ones and Lasso residuals), which scales to N = 30+."""

ORACLE_PROBES = 6


def oracle_outcome(name: str, instance: dict, columns: Any, activation: str, depth: int) -> Outcome:
    """Exact per-λ test: ``sup_u |λᵀu(X)|`` (oracle) against ``max_i |λᵀa_i|`` for dual vectors λ ⊥ 1:
    random integer vectors and the residuals of float Lasso fits on random labels."""
    import zlib
    from fractions import Fraction

    import numpy as np

    from mirrorlib.lasso.fit import fit_lasso
    from mirrorlib.groundtruth.oracle import unit_oracle

    X = columns.dataset
    if columns.n_features > 5_000:  # e.g. 16N³ + 1 ReLU columns at depth 4: drop duplicates first (exact, integer keys)
        columns = columns.distinct()
    matrix = columns.matrix(exact=True)
    rng = np.random.default_rng(zlib.crc32(repr(instance).encode()))
    probes = []
    for index in range(ORACLE_PROBES):
        if index % 2 == 0:
            lam = [Fraction(int(v)) for v in rng.integers(-9, 10, X.n_samples)]
        else:
            labels = [Fraction(int(v)) for v in rng.integers(-4, 5, X.n_samples)]
            fit = fit_lasso(columns, labels, 0.05, exact=False)
            fitted = matrix @ np.array([Fraction(v) for v in fit.z], dtype=object) + Fraction(fit.xi)
            lam = [y - f for y, f in zip(labels, fitted)]
        mean = sum(lam, Fraction(0)) / len(lam)
        probes.append([v - mean for v in lam])
    for lam in probes:
        library_value = max(abs(value) for value in np.array(lam, dtype=object) @ matrix)
        result = unit_oracle(X.to_original_order(X.x), lam, activation, depth)
        if result.value > library_value:
            witness = {
                "lambda (caller's data order, 1ᵀλ = 0)": _q(lam),
                "library_value max_i |λᵀa_i|": format_rational(library_value),
                "unit_value |λᵀu(X)| (exact oracle)": format_rational(result.value),
                "unit": result.unit.describe(),
                "unit_breakpoints": [
                    format_rational(value) + ("" if tree is None else f" = {tree}")
                    for value, tree in result.breakpoint_trees().items()
                ],
            }
            return Outcome(False, Counterexample(name, instance, witness, X.n_samples), measurements={"oracle_probes": len(probes)})
    return Outcome(passed=True, measurements={"oracle_probes": len(probes)})


def closed_form_check(name: str, activation: str):
    """``check(instance)`` comparing ``library(X, activation, depth)`` with the chain's ground truth
    (every vector up to :data:`FULL_CHECK_MAX_N` points, oracle probes above)."""
    from mirrorlib.numbers.exact import to_rational_vector
    from mirrorlib.groundtruth import ground_truth_library
    from mirrorlib.libraries import library

    def check(instance: dict) -> Outcome:
        X, depth = list(to_rational_vector(instance["X"], name="X")), instance["depth"]
        columns = library(X, activation, depth)
        if len(set(X)) > FULL_CHECK_MAX_N:
            return oracle_outcome(name, instance, columns, activation, depth)
        return completeness_outcome(name, instance, columns, ground_truth_library(X, activation, depth))

    return check
