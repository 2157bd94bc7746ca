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

    The whole sample is redrawn until its values are distinct, up to :data:`WHOLE_REDRAWS`
    times: the draws earlier releases made (same seeds, same instances). A large sample is
    almost never distinct at once (a value repeats with probability → 1 as ``n`` grows, the
    birthday bound), so after that the last draw keeps its distinct values and is topped up.
    """
    n = int(rng.integers(min_n, max(min_n, max_n) + 1))
    numerator = max(12, 2 * n)
    for _ in range(WHOLE_REDRAWS):
        data = random_rationals(rng, n, numerator=numerator)
        if len(set(to_rational_vector(data))) == n:
            return data
    values = dict.fromkeys(to_rational_vector(data))  # distinct, in draw order
    while len(values) < n:
        values.update(dict.fromkeys(to_rational_vector(random_rationals(rng, n - len(values), numerator=numerator))))
    return [format_rational(value) for value in list(values)[:n]]


WHOLE_REDRAWS = 100
"""Whole-sample redraws before :func:`random_distinct_data` tops up its last draw instead."""


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
