"""Certified fits of deep narrow symmetrised-ReLU networks on 1-D data through the group Lasso.

``fit_symmetrised(x, y, β, depth)`` solves

    min ½‖Σ_g G_g(X) α_g + ξ1 − y‖² + β Σ_g ‖α_g‖₂

over the unit-weight groups of :mod:`mirrorlib.symmetrised.network` and rebuilds the balanced
network, whose training objective equals the group Lasso's.

* **Depth 2.** The groups ``φ_{x_j} = (relu(x − x_j), relu(x_j − x))`` at the data points are
  complete (:mod:`mirrorlib.symmetrised.oracle`): one solve.
* **Depth 3.** No finite rational dictionary is complete, so the fit starts from the depth-2
  groups (a depth-3 unit whose first kink lies at the smallest input reproduces each on the data)
  and adds, each round, the unit that violates the dual constraint most — found by the oracle's
  float search — until the duality gap is below ``tol``.

**Certificate.** The network's weights are read as the rationals they store; its objective
``J`` (norms to odd powers rounded up) and residual are computed exactly, the exact oracle bounds
``ρ(r_c)²`` over *every* unit of the architecture, and
:func:`~mirrorlib.multidim.exact_check.gap_bound` turns that into ``J − J* ≤ gap``, where ``J*``
is the best training objective of any network of the architecture and any width. Arithmetic:
exact rationals; the only roundings (square roots) make the bound larger.

The program on a working set is solved by Clarabel through cvxpy (the ``multidim`` extra).

Examples
--------
>>> fit = fit_symmetrised([0, 1, 2, 3, 4], [0.0, 1.0, 0.0, 1.0, 0.0], 0.1, depth=2)
>>> fit.certificate.is_optimal, len(fit.units) <= 5
(True, True)
>>> net = fit.network()
>>> bool(abs(net.training_objective(fit.x, fit.y, 0.1) - fit.objective) < 1e-9)
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.multidim.exact_check import ExactGapBound, gap_bound
from mirrorlib.multidim.group_lasso import dual_gap
from mirrorlib.numbers.exact import to_rational
from mirrorlib.optimality import TrainingCertificate
from mirrorlib.progress import LOGGER
from mirrorlib.symmetrised.network import SymmetrisedNetwork, SymmetrisedUnit, balanced_network
from mirrorlib.symmetrised.oracle import DEPTHS, QuadraticSurd, dual_value, require_searchable

__all__ = ["SymmetrisedFit", "certify_network", "fit_symmetrised", "training_certificate"]

PRUNE_RELATIVE = 1e-7
"""Groups with norm below this fraction of the largest are dropped (interior-point dust); the
certificate is computed after pruning, so pruning can cost a round, never a wrong verdict."""


MAX_MAGNITUDE = 1e100
"""Largest |x| and |y| accepted: groups, residuals and their squares stay finite in float64."""

STOP_FRACTION = 0.25
"""Column generation stops at a float gap of ``STOP_FRACTION·tol``, leaving room for the exact
certificate's roundings below ``tol``."""


@dataclass(frozen=True)
class SymmetrisedFit:
    """A certified symmetrised-ReLU group-Lasso fit.

    Attributes
    ----------
    x, y : ndarray
        The data.
    beta : float
    depth : int
    units : tuple of SymmetrisedUnit
        The groups with a non-zero coefficient.
    coefficients : ndarray (k, 2)
        ``α_g``.
    intercept : float
        ``ξ``.
    objective : float
        The group Lasso's objective ``P`` at the point (float64).
    certificate : ExactGapBound
        ``J − J* ≤ gap`` for the rebuilt network, exactly, over every network of the architecture.
    rounds : int
        Column-generation rounds (1 at depth 2; 0 when no unit beats β at the constant fit).

    Examples
    --------
    >>> fit = fit_symmetrised([0, 1, 3], [0.0, 2.0, 0.0], 0.5, depth=3)
    >>> fit.depth, fit.certificate.is_optimal
    (3, True)
    """

    x: np.ndarray
    y: np.ndarray
    beta: float
    depth: int
    units: tuple[SymmetrisedUnit, ...]
    coefficients: np.ndarray
    intercept: float
    objective: float
    certificate: ExactGapBound
    rounds: int

    def network(self) -> SymmetrisedNetwork:
        """The balanced network: its training objective equals :attr:`objective`."""
        return balanced_network(self.units, self.coefficients, self.intercept)


def _validated(x: Any, y: Any, beta: Any, depth: Any, tol: Any, max_rounds: Any) -> tuple[np.ndarray, np.ndarray, float]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array of inputs, got shape {x.shape}; symmetrised networks take scalar inputs")
    if y.shape != x.shape:
        raise ValueError(f"y has shape {y.shape} but x has {x.shape}; pass one label per input")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite (no NaN or infinity)")
    if max(np.max(np.abs(x)), np.max(np.abs(y))) > MAX_MAGNITUDE:
        raise ValueError(f"x and y must lie within ±{MAX_MAGNITUDE:g} (products of their differences must stay finite in float64); rescale them")
    if isinstance(beta, bool) or not isinstance(beta, (int, float, Fraction, np.integer, np.floating)) or not 0 < float(beta) < math.inf:
        raise ValueError(f"beta must be a finite number > 0, got {beta!r}")
    if depth not in DEPTHS or isinstance(depth, bool):
        raise ValueError(f"depth must be 2 or 3 for symmetrised-ReLU networks, got {depth!r}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise ValueError(f"tol must be a relative gap in (0, 1), got {tol!r}")
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, (int, np.integer)) or not 1 <= max_rounds <= 10_000:
        raise ValueError(f"max_rounds must be an integer in 1..10000, got {max_rounds!r}")
    return x, y, float(beta)


def _starting_units(points: np.ndarray, depth: int) -> list[SymmetrisedUnit]:
    """The depth-2 groups at the data points (as depth-3 units with the first kink at the
    smallest input: ``T = x − x_j`` on the data)."""
    if depth == 2:
        return [SymmetrisedUnit(to_rational(p, name="x")) for p in points]
    low = to_rational(points[0], name="x")
    return [SymmetrisedUnit(low, (Fraction(1), Fraction(0)), low - to_rational(p, name="x")) for p in points]


def _solve(groups: np.ndarray, y: np.ndarray, beta: float) -> tuple[np.ndarray, float]:
    """The group Lasso over ``groups`` (N, k, 2) by Clarabel, on labels scaled to
    ``max |y − ȳ| = 1``: coefficients (k, 2) and ξ."""
    try:
        import cvxpy as cp
    except ImportError:
        raise ImportError('the symmetrised group Lasso needs cvxpy (Clarabel): pip install "mirrorlib[multidim]"') from None
    scale = float(np.max(np.abs(y - y.mean()), initial=0.0)) or 1.0
    N, k, _ = groups.shape
    alpha, xi = cp.Variable((k, 2)), cp.Variable()
    fitted = xi + groups.reshape(N, 2 * k) @ cp.reshape(alpha, (2 * k,), order="C")
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fitted - y / scale) + beta / scale * cp.sum(cp.norm(alpha, 2, axis=1))))
    for settings in ({"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12}, {}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                problem.solve(solver="CLARABEL", **settings)
            except cp.error.SolverError:
                continue
        if alpha.value is not None:
            return np.asarray(alpha.value) * scale, float(xi.value) * scale
    raise ValueError(f"the interior-point solver (Clarabel) failed on {k} groups ({problem.status}); rescale x or raise beta")


def _point(groups: np.ndarray, y: np.ndarray, beta: float, coefficients: np.ndarray) -> tuple[float, float, np.ndarray]:
    """``(ξ, P, r)`` at the coefficients with the optimal ξ."""
    fitted = np.einsum("nkc,kc->n", groups, coefficients)
    intercept = float(np.mean(y - fitted))
    residual = y - intercept - fitted
    return intercept, 0.5 * float(residual @ residual) + beta * float(np.linalg.norm(coefficients, axis=1).sum()), residual


def fit_symmetrised(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    beta: float,
    depth: int = 3,
    *,
    tol: float = 1e-6,
    max_rounds: int = 100,
) -> SymmetrisedFit:
    """Fit and certify a symmetrised-ReLU network of depth 2 or 3 on scalar data.

    Parameters
    ----------
    x, y : array-like (N,)
        Inputs and labels.
    beta : float
        Weight decay β > 0.
    depth : {2, 3}
    tol : float
        Relative duality gap at which column generation stops and the certificate calls the
        network optimal.
    max_rounds : int
        Column-generation rounds before giving up (the certificate then reports the gap).

    Returns
    -------
    SymmetrisedFit

    Raises
    ------
    ValueError
        Bad shapes or values (the message names the argument), or an exact search over too many
        distinct inputs (:data:`~mirrorlib.symmetrised.oracle.MAX_CANDIDATES`).

    Examples
    --------
    >>> fit = fit_symmetrised([0, 1, 2, 4], [1.0, 0.0, 1.0, 3.0], 0.05)
    >>> fit.certificate.is_optimal, fit.network().depth
    (True, 3)
    """
    x, y, beta = _validated(x, y, beta, depth, tol, max_rounds)
    if depth == 3:
        require_searchable(np.unique(x).size)
    units = _starting_units(np.unique(x), depth)
    columns = [unit.matrix(x) for unit in units]
    rounds, coefficients, intercept = 0, np.zeros((0, 2)), float(y.mean())
    objective = 0.5 * float((y - intercept) @ (y - intercept))
    if float(dual_value(x, y - intercept, depth, exact=False).value) <= beta * beta:
        units, columns = [], []  # no unit beats β at ξ = ȳ: the network without units is optimal
    while units:
        rounds += 1
        groups = np.stack(columns, axis=1)
        coefficients, _ = _solve(groups, y, beta)
        norms = np.linalg.norm(coefficients, axis=1)
        keep = norms > PRUNE_RELATIVE * norms.max(initial=0.0)
        units, columns, coefficients = [u for u, k in zip(units, keep) if k], [c for c, k in zip(columns, keep) if k], coefficients[keep]
        groups = np.stack(columns, axis=1) if columns else np.zeros((x.size, 0, 2))
        intercept, objective, residual = _point(groups, y, beta, coefficients)
        if depth == 2 or rounds >= max_rounds:
            break
        best = dual_value(x, residual - residual.mean(), depth, exact=False)
        gap = dual_gap(objective, y - y.mean(), residual, math.sqrt(max(float(best.value), 0.0)), beta)
        LOGGER.info("symmetrised depth %d round %d: %d groups, sup %.6g (β = %g), relative gap %.2e", depth, rounds, len(units), math.sqrt(max(float(best.value), 0.0)), beta, gap / objective if objective > 0 else 0.0)
        if gap <= STOP_FRACTION * tol * objective:
            break
        units.append(best.unit)
        columns.append(best.unit.matrix(x))
    network = balanced_network(units, coefficients, intercept)
    certificate = certify_network(network, x, y, beta, tol=tol)
    return SymmetrisedFit(x, y, beta, depth, tuple(units), coefficients, intercept, objective, certificate, rounds)


def certify_network(network: SymmetrisedNetwork, x: Sequence[Any], y: Sequence[Any], beta: Any, *, tol: float = 1e-6) -> ExactGapBound:
    """``J − J* ≤ gap`` for any symmetrised-ReLU network of depth 2 or 3, exactly: ``J*`` is the
    best training objective over every network of the architecture (any width).

    Examples
    --------
    >>> from mirrorlib.symmetrised.network import SymmetrisedNetwork
    >>> zero = SymmetrisedNetwork(np.zeros((0, 2)), None, np.zeros((0, 2)), 0.5)
    >>> bound = certify_network(zero, [0, 1], [0, 1], 10)
    >>> bound.is_optimal, bound.gap
    (True, Fraction(0, 1))
    """
    objective, residual = network.exact_objective(x, y, beta)
    LOGGER.info("symmetrised certificate: exact search over the units of depth %d", network.depth)
    mean = sum(residual, Fraction(0)) / len(residual)
    centred = [r - mean for r in residual]
    sup_squared = dual_value(list(x), centred, network.depth).value.upper_bound()
    scope = f"every symmetrised-ReLU network of depth {network.depth} (exact search over the dual constraint's vertices)"
    return gap_bound(objective, [to_rational(v, name="y") for v in y], centred, sup_squared, to_rational(beta, name="beta"), tol=tol, scope=scope)


def training_certificate(fit: SymmetrisedFit) -> TrainingCertificate:
    """The network verdict of a fit in the form :class:`~mirrorlib.estimator.ConvexNet` reports:
    ``sup`` is a rational upper bound of ``ρ(r_c)``, ``gap`` the exact bound on ``J − J*``.

    Examples
    --------
    >>> verdict = training_certificate(fit_symmetrised([0, 1, 3], [0.0, 2.0, 0.0], 0.5, depth=2))
    >>> verdict.training_optimal, verdict.reason.startswith('no symmetrised-ReLU network')
    (True, True)
    """
    bound = fit.certificate
    reason = (
        f"no symmetrised-ReLU network of depth {fit.depth} and any width has a lower training objective "
        f"than J − gap: exact duality gap over {bound.scope} ({bound.arithmetic}, tol {bound.tol:g})"
    )
    return TrainingCertificate(
        bound.is_optimal, QuadraticSurd(0, bound.sup_squared).upper_bound(), bound.beta, bound.gap, bound.objective,
        None, False, bound.tol, reason,
    )
