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

from mirrorlib.multidim.estimation import AUTO_EXACT_CANDIDATES
from mirrorlib.multidim.group_lasso import PatternCertificate, PatternListOracle, _as_data, _objective, _solve_working_set, residual_certificate
from mirrorlib.multidim.network import TwoLayerNetwork, augment
from mirrorlib.multidim.neuron_search import DEFAULT_MAX_BOXES, NeuronSearchOracle
from mirrorlib.multidim.patterns import ActivationPatterns, activation_patterns, pattern_candidates

__all__ = ["KINK_MARGIN", "TrainedNetworkReport", "check_trained_network", "train_two_layer", "polish_stationary", "Stationarity", "stationarity"]


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
    d = X.shape[1]
    rng = np.random.default_rng(seed)
    start = np.concatenate([rng.standard_normal(width * (d + 1)) / np.sqrt(d + 1), rng.standard_normal(width) / np.sqrt(width), [y.mean()]])
    return _minimise(start, augment(X), y, beta, width, None, max_iterations, gradient_tol)


def _objective_and_gradient(
    parameters: np.ndarray, Xbar: np.ndarray, y: np.ndarray, beta: float, width: int, gates: np.ndarray | None
) -> tuple[float, np.ndarray]:
    """``J`` and its gradient; neuron ``j`` is active where ``x̄ᵀθ_j > 0``, or where ``gates[:, j]``."""
    theta, alpha, xi = _unpack(parameters, width, Xbar.shape[1] - 1)
    pre = Xbar @ theta.T  # (N, m)
    active = pre > 0 if gates is None else gates
    hidden = pre * active
    residual = hidden @ alpha + xi - y
    value = 0.5 * residual @ residual + 0.5 * beta * (np.sum(theta**2) + alpha @ alpha)
    back = (residual[:, None] * active) * alpha[None, :]  # (N, m)
    gradient_theta = back.T @ Xbar + beta * theta
    gradient_alpha = hidden.T @ residual + beta * alpha
    return float(value), np.concatenate([gradient_theta.reshape(-1), gradient_alpha, [residual.sum()]])


def _minimise(
    start: np.ndarray, Xbar: np.ndarray, y: np.ndarray, beta: float, width: int, gates: np.ndarray | None, max_iterations: int, gradient_tol: float
) -> TwoLayerNetwork:
    result = minimize(
        _objective_and_gradient, start, args=(Xbar, y, beta, width, gates), jac=True, method="L-BFGS-B",
        options={"maxiter": max_iterations, "gtol": gradient_tol, "ftol": 1e-15, "maxcor": 30},
    )
    d = Xbar.shape[1] - 1
    theta, alpha, xi = _unpack(result.x, width, d)
    return TwoLayerNetwork(theta[:, :d], theta[:, d], alpha, xi)


def _check_relu_network(network: TwoLayerNetwork, X: np.ndarray, caller: str) -> None:
    """Refuse a gated network, or one whose input dimension is not X's."""
    if network.gates is not None:
        raise ValueError(f"{caller} takes a ReLU network; this one is gated")
    if network.weights.shape[1] != X.shape[1]:
        raise ValueError(f"the network takes d = {network.weights.shape[1]} inputs but X has {X.shape[1]} columns")


MAX_POLISH_ROUNDS = 1000
"""Most pattern-fixing rounds :func:`polish_stationary` accepts (each is one L-BFGS run)."""


def _live(network: TwoLayerNetwork) -> np.ndarray:
    """Neurons that are not exactly zero (``θ_j ≠ 0`` or ``α_j ≠ 0``)."""
    return (network.output != 0) | (np.abs(network._theta()).max(axis=1) > 0)


def polish_stationary(
    network: TwoLayerNetwork, X: Any, y: Any, beta: float, *, dead_tol: float = 1e-6, rounds: int = 20, max_iterations: int = 20_000
) -> TwoLayerNetwork:
    """Refine a trained ReLU network towards a stationary point of ``J``.

    Neurons with ``max(‖θ_j‖, |α_j|) ≤ dead_tol`` are set exactly to zero; the others keep their
    activation patterns ``D_j = 1[X̄θ_j > 0]`` fixed while ``J`` — with fixed patterns a smooth
    function, the gated objective ``½‖Σ_j D_j X̄θ_j α_j + ξ − y‖² + β/2 Σ_j(‖θ_j‖² + α_j²)`` — is
    minimised by L-BFGS to machine precision; when that changes a pattern, the new patterns are
    fixed and the step repeated (at most ``rounds`` times). Where the result keeps every pattern strictly
    (no data point on a live neuron's hyperplane), ``J`` coincides with that smooth function
    near it, so a zero gradient makes it a stationary point of ``J``; :func:`stationarity`
    decides this.

    Parameters
    ----------
    network : TwoLayerNetwork
        A ReLU network (e.g. from :func:`train_two_layer`).
    X, y : array-like
        The training data ``(N, d)`` and labels.
    beta : float
        β > 0.
    dead_tol : float
        Neurons this small are taken to have died.
    rounds : int
        Most pattern-fixing rounds.
    max_iterations : int
        L-BFGS limit per round.

    Returns
    -------
    TwoLayerNetwork
        The live neurons, polished, and the intercept.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> X, y = rng.integers(-8, 9, (8, 2)) / 4, rng.integers(-4, 5, 8) / 2
    >>> trained = train_two_layer(X, y, 0.1, width=4, seed=0)
    >>> stationarity(trained, X, y, 0.1).is_stationary
    False
    >>> polished = polish_stationary(trained, X, y, 0.1)
    >>> stationarity(polished, X, y, 0.1).is_stationary
    True
    """
    X, y = _as_data(X, y)
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= MAX_POLISH_ROUNDS:
        raise ValueError(f"rounds must be a whole number from 1 to {MAX_POLISH_ROUNDS} (patterns that still change by then cycle), got {rounds!r}")
    if not dead_tol >= 0:
        raise ValueError(f"dead_tol must be ≥ 0, got {dead_tol!r}")
    _check_relu_network(network, X, "polish_stationary")
    Xbar = augment(X)
    for _ in range(rounds):
        theta = network._theta()
        live = np.maximum(np.abs(theta).max(axis=1), np.abs(network.output)) > dead_tol
        gates = Xbar @ theta[live].T > 0
        start = np.concatenate([theta[live].reshape(-1), network.output[live], [network.intercept]])
        network = _minimise(start, Xbar, y, beta, int(live.sum()), gates, max_iterations, 1e-14)
        if np.array_equal(Xbar @ network._theta().T > 0, gates):
            break
    return network


KINK_MARGIN = 1e-9
"""A data point closer than this to a live neuron's hyperplane puts the network at a kink of ``J``."""


@dataclass(frozen=True)
class Stationarity:
    """Whether a ReLU network is a stationary point of ``J``, decided in float64.

    ``J`` is differentiable at a point where no data point lies on a live neuron's hyperplane
    (dead neurons, ``θ_j = 0, α_j = 0``, contribute ``α_j relu(X̄θ_j) = o(‖(θ_j, α_j)‖)`` and a
    zero gradient), so there stationarity is ``∇J = 0``.

    Attributes
    ----------
    gradient_norm : float
        ``‖∇J‖`` over every weight and the intercept.
    margin : float
        The smallest distance ``|x̄_iᵀθ_j| / ‖θ_j‖`` of a data point to a live neuron's hyperplane
        (``inf`` without live neurons).
    live : int
        Neurons not exactly zero.
    is_stationary : bool
        ``margin > margin_tol`` and ``gradient_norm ≤ gradient_tol·max(1, J)``.

    Examples
    --------
    >>> from mirrorlib.multidim.network import TwoLayerNetwork
    >>> X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 0.0])
    >>> empty = TwoLayerNetwork(np.zeros((1, 2)), np.zeros(1), np.zeros(1), 0.0)
    >>> stationarity(empty, X, y, 0.1)
    Stationarity(gradient_norm=0.0, margin=inf, live=0, is_stationary=True)
    """

    gradient_norm: float
    margin: float
    live: int
    is_stationary: bool


def stationarity(
    network: TwoLayerNetwork, X: Any, y: Any, beta: float, *, gradient_tol: float = 1e-7, margin_tol: float = KINK_MARGIN
) -> Stationarity:
    """Decide whether ``network`` is a stationary point of ``J`` (see :class:`Stationarity`).

    Parameters
    ----------
    network : TwoLayerNetwork
        A ReLU network.
    X, y : array-like
        Training data and labels.
    beta : float
        β > 0.
    gradient_tol : float
        Largest accepted ``‖∇J‖`` relative to ``max(1, J)``.
    margin_tol : float
        Smallest accepted distance of a data point to a live neuron's hyperplane.

    Returns
    -------
    Stationarity

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((8, 2)), rng.standard_normal(8)
    >>> stationarity(train_two_layer(X, y, 0.1, width=4, seed=2), X, y, 0.1).live
    4
    """
    X, y = _as_data(X, y)
    if not (gradient_tol > 0 and margin_tol >= 0):
        raise ValueError(f"gradient_tol must be > 0 and margin_tol ≥ 0, got {gradient_tol!r} and {margin_tol!r}")
    _check_relu_network(network, X, "stationarity")
    theta, live = network._theta(), _live(network)
    Xbar = augment(X)
    parameters = np.concatenate([theta.reshape(-1), network.output, [network.intercept]])
    value, gradient = _objective_and_gradient(parameters, Xbar, y, beta, network.width, None)
    norms = np.linalg.norm(theta[live], axis=1)
    if not live.any():
        margin = float("inf")
    elif not norms.all():  # a live neuron with θ_j = 0 has every data point on its hyperplane
        margin = 0.0
    else:
        margin = float((np.abs(Xbar @ theta[live].T) / norms).min())
    gradient_norm = float(np.linalg.norm(gradient))
    return Stationarity(gradient_norm, margin, int(live.sum()), bool(margin > margin_tol and gradient_norm <= gradient_tol * max(1.0, value)))


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
    stationary : Stationarity
        Whether the network is a verified stationary point (:func:`stationarity`, default
        tolerances); at a kink it is not decided.

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
    stationary: Stationarity

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
            f"stationary point: {self._stationarity_text()}",
        ])

    def _stationarity_text(self) -> str:
        point = self.stationary
        if point.is_stationary:
            return f"VERIFIED (‖∇J‖ = {point.gradient_norm:.2e}, no data point within {point.margin:.2e} of a live neuron's hyperplane)"
        if point.margin <= KINK_MARGIN:
            return f"not decided: a data point lies on a live neuron's hyperplane (a kink, distance {point.margin:.2e}), where J is not differentiable"
        return f"NO (‖∇J‖ = {point.gradient_norm:.2e})"

    def as_json(self) -> dict[str, Any]:
        return {
            "objective": self.objective, "own_patterns": self.own_patterns, "restricted_optimum": self.restricted_optimum,
            "restricted_optimal": self.restricted_optimal, "globally_optimal": self.globally_optimal,
            "sup": self.certificate.sup, "beta": self.certificate.beta, "duality_gap": self.certificate.duality_gap,
            "scope": self.certificate.scope, "arithmetic": self.certificate.arithmetic, "tol": self.tol,
            "stationary": self.stationary.is_stationary, "gradient_norm": self.stationary.gradient_norm, "margin": self.stationary.margin,
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
        The patterns for (b); default: all, enumerated exactly up to
        :data:`~mirrorlib.multidim.estimation.AUTO_EXACT_CANDIDATES` candidate cells, above that
        the neuron search over every neuron (:mod:`mirrorlib.multidim.neuron_search`).
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
    _check_relu_network(network, X, "check_trained_network")
    objective = network.training_objective(X, y, beta)
    active = (np.abs(network.output) > 0) & (np.linalg.norm(np.column_stack([network.weights, network.biases]), axis=1) > 0)
    own = np.unique(network.patterns(X)[active], axis=0)
    own = own[own.any(axis=1)]  # a neuron that is off everywhere contributes nothing
    if own.shape[0]:
        coefficients, intercept = _solve_working_set(X, y, own, beta, "relu")
        restricted = _objective(X, y, own, coefficients, intercept, beta, "relu")[0]
    else:
        restricted = 0.5 * float((y - y.mean()) @ (y - y.mean()))
    residual = y - network.predict(X)
    centred = residual - residual.mean()
    if patterns is None and pattern_candidates(*X.shape) > AUTO_EXACT_CANDIDATES:
        oracle: Any = NeuronSearchOracle(X, "relu", beta, rtol=tol, max_boxes=DEFAULT_MAX_BOXES)
    else:
        oracle = PatternListOracle(X, activation_patterns(X) if patterns is None else patterns, "relu", beta)
    certificate = residual_certificate(oracle, objective, y, centred, beta, tol)
    restricted = min(restricted, objective)  # P_own ≤ J holds exactly; the solver's value may sit a hair above
    return TrainedNetworkReport(objective, int(own.shape[0]), restricted, objective - restricted <= tol * objective, certificate, tol, stationarity(network, X, y, beta))
