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
6. **Exact fits at β > 0**: ``fit_lasso(..., exact=True)`` (the exact optimum from the float
   solution's support and signs, :mod:`mirrorlib.lasso.guided`, on the library's integer
   columns) against the exact homotopy over the same columns from their Fraction matrix (the
   previous ``fit_lasso``), in the same process, and with ``--baseline REV`` the whole exact fit
   at that revision. Same exact objective required.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
from _revisions import checked_out

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


FIT_SCRIPT = """
import json, sys, time
import numpy as np
from fractions import Fraction
from mirrorlib import library
from mirrorlib.lasso.fit import fit_lasso
from mirrorlib.lasso import solve_lasso_exact
from mirrorlib.lasso.certificate import certify_lasso
results = []
for activation, depth, n, anchor in json.loads(sys.argv[1]):
    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(-1, 1, n)).round(3)
    X = [Fraction(str(v)) for v in x]
    y = [Fraction(str(v)) for v in (np.sin(3 * x) + 0.1 * rng.standard_normal(n)).round(3)]
    beta = Fraction(1, 20)
    lib = library(X, activation, depth).distinct()
    if not anchor and sys.argv[2] == "plain":  # the previous fit at this size: refused or too slow to wait for
        results.append({"seconds": None})
        continue
    start = time.perf_counter()
    fit = fit_lasso(lib, y, beta, exact=True)
    row = {"activation": activation, "depth": depth, "n": n, "columns": lib.n_features, "seconds": time.perf_counter() - start,
           "support": sum(1 for v in fit.z if v), "objective": str(fit.objective), "certified": fit.is_certified}
    if anchor and sys.argv[2] == "anchor":
        start = time.perf_counter()
        A = lib.matrix(exact=True)
        solution = solve_lasso_exact(A, y, beta)
        certified = certify_lasso(A, y, solution.z, solution.xi, beta).is_optimal
        row.update(homotopy_seconds=time.perf_counter() - start, knots=len(solution.path),
                   homotopy_objective=str(solution.objective), homotopy_certified=certified)
    results.append(row)
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
    runs = _now_and_baseline(PATH_SCRIPT, [json.dumps(sizes)], baseline)
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


def exact_fits(cases: list[tuple[str, int, int, bool]], baseline: str | None) -> None:
    print("\n## 6. exact fits at β = 1/20: from the float guess vs the exact homotopy over the same columns")
    print("(fit_lasso(exact=True) now; the homotopy from the Fraction matrix, with its certificate, in the same process;")
    print(" 'baseline' is the whole exact fit_lasso at the baseline revision; '-': not run, see README)")
    runs = _now_and_baseline(FIT_SCRIPT, [json.dumps(cases)], baseline, extra_now=["anchor"], extra_baseline=["plain"])
    print(f"{'σ':>4} {'L':>2} {'N':>4} {'columns':>8} {'support':>8} {'now s':>8} {'homotopy s':>11} {'knots':>6} {'speed-up':>9}"
          + (f" {'baseline s':>11} {'speed-up':>9}" if len(runs) == 2 else "") + "  same objective")
    for index, row in enumerate(runs["now"]):
        objectives = {row["objective"]} | ({row["homotopy_objective"]} if "knots" in row else set())
        objectives |= {run[index]["objective"] for run in runs.values() if run[index]["seconds"] is not None}
        certified = row["certified"] and row.get("homotopy_certified", True)
        anchor = (f" {row['homotopy_seconds']:>11.2f} {row['knots']:>6} {row['homotopy_seconds'] / row['seconds']:>8.1f}×" if "knots" in row
                  else f" {'-':>11} {'-':>6} {'-':>9}")
        line = f"{row['activation']:>4} {row['depth']:>2} {row['n']:>4} {row['columns']:>8,} {row['support']:>8} {row['seconds']:>8.2f}" + anchor
        if len(runs) == 2:
            other = list(runs.values())[1][index]["seconds"]
            line += f" {other:>11.2f} {other / row['seconds']:>8.1f}×" if other is not None else f" {'-':>11} {'-':>9}"
        print(line + f"  {len(objectives) == 1 and certified}")


def _now_and_baseline(
    script: str, arguments: list[str], baseline: str | None, extra_now: Sequence[str] = (), extra_baseline: Sequence[str] = ()
) -> dict[str, list[dict]]:
    """``{"now": …, baseline: …}``: ``script`` run on this checkout and, with ``baseline``, on that
    revision checked out in a temporary git worktree."""
    runs = {"now": _run_script(script, [*arguments, *extra_now], Path(__file__).resolve().parents[1])}
    if baseline is not None:
        with checked_out(baseline) as tree:
            runs[baseline] = _run_script(script, [*arguments, *extra_baseline], tree)
    return runs


def _run_script(script: str, arguments: list[str], source: Path) -> list[dict]:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    output = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, env=environment, check=True, cwd=source)
    return json.loads(output.stdout)


def _section_numbers(text: str) -> set[int]:
    """``"1,6"`` → ``{1, 6}``; anything else is refused by argparse with one line."""
    try:
        numbers = {int(part) for part in text.split(",")}
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected section numbers 1-6 separated by commas, got {text!r}") from None
    if not numbers <= set(range(1, 7)):
        raise argparse.ArgumentTypeError(f"sections are numbered 1-6, got {text!r}")
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--sections", type=_section_numbers, default="1,2,3,4,5,6", help="comma-separated section numbers 1-6 to run (default: all)")
    parser.add_argument("--baseline", metavar="REV", help="also time the exact path and exact fits at this git revision (e.g. c8e0d4e)")
    args = parser.parse_args()
    print(f"# bench_exact — {date.today()} — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    chosen = args.sections
    quick = args.quick
    sections = {
        1: lambda: distinct_by_construction(DISTINCT_CASES[:3] + DISTINCT_CASES[4:5] if quick else DISTINCT_CASES),
        2: lambda: exact_builds([(3, 30), (4, 8)] if quick else [(3, 50), (3, 100), (4, 10), (4, 20)]),
        3: lambda: deduplication([(3, 30), (4, 8)] if quick else [(3, 50), (3, 200), (4, 10), (4, 30)]),
        4: lambda: exact_paths([20, 30] if quick else [20, 30, 40, 60], args.baseline),
        5: lambda: matrix_free([(2, 4000), (3, 200)] if quick else [(2, 4000), (2, 100_000), (3, 200), (3, 1000), (4, 60)]),
        6: lambda: exact_fits(
            [("relu", 3, 30, True), ("abs", 3, 30, True)] if quick
            else [("relu", 3, 50, True), ("relu", 3, 100, True), ("relu", 3, 150, True), ("relu", 3, 300, False),
                  ("abs", 3, 50, True), ("abs", 3, 100, True), ("relu", 4, 60, True)],
            args.baseline,
        ),
    }
    for number in sorted(chosen):
        sections[number]()


if __name__ == "__main__":
    main()
