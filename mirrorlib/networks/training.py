"""Non-convex baseline: train a parallel network of deep narrow units by gradient methods (theory §3).

The architecture is that of :class:`~mirrorlib.networks.parallel.ParallelNetwork`: ``m`` deep narrow units
of depth ``L`` with trainable weights ``w_l`` and biases ``b_l`` (``l = 1..L−1``), output weights
``α_i`` and an output bias ξ::

    f(x) = ξ + Σ_i α_i u_i(x),   u_i = h_{L−1},   h_l = σ(w_l h_{l−1} + b_l),   h_0 = x,
    J(θ) = ½‖f(X) − y‖² + (β/L) (Σ_{i,l} |w_{i,l}|^L + Σ_i |α_i|^L).

Gradients are computed by hand-written backpropagation through the narrow chain (float64,
vectorised over units and samples); at a kink of σ the right derivative is used, which is an
element of the Clarke subdifferential for continuous PWL σ (e.g. ``relu'(0) = 1``). The penalty
gradient is ``β |w|^{L−1} sign(w)`` (smooth for ``L ≥ 2``).

Optimisers: L-BFGS (``scipy.optimize.minimize(method="L-BFGS-B")``) or Adam (implemented here).
Every start draws its initial point from ``numpy.random.default_rng([seed, start])``, so a
report is a deterministic function of its arguments.

Equivalence (theory §3): for a dual-complete library the Lasso optimum is a lower bound of ``J``
over *all* networks, so no start may end below it; :class:`TrainingReport` keeps, per start,
``J`` at the final weights (float and exactly), the network, and its breakpoints with the
nearest data point and the nearest reflection ``R(x_i, x_j) = 2x_j − x_i`` of the data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
from scipy.optimize import minimize

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.numbers.exact import format_rational, positive_beta, to_rational_vector
from mirrorlib.networks.parallel import ParallelNetwork

__all__ = [
    "METHODS",
    "TrainingProblem",
    "BreakpointReport",
    "StartResult",
    "TrainingReport",
    "train_nonconvex",
    "explain_breakpoints",
]

METHODS = ("lbfgs", "adam")


# =========================================================================== σ and σ' in float
@dataclass(frozen=True)
class _FloatActivation:
    """A continuous PWL σ in float64: ``σ(t) = m_k t + c_k`` on piece ``k``; ``σ'(t) = m_k`` (right derivative)."""

    breakpoints: np.ndarray
    slopes: np.ndarray
    intercepts: np.ndarray

    @classmethod
    def of(cls, activation: Activation) -> _FloatActivation:
        if not activation.is_scalar:
            raise ValueError(f"activation {activation.name} emits several channels; narrow units need a scalar σ")
        if not activation.function.is_continuous:
            raise ValueError(
                f"activation {activation.name} jumps (at {', '.join(format_rational(b) for b in activation.function.jumps)}), "
                "so its gradient vanishes almost everywhere and gradient training is meaningless; "
                "sign/threshold nets need the amplitude parametrisation (theory §1)"
            )
        breakpoints, slopes, intercepts, _ = activation.function.float_arrays()
        return cls(breakpoints, slopes, intercepts)

    def value_and_slope(self, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        piece = np.searchsorted(self.breakpoints, pre, side="right")
        slope = self.slopes[piece]
        return slope * pre + self.intercepts[piece], slope


# =========================================================================== the objective
@dataclass(frozen=True)
class TrainingProblem:
    """``J(θ)`` for data ``(x, y)`` and its gradient; ``θ = (vec W, vec B, α, ξ)`` with ``W, B ∈ R^{m×(L−1)}``.

    Examples
    --------
    >>> from mirrorlib.functions.activations import get_activation
    >>> problem = TrainingProblem(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 0.0]), get_activation('relu'), 2, 0.1, 3)
    >>> theta = np.random.default_rng(0).standard_normal(problem.n_parameters)
    >>> value, gradient = problem.objective_and_gradient(theta)
    >>> gradient.shape == theta.shape, bool(np.isclose(value, problem.objective(theta)))
    (True, True)
    """

    x: np.ndarray
    y: np.ndarray
    activation: Activation
    depth: int
    beta: float
    n_units: int

    @cached_property
    def sigma(self) -> _FloatActivation:
        """σ and σ' in float64 (validates that σ is scalar and continuous)."""
        return _FloatActivation.of(self.activation)

    @property
    def n_layers(self) -> int:
        """``L − 1`` hidden layers per unit."""
        return self.depth - 1

    @property
    def n_parameters(self) -> int:
        return 2 * self.n_units * self.n_layers + self.n_units + 1

    def pack(self, W: np.ndarray, B: np.ndarray, alpha: np.ndarray, xi: float) -> np.ndarray:
        return np.concatenate([W.ravel(), B.ravel(), alpha.ravel(), [xi]])

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """``(W, B, α, ξ)`` from the flat parameter vector."""
        size = self.n_units * self.n_layers
        shape = (self.n_units, self.n_layers)
        W = theta[:size].reshape(shape)
        B = theta[size : 2 * size].reshape(shape)
        alpha = theta[2 * size : 2 * size + self.n_units]
        return W, B, alpha, float(theta[-1])

    def network(self, theta: np.ndarray) -> ParallelNetwork:
        """The :class:`ParallelNetwork` with parameters ``θ`` (float)."""
        W, B, alpha, xi = self.unpack(theta)
        return ParallelNetwork.from_arrays(self.activation, W, B, alpha, xi)

    def objective(self, theta: np.ndarray) -> float:
        return self.objective_and_gradient(theta)[0]

    def objective_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``(J(θ), ∇J(θ))`` by backpropagation through the narrow chain.

        Forward: ``P_l = w_l h_{l−1} + b_l``, ``h_l = σ(P_l)``, ``f = ξ + Σ_i α_i h_{L−1,i}``, ``r = f − y``.
        Backward: ``∂J/∂ξ = Σ_j r_j``, ``∂J/∂α_i = Σ_j r_j h_{L−1,i}(x_j) + β|α_i|^{L−1} sign α_i``,
        ``G_{L−1} = α r``; for ``l = L−1..1``: ``D_l = σ'(P_l) G_l``, ``∂J/∂b_l = Σ_j D_l``,
        ``∂J/∂w_l = Σ_j D_l h_{l−1} + β|w_l|^{L−1} sign w_l``, ``G_{l−1} = w_l D_l``.
        """
        sigma = self.sigma
        W, B, alpha, xi = self.unpack(theta)
        L = self.depth
        hidden = [np.broadcast_to(self.x, (self.n_units, self.x.size))]
        slopes = []
        for layer in range(self.n_layers):
            value, slope = sigma.value_and_slope(W[:, layer, None] * hidden[-1] + B[:, layer, None])
            hidden.append(value)
            slopes.append(slope)
        residual = xi + alpha @ hidden[-1] - self.y
        penalty = float(np.sum(np.abs(W) ** L) + np.sum(np.abs(alpha) ** L))
        value = 0.5 * float(residual @ residual) + self.beta / L * penalty
        grad_W, grad_B = np.empty_like(W), np.empty_like(B)
        grad_alpha = hidden[-1] @ residual + self.beta * np.abs(alpha) ** (L - 1) * np.sign(alpha)
        upstream = alpha[:, None] * residual[None, :]
        for layer in reversed(range(self.n_layers)):
            delta = slopes[layer] * upstream
            grad_B[:, layer] = delta.sum(axis=1)
            grad_W[:, layer] = (delta * hidden[layer]).sum(axis=1) + self.beta * np.abs(W[:, layer]) ** (L - 1) * np.sign(
                W[:, layer]
            )
            upstream = W[:, layer, None] * delta
        return value, self.pack(grad_W, grad_B, grad_alpha, float(residual.sum()))

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        """A random start whose kinks lie in the data range.

        ``w_l ~ N(0, 1)``; layer ``l`` gets ``b_l = −w_l h_{l−1}(t_l)`` with ``t_l ~ U[min x, max x]``, so
        its pre-activation vanishes at ``x = t_l``; ``α_i ~ N(0, 1/m)·s`` with ``s = std(y)/std(x)``
        (1 for constant data) and ``ξ = mean(y)``.
        """
        m, layers = self.n_units, self.n_layers
        low, high = float(self.x.min()), float(self.x.max())
        W = rng.standard_normal((m, layers))
        B = np.empty((m, layers))
        anchors = rng.uniform(low, high, size=(m, layers))
        sigma = self.sigma
        for layer in range(layers):
            at_anchor = anchors[:, layer]
            for previous in range(layer):
                at_anchor = sigma.value_and_slope(W[:, previous] * at_anchor + B[:, previous])[0]
            B[:, layer] = -W[:, layer] * at_anchor
        spread_x, spread_y = float(np.std(self.x)), float(np.std(self.y))
        scale = spread_y / spread_x if spread_x > 0 and spread_y > 0 else 1.0
        alpha = rng.standard_normal(m) * scale / np.sqrt(m)
        return self.pack(W, B, alpha, float(np.mean(self.y)))


# =========================================================================== optimisers
@dataclass(frozen=True)
class _OptimiserResult:
    theta: np.ndarray
    n_iterations: int
    converged: bool
    message: str


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread: for these tiny problems thread start-up dominates L-BFGS-B's cost
    (measured 5–7× slower with 2 threads). Results do not depend on it."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _run_lbfgs(problem: TrainingProblem, theta: np.ndarray, max_iter: int) -> _OptimiserResult:
    """scipy's L-BFGS-B (no bounds) with tight tolerances; nonsmooth kinks end it via the line search."""
    with _single_threaded_blas():
        result = minimize(
            problem.objective_and_gradient,
            theta,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "maxfun": 4 * max_iter, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30},
        )
    return _OptimiserResult(np.asarray(result.x, dtype=np.float64), int(result.nit), bool(result.success), str(result.message))


def _run_adam(
    problem: TrainingProblem, theta: np.ndarray, max_iter: int, learning_rate: float
) -> _OptimiserResult:
    """Adam (Kingma & Ba) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8; stops early when ``‖∇J‖∞ < 1e-10``."""
    first, second = np.zeros_like(theta), np.zeros_like(theta)
    decay1, decay2, eps = 0.9, 0.999, 1e-8
    for step in range(1, max_iter + 1):
        _, gradient = problem.objective_and_gradient(theta)
        if np.max(np.abs(gradient)) < 1e-10:
            return _OptimiserResult(theta, step - 1, True, "gradient below 1e-10")
        first = decay1 * first + (1 - decay1) * gradient
        second = decay2 * second + (1 - decay2) * gradient**2
        corrected_first = first / (1 - decay1**step)
        corrected_second = second / (1 - decay2**step)
        theta = theta - learning_rate * corrected_first / (np.sqrt(corrected_second) + eps)
    return _OptimiserResult(theta, max_iter, False, f"reached max_iter={max_iter}")


# =========================================================================== breakpoint reports
@dataclass(frozen=True)
class BreakpointReport:
    """A kink of a trained network and the nearest data point / reflection of data.

    Indices are the caller's indices into ``X``; the reflection is ``R(x_i, x_j) = 2x_j − x_i``
    with ``x_i ≠ x_j``.

    Examples
    --------
    >>> report = explain_breakpoints([2.0], [0.0, 1.0, 3.0])[0]
    >>> report.location, report.nearest_data, report.data_distance
    (2.0, 1.0, 1.0)
    """

    location: float
    nearest_data_index: int
    nearest_data: float
    data_distance: float
    reflection: tuple[int, int] | None
    reflection_value: float
    reflection_distance: float
    in_data_range: bool

    def describe(self) -> str:
        data = f"x{self.nearest_data_index}={self.nearest_data:.6g} (|Δ|={self.data_distance:.3g})"
        if self.reflection is None:
            return f"kink at {self.location:.6g}: nearest data {data}"
        i, j = self.reflection
        mirror = f"R(x{i}, x{j})={self.reflection_value:.6g} (|Δ|={self.reflection_distance:.3g})"
        where = "" if self.in_data_range else "  [outside the data range]"
        return f"kink at {self.location:.6g}: nearest data {data}; nearest reflection {mirror}{where}"


def explain_breakpoints(breakpoints: Sequence[float], x: Sequence[float]) -> tuple[BreakpointReport, ...]:
    """For each breakpoint its nearest data point and nearest reflection ``R(x_i, x_j) = 2x_j − x_i``.

    Examples
    --------
    >>> report = explain_breakpoints([2.0], [0.0, 1.0, 3.0])[0]
    >>> report.nearest_data, report.reflection, report.reflection_value
    (1.0, (0, 1), 2.0)
    """
    points = np.asarray(x, dtype=np.float64)
    mirrors = 2 * points[None, :] - points[:, None]  # [i, j] = R(x_i, x_j)
    valid = points[:, None] != points[None, :]
    low, high = float(points.min()), float(points.max())
    reports = []
    for location in np.asarray(breakpoints, dtype=np.float64):
        nearest = int(np.argmin(np.abs(points - location)))
        if valid.any():
            distances = np.where(valid, np.abs(mirrors - location), np.inf)
            i, j = np.unravel_index(int(np.argmin(distances)), distances.shape)
            reflection: tuple[int, int] | None = (int(i), int(j))
            mirror_value, mirror_distance = float(mirrors[i, j]), float(distances[i, j])
        else:
            reflection, mirror_value, mirror_distance = None, float("nan"), float("inf")
        reports.append(
            BreakpointReport(
                location=float(location),
                nearest_data_index=nearest,
                nearest_data=float(points[nearest]),
                data_distance=float(abs(points[nearest] - location)),
                reflection=reflection,
                reflection_value=mirror_value,
                reflection_distance=mirror_distance,
                in_data_range=low <= location <= high,
            )
        )
    return tuple(reports)


# =========================================================================== reports
@dataclass(frozen=True)
class StartResult:
    """One random start: ``J`` at the final weights (float and exact), the network and its kinks.

    ``objective_exact`` is ``J`` evaluated exactly at the float weights (read as Fractions);
    ``rebalanced_objective`` is the Lasso objective of :func:`~mirrorlib.networks.parallel.to_lasso` of the
    network (``≤ objective_exact`` by AM–GM; what the same function costs once balanced).

    Examples
    --------
    >>> start = train_nonconvex([0, 1, 2, 4], [0, 1, 1, 3], 'relu', 2, 0.1, n_units=4, n_starts=1, seed=0).starts[0]
    >>> start.start, abs(start.objective - float(start.objective_exact)) < 1e-9
    (0, True)
    """

    start: int
    objective: float
    objective_exact: Fraction
    rebalanced_objective: Fraction | None
    network: ParallelNetwork
    breakpoints: tuple[BreakpointReport, ...]
    n_iterations: int
    converged: bool
    message: str


@dataclass(frozen=True)
class TrainingReport:
    """All starts of :func:`train_nonconvex`, in start order.

    Examples
    --------
    >>> report = train_nonconvex([0, 1, 2, 4], [0, 1, 1, 3], 'relu', 2, 0.1, n_units=4, n_starts=2, seed=0)
    >>> len(report.starts), report.best.objective >= 0.1625 - 1e-9
    (2, True)
    """

    activation: str
    depth: int
    beta: Fraction
    n_units: int
    method: str
    seed: int
    max_iter: int
    X: tuple[float, ...]
    y: tuple[float, ...]
    starts: tuple[StartResult, ...]

    @property
    def objectives(self) -> np.ndarray:
        """Final ``J`` of each start (float)."""
        return np.array([start.objective for start in self.starts], dtype=np.float64)

    @property
    def best(self) -> StartResult:
        """The start with the lowest exact final objective."""
        return min(self.starts, key=lambda start: start.objective_exact)

    def summary(self, lasso_optimum: float | Fraction | None = None) -> str:
        """A text table of the starts (and their gaps to ``lasso_optimum`` if given)."""
        head = (
            f"non-convex training: σ={self.activation}, L={self.depth}, m={self.n_units} units, "
            f"β={format_rational(self.beta)}, method={self.method}, seed={self.seed}, max_iter={self.max_iter}"
        )
        lines = [head]
        if lasso_optimum is not None:
            lines.append(f"Lasso optimum: {float(lasso_optimum):.12g}")
        for start in self.starts:
            gap = "" if lasso_optimum is None else f"  J − Lasso = {float(start.objective_exact - Fraction(lasso_optimum)):+.3e}"
            lines.append(
                f"  start {start.start}: J = {start.objective:.12g}{gap}  ({start.n_iterations} iterations, "
                f"{len(start.breakpoints)} kinks)"
            )
        return "\n".join(lines)


def _check_arguments(
    X: object, y: object, beta: object, depth: int, n_units: int, n_starts: int, method: str, max_iter: int
) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...], Fraction]:
    points = to_rational_vector(np.asarray(X).tolist() if isinstance(X, np.ndarray) else X, name="X")  # type: ignore[arg-type]
    labels = to_rational_vector(np.asarray(y).tolist() if isinstance(y, np.ndarray) else y, name="y")  # type: ignore[arg-type]
    if len(points) != len(labels):
        raise ValueError(f"y has {len(labels)} labels but X has {len(points)} inputs; give exactly one label per input")
    beta_exact = positive_beta(beta, limit="the Lasso (mirrorlib.lasso.solve_lasso_exact with beta=None)")
    for name, value, minimum in (("depth", depth, 2), ("n_units", n_units, 1), ("n_starts", n_starts, 1), ("max_iter", max_iter, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return points, labels, beta_exact


def train_nonconvex(
    X: Sequence[object] | np.ndarray | str,
    y: Sequence[object] | np.ndarray | str,
    activation: Activation | str,
    depth: int,
    beta: object,
    *,
    n_units: int = 8,
    n_starts: int = 5,
    seed: int = 0,
    method: str = "lbfgs",
    max_iter: int = 2000,
    learning_rate: float = 1e-2,
    initial_network: ParallelNetwork | None = None,
) -> TrainingReport:
    """Train ``f = ξ + Σ_{i≤m} α_i u_i`` (deep narrow units of depth ``L``) on ``J`` from ``n_starts``
    random starts.

    Parameters
    ----------
    X, y : sequences of numbers
        The data (floats are read exactly; training itself runs in float64).
    activation : str or Activation
        A scalar continuous PWL σ (relu, abs, leaky_relu(a), …); homogeneity is needed only for
        the Lasso comparison, not for training.
    depth : int
        ``L ≥ 2``.
    beta : number
        ``β > 0``.
    n_units : int
        ``m``, the number of parallel units.
    n_starts : int
        Number of random starts; start ``k`` uses ``default_rng([seed, k])``.
    seed : int
        Seed of the starts.
    method : ``"lbfgs"`` or ``"adam"``
        The optimiser.
    max_iter : int
        Iterations per start.
    learning_rate : float
        Adam's step size.
    initial_network : ParallelNetwork, optional
        A network of the same σ and depth with at most ``n_units`` units (e.g. a rebuilt Lasso
        optimum): every start begins with its units (weights read as floats) and random other
        units whose output weights are scaled by 1e-2, as the paper's code initialises a subset
        of the neurons at the Lasso solution.

    Returns
    -------
    TrainingReport
        Every start's final objective (float and exact), network and kinks.

    Raises
    ------
    ValueError
        Naming the offending argument (``beta`` ≤ 0, ``y`` of the wrong length, ``activation``
        discontinuous or multi-channel, ``method``, ``depth``, ``n_units``, …).

    Examples
    --------
    >>> report = train_nonconvex([0, 1, 2], [0, 1, 0], "relu", 2, "1/100", n_units=4, n_starts=2)
    >>> len(report.starts), report.best.objective < 0.5
    (2, True)
    """
    points, labels, beta_exact = _check_arguments(X, y, beta, depth, n_units, n_starts, method, max_iter)
    sigma = get_activation(activation)
    x_float = np.array([float(v) for v in points], dtype=np.float64)
    y_float = np.array([float(v) for v in labels], dtype=np.float64)
    problem = TrainingProblem(x_float, y_float, sigma, int(depth), float(beta_exact), int(n_units))
    problem.sigma  # noqa: B018 - validate σ before any start
    starts = []
    for start in range(n_starts):
        rng = np.random.default_rng([seed, start])
        theta0 = problem.initial_point(rng)
        if initial_network is not None:
            theta0 = _warm_start(problem, theta0, initial_network)
        if method == "lbfgs":
            outcome = _run_lbfgs(problem, theta0, max_iter)
        else:
            outcome = _run_adam(problem, theta0, max_iter, learning_rate)
        starts.append(_start_result(problem, start, outcome, points, labels, beta_exact))
    return TrainingReport(
        activation=sigma.name,
        depth=int(depth),
        beta=beta_exact,
        n_units=int(n_units),
        method=method,
        seed=seed,
        max_iter=int(max_iter),
        X=tuple(float(v) for v in x_float),
        y=tuple(float(v) for v in y_float),
        starts=tuple(starts),
    )


def _warm_start(problem: TrainingProblem, theta: np.ndarray, network: ParallelNetwork) -> np.ndarray:
    """``theta`` with its first units replaced by ``network``'s and the others' outputs damped."""
    if network.depth != problem.depth or network.n_units > problem.n_units:
        raise ValueError(
            f"initial_network must have depth {problem.depth} and at most n_units={problem.n_units} units, "
            f"got depth {network.depth} with {network.n_units} units"
        )
    if network.skip != 0:
        raise ValueError("initial_network has a linear skip weight, which the trained architecture does not have")
    W, B, alpha, _ = problem.unpack(theta.copy())
    k = network.n_units
    alpha = alpha * 1e-2
    W[:k] = [[float(w) for w in row] for row in network.weights]
    B[:k] = [[float(b) for b in row] for row in network.biases]
    alpha[:k] = [float(a) for a in network.alpha]
    return problem.pack(W, B, alpha, float(network.xi))


def _start_result(
    problem: TrainingProblem,
    start: int,
    outcome: _OptimiserResult,
    points: tuple[Fraction, ...],
    labels: tuple[Fraction, ...],
    beta: Fraction,
) -> StartResult:
    network = problem.network(outcome.theta)
    exact = network.training_objective(points, labels, beta, exact=True)
    rebalanced = network.to_lasso().objective(points, labels, beta) if network.activation.is_positively_homogeneous else None
    return StartResult(
        start=start,
        objective=network.training_objective(problem.x, problem.y, beta),
        objective_exact=exact,  # type: ignore[arg-type]
        rebalanced_objective=rebalanced,  # type: ignore[arg-type]
        network=network,
        breakpoints=explain_breakpoints(network.breakpoints(), problem.x),  # type: ignore[arg-type]
        n_iterations=outcome.n_iterations,
        converged=outcome.converged,
        message=outcome.message,
    )
