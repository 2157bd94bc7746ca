"""Benchmark: exact libraries and the exact β → 0⁺ path, each against its anchor in the same run.

Run ``python benchmarks/bench_exact.py`` (``--quick`` for small sizes; ``--baseline REV`` also
times the exact path at an older git revision, checked out in a temporary worktree, so the
path's before/after comes from one run). Sections:

1. **Distinct by construction**: ``library(...).distinct()`` (layer by layer, never the naive
   library) against its two anchors: writing the distinct float64 matrix once (allocate and fill
   M × N; target: build ≤ 3× this), timed in the same process alternately with the build, and
   the previous build (every naive column in integers, then first occurrences kept) in a process
   of its own. The first build of a process is reported apart ("cold"): the first large
   allocation of a fresh process can cost several times the later ones (page faults and huge
   pages), whichever code makes it. Reports the most rows of N entries (of the rows' integer type: int32 for these data) the
   construction held at once (as its memory check counts them: parents, sorted copies, candidates, new rows; the
   naive build: its whole library) and the peak memory of the first run. Target: ReLU depth 4 (all reflections), N = 30, under
   1 s and 200 MB.
2. **Exact columns**: integers on a common denominator (the library's build) against the same
   recursion on ``Fraction`` object arrays (the previous build); target ≥ 10×.
3. **Deduplication on rational data**: integer row keys (``distinct()``, exact) against bitwise
   ``np.unique(float matrix, axis=0)`` (the previous ``distinct(exact=False)``): columns kept
   and seconds; the float one keeps equal columns that round differently.
4. **Exact β → 0⁺ path**, ReLU depth 3 (distinct paper library, integer data, integer labels),
   N = 20, 30, 40, 60; target: N = 40 under 3 s.
5. **Matrix-free ``Aᵀr``** (:class:`mirrorlib.libraries.operator.LibraryOperator`) against building
   the dense float matrix and multiplying, where it fits in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np

PATH_SCRIPT = """
import json, sys, time
import numpy as np
from fractions import Fraction
from mirrorlib import library
from mirrorlib.lasso import solve_lasso_exact
results = []
for n in json.loads(sys.argv[1]):
    rng = np.random.default_rng(n)
    X = sorted(set(int(v) for v in rng.choice(np.arange(-3 * n, 3 * n), n, replace=False)))
    y = [Fraction(int(v)) for v in rng.integers(-5, 6, len(X))]
    A = library(X, "relu", 3).distinct().matrix(exact=True)
    start = time.perf_counter()
    solution = solve_lasso_exact(A, y, None)
    results.append({"n": len(X), "columns": A.shape[1], "seconds": time.perf_counter() - start,
                    "knots": len(solution.path), "support": len(solution.support), "objective": str(solution.objective)})
print(json.dumps(results))
"""


def rational_data(n: int, seed: int) -> list[Fraction]:
    """``n`` distinct rationals p/q, |p| ≤ 60, q ≤ 11 (equal columns then round differently as floats)."""
    rng = np.random.default_rng(seed)
    values: set[Fraction] = set()
    while len(values) < n:
        values.add(Fraction(int(rng.integers(-60, 61)), int(rng.integers(1, 12))))
    return sorted(values)


def timed(function):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


DISTINCT_SCRIPT = """
import json, resource, statistics, sys, time
import numpy as np
case, mode = json.loads(sys.argv[1]), sys.argv[2]
from mirrorlib import library
from mirrorlib.libraries import closed_form
from mirrorlib.libraries.distinct_columns import first_distinct_rows
rng = np.random.default_rng(case["n"])
X = [int(v) for v in rng.choice(10**4, case["n"], replace=False)]

def fresh():
    lib = library(X, case["activation"], case["depth"], **case["options"])
    lib.recipe.integer_scale()
    return lib

def build():
    lib = fresh()
    start = time.perf_counter()
    distinct = lib.distinct()
    return time.perf_counter() - start, distinct.n_features

def naive():
    lib = fresh()
    start = time.perf_counter()
    kept = first_distinct_rows(lib.recipe.integer_columns().values, classes=lib.penalised.astype(np.int64))
    return time.perf_counter() - start, len(kept)

def write(rows):
    start = time.perf_counter()
    matrix = np.empty((rows, case["n"]))
    matrix.fill(0.5)
    return time.perf_counter() - start

layers = []
original = closed_form._check_memory
def counting(rows, *args, **kwargs):
    layers.append(rows)
    return original(rows, *args, **kwargs)
closed_form._check_memory = counting
start_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
first, distinct = build() if mode == "build" else naive()
result = {"cold": first, "distinct": distinct, "naive": fresh().n_naive, "held_rows": max(layers, default=0),
          "peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_kb) / 1024}
if mode == "build":  # alternate with the write, after one of each, so both meet the allocator in the same state
    write(distinct)
    rounds = [(build()[0], write(distinct)) for _ in range(3)]
    result.update(seconds=statistics.median(b for b, _ in rounds), write=statistics.median(w for _, w in rounds))
else:
    result["seconds"] = statistics.median(naive()[0] for _ in range(3))
print(json.dumps(result))
"""

DISTINCT_CASES = [
    ("relu", 2, 2000, {}), ("relu", 2, 10000, {}), ("relu", 3, 200, {}), ("relu", 3, 500, {}),
    ("relu", 4, 20, {"variant": "all-reflections"}), ("relu", 4, 30, {"variant": "all-reflections"}),
    ("relu", 4, 30, {}), ("relu", 4, 50, {}), ("relu", 4, 150, {}), ("relu", 4, 100, {"variant": "all-reflections"}),
    ("relu", 5, 60, {}), ("abs", 4, 40, {}), ("abs", 5, 20, {}), ("abs", 4, 100, {}), ("abs", 5, 40, {}),
]


def _distinct_run(case: dict, mode: str) -> dict | None:
    """One fresh process: the first run (cold, with its peak memory), then the median of three more."""
    output = subprocess.run([sys.executable, "-c", DISTINCT_SCRIPT, json.dumps(case), mode], capture_output=True, text=True)
    if output.returncode != 0:
        return None  # e.g. the memory limit refused the build
    return json.loads(output.stdout)


def distinct_by_construction(cases: list[tuple[str, int, int, dict]]) -> None:
    print("\n## 1. distinct by construction vs writing the distinct float matrix once vs the naive build")
    print("(each in a fresh process: the first run, cold; then the median of 3 runs, the build alternating with the write)")
    print(f"{'σ':>4} {'L':>2} {'N':>6} {'variant':>15} {'naive':>11} {'held rows':>14} {'distinct':>9} {'cold s':>7} {'build s':>8} "
          f"{'MB':>6} {'write s':>8} {'ratio':>6} {'naive build s':>14} {'MB':>6}")
    for activation, depth, n, options in cases:
        case = {"activation": activation, "depth": depth, "n": n, "options": options}
        built = _distinct_run(case, "build")
        if built is None:
            print(f"{activation:>4} {depth:>2} {n:>6} {options.get('variant', 'paper'):>15}  refused")
            continue
        naive = _distinct_run(case, "naive")
        naive_text = f"{naive['seconds']:>14.3f} {naive['peak_mb']:>6.0f}" if naive else f"{'refused':>14} {'':>6}"
        print(f"{activation:>4} {depth:>2} {n:>6} {options.get('variant', 'paper'):>15} {built['naive']:>11,} {built['held_rows']:>14,} "
              f"{built['distinct']:>9,} {built['cold']:>7.3f} {built['seconds']:>8.3f} {built['peak_mb']:>6.0f} {built['write']:>8.4f} "
              f"{built['seconds'] / built['write']:>5.1f}× {naive_text}")


def exact_builds(cases: list[tuple[int, int]]) -> None:
    from mirrorlib import library
    from mirrorlib.libraries.narrow_columns import narrow_columns

    print("\n## 2. exact columns: integers on a common denominator vs Fraction object arrays")
    print(f"{'L':>2} {'N':>4} {'columns':>9} {'Fraction s':>11} {'integer s':>10} {'+ Fractions s':>14} {'speed-up':>9}")
    for depth, n in cases:
        lib = library(rational_data(n, seed=depth * 100 + n), "relu", depth)
        recipe = lib.recipe
        x = np.array(list(recipe.dataset.x), dtype=object)

        def fraction_build() -> np.ndarray:
            blocks = [
                narrow_columns(x, np.array(firsts, dtype=object), recipe.plan.signs_per_layer, recipe.activation.slopes,
                               None if tied is None else np.array(tied))
                for firsts, tied in recipe._blocks()
            ]
            return np.vstack(blocks)

        old, old_seconds = timed(fraction_build)
        integers, int_seconds = timed(recipe.integer_columns)
        fractions, convert_seconds = timed(integers.fractions)
        assert np.array_equal(fractions[:-1], old), "integer build differs from the Fraction build"
        total = int_seconds + convert_seconds
        print(f"{depth:>2} {n:>4} {lib.n_features:>9,} {old_seconds:>11.3f} {int_seconds:>10.3f} {total:>14.3f} {old_seconds / total:>8.0f}×")


def deduplication(cases: list[tuple[int, int]]) -> None:
    from mirrorlib import library

    print("\n## 3. deduplication on rational data: integer keys (exact) vs np.unique(float matrix, axis=0)")
    print(f"{'L':>2} {'N':>4} {'columns':>9} {'float kept':>11} {'float s':>8} {'exact kept':>11} {'exact s':>8}")
    for depth, n in cases:
        lib = library(rational_data(n, seed=depth * 1000 + n), "relu", depth)
        floats = lib.matrix(order="sorted").T
        (_, float_first), float_seconds = timed(lambda: np.unique(floats, axis=0, return_index=True))
        lib = library(rational_data(n, seed=depth * 1000 + n), "relu", depth)  # fresh: time the integer build too
        distinct, exact_seconds = timed(lambda: lib.distinct(exact=False))
        print(f"{depth:>2} {n:>4} {lib.n_features:>9,} {len(float_first):>11,} {float_seconds:>8.3f} {distinct.n_features:>11,} {exact_seconds:>8.3f}")


def exact_paths(sizes: list[int], baseline: str | None) -> None:
    print("\n## 4. exact β → 0⁺ path, ReLU depth 3 (target: N = 40 under 3 s)")
    runs = {"now": _run_paths(sizes, Path(__file__).resolve().parents[1])}
    if baseline is not None:
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / "baseline"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), baseline], check=True)
            try:
                runs[baseline] = _run_paths(sizes, tree)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], check=True)
    header = f"{'N':>4} {'columns':>8} {'knots':>6} {'support':>8}" + "".join(f" {name[:12] + ' s':>14}" for name in runs)
    print(header + ("  speed-up" if len(runs) == 2 else ""))
    for index, row in enumerate(runs["now"]):
        times = [run[index]["seconds"] for run in runs.values()]
        same = all(run[index]["objective"] == row["objective"] and run[index]["knots"] == row["knots"] for run in runs.values())
        line = f"{row['n']:>4} {row['columns']:>8,} {row['knots']:>6} {row['support']:>8}" + "".join(f" {t:>14.2f}" for t in times)
        if len(times) == 2:
            line += f"  {times[1] / times[0]:>6.1f}×" + ("" if same else "  (DIFFERENT PATH)")
        print(line)


def matrix_free(cases: list[tuple[int, int]]) -> None:
    from mirrorlib import library
    from mirrorlib.libraries.operator import LibraryOperator

    print("\n## 5. matrix-free Aᵀr (prefix sums over hidden vectors) vs the dense float matrix")
    print(f"{'L':>2} {'N':>7} {'columns':>11} {'operator s':>11} {'dense build s':>14} {'dense Aᵀr s':>12} {'dense GB':>9}")
    rng = np.random.default_rng(0)
    for depth, n in cases:
        lib = library(rng.uniform(0, 1, n), "relu", depth)
        operator, r = LibraryOperator(lib), rng.standard_normal(n)
        operator.rmatvec(r)  # hidden vectors are built once per operator
        correlations, seconds = timed(lambda: operator.rmatvec(r))
        gigabytes = lib.n_features * n * 8 / 2**30
        if gigabytes < 1:
            dense, build = timed(lib.matrix)
            product, multiply = timed(lambda: dense.T @ r)
            assert np.allclose(product, correlations)
            print(f"{depth:>2} {n:>7} {lib.n_features:>11,} {seconds:>11.3f} {build:>14.2f} {multiply:>12.3f} {gigabytes:>9.2f}")
        else:
            print(f"{depth:>2} {n:>7} {lib.n_features:>11,} {seconds:>11.3f} {'(not built)':>14} {'':>12} {gigabytes:>9.1f}")


def _run_paths(sizes: list[int], source: Path) -> list[dict]:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    output = subprocess.run(
        [sys.executable, "-c", PATH_SCRIPT, json.dumps(sizes)], capture_output=True, text=True, env=environment, check=True, cwd=source
    )
    return json.loads(output.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--baseline", metavar="REV", help="also time the exact path at this git revision (e.g. c8e0d4e)")
    args = parser.parse_args()
    print(f"# bench_exact — {date.today()} — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if args.quick:
        distinct_by_construction(DISTINCT_CASES[:3] + DISTINCT_CASES[4:5])
        exact_builds([(3, 30), (4, 8)])
        deduplication([(3, 30), (4, 8)])
        exact_paths([20, 30], args.baseline)
        matrix_free([(2, 4000), (3, 200)])
        return
    distinct_by_construction(DISTINCT_CASES)
    exact_builds([(3, 50), (3, 100), (4, 10), (4, 20)])
    deduplication([(3, 50), (3, 200), (4, 10), (4, 30)])
    exact_paths([20, 30, 40, 60], args.baseline)
    matrix_free([(2, 4000), (2, 100_000), (3, 200), (3, 1000), (4, 60)])


if __name__ == "__main__":
    main()
