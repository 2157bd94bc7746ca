"""Benchmark: the exact unit oracle and certified fits (issue targets live here, not in tests).

Run: ``python benchmarks/bench_oracle.py`` (``--quick`` for a short run). Three tables, all on one
machine in one run:

1. one oracle call (one λ) at N = 10, 20, 40, 80 and depth 3, 4, 5, against the anchors measured
   in the same run: the cdd cell enumeration (``ground_truth_library(method="cdd")``, given at most
   ``CDD_BUDGET`` seconds) and the float grid search ``numeric_sup`` (a lower bound, not exact);
2. the ground-truth library at N = 12, L = 4 (oracle vertices) against cdd on smaller N;
3. certified fits by column generation (``ConvexNet`` default, adding the oracle's runners-up that
   beat β each round) against one unit per round and against "closed-form library, then solve"
   (the Lasso only, whose network may not be optimal) at N = 20, 50, 100;
4. one oracle call on float data and a float λ (the scaled integers overflow int64): the float64
   shortlist, then Python integers for the shortlisted candidates only, against Python integers
   for every candidate (the path before the shortlist), same value required.

Targets (2 cores): one exact oracle call at N = 40, L = 4 under 5 s; a certified abs depth-3 exact
fit at N = 50 under 30 s; the ground-truth library at N = 12, L = 4 under 10 s.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import multiprocessing
import platform
import time
from datetime import date
from fractions import Fraction

import numpy as np

CDD_BUDGET = 30.0


def _data(n: int, seed: int) -> tuple[list[Fraction], list[Fraction]]:
    rng = np.random.default_rng(seed)
    X = [Fraction(int(v), 4) for v in rng.choice(np.arange(-8 * n, 8 * n), n, replace=False)]
    lam = [Fraction(int(v)) for v in rng.integers(-9, 10, n)]
    mean = sum(lam) / n
    return X, [v - mean for v in lam]


def _timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def _cdd_worker(queue, X, lam_sorted, activation, depth):  # type: ignore[no-untyped-def]
    from mirrorlib.groundtruth import ground_truth_library

    start = time.perf_counter()
    truth = ground_truth_library(X, activation, depth, method="cdd")
    value = max(abs(sum(l * v for l, v in zip(lam_sorted, e.vector))) for e in truth.entries)
    queue.put((value, time.perf_counter() - start))


def _cdd_sup(X, lam, activation, depth, budget):  # type: ignore[no-untyped-def]
    """The cdd reference value and seconds, or (None, budget) when it exceeds the budget."""
    from mirrorlib.data import as_dataset

    order = as_dataset(X).order
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_cdd_worker, args=(queue, X, [lam[i] for i in order], activation, depth))
    process.start()
    process.join(budget)
    if process.is_alive():
        process.terminate()
        process.join()
        return None, budget
    return queue.get()


def oracle_table(quick: bool) -> None:
    from mirrorlib.groundtruth.numeric import numeric_sup
    from mirrorlib.groundtruth.oracle import oracle_size, unit_oracle

    print("## one oracle call (one λ): exact oracle vs cdd cell enumeration vs float grid")
    print(f"{'σ':>5} {'L':>2} {'N':>3} {'candidates':>11} {'oracle s':>9} {'cdd s':>9} {'grid s':>8} {'oracle = cdd':>12} {'grid/oracle':>11}")
    sizes = (10, 20) if quick else (10, 20, 40, 80)
    for depth in (3, 4, 5):
        for activation in ("relu", "abs"):
            for n in sizes:
                size = oracle_size(n, activation, depth)
                if size > 10_000_000:
                    print(f"{activation:>5} {depth:>2} {n:>3} {size:>11,} {'(over the 10M-candidate budget of this benchmark)':>9}")
                    continue
                X, lam = _data(n, seed=n * 10 + depth)
                result, seconds = _timed(unit_oracle, X, lam, activation, depth)
                cdd_value, cdd_seconds = (None, float("nan"))
                if n <= 10 and not quick:
                    cdd_value, cdd_seconds = _cdd_sup(X, lam, activation, depth, CDD_BUDGET)
                grid_text, ratio = "-", "-"
                if n <= 20:
                    from mirrorlib.data import as_dataset

                    order = as_dataset(X).order
                    grid, grid_seconds = _timed(numeric_sup, X, activation, depth, [lam[i] for i in order], grid=41 if depth > 3 else None)
                    grid_text, ratio = f"{grid_seconds:8.2f}", f"{grid.value / float(result.value):.6f}"
                agree = "-" if cdd_value is None else str(cdd_value == result.value)
                cdd_text = f">{CDD_BUDGET:.0f}" if cdd_value is None and n <= 10 and not quick else f"{cdd_seconds:9.2f}"
                print(f"{activation:>5} {depth:>2} {n:>3} {size:>11,} {seconds:9.3f} {cdd_text:>9} {grid_text:>8} {agree:>12} {ratio:>11}")


def float_data_table(quick: bool) -> None:
    import mirrorlib.groundtruth.oracle as oracle

    print("\n## one oracle call on float data: float64 shortlist vs Python integers for every candidate")
    print(f"{'σ':>5} {'L':>2} {'N':>3} {'candidates':>11} {'shortlist':>9} {'shortlist s':>11} {'every s':>8} {'speed-up':>8} {'equal':>6}")
    cases = [("relu", 4, 20), ("abs", 3, 40)] if quick else [("relu", 4, 40), ("relu", 4, 80), ("abs", 3, 80), ("abs", 4, 20), ("relu", 5, 20)]
    for activation, depth, n in cases:
        rng = np.random.default_rng(n * 10 + depth)
        X = [Fraction(float(v)) for v in rng.uniform(-1, 1, n)]
        lam = [Fraction(float(v)) for v in rng.standard_normal(n)]
        lam = [v - sum(lam) / n for v in lam]
        real, sizes = oracle._float_shortlist, []
        oracle._float_shortlist = lambda *args: sizes.append(real(*args)) or sizes[-1]  # type: ignore[assignment]
        try:
            fast, fast_seconds = _timed(oracle.unit_oracle, X, lam, activation, depth)
            oracle._float_shortlist = lambda *args: None  # type: ignore[assignment]
            every, every_seconds = _timed(oracle.unit_oracle, X, lam, activation, depth)
        finally:
            oracle._float_shortlist = real  # type: ignore[assignment]
        kept = sum(rows.shape[0] for rows in sizes[0][0])  # (shortlist per map, leaders)
        print(
            f"{activation:>5} {depth:>2} {n:>3} {fast.n_candidates:>11,} {kept:>9,} {fast_seconds:11.3f} {every_seconds:8.3f} "
            f"{every_seconds / fast_seconds:7.1f}× {str(fast.value == every.value and fast.vector == every.vector):>6}"
        )


def ground_truth_table(quick: bool) -> None:
    from mirrorlib.groundtruth import ground_truth_library

    print("\n## ground-truth library (every cell vertex), oracle vertices vs cdd")
    print(f"{'σ':>5} {'L':>2} {'N':>3} {'vectors':>8} {'oracle s':>9} {'cdd s':>9}")
    for activation, depth, n in (("relu", 4, 6), ("abs", 4, 6), ("relu", 4, 12), ("abs", 4, 12)):
        X, _ = _data(n, seed=n)
        lib, seconds = _timed(ground_truth_library, X, activation, depth)
        cdd_text = "-"
        if n <= 6 and not quick:
            _, cdd_seconds = _timed(ground_truth_library, X, activation, depth, method="cdd")
            cdd_text = f"{cdd_seconds:9.2f}"
        print(f"{activation:>5} {depth:>2} {n:>3} {len(lib):>8} {seconds:9.3f} {cdd_text:>9}")


class _RoundCounter(logging.Handler):
    """Counts column generation rounds from the fit's progress records."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.rounds += record.getMessage().startswith("column generation round")


def _certified_fit(activation, depth, beta, exact, X, y, runners_up):  # type: ignore[no-untyped-def]
    """``(model, seconds, rounds)`` of the default certified fit, adding up to ``runners_up``
    further units per round (``RUNNERS_UP`` is the default; 0: one unit per round)."""
    from functools import partial

    from mirrorlib import ConvexNet, column_generation
    from mirrorlib.progress import LOGGER

    importlib.import_module("mirrorlib.libraries.library")._UNIT_VALUES.clear()  # no fit reuses another's unit columns
    counter, level = _RoundCounter(), LOGGER.level
    LOGGER.addHandler(counter)
    LOGGER.setLevel(logging.INFO)
    original = column_generation.network_oracle  # ConvexNet.fit imports it from the module when called
    column_generation.network_oracle = partial(original, runners_up=runners_up)
    try:
        model, seconds = _timed(ConvexNet(activation, depth, beta, exact=exact).fit, X, y)
    finally:
        column_generation.network_oracle = original
        LOGGER.removeHandler(counter)
        LOGGER.setLevel(level)
    return model, seconds, counter.rounds


def fit_table(quick: bool) -> None:
    from mirrorlib import ConvexNet
    from mirrorlib.column_generation import RUNNERS_UP

    print("\n## certified fit (column generation, default) vs one unit per round vs closed-form library then solve")
    print(
        f"{'σ':>5} {'L':>2} {'N':>4} {'mode':>6} {'closed s':>9} {'certified s':>11} {'rounds':>6} {'added':>5} "
        f"{'1/round s':>9} {'rounds':>6} {'added':>5} {'speed-up':>8} {'closed obj':>14} {'certified obj':>14} {'same obj':>8} {'closed net optimal':>18}"
    )
    cases = [("relu", 3, 20), ("abs", 3, 20)] if quick else [
        ("relu", 3, 20), ("relu", 3, 50), ("relu", 3, 100), ("abs", 3, 20), ("abs", 3, 50), ("abs", 3, 100), ("abs", 4, 20), ("abs", 4, 50),
    ]
    for activation, depth, n in cases:
        rng = np.random.default_rng(n + depth)
        X = sorted(float(v) for v in rng.choice(np.arange(0, 4 * n), n, replace=False) / 4)
        y = list(np.round(np.sin(np.array(X) / 3) + 0.3 * rng.standard_normal(n), 2))
        for exact in (True, False) if n <= 50 and depth == 3 else (False,):
            beta = "1/100" if exact else 0.01
            closed, closed_seconds = _timed(ConvexNet(activation, depth, beta, exact=exact, library="closed-form").fit, X, y)
            certified, seconds, rounds = _certified_fit(activation, depth, beta, exact, X, y, RUNNERS_UP)
            single, single_seconds, single_rounds = _certified_fit(activation, depth, beta, exact, X, y, 0)
            same = certified.objective_ == single.objective_ if exact else abs(certified.objective_ - single.objective_) <= 1e-8 * single.objective_
            print(
                f"{activation:>5} {depth:>2} {n:>4} {'exact' if exact else 'float':>6} {closed_seconds:9.2f} {seconds:11.2f} {rounds:>6} "
                f"{len(certified.added_features_):>5} {single_seconds:9.2f} {single_rounds:>6} {len(single.added_features_):>5} "
                f"{single_seconds / seconds:>7.1f}× {float(closed.objective_):14.8g} {float(certified.objective_):14.8g} {str(same):>8} "
                f"{str(closed.certificate_.training_optimal):>18}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    quick = parser.parse_args().quick
    print(f"# bench_oracle — {date.today()} — {platform.processor() or platform.machine()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}")
    oracle_table(quick)
    ground_truth_table(quick)
    fit_table(quick)
    float_data_table(quick)


if __name__ == "__main__":
    main()
