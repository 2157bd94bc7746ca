"""Benchmark: building closed-form libraries (float and exact) — speed targets live here.

Run: ``python benchmarks/bench_library.py``. Targets (2-core machine): the float64 matrix of a
depth-3 ReLU library on N = 200 points (160 001 columns) in under 5 s; the exact matrix of a
depth-4 ReLU library on N = 6 points (3 457 columns, paper variant) in under 5 s.
"""

from __future__ import annotations

import time

from mirrorlib.libraries import library

CASES = [
    # (activation, depth, N, exact, target seconds)
    ("relu", 2, 2000, False, 1.0),
    ("relu", 3, 200, False, 5.0),
    ("abs", 4, 40, False, 5.0),
    ("relu", 3, 30, True, 5.0),
    ("relu", 4, 6, True, 5.0),
]


def main() -> None:
    print(f"{'activation':>10} {'L':>2} {'N':>5} {'kind':>6} {'columns':>9} {'seconds':>8} {'target':>7}")
    for activation, depth, n, exact, target in CASES:
        start = time.perf_counter()
        lib = library(list(range(n)), activation, depth)
        matrix = lib.matrix(exact=exact)
        seconds = time.perf_counter() - start
        kind = "exact" if exact else "float"
        verdict = "ok" if seconds <= target else "SLOW"
        print(f"{activation:>10} {depth:>2} {n:>5} {kind:>6} {matrix.shape[1]:>9} {seconds:>8.2f} {target:>6.1f}s {verdict}")


if __name__ == "__main__":
    main()
