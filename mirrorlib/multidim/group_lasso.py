"""The convex group Lasso of a two-layer network on d-dimensional data, solved and certified
over activation patterns.

With ``X̄ = [X, 1]`` and the patterns ``D_1, …, D_P`` of :mod:`mirrorlib.multidim.patterns`
(``D = diag(1[X̄θ ≥ 0])``), training the networks of :mod:`mirrorlib.multidim.network` with at
least ``m*`` neurons is equivalent to (Pilanci & Ergen 2020)

* **gated ReLU**: ``min ½‖Σ_D D X̄ u_D + ξ1 − y‖² + β Σ_D ‖u_D‖₂``;
* **ReLU**: ``min ½‖Σ_D D X̄ (v_D − w_D) + ξ1 − y‖² + β Σ_D (‖v_D‖₂ + ‖w_D‖₂)`` subject to the cone
  constraints ``(2D − I) X̄ v_D ≥ 0``, ``(2D − I) X̄ w_D ≥ 0`` (which make ``D X̄ v = relu(X̄ v)``).

**Certificate.** Eliminating ξ centres ``y`` and the residual ``r``. The point ``θ = s·r`` with
``s = min(1, β/ρ(r))`` is dual feasible, where ``ρ(r)`` is the largest dual-constraint value over
*all* patterns: ``‖X̄ᵀD r‖`` for gated ReLU, and for ReLU ``max_± ‖Π_{K_D}(±X̄ᵀD r)‖`` — the best
``±rᵀrelu(X̄u)`` over unit ``u`` in the pattern's cone ``K_D = {u : (2D − I)X̄u ≥ 0}``, computed
by Moreau's decomposition as the residual of a non-negative least-squares problem. Then
``G = P − (½‖ỹ‖² − ½‖ỹ − θ‖²)`` bounds the distance of the objective from the best network of
the architecture (any width), and ``ρ(r) ≤ β`` means no neuron can improve the fit. Over the
exact pattern list this is a certificate for *all* networks; over sampled patterns it covers
those patterns only, and the report says so. Arithmetic: float64; a fit is called optimal when
``G ≤ tol·P`` (the tolerance is stated in every report).

**Solver.** Working sets of patterns: the most violating patterns join each round, and the
certificate over all patterns stops it. The program on a working set is a small second-order
cone program, solved by the interior-point solver Clarabel through cvxpy (the ``multidim``
extra).

References
----------
M. Pilanci and T. Ergen, "Neural networks are convex regularizers: exact polynomial-time convex
optimization formulations for two-layer networks", ICML 2020; T. Ergen and M. Pilanci, "The convex
landscape of neural networks: characterizing global optima and stationary points via Lasso
models", arXiv:2312.12657; A. Mishkin, A. Sahiner and M. Pilanci, "Fast convex optimization for
two-layer ReLU networks", ICML 2022 (gated ReLU).

Examples
--------
>>> from mirrorlib.multidim.patterns import activation_patterns
>>> X = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]])
>>> y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
>>> fit = fit_group_lasso(X, y, 0.05, activation="gated")
>>> fit.certificate.is_optimal, fit.certificate.scope
(True, 'all 20 activation patterns (exact enumeration)')
>>> network = fit.network()
>>> bool(abs(network.training_objective(X, y, 0.05) - fit.objective) <= 1e-9 * fit.objective)
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import nnls

from mirrorlib.multidim.network import TwoLayerNetwork, augment
from mirrorlib.multidim.patterns import ActivationPatterns, activation_patterns
from mirrorlib.progress import LOGGER

__all__ = ["ACTIVATIONS", "GroupLassoFit", "PatternCertificate", "PatternListOracle", "check_magnitude", "checked_problem", "residual_certificate", "working_set_fit", "dual_constraint_values", "dual_gap", "fit_group_lasso", "polar_cone_generators", "polar_multipliers"]

ACTIVATIONS = ("relu", "gated")


@dataclass(frozen=True)
class PatternCertificate:
    """The dual certificate of a group-Lasso point over a list of patterns.

    Attributes
    ----------
    sup : float
        ``ρ(r)``: the largest dual-constraint value over the patterns examined.
    beta, objective, duality_gap : float
        β, ``P`` and ``G``.
    tol : float
        The fit is called optimal when ``G ≤ tol·P``.
    scope : str
        Which patterns were examined (all, exactly enumerated, or a sample).
    arithmetic : str
        How the numbers were computed.

    Examples
    --------
    >>> certificate = PatternCertificate(sup=0.11, beta=0.1, objective=2.0, duality_gap=0.02, tol=1e-6, scope='all 8 activation patterns (exact enumeration)')
    >>> certificate.is_optimal, certificate.relative_gap
    (False, 0.01)
    """

    sup: float
    beta: float
    objective: float
    duality_gap: float
    tol: float
    scope: str
    arithmetic: str = "float64"

    @property
    def relative_gap(self) -> float:
        return self.duality_gap / self.objective if self.objective > 0 else self.duality_gap

    @property
    def is_optimal(self) -> bool:
        """``G ≤ tol·P``."""
        return self.duality_gap <= self.tol * self.objective

    def summary(self) -> str:
        verdict = "OPTIMAL within tolerance" if self.is_optimal else "NOT OPTIMAL"
        return (
            f"{verdict} over {self.scope}: max dual constraint {self.sup:.10g} vs β = {self.beta:g}, "
            f"duality gap {self.duality_gap:.3g} (relative {self.relative_gap:.2g}, tol {self.tol:g}; {self.arithmetic})"
        )


def polar_cone_generators(Xbar: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``G = −X̄ᵀS`` (``S = 2D − I``): the polar cone of the pattern's cone
    ``K = {u : (2D − I) X̄ u ≥ 0}`` is ``K° = {Gμ : μ ≥ 0}``. The entries keep the type of ``X̄``
    (floats, or Fractions for an exact re-check).

    Examples
    --------
    >>> polar_cone_generators(np.array([[0.0, 1.0], [2.0, 1.0]]), np.array([False, True]))
    array([[ 0., -2.],
           [ 1., -1.]])
    """
    return -(Xbar * np.where(mask, 1, -1)[:, None]).T


def polar_multipliers(generators: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``μ ≥ 0`` minimising ``‖Gμ − u‖`` (NNLS in float64), so ``Gμ = Π_{K°}(u)``.

    Examples
    --------
    >>> G = polar_cone_generators(np.array([[0.0, 1.0], [2.0, 1.0]]), np.array([False, True]))
    >>> polar_multipliers(G, np.array([0.0, 1.0]))
    array([1., 0.])
    """
    mu, _ = nnls(np.asarray(generators, dtype=np.float64), np.asarray(u, dtype=np.float64))
    return mu


def _project_to_cone(Xbar: np.ndarray, mask: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``Π_K(u) = u − Π_{K°}(u)`` (Moreau's decomposition)."""
    generators = polar_cone_generators(Xbar, mask)
    return u - generators @ polar_multipliers(generators, u)


def _cone_value(Xbar: np.ndarray, mask: np.ndarray, c: np.ndarray) -> float:
    """``max_± ‖Π_K(±c)‖``: the best ``±cᵀu`` over unit ``u`` in the pattern's cone."""
    return max(float(np.linalg.norm(_project_to_cone(Xbar, mask, c))), float(np.linalg.norm(_project_to_cone(Xbar, mask, -c))))


def _pattern_correlations(X: np.ndarray, masks: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X̄``, the rows ``X̄ᵀD r`` of every pattern ``(P, d+1)`` and their norms."""
    Xbar = augment(X)
    correlations = masks.astype(np.float64) @ (Xbar * np.asarray(r, dtype=np.float64)[:, None])
    return Xbar, correlations, np.linalg.norm(correlations, axis=1)


def dual_constraint_values(X: np.ndarray, masks: np.ndarray, r: np.ndarray, activation: str, *, above: float = -np.inf) -> np.ndarray:
    """The dual-constraint value of every pattern at the (centred) residual ``r``.

    Gated ReLU: ``‖X̄ᵀD r‖``. ReLU: ``max(‖Π_{K_D}(X̄ᵀD r)‖, ‖Π_{K_D}(−X̄ᵀD r)‖)``; since
    ``‖Π_K(c)‖ ≤ ‖c‖``, patterns with ``‖X̄ᵀD r‖ ≤ above`` keep that upper bound instead of the
    projection (pass the threshold you compare against).

    Parameters
    ----------
    X : ndarray (N, d)
    masks : ndarray of bool (P, N)
    r : ndarray (N,)
    activation : ``"relu"`` or ``"gated"``
    above : float
        Compute ReLU projections only where the unprojected norm exceeds this.

    Returns
    -------
    ndarray (P,)

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> masks = np.array([[True, True, True], [False, True, True]])
    >>> dual_constraint_values(X, masks, np.array([1.0, -2.0, 1.0]), "gated").round(6)
    array([0., 1.])
    """
    Xbar, correlations, norms = _pattern_correlations(X, masks, r)
    if activation == "gated":
        return norms
    values = norms.copy()
    for p in np.flatnonzero(norms > above):
        values[p] = _cone_value(Xbar, masks[p], correlations[p])
    return values


def dual_gap(objective: float, y_centred: np.ndarray, centred: np.ndarray, sup: float, beta: float) -> float:
    """``G = P − D(θ)``, ``D(θ) = ½‖ỹ‖² − ½‖ỹ − θ‖²``, at the dual-feasible ``θ = min(1, β/ρ)·r``
    (``ρ`` = ``sup``, any upper bound of the dual constraint over the patterns to be covered).

    Examples
    --------
    >>> dual_gap(1.0, np.array([-1.0, 1.0]), np.array([-0.5, 0.5]), 2.0, 1.0)
    0.5625
    """
    theta = (min(1.0, beta / sup) if sup > 0 else 1.0) * centred
    return max(objective - (0.5 * float(y_centred @ y_centred) - 0.5 * float((y_centred - theta) @ (y_centred - theta))), 0.0)


def _sup_and_violators(
    X: np.ndarray, masks: np.ndarray, r: np.ndarray, activation: str, beta: float, count: int, exclude: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """``ρ(r)`` over all patterns and up to ``count`` patterns outside ``exclude`` (indices)
    violating ``≤ β``, largest first; ReLU cone projections are evaluated by branch and bound in
    decreasing order of ``‖X̄ᵀD r‖`` (an upper bound of the projected value)."""
    Xbar, correlations, norms = _pattern_correlations(X, masks, r)
    outside = np.ones(masks.shape[0], dtype=bool)
    if exclude is not None:
        outside[exclude] = False
    if activation == "gated":
        order = np.argsort(-norms)
        violators = order[(norms[order] > beta) & outside[order]][:count]
        return float(norms.max(initial=0.0)), violators
    best, found = 0.0, []
    for p in np.argsort(-norms):
        enough = len(found) >= count
        if norms[p] <= best and (norms[p] <= beta or enough):
            break
        if norms[p] <= best and not outside[p]:
            continue  # cannot raise the sup and would not be recorded
        value = _cone_value(Xbar, masks[p], correlations[p])
        best = max(best, value)
        if value > beta and outside[p]:
            found.append((value, p))
    found.sort(reverse=True)
    return best, np.array([p for _, p in found[:count]], dtype=np.int64)


def _solve_working_set(X: np.ndarray, y: np.ndarray, masks: np.ndarray, beta: float, activation: str, *, prune: bool = True) -> tuple[np.ndarray, float]:
    """The program restricted to the patterns ``masks`` by cvxpy + Clarabel (an interior-point
    SOCP solver): coefficients (gated ``(k, d+1)``, ReLU ``(k, 2, d+1)``) and ξ. Tiny violations
    of the ReLU cone constraints are projected away, so that ``D X̄ v = relu(X̄ v)`` holds exactly
    for the rebuilt network; with ``prune``, parts below :data:`PRUNE_RELATIVE` of the largest are
    set to zero.

    The solver sees labels scaled to ``max |y − ȳ| = 1`` (and β with them): the optimum of
    ``(y/s, β/s)`` is the optimum of ``(y, β)`` divided by ``s``."""
    Xbar = augment(X)
    scale = float(np.max(np.abs(y - y.mean()), initial=0.0)) or 1.0
    coefficients, xi = _clarabel_group_lasso(Xbar, y / scale, masks, beta / scale, activation)
    coefficients = coefficients * scale
    if activation == "relu":
        for p in range(masks.shape[0]):
            for part in range(2):
                if np.any(np.where(masks[p], 1.0, -1.0) * (Xbar @ coefficients[p, part]) < 0):
                    coefficients[p, part] = _project_to_cone(Xbar, masks[p], coefficients[p, part])
    groups = coefficients if activation == "relu" else coefficients[:, None, :]
    if prune:
        part_norms = np.linalg.norm(groups, axis=2)
        groups[part_norms <= PRUNE_RELATIVE * part_norms.max(initial=0.0)] = 0.0  # the interior point's dust
    return coefficients, float(np.mean(y - _fitted(Xbar, masks, coefficients, activation)))


def _clarabel_group_lasso(Xbar: np.ndarray, y: np.ndarray, masks: np.ndarray, beta: float, activation: str) -> tuple[np.ndarray, float]:
    """The restricted program written in cvxpy and solved by Clarabel, first at tight tolerances
    (1e-11), then at Clarabel's defaults if that fails; ``ValueError`` if both fail."""
    try:
        import cvxpy as cp
    except ImportError:
        raise ImportError('the group Lasso needs cvxpy (Clarabel): pip install "mirrorlib[multidim]"') from None
    k, q = masks.shape[0], Xbar.shape[1]
    parts = 2 if activation == "relu" else 1
    U = [cp.Variable((k, q)) for _ in range(parts)]
    xi = cp.Variable()
    directions = U[0] - U[1] if parts == 2 else U[0]
    fitted = xi + cp.sum(cp.multiply(masks.astype(np.float64), directions @ Xbar.T), axis=0)
    penalty = sum(cp.sum(cp.norm(V, 2, axis=1)) for V in U)
    constraints = []
    if activation == "relu":
        signs = np.where(masks, 1.0, -1.0)  # (k, N)
        constraints = [cp.multiply(signs, V @ Xbar.T) >= 0 for V in U]
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fitted - y) + beta * penalty), constraints)
    for settings in ({"tol_gap_abs": 1e-11, "tol_gap_rel": 1e-11, "tol_feas": 1e-11}, {}):
        with warnings.catch_warnings():  # "inaccurate" at these tolerances: the gap over all patterns judges the result
            warnings.simplefilter("ignore", UserWarning)
            try:
                problem.solve(solver="CLARABEL", **settings)
            except cp.error.SolverError:
                continue
        if U[0].value is not None:
            coefficients = np.stack([V.value for V in U], axis=1) if parts == 2 else U[0].value
            return coefficients, float(xi.value)
    raise ValueError(
        f"the interior-point solver (Clarabel) failed on a working set of {k} patterns ({problem.status}); "
        "standardise X (e.g. sklearn's StandardScaler) or raise beta"
    )


@dataclass(frozen=True)
class GroupLassoFit:
    """A certified group-Lasso solution and the network it defines.

    Attributes
    ----------
    activation : str
        ``"relu"`` or ``"gated"``.
    X, y : ndarray
        The data.
    beta : float
    masks : ndarray of bool (k, N)
        The patterns with a non-zero group.
    gates : ndarray (k, d + 1)
        An exact witness ``θ`` of each (``1[X̄θ ≥ 0] = D``), Fractions.
    coefficients : ndarray
        Gated: ``u_D`` (k, d+1); ReLU: ``(v_D, w_D)`` (k, 2, d+1).
    intercept : float
        ξ.
    objective : float
        ``P``.
    certificate : PatternCertificate
    rounds : int
        Working-set rounds.

    Examples
    --------
    >>> fit = fit_group_lasso([[0], [1], [2], [3]], [0.0, 1.0, 0.0, 1.0], 0.05, activation='gated')
    >>> fit.masks.shape[1], fit.coefficients.shape[1], fit.certificate.is_optimal
    (4, 2, True)
    """

    activation: str
    X: np.ndarray
    y: np.ndarray
    beta: float
    masks: np.ndarray
    gates: np.ndarray
    coefficients: np.ndarray
    intercept: float
    objective: float
    certificate: PatternCertificate
    rounds: int

    def residual(self) -> np.ndarray:
        """``y − ξ − Σ_D D X̄ u_D``: the labels minus the fitted values."""
        return self.y - self.intercept - _fitted(augment(self.X), self.masks, self.coefficients, self.activation)

    def network(self) -> TwoLayerNetwork:
        """The network with one neuron per non-zero group, ``θ = u/√‖u‖`` and ``α = ±√‖u‖``
        (balanced, so its training objective equals :attr:`objective`)."""
        thetas, outputs, gates = [], [], []
        groups = self.coefficients[:, None, :] if self.activation == "gated" else self.coefficients
        for p in range(groups.shape[0]):
            for part, sign in zip(range(groups.shape[1]), (1.0, -1.0)):
                u = groups[p, part]
                norm = float(np.linalg.norm(u))
                if norm == 0:
                    continue
                thetas.append(u / np.sqrt(norm))
                outputs.append(sign * np.sqrt(norm))
                gates.append(self.gates[p])
        d = self.X.shape[1]
        theta = np.array(thetas).reshape(len(thetas), d + 1)
        return TwoLayerNetwork(
            theta[:, :d], theta[:, d], np.array(outputs), self.intercept,
            gates=np.array(gates, dtype=object).reshape(len(gates), d + 1) if self.activation == "gated" else None,
        )


PRUNE_RELATIVE = 1e-6
"""Groups (and ReLU parts ``v``, ``w``) with norm below this fraction of the largest are set to
zero and dropped from the working set: an interior-point solution has every group slightly
non-zero. The certificate over all patterns is computed after pruning, so pruning can cost a
round but never a wrong verdict."""


def _nonzero_groups(coefficients: np.ndarray) -> np.ndarray:
    """Which patterns carry a group (``u``, or ``v``/``w`` for ReLU) above :data:`PRUNE_RELATIVE`."""
    flat = coefficients.reshape(coefficients.shape[0], int(np.prod(coefficients.shape[1:])))
    norms = np.linalg.norm(flat, axis=1)
    return norms > PRUNE_RELATIVE * norms.max(initial=0.0)


def _as_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (N, d) with N ≥ 1, got {X.shape}")
    if y.size != X.shape[0]:
        raise ValueError(f"y has {y.size} labels but X has {X.shape[0]} rows")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite (no NaN or infinity)")
    return X, y


MAX_MAGNITUDE = 1e100
"""Largest ``|X|``, ``|y|`` or residual accepted: products and squares of larger floats overflow."""


def check_magnitude(values: np.ndarray, name: str) -> None:
    """Refuse entries above :data:`MAX_MAGNITUDE` in absolute value, naming the argument.

    Examples
    --------
    >>> check_magnitude(np.array([1.0, -2.0]), "y")
    """
    if values.size and float(np.max(np.abs(values))) > MAX_MAGNITUDE:
        raise ValueError(f"{name} has entries above {MAX_MAGNITUDE:g} in absolute value, where float64 products overflow; rescale {name} (e.g. standardise it)")


def checked_problem(X: Any, y: Any, beta: float, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (N, d) and ``y`` (N,) as float arrays, after refusing bad shapes, non-finite values,
    ``beta ≤ 0`` and unknown activations in one line each.

    Examples
    --------
    >>> checked_problem([[0], [1]], [0, 1], 0.1, "relu")[0].shape
    (2, 1)
    """
    X, y = _as_data(X, y)
    check_magnitude(X, "X")
    check_magnitude(y, "y")
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return X, y


def _fitted(Xbar: np.ndarray, masks: np.ndarray, coefficients: np.ndarray, activation: str) -> np.ndarray:
    """``Σ_D D X̄ u_D`` (gated) or ``Σ_D D X̄ (v_D − w_D)`` (ReLU), without ξ."""
    directions = coefficients[:, 0] - coefficients[:, 1] if activation == "relu" else coefficients
    return np.sum(masks * (directions @ Xbar.T), axis=0) if masks.size else np.zeros(Xbar.shape[0])


def _objective(X: np.ndarray, y: np.ndarray, masks: np.ndarray, coefficients: np.ndarray, intercept: float, beta: float, activation: str) -> tuple[float, np.ndarray]:
    """The group-Lasso objective ``P`` at a point over the patterns ``masks``, and its residual."""
    groups = coefficients if activation == "relu" else coefficients[:, None, :]
    residual = y - intercept - _fitted(augment(X), masks, coefficients, activation)
    return 0.5 * float(residual @ residual) + beta * float(np.sum(np.linalg.norm(groups, axis=2))), residual


def fit_group_lasso(
    X: Any,
    y: Any,
    beta: float,
    *,
    activation: str = "relu",
    patterns: ActivationPatterns | None = None,
    tol: float = 1e-6,
    max_rounds: int = 100,
) -> GroupLassoFit:
    """Solve the two-layer group Lasso over ``patterns`` (default: the exact enumeration of all
    patterns of ``X``) by working sets, and certify the result over every pattern.

    Parameters
    ----------
    X : array-like (N, d)
    y : array-like (N,)
    beta : float
        β > 0.
    activation : ``"relu"`` (cone-constrained; needs cvxpy) or ``"gated"``
    patterns : ActivationPatterns, optional
        :func:`~mirrorlib.multidim.patterns.activation_patterns` (exact, all) or
        :func:`~mirrorlib.multidim.sampling.sampled_patterns` (a sample: the certificate then
        covers the sample only).
    tol : float
        Relative duality gap at which the fit is called optimal (the interior-point solver
        reaches about 1e-8 to 1e-10 on these problems).
    max_rounds : int
        Working-set rounds before giving up (the certificate then says NOT OPTIMAL).

    Returns
    -------
    GroupLassoFit

    Raises
    ------
    ValueError
        Bad shapes, non-finite data, ``beta ≤ 0``, an unknown activation, or too many patterns.

    Examples
    --------
    >>> X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    >>> fit = fit_group_lasso(X, np.array([0.0, 1.0, 1.0, 0.0]), 0.01)
    >>> fit.certificate.is_optimal, fit.network().width <= 2 * fit.masks.shape[0]
    (True, True)
    """
    X, y = checked_problem(X, y, beta, activation)
    if patterns is None:
        patterns = activation_patterns(X)
    if len(patterns.X) != X.shape[0] or any(
        tuple(Fraction(float(v)) for v in row) != tuple(Fraction(float(v)) for v in point) for row, point in zip(X, patterns.X)
    ):
        raise ValueError("patterns were enumerated on other data than X; pass the patterns of this X (activation_patterns(X))")
    return working_set_fit(X, y, beta, activation, PatternListOracle(X, patterns, activation, beta), tol=tol, max_rounds=max_rounds)


class PatternListOracle:
    """The dual constraint over a list of patterns (exact or sampled), as the oracle of
    :func:`working_set_fit`: ``ρ(r)`` over the list and its most violating patterns outside the
    working set.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> oracle = PatternListOracle(X, activation_patterns(X), "gated", 0.5)
    >>> sup, masks, gates = oracle(np.array([1.0, -2.0, 1.0]), np.zeros((0, 3), dtype=bool), 2)
    >>> round(sup, 6), masks.astype(int).tolist()
    (2.236068, [[0, 0, 1], [1, 1, 0]])
    """

    def __init__(self, X: np.ndarray, patterns: ActivationPatterns, activation: str, beta: float) -> None:
        self.X, self.masks, self.gates, self.activation, self.beta = X, patterns.matrix(), patterns.thetas(), activation, beta
        self.index = {mask.tobytes(): p for p, mask in enumerate(self.masks)}
        self.scope, self.arithmetic = patterns.scope, "float64"

    def __call__(self, centred: np.ndarray, working: np.ndarray, count: int) -> tuple[float, np.ndarray, np.ndarray]:
        indices = (self.index.get(mask.tobytes()) for mask in working)
        exclude = np.array([p for p in indices if p is not None], dtype=np.int64)
        sup, violators = _sup_and_violators(self.X, self.masks, centred, self.activation, self.beta, count, exclude=exclude)
        return sup, self.masks[violators], self.gates[violators]


def residual_certificate(oracle: Any, objective: float, y: np.ndarray, centred: np.ndarray, beta: float, tol: float) -> PatternCertificate:
    """The certificate of a point with objective ``P`` and centred residual ``r`` over what the
    ``oracle`` covers (a pattern list, or every neuron for
    :class:`~mirrorlib.multidim.neuron_search.NeuronSearchOracle`): ``ρ̂`` from the oracle and
    ``G = P − D(θ)`` (:func:`dual_gap`).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> oracle = PatternListOracle(X, activation_patterns(X), "gated", 10.0)
    >>> certificate = residual_certificate(oracle, 1.0, np.array([0.0, 1.0, 0.0]), np.array([-1, 2, -1]) / 3, 10.0, 1e-6)
    >>> round(certificate.sup, 6), certificate.scope
    (0.745356, 'all 6 activation patterns (exact enumeration)')
    """
    sup, _, _ = oracle(centred, np.zeros((0, len(centred)), dtype=bool), 0)
    return PatternCertificate(sup, beta, objective, dual_gap(objective, y - y.mean(), centred, sup, beta), tol, oracle.scope, oracle.arithmetic)


def working_set_fit(X: np.ndarray, y: np.ndarray, beta: float, activation: str, oracle: Any, *, tol: float, max_rounds: int) -> GroupLassoFit:
    """The working-set loop shared by every pattern source. Each round the ``oracle`` —
    ``oracle(centred_residual, working_masks, count) → (ρ̂, new_masks, new_gates)`` with an upper
    bound ``ρ̂`` of the dual constraint over the patterns it covers and up to ``count`` violating
    patterns outside the working set, plus attributes ``scope`` and ``arithmetic`` — decides the
    duality gap; the violators join the working set, the program on it is solved by Clarabel,
    and groups that come out zero leave.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0.0, 1.0, 0.0, 1.0])
    >>> fit = working_set_fit(X, y, 0.05, "gated", PatternListOracle(X, activation_patterns(X), "gated", 0.05), tol=1e-6, max_rounds=50)
    >>> fit.certificate.is_optimal
    True
    """
    y_centred = y - y.mean()
    width = X.shape[1] + 1  # (w, b)
    masks = np.zeros((0, X.shape[0]), dtype=bool)
    gates = np.zeros((0, width), dtype=object)
    coefficients = np.zeros((0, 2, width) if activation == "relu" else (0, width))
    intercept = float(y.mean())
    grow, prune = 8, True
    for round_index in range(1, max_rounds + 1):
        objective, residual = _objective(X, y, masks, coefficients, intercept, beta, activation)
        centred = residual - residual.mean()
        sup, new_masks, new_gates = oracle(centred, masks, grow)
        gap = dual_gap(objective, y_centred, centred, sup, beta)
        LOGGER.info("group Lasso round %d: %d patterns in the working set, sup %.6g (β = %g), relative gap %.2e", round_index, len(masks), sup, beta, gap / objective if objective > 0 else 0.0)
        if gap <= tol * objective:
            break
        if len(new_masks) == 0:  # every violator is in the set already: pruned dust that mattered
            if not prune:
                break  # nothing left to try; the certificate reports the gap
            prune = False
        before = masks
        masks, gates = np.concatenate([masks, new_masks]), np.concatenate([gates, new_gates])
        coefficients, intercept = _solve_working_set(X, y, masks, beta, activation, prune=prune)
        active = _nonzero_groups(coefficients)
        if prune and not active.all():  # re-solve on the support: a sparse network and a more accurate point
            masks, gates = masks[active], gates[active]
            coefficients, intercept = _solve_working_set(X, y, masks, beta, activation, prune=prune)
            if np.array_equal(masks, before):  # the violators came out as dust: stop pruning, or this round repeats
                prune = False
        grow = min(2 * grow, 256)
    keep = _nonzero_groups(coefficients)
    certificate = PatternCertificate(sup, beta, objective, gap, tol, oracle.scope, oracle.arithmetic)
    return GroupLassoFit(activation, X, y, beta, masks[keep], gates[keep], coefficients[keep], intercept, objective, certificate, round_index)
