"""An exact re-check of a two-layer network's optimality: a rigorous bound on how far its
training objective is from the best network's, in rational arithmetic.

The float certificate of :mod:`mirrorlib.multidim.group_lasso` is computed in float64 with a
stated tolerance. Here every number is a :class:`~fractions.Fraction` (the network's float
weights and the labels are read as the rationals they store, the data as given):

1. the network's training objective ``J = ½‖f(X) − y‖² + (β/2)Σ_j(‖θ_j‖² + α_j²)``, exactly
   (no square root appears);
2. for every pattern ``D`` the correlation ``c_D = X̄ᵀD r_c`` at the centred residual, exactly,
   and an upper bound ``ρ̂_D ≥ ρ_D`` of its dual-constraint value: ``‖c_D‖`` for gated ReLU; for
   ReLU ``‖c_D − G_D μ‖`` with ``G_D μ`` in the polar cone ``K_D°`` (``μ ≥ 0`` from the float
   NNLS, read exactly), which bounds ``‖Π_{K_D}(c_D)‖ = dist(c_D, K_D°)`` from above, and the
   same for ``−c_D`` — squares compared, no root taken;
3. a step ``s`` with ``s ≤ β/ρ̂`` (a rational lower bound of the square root), so ``θ = s·r_c``
   is dual feasible and ``D(θ) = θᵀỹ − ½‖θ‖² ≤ J*`` for every network of the architecture;
4. ``gap = J − D(θ) ≥ J − J*``, exactly.

``gap ≤ tol·J`` certifies the network within ``tol`` of the best one, over the patterns given
(over *all* networks when they are the exact enumeration). Arithmetic: exact rationals; the
only approximation is in the float NNLS multipliers and the rational root, and both can only
make the bound larger, never wrong.

Examples
--------
>>> from mirrorlib.multidim.group_lasso import fit_group_lasso
>>> from mirrorlib.multidim.patterns import activation_patterns
>>> X, y = [[0, 0], [1, 0], [0, 1], [1, 1]], [0.0, 1.0, 1.0, 0.0]
>>> fit = fit_group_lasso(X, y, 0.1)
>>> bound = exact_gap_bound(fit, activation_patterns(X))
>>> bound.is_optimal, float(bound.gap) < 1e-6 * float(bound.objective), bound.arithmetic
(True, True, 'exact rational arithmetic')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.multidim.group_lasso import GroupLassoFit, polar_cone_generators, polar_multipliers
from mirrorlib.multidim.network import TwoLayerNetwork
from mirrorlib.multidim.patterns import ActivationPatterns
from mirrorlib.numbers.exact import to_rational
from mirrorlib.numbers.surd import sqrt_bounds
from mirrorlib.progress import LOGGER

__all__ = ["ExactGapBound", "exact_gap_bound", "gap_bound"]

ROOT_BITS = 64
"""The rational root ``s ≤ β/ρ̂`` is exact to ``2^-64`` (it only loosens the bound)."""


@dataclass(frozen=True)
class ExactGapBound:
    """A rigorous upper bound on ``J − J*`` for a two-layer network, in exact arithmetic.

    Attributes
    ----------
    objective : Fraction
        The network's training objective ``J``.
    dual_bound : Fraction
        ``D(θ)``: no network of the architecture (with these patterns) has ``J`` below it.
    gap : Fraction
        ``J − D(θ)``.
    sup_squared : Fraction
        ``ρ̂²``: an upper bound of the squared largest dual-constraint value at the residual.
    beta : Fraction
    tol : float
    scope : str
        Which patterns were examined.
    arithmetic : str

    Examples
    --------
    >>> bound = ExactGapBound(Fraction(2), Fraction(1), Fraction(1), Fraction(1, 100), Fraction(1, 10), 1e-6, 'all 8 activation patterns (exact enumeration)')
    >>> bound.is_optimal, bound.relative_gap
    (False, Fraction(1, 2))
    """

    objective: Fraction
    dual_bound: Fraction
    gap: Fraction
    sup_squared: Fraction
    beta: Fraction
    tol: float
    scope: str
    arithmetic: str = "exact rational arithmetic"

    @property
    def relative_gap(self) -> Fraction:
        return self.gap / self.objective if self.objective > 0 else self.gap

    @property
    def is_optimal(self) -> bool:
        """``gap ≤ tol·J``, decided exactly."""
        return self.gap <= Fraction(self.tol) * self.objective

    def summary(self) -> str:
        verdict = "OPTIMAL within tolerance" if self.is_optimal else "NOT OPTIMAL"
        return (
            f"{verdict} over {self.scope}: J − J* ≤ {float(self.gap):.3g} (relative {float(self.relative_gap):.2g}, "
            f"tol {self.tol:g}; {self.arithmetic}, square roots bounded by rationals)"
        )


def _exact(values: Any, name: str) -> np.ndarray:
    """An object array of Fractions, each entry read by :func:`~mirrorlib.numbers.exact.to_rational`."""
    array = np.asarray(values, dtype=object)
    return np.vectorize(lambda v: to_rational(v, name=name), otypes=[object])(array) if array.size else array


def _network_residual(network: TwoLayerNetwork, Xbar: np.ndarray, y: np.ndarray, beta: Fraction) -> tuple[Fraction, np.ndarray]:
    """``(J, r)`` with ``r = y − f(X)``, exactly."""
    weights = _exact(network.weights, "weights").reshape(network.width, Xbar.shape[1] - 1)
    theta = np.hstack([weights, _exact(network.biases, "biases").reshape(-1, 1)])
    output = _exact(network.output, "output").reshape(-1)
    gates = theta if network.gates is None else _exact(network.gates, "gates").reshape(network.width, -1)
    linear = Xbar @ theta.T  # (N, m)
    active = (Xbar @ gates.T) >= 0
    hidden = np.where(active, linear, Fraction(0))
    fitted = Fraction(network.intercept) + hidden @ output if network.width else np.full(len(y), Fraction(network.intercept), dtype=object)
    residual = y - fitted
    penalty = sum((v * v for v in theta.ravel()), Fraction(0)) + sum((v * v for v in output), Fraction(0))
    return sum((v * v for v in residual), Fraction(0)) / 2 + beta * penalty / 2, residual


def _integer_scaled(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``(K, L)`` with ``values = K / L`` (Python integers), ``L`` the common denominator."""
    denominator = math.lcm(1, *(v.denominator for v in values.ravel()))
    return np.vectorize(lambda v: v.numerator * (denominator // v.denominator), otypes=[object])(values), denominator


def _cone_bound_squared(Xbar: np.ndarray, mask: np.ndarray, c: np.ndarray) -> Fraction:
    """An upper bound of ``max_± ‖Π_K(±c)‖²``: ``‖±c − Gμ‖²`` with the polar-cone generators ``G``
    and ``μ ≥ 0`` from the float NNLS, evaluated exactly."""
    generators = polar_cone_generators(Xbar, mask)  # exact (d+1, N)
    best = Fraction(0)
    for sign in (1, -1):
        target = sign * c
        mu = polar_multipliers(generators, target)
        exact_mu = np.array([Fraction(float(v)) if v > 0 else Fraction(0) for v in mu], dtype=object)
        remainder = target - generators @ exact_mu
        best = max(best, sum((v * v for v in remainder), Fraction(0)))
    return best


def _sup_squared(Xbar: np.ndarray, masks: np.ndarray, centred: np.ndarray, activation: str) -> Fraction:
    """``ρ̂²`` over all patterns: exact ``‖c_D‖²`` for every pattern, refined (ReLU) by the cone
    bound in decreasing order until no unrefined ``‖c_D‖²`` can raise the maximum."""
    scaled, denominator = _integer_scaled(Xbar * centred[:, None])
    correlations = masks.astype(np.int64).astype(object) @ scaled  # (P, d+1) integers over `denominator`
    norms = (correlations * correlations).sum(axis=1)
    scale = Fraction(1, denominator * denominator)
    if activation == "gated":
        return max(norms, default=0) * scale
    best = Fraction(0)
    for p in sorted(range(len(norms)), key=lambda q: -norms[q]):
        if norms[p] * scale <= best:
            break
        best = max(best, _cone_bound_squared(Xbar, masks[p], correlations[p] / Fraction(denominator)))
    return best


def exact_gap_bound(
    fit: GroupLassoFit | TwoLayerNetwork,
    patterns: ActivationPatterns,
    *,
    y: Any = None,
    beta: Any = None,
    activation: str | None = None,
    tol: float = 1e-6,
) -> ExactGapBound:
    """Re-check a two-layer network exactly: ``J − J* ≤ gap`` over the networks whose neurons have
    the given patterns (all networks for the exact enumeration).

    Parameters
    ----------
    fit : GroupLassoFit or TwoLayerNetwork
        A fit (its network, data, β and activation are used) or a network trained elsewhere
        (then give ``y``, ``beta`` and ``activation``).
    patterns : ActivationPatterns
        The patterns to examine; their exact data ``patterns.X`` is the data.
    y, beta, activation : optional
        Override the fit's values.
    tol : float
        Relative gap at which the network is called optimal.

    Returns
    -------
    ExactGapBound

    Raises
    ------
    ValueError
        When the labels do not match the data or the activation is unknown.

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> from mirrorlib.multidim.patterns import activation_patterns
    >>> X, y = [[0, 0], [1, 0], [0, 1], [1, 1]], [0.0, 1.0, 1.0, 0.0]
    >>> fit = fit_group_lasso(X, y, 0.1, activation='gated')
    >>> exact_gap_bound(fit, activation_patterns(X)).is_optimal
    True
    """
    if isinstance(fit, GroupLassoFit):
        network = fit.network()
        y = fit.y if y is None else y
        beta = fit.beta if beta is None else beta
        activation = fit.activation if activation is None else activation
    else:
        network = fit
    if activation not in ("relu", "gated") or y is None or beta is None:
        raise ValueError("exact_gap_bound needs y, beta and activation ('relu' or 'gated') for a network given without its fit")
    Xbar = np.hstack([np.array(patterns.X, dtype=object), np.full((len(patterns.X), 1), Fraction(1), dtype=object)])
    labels = _exact(y, "y").reshape(-1)
    if labels.size != Xbar.shape[0]:
        raise ValueError(f"y has {labels.size} labels but the patterns' data has {Xbar.shape[0]} points")
    beta = Fraction(beta) if not isinstance(beta, Fraction) else beta
    objective, residual = _network_residual(network, Xbar, labels, beta)
    centred = residual - sum(residual, Fraction(0)) / len(residual)
    LOGGER.info("exact re-check: J computed, correlations over %d patterns", len(patterns))
    sup_squared = _sup_squared(Xbar, patterns.matrix(), centred, activation)
    return gap_bound(objective, labels, centred, sup_squared, beta, tol=tol, scope=patterns.scope)


def gap_bound(
    objective: Fraction, labels: Any, centred: Any, sup_squared: Fraction, beta: Fraction, *, tol: float, scope: str
) -> ExactGapBound:
    """The duality-gap bound of a group Lasso from its centred residual, exactly.

    With ``ỹ`` the centred labels, ``r_c`` the centred residual of a network whose objective is
    ``J`` and ``ρ̂² ≥ sup_groups ‖G_gᵀ r_c‖²``, the point ``θ = s·r_c`` with
    ``s = min(ỹᵀr_c/‖r_c‖², β/ρ̂)`` (the root rounded down) is dual feasible, and
    ``D(θ) = sθᵀỹ − ½‖θ‖² ≤ J*``; the bound is ``J − D(θ)``.

    Parameters
    ----------
    objective : Fraction
        ``J`` (or a rational upper bound of it).
    labels, centred : sequences of Fractions
        ``y`` and ``r_c`` (``Σ r_c = 0``).
    sup_squared : Fraction
        ``ρ̂²``.
    beta : Fraction
    tol : float
        Relative gap at which the network is called optimal.
    scope : str
        Which units ``ρ̂`` covers (stated in the report).

    Returns
    -------
    ExactGapBound

    Examples
    --------
    >>> F = Fraction
    >>> gap_bound(F(1, 2), [F(0), F(1)], [F(-1, 2), F(1, 2)], F(1, 4), F(1), tol=1e-6, scope='two groups').gap
    Fraction(1, 4)
    """
    labels = list(labels)
    mean = sum(labels, Fraction(0)) / len(labels)
    y_centred = [v - mean for v in labels]
    size = sum((v * v for v in centred), Fraction(0))
    alignment = sum((a * b for a, b in zip(y_centred, centred)), Fraction(0))
    step = Fraction(0) if size == 0 else max(Fraction(0), alignment / size)
    if sup_squared > 0:
        step = min(step, sqrt_bounds(beta * beta / sup_squared, ROOT_BITS)[0])
    dual = step * alignment - step * step * size / 2
    return ExactGapBound(objective, dual, objective - dual, sup_squared, beta, tol, scope)
