"""Benchmark: mirrorlib's Lasso solvers against cvxpy on ReLU-ramp dictionaries.

Run ``python benchmarks/bench_lasso.py`` (``--quick`` for a short run, ``--help`` for options).

Problem: ``min ½‖A z + ξ1 − y‖² + β‖z‖₁`` with ``A`` made of ramps ``relu(±(x − t))`` at
random breakpoints ``t`` (the 2-layer ReLU dictionary of docs/theory.md §5: highly correlated,
with exact linear dependencies), ``y = sin(3x) + noise`` and ``β = fraction · β_max``.

For every problem it prints the wall time, the objective and the relative duality gap (our own
gap, the same formula for every solver) of

* ``solve_lasso`` (default ``method="auto"``: active set, CD fallback),
* ``solve_lasso(method="cd")`` (scikit-learn coordinate descent + active-set polish),
* cvxpy with the solver it picks by default (OSQP for this QP in cvxpy 1.9) and with its
  open-source conic interior-point solver CLARABEL (or ECOS), when installed,

and the exact rational homotopy ``solve_lasso_exact`` on the small problems.

Then, on distinct libraries of over :data:`~mirrorlib.lasso.active_set.WORKING_SET_START_COLUMNS`
columns, cold solves with the active-set method alone (``method="active-set"``) against the
default, which starts it from working sets: the median of 3 runs each, alternating, in one
process, with both objectives and gaps.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from mirrorlib import library
from mirrorlib.lasso.float_certificate import lasso_duality_gap_float
from mirrorlib.lasso import solve_lasso, solve_lasso_exact


def ramp_problem(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sorted points in [−1, 1]; ``m`` columns relu(x − t), relu(t − x) for m/2 breakpoints."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    t = np.sort(rng.uniform(-1.0, 1.0, m // 2))
    A = np.hstack([np.maximum(0.0, x[:, None] - t[None, :]), np.maximum(0.0, t[None, :] - x[:, None])])
    return A, np.sin(3.0 * x) + 0.1 * rng.standard_normal(n)


def beta_max(A: np.ndarray, y: np.ndarray) -> float:
    """Smallest β with solution z = 0: ``max |ãᵢᵀ(y − ȳ)|``."""
    return float(np.max(np.abs((A - A.mean(axis=0)).T @ (y - y.mean()))))


def report(name: str, seconds: float, A: np.ndarray, y: np.ndarray, z: np.ndarray, xi: float, beta: float) -> None:
    primal, _, gap = lasso_duality_gap_float(A, y, z, xi, beta)
    nnz = int(np.count_nonzero(np.abs(z) > 1e-9 * max(1.0, float(np.max(np.abs(z))))))
    print(f"    {name:<22} {seconds:9.3f} s   objective {primal:.12e}   rel. gap {gap / primal:8.1e}   nnz {nnz}")


def timed(function: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def cvxpy_solver() -> Callable[[np.ndarray, np.ndarray, float, str | None], tuple[np.ndarray, float, str]] | None:
    try:
        import cvxpy as cp
    except ImportError:
        print('cvxpy is not installed: install the benchmark extra with  pip install -e ".[bench]"  (or pip install cvxpy)')
        return None

    def solve(A: np.ndarray, y: np.ndarray, beta: float, solver: str | None) -> tuple[np.ndarray, float, str]:
        z = cp.Variable(A.shape[1])
        xi = cp.Variable()
        problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ z + xi - y) + beta * cp.norm1(z)))
        problem.solve(solver=solver)
        return np.asarray(z.value, dtype=float), float(xi.value), str(problem.solver_stats.solver_name)

    print(f"cvxpy {cp.__version__}, installed solvers: {', '.join(cp.installed_solvers())}")
    return solve


def float_benchmarks(sizes: list[tuple[int, int]], fractions: list[float], use_cvxpy: bool, with_cd: bool) -> None:
    solver = cvxpy_solver() if use_cvxpy else None
    cvxpy_choices: list[str | None] = [None]  # cvxpy's own pick (OSQP for this QP in cvxpy 1.9)
    if solver is not None:
        import cvxpy as cp

        cvxpy_choices += [name for name in ("CLARABEL", "ECOS") if name in cp.installed_solvers()][:1]
    solve_lasso(np.eye(3), np.arange(3.0), 0.1, method="cd")  # import scikit-learn outside the timings
    for n, m in sizes:
        A, y = ramp_problem(n, m, seed=n + m)
        for fraction in fractions:
            beta = fraction * beta_max(A, y)
            print(f"N={n:<5} M={m:<7} β = {fraction:g}·β_max = {beta:.4g}")
            result, seconds = timed(lambda: solve_lasso(A, y, beta))
            report("solve_lasso (auto)", seconds, A, y, result.z, result.xi, beta)
            if with_cd:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    cd, seconds = timed(lambda: solve_lasso(A, y, beta, method="cd"))
                report("solve_lasso (cd)", seconds, A, y, cd.z, cd.xi, beta)
            for choice in cvxpy_choices if solver is not None else ():
                try:
                    (z, xi, name), seconds = timed(lambda: solver(A, y, beta, choice))
                    report(f"cvxpy ({'default: ' if choice is None else ''}{name})", seconds, A, y, z, xi, beta)
                except Exception as error:  # noqa: BLE001 - report the solver failure and go on
                    print(f"    cvxpy ({choice or 'default'}) failed: {type(error).__name__}: {error}")


def exact_benchmarks(sizes: list[tuple[int, int]], fractions: list[float]) -> None:
    print("\nExact rational homotopy (solve_lasso_exact; input floats converted exactly)")
    for n, m in sizes:
        A, y = ramp_problem(n, m, seed=n + m)
        for fraction in [*fractions, None]:
            beta = None if fraction is None else Fraction(fraction * beta_max(A, y))
            solution, seconds = timed(lambda: solve_lasso_exact(A, y, beta))
            label = "β→0⁺ limit" if fraction is None else f"β = {fraction:g}·β_max"
            float_part = ""
            if beta is not None:
                fast = solve_lasso(A, y, float(beta))
                float_part = f"   float objective − exact: {fast.objective - float(solution.objective):+.1e}"
            print(
                f"  N={n:<4} M={m:<5} {label:<16} {seconds:8.3f} s   knots {len(solution.path):4d}   "
                f"support {len(solution.support):3d}   objective {float(solution.objective):.12e}{float_part}"
            )


def many_columns_benchmarks(cases: list[tuple[str, int, int]], beta: float = 0.05) -> None:
    print(f"\nCold solves over many columns (distinct libraries, x uniform in [−1, 1], y = sin 3x + noise, β = {beta}; median of 3)")
    print(f"{'σ':>4} {'L':>2} {'N':>4} {'columns':>8} {'active set s':>12} {'steps':>5} {'working sets first s':>20} "
          f"{'n_iter':>6} {'speed-up':>8} {'objective (active set)':>22} {'objective (default)':>22} {'rel. gaps':>17}")
    for activation, depth, n in cases:
        rng = np.random.default_rng(0)
        x = np.sort(rng.uniform(-1.0, 1.0, n))
        y = np.sin(3.0 * x) + 0.1 * rng.standard_normal(n)
        A = library(list(x), activation, depth).distinct().matrix()
        runs = [(timed(lambda: solve_lasso(A, y, beta, method="active-set")), timed(lambda: solve_lasso(A, y, beta))) for _ in range(3)]
        (plain, _), (started, _) = runs[-1]
        plain_s, started_s = (statistics.median(run[k][1] for run in runs) for k in (0, 1))
        print(f"{activation:>4} {depth:>2} {n:>4} {A.shape[1]:>8,} {plain_s:>12.3f} {plain.n_iter:>5} {started_s:>20.3f} "
              f"{started.n_iter:>6} {plain_s / started_s:>7.1f}× {plain.objective:>22.15e} {started.objective:>22.15e} "
              f"{plain.relative_gap:>8.1e} {started.relative_gap:>8.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--no-cvxpy", action="store_true", help="skip cvxpy")
    parser.add_argument("--no-cd", action="store_true", help="skip the coordinate-descent method")
    args = parser.parse_args()
    if args.quick:
        sizes, exact_sizes, fractions = [(50, 1000)], [(10, 40)], [0.1, 0.01]
        many_columns = [("abs", 4, 60)]
    else:
        sizes = [(50, 1000), (50, 10000), (200, 1000), (200, 10000)]
        exact_sizes = [(10, 40), (20, 200), (50, 1000)]
        fractions = [0.1, 0.01, 0.001]
        many_columns = [("abs", 3, 300), ("abs", 3, 500), ("abs", 4, 60), ("relu", 3, 400), ("relu", 4, 100)]
    float_benchmarks(sizes, fractions, use_cvxpy=not args.no_cvxpy, with_cd=not args.no_cd)
    exact_benchmarks(exact_sizes, fractions[:2])
    many_columns_benchmarks(many_columns)


if __name__ == "__main__":
    main()
