"""Benchmark: two-layer networks on d-dimensional data — exact pattern enumeration and certified
group-Lasso fits, against the same convex program written directly in cvxpy (Clarabel).

Run ``python benchmarks/bench_multidim.py`` (``--quick`` for small sizes only).

Data: ``N`` points uniform in [−1, 1]^d (read as the rationals they store),
``y = sin(3x₁)·x₂ + x_d² + 0.05·noise``, β = 0.02.

1. Pattern enumeration (exact, with witnesses): time, count, and Cover's number.
2. Certified fits (working sets over the exact patterns, certificate over all of them), gated
   ReLU and ReLU, against one cvxpy/Clarabel solve of the program over *every* pattern where it
   fits in a few minutes: objectives side by side (relative difference) and times.
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date

import numpy as np

from mirrorlib.multidim.group_lasso import fit_group_lasso
from mirrorlib.multidim.network import augment
from mirrorlib.multidim.patterns import activation_patterns, cover_count

BETA = 0.02


def problem(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, d))
    return X, np.sin(3.0 * X[:, 0]) * X[:, 1 % d] + X[:, -1] ** 2 + 0.05 * rng.standard_normal(n)


def full_program(X: np.ndarray, y: np.ndarray, masks: np.ndarray, activation: str) -> float:
    """The program over every pattern in one cvxpy/Clarabel solve (no working sets)."""
    import cvxpy as cp

    Xbar = augment(X)
    P, q = masks.shape[0], Xbar.shape[1]
    V, W, xi = cp.Variable((P, q)), cp.Variable((P, q)), cp.Variable()
    directions = V - W if activation == "relu" else V
    fitted = xi + cp.sum(cp.multiply(masks.astype(float), directions @ Xbar.T), axis=0)
    penalty = cp.sum(cp.norm(V, 2, axis=1)) + (cp.sum(cp.norm(W, 2, axis=1)) if activation == "relu" else 0)
    constraints = []
    if activation == "relu":
        signs = np.where(masks, 1.0, -1.0)
        constraints = [cp.multiply(signs, V @ Xbar.T) >= 0, cp.multiply(signs, W @ Xbar.T) >= 0]
    problem_ = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fitted - y) + BETA * penalty), constraints)
    problem_.solve(solver="CLARABEL")
    return float(problem_.value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    arguments = parser.parse_args()
    print(f"# bench_multidim — {date.today()} — {platform.machine()}, 2 cores, Python {platform.python_version()}")
    sizes = [(50, 2), (30, 3)] if arguments.quick else [(50, 2), (100, 2), (200, 2), (30, 3), (60, 3)]
    full_limit = 3_000 if arguments.quick else 10_000  # patterns for the one-shot cvxpy solve
    print("\n## patterns (exact) and certified fits (β = 0.02; verdict over all patterns, tol 1e-6)")
    print(f"{'d':>2} {'N':>4} {'patterns':>9} {'Cover':>9} {'enum s':>7} {'act.':>6} {'fit s':>8} {'neurons':>7} "
          f"{'rel. gap':>9} {'objective':>18} {'cvxpy all s':>11} {'cvxpy objective':>18} {'rel. diff':>9}")
    for n, d in sizes:
        X, y = problem(n, d)
        start = time.perf_counter()
        patterns = activation_patterns(X)
        enumeration = time.perf_counter() - start
        for activation in ("gated", "relu"):
            start = time.perf_counter()
            fit = fit_group_lasso(X, y, BETA, activation=activation, patterns=patterns)
            seconds = time.perf_counter() - start
            reference, reference_s = "-", "-"
            difference = "-"
            if len(patterns) * (2 if activation == "relu" else 1) <= full_limit:
                start = time.perf_counter()
                value = full_program(X, y, patterns.matrix(), activation)
                reference_s = f"{time.perf_counter() - start:.2f}"
                reference = f"{value:.12e}"
                difference = f"{(fit.objective - value) / value:+.1e}"
            print(
                f"{d:>2} {n:>4} {len(patterns):>9,} {cover_count(n, d):>9,} {enumeration:>7.2f} {activation:>6} {seconds:>8.2f} "
                f"{fit.network().width:>7} {fit.certificate.relative_gap:>9.1e} {fit.objective:>18.12e} {reference_s:>11} "
                f"{reference:>18} {difference:>9}" + ("" if fit.certificate.is_optimal else "   NOT CERTIFIED")
            )


if __name__ == "__main__":
    main()
