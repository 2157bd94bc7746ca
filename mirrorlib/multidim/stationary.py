"""Trained two-layer ReLU networks: non-convex training, and where a trained network stands in
the convex landscape.

Ergen & Pilanci (arXiv:2312.12657) show that a stationary point of the non-convex training
problem is a global optimum of the convex program *restricted to its own activation patterns*
(the patterns ``1[X̄θ_j ≥ 0]`` of its neurons), and that it is a global optimum of the network
when, in addition, no pattern at all violates the dual constraint at its residual.
:func:`check_trained_network` decides both for given weights:

(a) **restricted optimality**: the network's objective ``J`` against the optimum ``P_own`` of the
    ReLU group Lasso over its own patterns (each neuron ``α_j relu(X̄θ_j)`` is a feasible group
    ``α_jθ_j`` of that program, and ``‖θ‖|α| ≤ (‖θ‖² + α²)/2``, so ``P_own ≤ J`` always);
    (a) holds when ``J − P_own ≤ tol·J``;
(b) **global optimality**: the certificate of :mod:`mirrorlib.multidim.group_lasso` over every
    pattern at the network's residual, with ``J`` as the primal value: the gap bounds ``J`` minus
    the best objective of any network of any width.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> X, y = rng.standard_normal((8, 2)), rng.standard_normal(8)
>>> network = train_two_layer(X, y, 0.1, width=6, seed=1)
>>> report = check_trained_network(network, X, y, 0.1)
>>> report.restricted_optimum <= report.objective, report.certificate.scope
(True, 'all 58 activation patterns (exact enumeration)')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from mirrorlib.multidim.group_lasso import PatternCertificate, _as_data, _objective, _solve_working_set, _sup_and_violators
from mirrorlib.multidim.network import TwoLayerNetwork, augment
from mirrorlib.multidim.patterns import ActivationPatterns, activation_patterns

__all__ = ["TrainedNetworkReport", "check_trained_network", "train_two_layer"]


def _unpack(parameters: np.ndarray, width: int, d: int) -> tuple[np.ndarray, np.ndarray, float]:
    theta = parameters[: width * (d + 1)].reshape(width, d + 1)
    return theta, parameters[width * (d + 1) : width * (d + 2)], float(parameters[-1])


def train_two_layer(
    X: Any, y: Any, beta: float, *, width: int, seed: int = 0, max_iterations: int = 20_000, gradient_tol: float = 1e-12
) -> TwoLayerNetwork:
    """Train ``f(x) = ξ + Σ_j α_j relu(w_jᵀx + b_j)`` on ``J`` (:mod:`mirrorlib.multidim.network`)
    by L-BFGS from a random start: the non-convex baseline, and a source of (near-)stationary points.

    Parameters
    ----------
    X, y : array-like
        Data ``(N, d)`` and labels ``(N,)``.
    beta : float
        β > 0.
    width : int
        Hidden neurons ``m ≥ 1``.
    seed : int
        Seed of the Gaussian start (scale ``1/√d``).
    max_iterations, gradient_tol : L-BFGS limits.

    Returns
    -------
    TwoLayerNetwork

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> train_two_layer(X, np.array([0.0, 1.0, 1.0]), 0.01, width=3).width
    3
    """
    X, y = _as_data(X, y)
    if width < 1:
        raise ValueError(f"width must be ≥ 1, got {width}")
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    n, d = X.shape
    Xbar = augment(X)
    rng = np.random.default_rng(seed)
    start = np.concatenate([rng.standard_normal(width * (d + 1)) / np.sqrt(d + 1), rng.standard_normal(width) / np.sqrt(width), [y.mean()]])

    def objective_and_gradient(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        theta, alpha, xi = _unpack(parameters, width, d)
        pre = Xbar @ theta.T  # (N, m)
        hidden = np.maximum(pre, 0.0)
        residual = hidden @ alpha + xi - y
        value = 0.5 * residual @ residual + 0.5 * beta * (np.sum(theta**2) + alpha @ alpha)
        back = (residual[:, None] * (pre > 0)) * alpha[None, :]  # (N, m)
        gradient_theta = back.T @ Xbar + beta * theta
        gradient_alpha = hidden.T @ residual + beta * alpha
        return float(value), np.concatenate([gradient_theta.reshape(-1), gradient_alpha, [residual.sum()]])

    result = minimize(
        objective_and_gradient, start, jac=True, method="L-BFGS-B",
        options={"maxiter": max_iterations, "gtol": gradient_tol, "ftol": 1e-15, "maxcor": 30},
    )
    theta, alpha, xi = _unpack(result.x, width, d)
    return TwoLayerNetwork(theta[:, :d], theta[:, d], alpha, xi)


@dataclass(frozen=True)
class TrainedNetworkReport:
    """Where a trained network stands: (a) against its own patterns, (b) against all patterns.

    Attributes
    ----------
    objective : float
        The network's training objective ``J``.
    own_patterns : int
        Distinct activation patterns of its active neurons.
    restricted_optimum : float
        ``P_own``: the optimum of the convex program over those patterns.
    restricted_optimal : bool
        (a): ``J − P_own ≤ tol·J``.
    certificate : PatternCertificate
        (b): the certificate over all patterns at the network's residual (``J`` as primal value).
    tol : float

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> X, y = np.array([[0, 0], [1, 0], [0, 1], [1, 1]]), np.array([0.0, 1.0, 1.0, 0.0])
    >>> report = check_trained_network(fit_group_lasso(X, y, 0.01).network(), X, y, 0.01)
    >>> report.own_patterns >= 1, report.certificate.is_optimal
    (True, True)
    """

    objective: float
    own_patterns: int
    restricted_optimum: float
    restricted_optimal: bool
    certificate: PatternCertificate
    tol: float

    @property
    def globally_optimal(self) -> bool:
        """(b): no network of any width has a lower objective than ``J − tol·J``."""
        return self.certificate.is_optimal

    def as_text(self) -> str:
        relative = (self.objective - self.restricted_optimum) / self.objective if self.objective > 0 else 0.0
        return "\n".join([
            f"training objective J = {self.objective:.12g}",
            f"(a) own patterns ({self.own_patterns}): convex optimum {self.restricted_optimum:.12g}, "
            f"J above it by {relative:.2e} relative -> {'STATIONARY (optimal for its own patterns)' if self.restricted_optimal else 'NOT optimal for its own patterns'} (tol {self.tol:g})",
            f"(b) {self.certificate.summary()}",
        ])

    def as_json(self) -> dict[str, Any]:
        return {
            "objective": self.objective, "own_patterns": self.own_patterns, "restricted_optimum": self.restricted_optimum,
            "restricted_optimal": self.restricted_optimal, "globally_optimal": self.globally_optimal,
            "sup": self.certificate.sup, "beta": self.certificate.beta, "duality_gap": self.certificate.duality_gap,
            "scope": self.certificate.scope, "arithmetic": self.certificate.arithmetic, "tol": self.tol,
        }


def check_trained_network(
    network: TwoLayerNetwork, X: Any, y: Any, beta: float, *, patterns: ActivationPatterns | None = None, tol: float = 1e-6
) -> TrainedNetworkReport:
    """Decide (a) restricted and (b) global optimality of a trained ReLU network (module notes).

    Parameters
    ----------
    network : TwoLayerNetwork
        A ReLU network (no gates).
    X, y : array-like
    beta : float
    patterns : ActivationPatterns, optional
        The patterns for (b); default: all, enumerated exactly.
    tol : float
        Relative tolerance of both verdicts.

    Returns
    -------
    TrainedNetworkReport

    Examples
    --------
    >>> from mirrorlib.multidim.group_lasso import fit_group_lasso
    >>> X, y = np.array([[0, 0], [1, 0], [0, 1], [1, 1]]), np.array([0.0, 1.0, 1.0, 0.0])
    >>> report = check_trained_network(fit_group_lasso(X, y, 0.01).network(), X, y, 0.01)
    >>> report.restricted_optimal, report.globally_optimal
    (True, True)
    """
    X, y = _as_data(X, y)
    if network.gates is not None:
        raise ValueError("check_trained_network takes a ReLU network; this one is gated")
    if network.weights.shape[1] != X.shape[1]:
        raise ValueError(f"the network takes d = {network.weights.shape[1]} inputs but X has {X.shape[1]} columns")
    objective = network.training_objective(X, y, beta)
    active = (np.abs(network.output) > 0) & (np.linalg.norm(np.column_stack([network.weights, network.biases]), axis=1) > 0)
    own = np.unique(network.patterns(X)[active], axis=0)
    own = own[own.any(axis=1)]  # a neuron that is off everywhere contributes nothing
    if own.shape[0]:
        coefficients, intercept = _solve_working_set(X, y, own, beta, "relu")
        restricted = _objective(X, y, own, coefficients, intercept, beta, "relu")[0]
    else:
        restricted = 0.5 * float((y - y.mean()) @ (y - y.mean()))
    if patterns is None:
        patterns = activation_patterns(X)
    residual = y - network.predict(X)
    centred = residual - residual.mean()
    sup, _ = _sup_and_violators(X, patterns.matrix(), centred, "relu", beta, 1)
    y_centred = y - y.mean()
    theta = (min(1.0, beta / sup) if sup > 0 else 1.0) * centred
    dual = 0.5 * float(y_centred @ y_centred) - 0.5 * float((y_centred - theta) @ (y_centred - theta))
    certificate = PatternCertificate(sup, beta, objective, max(objective - dual, 0.0), tol, patterns.scope)
    restricted = min(restricted, objective)  # P_own ≤ J holds exactly; the solver's value may sit a hair above
    return TrainedNetworkReport(objective, int(own.shape[0]), restricted, objective - restricted <= tol * objective, certificate, tol)
