"""Benchmark: two-layer networks on d-dimensional data — exact pattern enumeration and certified
group-Lasso fits, against the same convex program written directly in cvxpy (Clarabel).

Run ``python benchmarks/bench_multidim.py`` (``--quick`` for small sizes only).

Data: ``N`` points uniform in [−1, 1]^d (read as the rationals they store),
``y = sin(3x₁)·x₂ + x_d² + 0.05·noise``, β = 0.02.

1. Pattern enumeration (exact, with witnesses): time, count, and Cover's number.
2. Certified fits (working sets over the exact patterns, certificate over all of them), gated
   ReLU and ReLU, against one cvxpy/Clarabel solve of the program over *every* pattern where it
   fits in a few minutes: objectives side by side (relative difference) and times.
3. Fits without a pattern list (``multidim.neuron_search.fit_with_neuron_search``): time,
   rounds, the certificate over every neuron, and the objective against section 2's where the
   enumeration ran.
4. What a sample misses: sampled fits of K neurons, their excess over the certified optimum
   (measured) and the bound over every network that ``every_neuron_certificate`` reports, with
   the search's time and boxes.
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date

import numpy as np

from mirrorlib.multidim.group_lasso import fit_group_lasso
from mirrorlib.multidim.network import augment
from mirrorlib.multidim.neuron_search import every_neuron_certificate, fit_with_neuron_search
from mirrorlib.multidim.patterns import activation_patterns, cover_count
from mirrorlib.multidim.sampling import sampled_patterns

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
    parser.add_argument("--sections", default="1,2,3,4", help="comma-separated sections to run (2 needs 1; 3 and 4 compare with 2 when it ran)")
    arguments = parser.parse_args()
    sections = {int(part) for part in arguments.sections.split(",")}
    print(f"# bench_multidim — {date.today()} — {platform.machine()}, 2 cores, Python {platform.python_version()}")
    sizes = [(50, 2), (30, 3)] if arguments.quick else [(50, 2), (100, 2), (200, 2), (30, 3), (60, 3)]
    full_limit = 3_000 if arguments.quick else 10_000  # patterns for the one-shot cvxpy solve
    if sections & {1, 2}:
        print("\n## patterns (exact) and certified fits (β = 0.02; verdict over all patterns, tol 1e-6)")
        print(f"{'d':>2} {'N':>4} {'patterns':>9} {'Cover':>9} {'enum s':>7} {'act.':>6} {'fit s':>8} {'neurons':>7} "
              f"{'rel. gap':>9} {'objective':>18} {'cvxpy all s':>11} {'cvxpy objective':>18} {'rel. diff':>9}")
    optima: dict[tuple[int, int, str], float] = {}
    for n, d in sizes if sections & {1, 2} else []:
        X, y = problem(n, d)
        start = time.perf_counter()
        patterns = activation_patterns(X)
        enumeration = time.perf_counter() - start
        for activation in ("gated", "relu"):
            start = time.perf_counter()
            fit = fit_group_lasso(X, y, BETA, activation=activation, patterns=patterns)
            seconds = time.perf_counter() - start
            optima[n, d, activation] = fit.objective
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

    if 3 in sections:
        searched_fits([(50, 2), (200, 2), (30, 3)] if arguments.quick else sizes, optima)
    if 4 in sections:
        sample_bounds([(100, 2)] if arguments.quick else [(200, 2), (60, 3)], optima, [100, 1000] if arguments.quick else [100, 1000, 10000])


def searched_fits(sizes: list[tuple[int, int]], optima: dict[tuple[int, int, str], float]) -> None:
    """Section 3: certified fits with no pattern list (gated only up to N = 100: its search
    supplies few violators per round, so its fits take many rounds)."""
    print("\n## fits without a pattern list (neuron search each round; verdict over every neuron, tol 1e-6)")
    print(f"{'d':>2} {'N':>4} {'act.':>6} {'search fit s':>12} {'rounds':>6} {'patterns':>8} {'rel. gap':>9} {'boxes (last)':>12} {'objective':>18} {'vs list':>9}")
    for n, d in sizes:
        X, y = problem(n, d)
        for activation in ("gated", "relu") if n <= 100 else ("relu",):
            start = time.perf_counter()
            fit = fit_with_neuron_search(X, y, BETA, activation=activation)
            seconds = time.perf_counter() - start
            boxes = fit.certificate.scope.split(": ")[1].split(" boxes")[0]
            reference = optima.get((n, d, activation))
            difference = "-" if reference is None else f"{(fit.objective - reference) / reference:+.1e}"
            if fit.certificate.is_optimal:
                optima.setdefault((n, d, activation), fit.objective)  # certified: section 4's reference
            print(
                f"{d:>2} {n:>4} {activation:>6} {seconds:>12.2f} {fit.rounds:>6} {fit.masks.shape[0]:>8} {fit.certificate.relative_gap:>9.1e} "
                f"{boxes:>12} {fit.objective:>18.12e} {difference:>9}" + ("" if fit.certificate.is_optimal else "   NOT CERTIFIED")
            )


def sample_bounds(sizes: list[tuple[int, int]], optima: dict[tuple[int, int, str], float], counts: list[int]) -> None:
    """Section 4: a sampled fit's excess over the optimum against the bound the search reports."""
    print("\n## what a sample misses (ReLU): excess P_K − P* (P* certified in section 2) and the bound over every network")
    print(f"{'d':>2} {'N':>4} {'K':>6} {'patterns':>8} {'fit s':>7} {'excess/P*':>10} {'bound/P*':>9} {'bound/excess':>12} {'search s':>8} {'boxes':>8} {'verdict':>9}")
    for n, d in sizes:
        X, y = problem(n, d)
        optimum = optima.get((n, d, "relu"))
        if optimum is None:
            optimum = fit_with_neuron_search(X, y, BETA).objective
        for count in counts:
            patterns = sampled_patterns(X, count, seed=0)
            start = time.perf_counter()
            fit = fit_group_lasso(X, y, BETA, patterns=patterns)
            fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            certificate, search = every_neuron_certificate(fit)
            search_seconds = time.perf_counter() - start
            excess = fit.objective - optimum
            ratio = f"{certificate.duality_gap / excess:.1f}" if excess > 1e-9 * optimum else "-"
            verdict = "optimal" if certificate.is_optimal else ("missed" if search.lower > BETA else "open")
            print(
                f"{d:>2} {n:>4} {count:>6} {len(patterns):>8} {fit_seconds:>7.2f} {excess / optimum:>10.2e} {certificate.duality_gap / optimum:>9.2e} "
                f"{ratio:>12} {search_seconds:>8.2f} {search.boxes:>8,} {verdict:>9}"
            )


if __name__ == "__main__":
    main()
