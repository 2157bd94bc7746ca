"""What :class:`~mirrorlib.estimator.ConvexNet` does with X of several features: choose the
activation patterns, fit the group Lasso over them, and state what the certificate covers.

A two-layer ReLU network on ``X ∈ ℝ^{N×d}`` is fitted through the group Lasso of
:mod:`mirrorlib.multidim.group_lasso`. Over the exact pattern list
(:func:`~mirrorlib.multidim.patterns.activation_patterns`) its certificate covers every network
of the architecture, of any width; over sampled patterns
(:func:`~mirrorlib.multidim.sampling.sampled_patterns`) it covers the networks whose neurons
have the sampled patterns, and the network verdict is then *not checked*.

Examples
--------
>>> X = [[0, 0], [1, 0], [0, 1], [1, 1]]
>>> choose_patterns(X, "auto", 100, 0).scope
'all 14 activation patterns (exact enumeration)'
>>> choose_patterns(X, "sampled", 100, 0).sampled
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mirrorlib.multidim.group_lasso import GroupLassoFit
from mirrorlib.multidim.patterns import DEFAULT_MAX_PATTERN_CANDIDATES, ActivationPatterns, activation_patterns, pattern_candidates
from mirrorlib.multidim.sampling import sampled_patterns
from mirrorlib.optimality import TrainingCertificate

__all__ = ["AUTO_EXACT_CANDIDATES", "PATTERN_MODES", "choose_patterns", "network_certificate"]

PATTERN_MODES = ("auto", "exact", "sampled")

AUTO_EXACT_CANDIDATES = 50_000
"""``patterns="auto"`` enumerates exactly up to this many candidate cells
(:func:`~mirrorlib.multidim.patterns.pattern_candidates`: d = 2 up to N ≈ 110, d = 3 up to
N ≈ 35), and samples above it."""


def choose_patterns(X: Any, mode: str, n_sampled_neurons: int, seed: int) -> ActivationPatterns:
    """The patterns a fit runs over: all of them (``"exact"``), those of ``n_sampled_neurons``
    Gaussian neurons (``"sampled"``), or exact up to :data:`AUTO_EXACT_CANDIDATES` candidate cells
    and sampled above (``"auto"``).

    Parameters
    ----------
    X : array-like (N, d)
    mode : ``"auto"``, ``"exact"`` or ``"sampled"``
    n_sampled_neurons : int
        Neurons drawn when sampling.
    seed : int
        Seed of the sample.

    Returns
    -------
    ActivationPatterns

    Examples
    --------
    >>> X = [[i, i * i % 7] for i in range(60)]
    >>> choose_patterns(X, "auto", 500, 0).sampled  # 2^3·binom(60, 2) + 2 = 14,162 candidates
    False
    >>> len(choose_patterns([[i, i % 5, i % 3] for i in range(60)], "auto", 500, 0)) <= 500 + 2
    True
    """
    if mode not in PATTERN_MODES:
        raise ValueError(f"patterns must be one of {PATTERN_MODES}, got {mode!r}")
    n, d = len(X), len(X[0])
    if mode == "sampled" or (mode == "auto" and pattern_candidates(n, d) > AUTO_EXACT_CANDIDATES):
        return sampled_patterns(X, n_sampled_neurons, seed=seed)
    if pattern_candidates(n, d) > DEFAULT_MAX_PATTERN_CANDIDATES:
        raise ValueError(
            f"patterns='exact': {n} points in d = {d} have {pattern_candidates(n, d):,} candidate cells to enumerate "
            f"(limit {DEFAULT_MAX_PATTERN_CANDIDATES:,}); use patterns='sampled' (or 'auto'), or fewer points"
        )
    return activation_patterns(X)


def network_certificate(fit: GroupLassoFit, patterns: ActivationPatterns) -> TrainingCertificate:
    """The network verdict of a group-Lasso fit: over the exact pattern list, the duality gap over
    all patterns bounds the distance to the best two-layer ReLU network of any width; over a
    sample nothing is claimed for networks outside it.

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> X = [[0, 0], [1, 0], [0, 1], [1, 1]]
    >>> fit = fit_group_lasso(X, [0.0, 1.0, 1.0, 0.0], 0.1)
    >>> network_certificate(fit, activation_patterns(X)).training_optimal
    True
    """
    certificate = fit.certificate
    if patterns.sampled:
        reason = (
            f"the group Lasso ran over {len(patterns)} sampled activation patterns, so networks with other "
            "patterns are not covered; patterns='exact' certifies all networks where the enumeration fits"
        )
        return TrainingCertificate(None, None, None, None, None, None, False, certificate.tol, reason)
    reason = (
        f"no two-layer ReLU network of any width has a lower training objective: duality gap over "
        f"{certificate.scope} ({certificate.arithmetic}, tol {certificate.tol:g})"
    )
    return TrainingCertificate(
        certificate.is_optimal,
        Fraction(certificate.sup),
        Fraction(certificate.beta),
        Fraction(certificate.duality_gap),
        Fraction(certificate.objective),
        None,
        False,
        certificate.tol,
        reason,
    )
