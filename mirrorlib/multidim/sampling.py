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

from mirrorlib.multidim.patterns import ActivationPatterns, _rational_rows, patterns_of

__all__ = ["sampled_patterns"]


def sampled_patterns(X: Any, count: int, *, seed: int = 0) -> ActivationPatterns:
    """The distinct patterns of ``count`` Gaussian neurons ``θ = (w, b)`` on ``X``, evaluated
    exactly (each sampled float is read as the rational it stores), all-on and all-off included.

    Parameters
    ----------
    X : array-like (N, d)
    count : int
        Neurons to sample (1 ≤ count ≤ 10,000,000).
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
    if not 1 <= count <= 10_000_000:
        raise ValueError(f"count must be between 1 and 10,000,000, got {count}")
    points = _rational_rows(X)
    d = len(points[0])
    thetas = np.random.default_rng(seed).standard_normal((count, d + 1))
    masks = patterns_of(points, thetas)
    _, first = np.unique(np.packbits(masks, axis=1), axis=0, return_index=True)
    chosen = {tuple(bool(v) for v in masks[i]): [Fraction(float(v)) for v in thetas[i]] for i in first}
    n = len(points)
    chosen.setdefault((False,) * n, [Fraction(0)] * d + [Fraction(-1)])
    chosen.setdefault((True,) * n, [Fraction(0)] * d + [Fraction(1)])
    keys = sorted(chosen)
    return ActivationPatterns(
        points, tuple(keys), tuple(tuple(chosen[k][:d]) for k in keys), tuple(chosen[k][d] for k in keys), None, sampled=True
    )
