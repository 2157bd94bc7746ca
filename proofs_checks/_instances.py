"""Random exact instances shared by the claim modules (JSON-able: rationals as "p/q")."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.numbers.exact import format_rational, to_rational_vector


def random_rationals(rng: np.random.Generator, count: int, *, numerator: int = 12, denominator: int = 3) -> list[str]:
    """``count`` rationals ``p/q`` with ``|p| ≤ numerator``, ``1 ≤ q ≤ denominator``, as strings."""
    tops = rng.integers(-numerator, numerator + 1, size=count)
    bottoms = rng.integers(1, denominator + 1, size=count)
    return [format_rational(Fraction(int(p), int(q))) for p, q in zip(tops, bottoms)]


def random_distinct_data(rng: np.random.Generator, min_n: int, max_n: int) -> list[str]:
    """Between ``min_n`` and ``max_n`` distinct rationals ``p/q``, ``q ≤ 3``, ``|p| ≤ max(12, 2n)``.

    The pool grows with ``n`` (at least ``4n`` values), so a redraw succeeds with probability
    bounded away from 0 and large ``n`` draws at once; for ``n ≤ 6`` the draws are the ones
    earlier releases made (same seeds, same instances).
    """
    n = int(rng.integers(min_n, max(min_n, max_n) + 1))
    while True:
        data = random_rationals(rng, n, numerator=max(12, 2 * n))
        if len(set(to_rational_vector(data))) == n:
            return data


def random_beta(rng: np.random.Generator) -> str:
    """A positive rational penalty between 1/1000 and 2."""
    return format_rational(Fraction(int(rng.integers(1, 2001)), 1000))


def random_planar_instance(rng: np.random.Generator, max_n: int) -> dict[str, Any]:
    """3 to ``max_n`` points in the plane (coordinates ``p/q``, ``|p| ≤ 20``, ``q ≤ 4``), labels,
    β and a seed for whatever the check draws further (a training start)."""
    n = int(rng.integers(3, max(3, max_n) + 1))
    return {
        "X": [random_rationals(rng, 2, numerator=20, denominator=4) for _ in range(n)],
        "y": random_rationals(rng, n),
        "beta": random_beta(rng),
        "seed": int(rng.integers(0, 2**31)),
    }


def exact(values: list[str]) -> list[Fraction]:
    return list(to_rational_vector(values, name="instance"))


def drop_one_point(instance: dict[str, Any], *, min_n: int, keys: tuple[str, ...] = ("X",)) -> Iterator[dict[str, Any]]:
    """Shrinker: the instance without data point ``i`` (in every per-point list ``keys``)."""
    n = len(instance[keys[0]])
    if n <= min_n:
        return
    for index in range(n):
        smaller = dict(instance)
        for key in keys:
            smaller[key] = instance[key][:index] + instance[key][index + 1 :]
        yield smaller
