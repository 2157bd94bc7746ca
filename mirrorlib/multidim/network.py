"""Two-layer networks on d-dimensional data, their training objective and activation patterns.

A network with ``m`` hidden neurons is

    f(x) = ξ + Σ_j α_j σ(w_jᵀx + b_j),

with ``σ = relu``, or, for a *gated* ReLU network, ``σ`` replaced by the fixed gate
``1[g_jᵀx̄ ≥ 0]·(w_jᵀx + b_j)`` (``x̄ = (x, 1)``). Its training objective with weight decay is

    J = ½‖f(X) − y‖² + (β/2) Σ_j (‖w_j‖² + b_j² + α_j²).

**Convention** (the papers differ): the hidden biases ``b_j`` are penalised together with the
weights — the data are augmented to ``x̄ = (x, 1)`` and ``θ_j = (w_j, b_j)`` is one vector — and
the output intercept ``ξ`` is free. With free hidden biases a gated network could fit any
indicator vector ``1[g_jᵀx̄ ≥ 0]`` at no cost, so the convex program would be degenerate. (The
1-D libraries of :mod:`mirrorlib.libraries` leave biases free; they are a different model.)

Examples
--------
>>> net = TwoLayerNetwork(np.array([[1.0, 0.0]]), np.array([0.5]), np.array([2.0]), 1.0)
>>> net.predict(np.array([[1.0, 3.0], [-1.0, 0.0]]))
array([4., 1.])
>>> float(net.training_objective(np.array([[1.0, 3.0]]), np.array([4.0]), 0.1))
0.2625
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TwoLayerNetwork", "augment"]


def augment(X: np.ndarray) -> np.ndarray:
    """``X̄ = [X, 1]``: the data with a column of ones (the hidden bias).

    Examples
    --------
    >>> augment(np.array([[2.0], [3.0]]))
    array([[2., 1.],
           [3., 1.]])
    """
    X = np.asarray(X, dtype=np.float64)
    return np.hstack([X, np.ones((X.shape[0], 1))])


@dataclass(frozen=True)
class TwoLayerNetwork:
    """``f(x) = ξ + Σ_j α_j σ(w_jᵀx + b_j)`` (ReLU), or gated when ``gates`` is given.

    Parameters
    ----------
    weights : ndarray of shape (m, d)
        ``w_j``.
    biases : ndarray of shape (m,)
        ``b_j`` (penalised, see the module notes).
    output : ndarray of shape (m,)
        ``α_j``.
    intercept : float
        ``ξ`` (free).
    gates : ndarray of shape (m, d + 1), optional
        Gated ReLU: neuron ``j`` is active where ``g_jᵀx̄ ≥ 0`` and then outputs ``w_jᵀx + b_j``.
        The gates are evaluated exactly (:func:`~mirrorlib.multidim.patterns.patterns_of`), so they
        may be exact rationals (an object array of Fractions).

    Examples
    --------
    >>> net = TwoLayerNetwork(np.array([[1.0, -1.0]]), np.array([0.0]), np.array([1.0]), 0.5)
    >>> net.predict(np.array([[2.0, 1.0], [0.0, 1.0]])), net.patterns(np.array([[2.0, 1.0], [0.0, 1.0]]))
    (array([1.5, 0.5]), array([[ True, False]]))
    """

    weights: np.ndarray
    biases: np.ndarray
    output: np.ndarray
    intercept: float
    gates: np.ndarray | None = None

    @property
    def width(self) -> int:
        """The number of hidden neurons ``m``."""
        return int(self.output.size)

    def _theta(self) -> np.ndarray:
        weights = np.asarray(self.weights, dtype=np.float64)
        return np.hstack([weights.reshape(self.width, weights.shape[-1]), np.asarray(self.biases, dtype=np.float64).reshape(-1, 1)])

    def patterns(self, X: np.ndarray) -> np.ndarray:
        """The neurons' activation patterns on ``X``: ``(m, N)`` booleans ``1[θ_jᵀx̄ᵢ ≥ 0]`` (the gates'
        patterns for a gated network)."""
        if self.gates is not None:
            from mirrorlib.multidim.patterns import patterns_of

            return patterns_of(np.asarray(X, dtype=np.float64), self.gates).reshape(self.width, np.shape(X)[0])
        return (augment(X) @ self._theta().T >= 0).T

    def hidden(self, X: np.ndarray) -> np.ndarray:
        """Hidden activations ``(N, m)``."""
        linear = augment(X) @ self._theta().T
        return np.where(self.patterns(X).T, linear, 0.0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``f(X)``, shape ``(N,)``."""
        return self.intercept + self.hidden(X) @ np.asarray(self.output, dtype=np.float64)

    def penalty(self) -> float:
        """``½ Σ_j (‖θ_j‖² + α_j²)`` (times β in the objective)."""
        return 0.5 * float(np.sum(self._theta() ** 2) + np.sum(np.asarray(self.output, dtype=np.float64) ** 2))

    def training_objective(self, X: np.ndarray, y: np.ndarray, beta: float) -> float:
        """``J = ½‖f(X) − y‖² + β·penalty``."""
        residual = self.predict(X) - np.asarray(y, dtype=np.float64)
        return 0.5 * float(residual @ residual) + beta * self.penalty()
