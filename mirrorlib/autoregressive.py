"""Autoregressive convex networks: ``x_t = f(x_{t−1}) + ε`` with ``f`` a network trained as a Lasso.

The paper's time-series experiments fit a scalar series by a network of the previous value.
With one lag the input is one-dimensional, so ``f`` is exactly a :class:`~mirrorlib.estimator.ConvexNet`
fitted on the pairs ``(x_{t−1}, x_t)`` — with its certificates (the Lasso, and the network among
all networks of the architecture). More lags would make the input d-dimensional, which the
1-D Lasso models do not cover (theory §8).

:func:`compare_on_series` puts it beside the two baselines of the paper: the linear AR(1) model
(statsmodels ``AutoReg``) and the same architecture trained by a non-convex optimiser from random
starts (:func:`mirrorlib.networks.training.train_nonconvex`), on a chronological train/test split.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from mirrorlib.progress import LOGGER

__all__ = ["ConvexAR", "SeriesComparison", "compare_on_series", "load_series", "SERIES"]

SERIES = {
    "sunspots": "yearly mean sunspot numbers 1700–2008 (statsmodels.datasets.sunspots, SUNACTIVITY)",
    "nile": "annual flow of the Nile at Aswan 1871–1970 (statsmodels.datasets.nile, volume)",
}


def load_series(name: str) -> np.ndarray:
    """A real series shipped with statsmodels (read offline from its package data).

    Parameters
    ----------
    name : str
        A key of :data:`SERIES` (e.g. ``"sunspots"``).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> load_series("sunspots")[:4]
    array([ 5., 11., 16., 23.])
    """
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}; choose one of {', '.join(SERIES)}")
    try:
        import statsmodels.api as sm
    except ImportError:
        raise ImportError('the example series need statsmodels: pip install "mirrorlib[ar]"') from None
    if name == "sunspots":
        return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=np.float64)
    return sm.datasets.nile.load_pandas().data["volume"].to_numpy(dtype=np.float64)


def _series(values: Any, *, name: str = "series", minimum: int = 3) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per time step), got shape {array.shape}")
    if array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf; remove or fill those time steps first")
    return array


class ConvexAR(BaseEstimator):
    """``x_t = f(x_{t−1}) + ε``: a deep narrow network of the previous value, fitted as a Lasso.

    Parameters
    ----------
    activation : str, default="relu"
        σ of the units.
    depth : int, default=3
        ``L`` (layers, the output included).
    beta : float, default=1.0
        Weight decay β > 0, in the units of the series (the Lasso is not rescaled).
    exact : bool, default=False
        Exact rational fit (slow for long series) instead of float64.
    library : {"complete", "closed-form"}, default="complete"
        As for :class:`~mirrorlib.estimator.ConvexNet`.

    Attributes
    ----------
    model_ : ConvexNet
        The network ``f`` with its certificates (``model_.certificate_``).
    n_train_ : int
        Length of the training series.

    Examples
    --------
    >>> ar = ConvexAR(depth=2, beta=0.1).fit([0.0, 1.0, 3.0, 2.0, 0.5, 1.5, 3.5, 2.5])
    >>> ar.predict([1.0, 3.0]).shape, ar.model_.certificate_.training_optimal
    ((1,), True)
    """

    _parameter_constraints: dict = {
        "activation": [str],
        "depth": [Interval(Integral, 2, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "exact": ["boolean"],
        "library": [StrOptions({"complete", "closed-form"})],
    }

    def __init__(self, activation: str = "relu", depth: int = 3, beta: float = 1.0, *, exact: bool = False, library: str = "complete") -> None:
        self.activation = activation
        self.depth = depth
        self.beta = beta
        self.exact = exact
        self.library = library

    def fit(self, series: Any, y: None = None) -> ConvexAR:
        """Fit ``f`` on the pairs ``(x_{t−1}, x_t)`` of ``series``."""
        from mirrorlib.estimator import ConvexNet

        self._validate_params()
        values = _series(series)
        self.model_ = ConvexNet(self.activation, self.depth, self.beta, exact=self.exact, library=self.library)
        self.model_.fit(values[:-1], values[1:])
        self.n_train_ = int(values.size)
        return self

    def predict(self, series: Any) -> np.ndarray:
        """One-step-ahead predictions ``f(x_{t−1})`` of ``x_t`` for ``t = 1 … T−1`` (``T − 1`` values)."""
        check_is_fitted(self, "model_")
        values = _series(series, minimum=2)
        return self.model_.predict(values[:-1])

    def mse(self, series: Any) -> float:
        """Mean squared one-step-ahead error on ``series``."""
        values = _series(series, minimum=2)
        return float(np.mean((self.predict(values) - values[1:]) ** 2))

    def forecast(self, last: float, steps: int) -> np.ndarray:
        """Iterate ``f`` from ``last``: the next ``steps`` values (no noise)."""
        check_is_fitted(self, "model_")
        if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1:
            raise ValueError(f"steps must be a whole number ≥ 1, got {steps!r}")
        out, value = [], float(last)
        for _ in range(int(steps)):
            value = float(self.model_.predict([value])[0])
            out.append(value)
        return np.array(out)


@dataclass(frozen=True)
class SeriesComparison:
    """Train/test one-step mean squared errors of the three models on one split.

    Examples
    --------
    >>> result = compare_on_series(2 + np.sin(np.arange(40) / 3), depth=2, beta=0.01, n_starts=1)
    >>> result.n_train, result.n_test, result.convex_certified
    (32, 8, True)
    """

    name: str
    n_train: int
    n_test: int
    depth: int
    beta: float
    convex_train: float
    convex_test: float
    convex_units: int
    convex_certified: bool
    ar1_train: float
    ar1_test: float
    nonconvex_train: float
    nonconvex_test: float
    nonconvex_objective_gap: float
    ar1_params: tuple[float, float] = (0.0, 0.0)
    model: Any = None
    nonconvex: Any = None
    series: Any = None

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key not in ("model", "nonconvex", "series")}

    def as_text(self) -> str:
        rows = [
            ("convex net (Lasso, certified)" if self.convex_certified else "convex net (Lasso)", self.convex_train, self.convex_test),
            ("AR(1) (statsmodels)", self.ar1_train, self.ar1_test),
            ("same net, L-BFGS from random starts", self.nonconvex_train, self.nonconvex_test),
        ]
        lines = [
            f"{self.name}: {self.n_train} training values, {self.n_test} test values; relu depth {self.depth}, β = {self.beta:g}",
            f"{'model':<40} {'train MSE':>12} {'test MSE':>12}",
        ]
        lines += [f"{label:<40} {train:>12.2f} {test:>12.2f}" for label, train, test in rows]
        lines.append(
            f"the convex net uses {self.convex_units} units; the non-convex training objective ends "
            f"{self.nonconvex_objective_gap:+.3g} above the certified optimum"
        )
        return "\n".join(lines)


def compare_on_series(
    series: Any,
    *,
    name: str = "series",
    depth: int = 3,
    beta: float = 10.0,
    train_fraction: float = 0.8,
    n_units: int = 20,
    n_starts: int = 5,
    seed: int = 0,
) -> SeriesComparison:
    """Fit :class:`ConvexAR`, AR(1) and the non-convex network on the first ``train_fraction`` of
    ``series`` and report one-step-ahead MSEs on both parts (chronological split).

    Parameters
    ----------
    series : array-like (T,)
        The series ``x_1 … x_T`` (at least 8 values).
    name : str
        Its name in the report.
    depth : int
        Depth of the convex net and the non-convex baseline.
    beta : float
        Weight decay β.
    train_fraction : float
        The first ``train_fraction`` of the transitions are training data.
    n_units : int
        Units of the non-convex baseline.
    n_starts : int
        Random starts of the baseline (the best is reported).
    seed : int
        Seed of the baseline.

    Returns
    -------
    SeriesComparison

    Examples
    --------
    >>> values = 2 + np.sin(np.arange(40) / 3)
    >>> result = compare_on_series(values, depth=2, beta=0.01, n_starts=1)
    >>> result.convex_train <= result.ar1_train
    True
    """
    from statsmodels.tsa.ar_model import AutoReg

    from mirrorlib.networks.training import train_nonconvex

    values = _series(series, minimum=8)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be in (0, 1), got {train_fraction}")
    cut = int(round(train_fraction * values.size))
    train, test = values[:cut], values[cut - 1 :]  # the test pairs start from the last training value
    LOGGER.info("%s: convex fit of depth %d on %d training pairs", name, depth, train.size - 1)
    convex = ConvexAR(depth=depth, beta=beta).fit(train)
    ar1 = AutoReg(train, lags=1).fit()
    intercept, slope = (float(v) for v in ar1.params)
    linear = lambda part: float(np.mean((intercept + slope * part[:-1] - part[1:]) ** 2))  # noqa: E731
    LOGGER.info("%s: non-convex baseline (L-BFGS, %d starts)", name, n_starts)
    report = train_nonconvex(train[:-1], train[1:], "relu", depth, beta, n_units=n_units, n_starts=n_starts, seed=seed)
    network = report.best.network
    nonconvex = lambda part: float(np.mean((network.predict(part[:-1]) - part[1:]) ** 2))  # noqa: E731
    return SeriesComparison(
        name=name, n_train=int(train.size), n_test=int(values.size - cut), depth=depth, beta=beta,
        convex_train=convex.mse(train), convex_test=convex.mse(test),
        convex_units=len(convex.model_.selected_features()),
        convex_certified=bool(convex.model_.certificate_.is_optimal and convex.model_.certificate_.training_optimal),
        ar1_train=linear(train), ar1_test=linear(test),
        nonconvex_train=nonconvex(train), nonconvex_test=nonconvex(test),
        nonconvex_objective_gap=float(report.best.objective - float(convex.model_.objective_)),
        ar1_params=(intercept, slope), model=convex, nonconvex=network, series=values,
    )
