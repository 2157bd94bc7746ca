"""Sampled activation patterns, for dimensions where the exact enumeration is too large.

The number of patterns grows like ``N^d`` (:func:`~mirrorlib.multidim.patterns.cover_count`), so
for larger ``d`` the convex program is solved over patterns of random neurons
``θ ~ N(0, I_{d+1})`` instead (Pilanci & Ergen 2020, §"sampling"; Mishkin et al. 2022). A fit over a
sample is optimal among networks whose neurons have the sampled patterns; its certificate says so
(``ActivationPatterns.scope``), and when the exact enumeration fits in memory the same point can
be re-certified over every pattern with :func:`~mirrorlib.multidim.group_lasso.fit_group_lasso`'s
certificate to measure what the sample missed.

Examples
--------
>>> sample = sampled_patterns([[0, 0], [1, 0], [0, 1], [2, 3]], 50, seed=0)
>>> sample.sampled, len(sample) <= 14
(True, True)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.progress import LOGGER
from mirrorlib.multidim.patterns import ActivationPatterns, _rational_rows, cover_count, patterns_of

__all__ = ["CHUNK_ENTRIES", "MAX_SAMPLED_NEURONS", "sampled_patterns"]

MAX_SAMPLED_NEURONS = 10_000_000
"""Largest number of neurons :func:`sampled_patterns` draws."""

CHUNK_ENTRIES = 2**24
"""Neurons are evaluated in chunks of ``CHUNK_ENTRIES // N`` (an int64 block of 128 MiB at most)."""


def _check_sample_memory(n: int, d: int, count: int) -> None:
    """Refuse when the distinct patterns kept (at most ``min(count, Cover's number)``, each an
    ``N``-tuple of about ``8N`` bytes) could exceed the memory limit."""
    from mirrorlib.libraries.library import format_bytes, memory_limit

    kept = min(count, cover_count(n, d))
    needed = kept * (8 * n + 200)
    if needed > memory_limit():
        raise ValueError(
            f"{count:,} sampled neurons on {n} points could keep up to {kept:,} distinct patterns, about "
            f"{format_bytes(needed)} (limit {format_bytes(memory_limit())}); sample fewer neurons, "
            "or raise the limit with MIRRORLIB_MAX_BYTES"
        )


def sampled_patterns(X: Any, count: int, *, seed: int = 0) -> ActivationPatterns:
    """The distinct patterns of ``count`` Gaussian neurons ``θ = (w, b)`` on ``X``, evaluated
    exactly (each sampled float is read as the rational it stores), all-on and all-off included.

    Parameters
    ----------
    X : array-like (N, d)
    count : int
        Neurons to sample (1 ≤ count ≤ :data:`MAX_SAMPLED_NEURONS`); refused when the patterns
        they could produce would not fit in memory.
    seed : int

    Returns
    -------
    ActivationPatterns
        ``sampled=True``; ``general_position=None``.

    Examples
    --------
    >>> sample = sampled_patterns([[0, 0], [1, 0], [0, 1]], 100, seed=1)
    >>> len(sample), sample.scope
    (8, '8 sampled activation patterns (a sample, not all patterns)')
    """
    if not 1 <= count <= MAX_SAMPLED_NEURONS:
        raise ValueError(f"count must be between 1 and {MAX_SAMPLED_NEURONS:,}, got {count}")
    points = _rational_rows(X)
    n, d = len(points), len(points[0])
    _check_sample_memory(n, d, count)
    rng = np.random.default_rng(seed)
    chosen: dict[tuple[bool, ...], list[Fraction]] = {}
    chunk = max(1, CHUNK_ENTRIES // n)
    for start in range(0, count, chunk):  # one chunk of neurons at a time: memory chunk × N, not count × N
        thetas = rng.standard_normal((min(chunk, count - start), d + 1))
        masks = patterns_of(points, thetas)
        _, first = np.unique(np.packbits(masks, axis=1), axis=0, return_index=True)
        for i in sorted(first):  # the first neuron of the stream with each pattern is its witness
            chosen.setdefault(tuple(bool(v) for v in masks[i]), [Fraction(float(v)) for v in thetas[i]])
        LOGGER.info("sampled patterns: %d of %d neurons, %d distinct patterns", start + len(thetas), count, len(chosen))
    n = len(points)
    chosen.setdefault((False,) * n, [Fraction(0)] * d + [Fraction(-1)])
    chosen.setdefault((True,) * n, [Fraction(0)] * d + [Fraction(1)])
    keys = sorted(chosen)
    return ActivationPatterns(
        points, tuple(keys), tuple(tuple(chosen[k][:d]) for k in keys), tuple(chosen[k][d] for k in keys), None, sampled=True
    )
