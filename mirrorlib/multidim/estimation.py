"""What :class:`~mirrorlib.estimator.ConvexNet` does with X of several features: choose the
activation patterns, fit the group Lasso over them, and state what the certificate covers.

A two-layer ReLU network on ``X ∈ ℝ^{N×d}`` is fitted through the group Lasso of
:mod:`mirrorlib.multidim.group_lasso`, over one of three pattern sources:

* ``"exact"``: every pattern (:func:`~mirrorlib.multidim.patterns.activation_patterns`); the
  certificate covers every network of the architecture, of any width;
* ``"search"``: no list; each working-set round asks the branch and bound of
  :mod:`mirrorlib.multidim.neuron_search` for the dual constraint over every neuron and its
  violators, so the certificate again covers every network (low ``d``; the search's cost grows
  exponentially with ``d``);
* ``"sampled"``: the patterns of random neurons
  (:func:`~mirrorlib.multidim.sampling.sampled_patterns`); the fit is optimal over the sample,
  and the network verdict bounds what the sample misses — ``J − J*`` over every network — by the
  same search (tight in low ``d``; valid but loose above ``d =`` :data:`SEARCH_MAX_DIMENSION`).

Examples
--------
>>> X = [[0, 0], [1, 0], [0, 1], [1, 1]]
>>> choose_patterns(X, "auto", 100, 0).scope
'all 14 activation patterns (exact enumeration)'
>>> choose_patterns(X, "sampled", 100, 0).sampled
True
>>> choose_patterns([[i, i * i % 7] for i in range(200)], "auto", 100, 0) is None  # search
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mirrorlib.multidim.group_lasso import GroupLassoFit
from mirrorlib.multidim.patterns import DEFAULT_MAX_PATTERN_CANDIDATES, ActivationPatterns, activation_patterns, pattern_candidates
from mirrorlib.multidim.sampling import sampled_patterns
from mirrorlib.optimality import TrainingCertificate

__all__ = ["AUTO_EXACT_CANDIDATES", "AUTO_SEARCH_MAX_DIMENSION", "HIGH_DIMENSION_BOXES", "PATTERN_MODES", "SEARCH_MAX_DIMENSION", "choose_patterns", "network_certificate"]

PATTERN_MODES = ("auto", "exact", "search", "sampled")

AUTO_EXACT_CANDIDATES = 50_000
"""``patterns="auto"`` enumerates exactly up to this many candidate cells
(:func:`~mirrorlib.multidim.patterns.pattern_candidates`: d = 2 up to N ≈ 110, d = 3 up to
N ≈ 35), and above it searches (``d ≤`` :data:`AUTO_SEARCH_MAX_DIMENSION`) or samples."""

AUTO_SEARCH_MAX_DIMENSION = 2
"""Largest ``d`` for which ``"auto"`` fits by the neuron search above the exact limit. (At d = 3
a search-driven fit is certified but slow: 161 s at N = 200 on 2 cores, most of it in Clarabel
over a working set of ~400 patterns; ``"search"`` asks for it explicitly.)"""

SEARCH_MAX_DIMENSION = 3
"""Largest ``d`` for which a sampled fit's network verdict gives the neuron search its full budget
(one search, not a fit). Above it the search gets :data:`HIGH_DIMENSION_BOXES`: its bound on what
the sample misses stays valid but is rarely tight (the search's cost grows exponentially with d)."""

HIGH_DIMENSION_BOXES = 50_000
"""The neuron search's budget for a sampled fit's verdict when ``d >`` :data:`SEARCH_MAX_DIMENSION`."""


def choose_patterns(X: Any, mode: str, n_sampled_neurons: int, seed: int) -> ActivationPatterns:
    """The patterns a fit runs over: all of them (``"exact"``), those of ``n_sampled_neurons``
    Gaussian neurons (``"sampled"``), none for the neuron search (``"search"``), or exact up to
    :data:`AUTO_EXACT_CANDIDATES` candidate cells, above it the search for
    ``d ≤`` :data:`AUTO_SEARCH_MAX_DIMENSION` and a sample otherwise (``"auto"``).

    Parameters
    ----------
    X : array-like (N, d)
    mode : ``"auto"``, ``"exact"``, ``"search"`` or ``"sampled"``
    n_sampled_neurons : int
        Neurons drawn when sampling.
    seed : int
        Seed of the sample.

    Returns
    -------
    ActivationPatterns or None
        ``None``: fit by the neuron search.

    Examples
    --------
    >>> X = [[i, i * i % 7] for i in range(60)]
    >>> choose_patterns(X, "auto", 500, 0).sampled  # 2^3·binom(60, 2) + 2 = 14,162 candidates
    False
    >>> len(choose_patterns([[i, i % 5, i % 3, i % 2] for i in range(60)], "auto", 500, 0)) <= 500 + 2
    True
    """
    if mode not in PATTERN_MODES:
        raise ValueError(f"patterns must be one of {PATTERN_MODES}, got {mode!r}")
    n, d = len(X), len(X[0])
    large = pattern_candidates(n, d) > AUTO_EXACT_CANDIDATES
    if mode == "search" or (mode == "auto" and large and d <= AUTO_SEARCH_MAX_DIMENSION):
        return None
    if mode == "sampled" or (mode == "auto" and large):
        return sampled_patterns(X, n_sampled_neurons, seed=seed)
    if pattern_candidates(n, d) > DEFAULT_MAX_PATTERN_CANDIDATES:
        raise ValueError(
            f"patterns='exact': {n} points in d = {d} have {pattern_candidates(n, d):,} candidate cells to enumerate "
            f"(limit {DEFAULT_MAX_PATTERN_CANDIDATES:,}); use patterns='{'search' if d <= SEARCH_MAX_DIMENSION else 'sampled'}' (or 'auto'), or fewer points"
        )
    return activation_patterns(X)


def network_certificate(fit: GroupLassoFit, patterns: ActivationPatterns | None) -> TrainingCertificate:
    """The network verdict of a group-Lasso fit. Over the exact pattern list, or when the fit's own
    certificate came from the neuron search (``patterns=None``), the duality gap bounds the distance
    to the best two-layer ReLU network of any width. Over a sample the neuron search bounds what
    the sample misses (with a smaller budget above ``d =`` :data:`SEARCH_MAX_DIMENSION`): optimal
    when that gap is within tolerance, not optimal when the search found a neuron that beats β,
    and not decided (with the bound, valid but loose, in the reason) otherwise.

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> X = [[0, 0], [1, 0], [0, 1], [1, 1]]
    >>> fit = fit_group_lasso(X, [0.0, 1.0, 1.0, 0.0], 0.1)
    >>> network_certificate(fit, activation_patterns(X)).training_optimal
    True
    >>> sample = sampled_patterns(X, 2, seed=3)
    >>> sampled = fit_group_lasso(X, [0.0, 1.0, 1.0, 0.0], 0.1, patterns=sample)
    >>> network_certificate(sampled, sample).training_optimal  # two neurons miss the best ones
    False
    """
    certificate = fit.certificate
    if patterns is not None and patterns.sampled:
        return _sample_verdict(fit)
    reason = (
        f"no two-layer ReLU network of any width has a lower training objective: duality gap over "
        f"{certificate.scope} ({certificate.arithmetic}, tol {certificate.tol:g})"
    )
    return _verdict(certificate.is_optimal, certificate.sup, certificate.beta, certificate.duality_gap, certificate.objective, certificate.tol, reason)


def _verdict(optimal: bool | None, sup: float, beta: float, gap: float, objective: float, tol: float, reason: str) -> TrainingCertificate:
    return TrainingCertificate(optimal, Fraction(sup), Fraction(beta), Fraction(gap), Fraction(objective), None, False, tol, reason)


def _sample_verdict(fit: GroupLassoFit) -> TrainingCertificate:
    """What a sampled fit misses, bounded over every neuron by the neuron search."""
    from mirrorlib.multidim.neuron_search import DEFAULT_MAX_BOXES, every_neuron_certificate

    budget = DEFAULT_MAX_BOXES if fit.X.shape[1] <= SEARCH_MAX_DIMENSION else HIGH_DIMENSION_BOXES
    certificate, search = every_neuron_certificate(fit, max_boxes=budget)
    bound = f"J − J* ≤ {certificate.duality_gap:.3g} (relative {certificate.relative_gap:.2g}) over every network: {certificate.scope}"
    if certificate.is_optimal:
        optimal, reason = True, f"the sampled fit is optimal among all two-layer ReLU networks of any width: {bound}"
    elif search.lower > fit.beta * (1 + 1e-9):
        optimal, reason = False, f"a neuron outside the sample beats β (dual value {search.lower:.10g} > {fit.beta:g}), so a better network exists; {bound}"
    else:
        optimal, reason = None, f"the neuron search did not decide within its budget; {bound}"
    return _verdict(optimal, certificate.sup, certificate.beta, certificate.duality_gap, certificate.objective, certificate.tol, reason)
