"""Benchmark: float Lasso fits at real sizes over matrix-free closed-form dictionaries.

Run ``python benchmarks/bench_scale.py`` (``--quick`` for small sizes only).

Data: ``N`` points uniform in [−1, 1], ``y = sin(3x) + 0.1·noise``, the closed-form ReLU library of
depth ``L`` (paper variant), ``min ½‖A z + ξ1 − y‖² + β‖z‖₁``.

1. **Targets** (issue 10): depth 3 at N = 2,000 under 60 s and 2 GB; depth 2 at N = 10,000 under
   10 s. Each case runs in a fresh subprocess so that its peak resident memory (``ru_maxrss``) is
   its own; the time includes building the operator and its column norms.
2. **Agreement and comparison where the dense problem fits**: on the *distinct* dense library,
   mirrorlib's dense active-set solver, skglm and celer (both ``Lasso(alpha=β/N,
   fit_intercept=True)``, the same objective divided by N) and cvxpy with Clarabel, against the
   matrix-free working-set solver on all closed-form columns. Every line reports the objective
   and the relative duality gap computed by one formula for all solvers (over the dense columns;
   for the operator solver over all its columns), so times are compared at equal objective.
3. **How ``ConvexNet(solver="auto")`` chooses**: certified float fits (β = 0.05) with each
   solver, in a fresh subprocess each (time from the data to the certified network, the oracle's
   verdict included), on both sides of ``DENSE_AUTO_MAX_ENTRIES`` at depths 2 and 3 (ReLU and
   abs), where the working set is the faster way on larger problems, and at depths 4 and 5,
   where the distinct library is fitted densely.

4. **Column generation over a grown dictionary**: certified dense float fits
   (``solver="dense"``) that add units (abs, β = 0.05), with the centred float dictionary grown across rounds
   (:class:`~mirrorlib.lasso.float_dictionary.FloatDictionary`, the default) against writing it
   again every round. Times: in one process after a warm-up fit, the two alternating, median of
   3 (on the benchmark machine the first touch of fresh memory in a process is slow and varies
   from run to run). Peak memory: one fit per fresh process. "network optimal" holds only when
   every run of both variants was certified with the same objective.

5. **Smooth labels on a grid**: certified ``ConvexNet("relu", 3, 0.1)`` fits (``solver="auto"``)
   of ``y = sin(3x) + |x|`` on ``N`` equally spaced points in [−1, 1], whose optima have several
   hundred atoms (about ``0.6 N``); fresh process per fit, time from the data to the certified
   network. With ``--baseline REV`` the same fits up to 1,000 points also run on that git
   revision's ``mirrorlib`` (checked out in a temporary worktree), alternating with this
   checkout's (e7c5e38 took 561 s at 1,000 points, so it is not run at 2,000).

``--sections 3`` runs only the named sections (comma-separated).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import numpy as np
from _revisions import checked_out

from mirrorlib.lasso import solve_lasso
from mirrorlib.lasso.float_certificate import lasso_duality_gap_float
from mirrorlib.lasso.working_set import solve_lasso_operator
from mirrorlib.libraries import library
from mirrorlib.libraries.operator import LibraryOperator
from mirrorlib.column_generation import _grown_dictionary as GROWN

TOL = 1e-10


def problem(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    return x, np.sin(3.0 * x) + 0.1 * rng.standard_normal(n)


def operator_case(n: int, depth: int, beta: float) -> dict:
    """One matrix-free fit, timed from the data (run in a subprocess by :func:`targets`)."""
    import resource

    x, y = problem(n)
    start = time.perf_counter()
    operator = LibraryOperator(library(x, "relu", depth))
    solution = solve_lasso_operator(operator, y, beta, tol=TOL)
    seconds = time.perf_counter() - start
    return {
        "N": n, "L": depth, "beta": beta, "columns": operator.shape[1], "seconds": seconds,
        "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "objective": solution.objective,
        "relative_gap": solution.relative_gap, "rounds": solution.rounds, "working_set": solution.working_set_size,
        "support": int(solution.support.size), "screened": solution.screened, "converged": solution.converged,
    }


def estimator_case(activation: str, depth: int, n: int, solver: str) -> dict:
    """One certified ``ConvexNet`` fit, timed from the data (run in a subprocess by :func:`solver_choice`)."""
    import resource

    from mirrorlib import ConvexNet

    x, y = problem(n)
    start = time.perf_counter()
    model = ConvexNet(activation, depth, 0.05, solver=solver).fit(x, y)
    return {
        "seconds": time.perf_counter() - start, "objective": model.objective_, "columns": model.library_.n_features,
        "optimal": bool(model.certificate_.training_optimal), "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _certified_fit(activation: str, depth: int, n: int, variant: str) -> dict:
    """One certified dense ``ConvexNet`` fit (the distinct closed form, then the units column
    generation adds) whose float dictionary is ``"grown"`` across rounds (the default) or
    ``"rewritten"`` every round. ``solver="dense"``: at depth 3 ``"auto"`` takes the working set
    here, whose dictionaries are a few columns."""
    import logging

    import mirrorlib.column_generation as column_generation
    from mirrorlib import ConvexNet
    from mirrorlib.progress import LOGGER

    column_generation._grown_dictionary = GROWN if variant == "grown" else (lambda library, previous: None)
    rounds = []
    handler = logging.Handler()
    handler.emit = lambda record: rounds.append(record) if "column generation round" in record.getMessage() else None
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    x, y = problem(n)
    start = time.perf_counter()
    try:
        model = ConvexNet(activation, depth, 0.05, solver="dense").fit(x, y)
    finally:
        LOGGER.removeHandler(handler)
    return {
        "seconds": time.perf_counter() - start, "objective": float(model.objective_), "columns": model.library_.n_features,
        "added": len(model.added_features_), "rounds": len(rounds), "optimal": bool(model.certificate_.training_optimal),
    }


def growth_case(activation: str, depth: int, n: int, mode: str) -> dict:
    """``mode`` ``"grown"`` / ``"rewritten"``: one fit and the process's peak memory; ``"timing"``:
    one fit to warm up, then both variants alternately, :data:`GROWTH_REPEATS` times each (run in a
    subprocess by :func:`dictionary_growth`)."""
    import resource

    if mode != "timing":
        row = _certified_fit(activation, depth, n, mode)
        return {**row, "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    _certified_fit(activation, depth, n, "grown")
    runs: dict[str, list[dict]] = {"rewritten": [], "grown": []}
    for _ in range(GROWTH_REPEATS):
        for variant, rows in runs.items():
            rows.append(_certified_fit(activation, depth, n, variant))
    return runs


GROWTH_REPEATS = 3


def dictionary_growth(cases: list[tuple[str, int, int]]) -> None:
    print("\n## 4. column generation: float dictionary grown across rounds vs written again every round (β = 0.05)")
    print(f"(time: one process, a warm-up fit, then the two alternating, median of {GROWTH_REPEATS}; peak memory: a fresh process per fit)")
    print(f"{'σ':>4} {'L':>2} {'N':>4} {'columns':>8} {'rounds':>6} {'added':>5} {'rewritten s':>11} {'peak MB':>7} {'grown s':>8} "
          f"{'peak MB':>7} {'speed-up':>8} {'objective (rewritten)':>22} {'objective (grown)':>22} {'network optimal':>15}")
    for activation, depth, n in cases:
        timing = _subprocess_case(f"grow:{activation},{depth},{n},timing")
        peaks = {variant: _subprocess_case(f"grow:{activation},{depth},{n},{variant}")["peak_MB"] for variant in timing}
        rewritten, grown = (sorted(timing[v], key=lambda row: row["seconds"])[GROWTH_REPEATS // 2] for v in ("rewritten", "grown"))
        agree = all(row["objective"] == grown["objective"] and row["optimal"] for rows in timing.values() for row in rows)
        print(f"{activation:>4} {depth:>2} {n:>4} {grown['columns']:>8,} {grown['rounds']:>6} {grown['added']:>5} "
              f"{rewritten['seconds']:>11.2f} {peaks['rewritten']:>7.0f} {grown['seconds']:>8.2f} {peaks['grown']:>7.0f} "
              f"{rewritten['seconds'] / grown['seconds']:>7.2f}× {rewritten['objective']:>22.15e} {grown['objective']:>22.15e} "
              f"{str(agree):>15}")


def grid_case(n: int) -> dict:
    """One certified fit of smooth labels on a grid (run in a subprocess by :func:`many_atoms`)."""
    import resource

    from mirrorlib import ConvexNet

    x = np.linspace(-1.0, 1.0, n)
    start = time.perf_counter()
    model = ConvexNet("relu", 3, 0.1).fit(x, np.sin(3.0 * x) + np.abs(x))
    return {
        "seconds": time.perf_counter() - start, "objective": float(model.objective_), "atoms": int(np.count_nonzero(model.coef_)),
        "optimal": bool(model.certificate_.training_optimal), "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _subprocess_case(case: str, source: Path | None = None) -> dict:
    """``case`` run by this file in a fresh process, on ``mirrorlib`` from ``source`` if given."""
    environment = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
    output = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True, check=True, env=environment).stdout
    return json.loads(output.strip().splitlines()[-1])


BASELINE_MAX_N = 1_000


def many_atoms(sizes: list[int], baseline: str | None) -> None:
    print("\n## 5. smooth labels on a grid: ConvexNet('relu', 3, 0.1), y = sin(3x) + |x|, x = linspace(-1, 1, N) (fresh process per fit)")
    print(f"{'N':>5} {'naive columns':>14} {'s':>8} {'peak MB':>8} {'atoms':>6} {'objective':>22} {'network optimal':>16}"
          + (f" {'baseline s':>11} {'speed-up':>9} {'same objective':>15}" if baseline else ""))
    with checked_out(baseline) if baseline else nullcontext() as tree:
        for n in sizes:
            now = _subprocess_case(f"grid:{n}")
            naive = library(np.linspace(-1.0, 1.0, n), "relu", 3).n_features
            line = (f"{n:>5} {naive:>14,} {now['seconds']:>8.2f} {now['peak_MB']:>8.0f} {now['atoms']:>6} "
                    f"{now['objective']:>22.15e} {str(now['optimal']):>16}")
            if tree is not None and n <= BASELINE_MAX_N:
                before = _subprocess_case(f"grid:{n}", tree)
                same = abs(before["objective"] - now["objective"]) <= 1e-9 * now["objective"]
                line += f" {before['seconds']:>11.2f} {before['seconds'] / now['seconds']:>8.1f}× {str(same and before['optimal']):>15}"
            print(line, flush=True)


def solver_choice(cases: list[tuple[str, int, int]]) -> None:
    from mirrorlib.estimator import DENSE_AUTO_MAX_ENTRIES

    print('\n## 3. ConvexNet(solver=...) certified float fits, β = 0.05 (fresh process per fit; time includes build and oracle)')
    print(f"(auto at depth ≤ 3: dense up to {DENSE_AUTO_MAX_ENTRIES:,} naive entries, naive columns × N; from depth 4: dense when the distinct library fits)")
    print(f"{'σ':>4} {'L':>2} {'N':>5} {'naive columns':>14} {'naive entries':>14} {'solver':>12} {'s':>7} {'peak MB':>8} {'columns':>8} "
          f"{'objective':>22} {'network optimal':>16}")
    for activation, depth, n in cases:
        naive = library(problem(n)[0], activation, depth).n_features
        for solver in ("auto", "dense", "working-set"):
            row = _subprocess_case(f"fit:{activation},{depth},{n},{solver}")
            print(f"{activation:>4} {depth:>2} {n:>5} {naive:>14,} {naive * n:>14,} {solver:>12} {row['seconds']:>7.2f} {row['peak_MB']:>8.0f} "
                  f"{row['columns']:>8,} {row['objective']:>22.15e} {str(row['optimal']):>16}")


def targets(cases: list[tuple[int, int, float, float, float]]) -> None:
    print("\n## 1. matrix-free fits against the targets (fresh process per case; time includes the build)")
    print(f"{'L':>2} {'N':>6} {'β':>6} {'columns':>12} {'s':>7} {'target s':>8} {'peak MB':>8} {'target MB':>9} "
          f"{'rounds':>6} {'|W|':>6} {'nnz':>4} {'screened %':>10} {'rel. gap':>9}")
    for n, depth, beta, limit_s, limit_mb in cases:
        row = _subprocess_case(f"{n},{depth},{beta}")
        print(
            f"{depth:>2} {n:>6} {beta:>6g} {row['columns']:>12,} {row['seconds']:>7.2f} {limit_s:>8g} {row['peak_MB']:>8.0f} "
            f"{limit_mb:>9g} {row['rounds']:>6} {row['working_set']:>6} {row['support']:>4} "
            f"{100 * row['screened'] / row['columns']:>10.1f} {row['relative_gap']:>9.1e}"
            + ("" if row["converged"] else "   NOT CONVERGED")
        )


def timed(function: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def timed_with_limit(function: Callable[[], object], seconds: float) -> tuple[object | None, float]:
    """Run ``function`` in a forked process; ``(None, seconds)`` if it has not returned by then."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=lambda: queue.put(timed(function)))
    process.start()
    try:
        result, elapsed = queue.get(timeout=seconds)
    except Exception:  # noqa: BLE001 - queue.Empty: the time limit
        process.kill()
        return None, seconds
    process.join()
    return result, elapsed


LIMIT_S = 120.0
"""Time limit of each third-party solve (reported as 'stopped at the limit')."""


def _sklearn_style(name: str) -> Callable[[np.ndarray, np.ndarray, float], tuple[np.ndarray, float]] | None:
    try:
        module = __import__(name)
    except ImportError:
        print(f"    ({name} is not installed: pip install -e \".[bench]\")")
        return None

    def solve(A: np.ndarray, y: np.ndarray, beta: float) -> tuple[np.ndarray, float]:
        model = module.Lasso(alpha=beta / A.shape[0], fit_intercept=True, tol=1e-9, max_iter=100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(A, y)
        return np.asarray(model.coef_, dtype=float), float(model.intercept_)

    return solve


def _clarabel(A: np.ndarray, y: np.ndarray, beta: float) -> tuple[np.ndarray, float]:
    import cvxpy as cp

    z, xi = cp.Variable(A.shape[1]), cp.Variable()
    cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ z + xi - y) + beta * cp.norm1(z))).solve(solver="CLARABEL")
    return np.asarray(z.value, dtype=float), float(xi.value)


def comparison(cases: list[tuple[int, int, float, bool]]) -> None:
    print("\n## 2. where the dense problem fits: dense solvers on the distinct library vs the operator solver")
    solvers: dict[str, Callable | None] = {
        "skglm": _sklearn_style("skglm"), "celer": _sklearn_style("celer"),
    }
    for n, depth, beta, with_clarabel in cases:
        x, y = problem(n)
        full = library(x, "relu", depth)
        A = full.distinct().matrix()
        print(f"L = {depth}, N = {n}, β = {beta:g}: {full.recipe.n_columns:,} closed-form columns, {A.shape[1]:,} distinct")
        rows: list[tuple[str, float, float, float]] = []

        def record(name: str, seconds: float, z: np.ndarray, xi: float) -> None:
            primal, _, gap = lasso_duality_gap_float(A, y, z, xi, beta)
            rows.append((name, seconds, primal, gap / primal))

        fit, seconds = timed(lambda: solve_lasso(A, y, beta, tol=TOL))
        record("mirrorlib dense active set", seconds, fit.z, fit.xi)
        third_party = [(name, solve) for name, solve in solvers.items() if solve is not None]
        if with_clarabel:
            third_party.append(("cvxpy Clarabel", _clarabel))
        for name, solve in third_party:
            solve(A[:, :5], y, beta)  # compile (numba) outside the timing
            result, seconds = timed_with_limit(lambda: solve(A, y, beta), LIMIT_S)
            if result is None:
                print(f"    {name:<28} stopped at the {LIMIT_S:.0f} s limit")
                continue
            record(name, seconds, *result)
        operator_solution, seconds = timed(
            lambda: solve_lasso_operator(LibraryOperator(full), y, beta, tol=TOL)
        )
        reference = min(row[2] for row in rows)
        for name, seconds_, primal, relative_gap in rows:
            print(f"    {name:<28} {seconds_:9.3f} s   objective {primal:.15e}   rel. gap {relative_gap:8.1e}   "
                  f"vs best {(primal - reference) / reference:+.1e}")
        print(
            f"    {'mirrorlib operator (all cols)':<28} {seconds:9.3f} s   objective {operator_solution.objective:.15e}   "
            f"rel. gap {operator_solution.relative_gap:8.1e}   vs best {(operator_solution.objective - reference) / reference:+.1e}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--sections", default="1,2,3,4,5", help="comma-separated sections to run (default: all)")
    parser.add_argument("--baseline", metavar="REV", help="section 5: also fit at this git revision (e.g. e7c5e38)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case:
        if arguments.case.startswith("grow:"):
            activation, depth, n, variant = arguments.case[5:].split(",")
            print(json.dumps(growth_case(activation, int(depth), int(n), variant)))
            return
        if arguments.case.startswith("grid:"):
            print(json.dumps(grid_case(int(arguments.case[5:]))))
            return
        if arguments.case.startswith("fit:"):
            activation, depth, n, solver = arguments.case[4:].split(",")
            print(json.dumps(estimator_case(activation, int(depth), int(n), solver)))
            return
        n, depth, beta = arguments.case.split(",")
        print(json.dumps(operator_case(int(n), int(depth), float(beta))))
        return
    sections = {part.strip() for part in arguments.sections.split(",")}
    if not sections <= {"1", "2", "3", "4", "5"}:
        parser.error(f"--sections takes 1 to 5, comma-separated; got {arguments.sections!r}")
    print(f"# bench_scale — {date.today()} — {platform.machine()}, 2 cores, Python {platform.python_version()}")
    quick = arguments.quick
    if "1" in sections:
        targets([(500, 3, 0.05, 60, 2048), (2_000, 2, 0.05, 10, 2048)] if quick else [
            (2_000, 3, 0.05, 60, 2048), (2_000, 3, 0.005, 60, 2048),
            (10_000, 2, 0.05, 10, 2048), (10_000, 2, 0.005, 10, 2048),
        ])
    if "2" in sections:
        comparison([(100, 3, 0.05, True)] if quick else [(200, 3, 0.05, True), (200, 3, 0.005, False), (2_000, 2, 0.05, False)])
    if "3" in sections:
        solver_choice([("relu", 3, 200), ("relu", 4, 40)] if quick else [
            ("relu", 2, 1_000), ("relu", 2, 3_000), ("relu", 2, 5_000), ("relu", 3, 150), ("relu", 3, 250), ("relu", 3, 400),
            ("abs", 3, 150), ("abs", 3, 250), ("relu", 4, 100), ("relu", 5, 30),
        ])
    if "4" in sections:
        dictionary_growth([("abs", 3, 100)] if quick else [("abs", 3, 300), ("abs", 3, 500), ("abs", 4, 60), ("abs", 4, 80)])
    if "5" in sections:
        many_atoms([200] if quick else [300, 500, 700, 1_000, 2_000], arguments.baseline)


if __name__ == "__main__":
    main()
