"""The float64 certificate of a Lasso point: the duality gap of :mod:`mirrorlib.lasso.certificate`
evaluated in floating point, with a bound on its rounding error.

For a float point ``(z, ξ)`` the scaled centred residual ``θ = s·r_c`` is dual feasible and the gap
``P(z, ξ) − D(θ)`` bounds the distance to the optimum; it is evaluated in the stable form of
:mod:`mirrorlib.lasso.certificate`. Rounding in ``Aᵀr`` is bounded column by column
(:func:`correlation_rounding_level`), which gives a floor below which a float gap cannot be trusted
(:func:`gap_rounding_floor`); a point is called optimal when its relative gap is below ``tol`` or
at that floor.

Examples
--------
>>> report = certify_lasso_float([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0], [0.75], 0.25, 0.5)
>>> report.is_optimal, report.relative_gap < 1e-12
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorlib.lasso.float_dictionary import FloatDictionary

__all__ = [
    "FloatLassoCertificate",
    "certify_lasso_float",
    "lasso_duality_gap_float",
    "duality_gap_from_parts",
    "gap_rounding_floor",
    "correlation_rounding_level",
]

_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class FloatLassoCertificate:
    """Floating-point optimality report for a candidate ``(z, ξ)``.

    ``is_optimal`` is ``relative_gap ≤ tol or duality_gap ≤ gap_floor``, where
    ``relative_gap = gap / P(z, ξ)`` (0 when ``P = 0``) — the candidate's objective is within a
    factor ``1 + tol`` of the optimum, ``P(z, ξ) − P* ≤ gap`` — and ``gap_floor`` is the
    float64 rounding-error level of the computed gap (:func:`gap_rounding_floor`), which only
    matters when β is tiny compared with ``‖a_i‖‖y − ȳ1‖``. The KKT violations are reported for
    information, scaled by β (``intercept_violation`` by ``‖y − ȳ1‖ + 1``); for a solution with
    relative gap ε they are typically of order √ε, so they are not part of the verdict.

    Examples
    --------
    >>> import numpy as np
    >>> report = certify_lasso_float(np.eye(2), [1.0, -1.0], [0.5, -0.5], 0.0, 0.5)
    >>> report.is_optimal, report.relative_gap
    (True, 0.0)
    """

    is_optimal: bool
    objective: float
    dual_objective: float
    duality_gap: float
    relative_gap: float
    gap_floor: float
    intercept_violation: float
    dual_feasibility_violation: float
    support_violation: float
    tol: float
    failures: tuple[str, ...]


def lasso_duality_gap_float(
    A: np.ndarray, y: np.ndarray, z: np.ndarray, xi: float, beta: float
) -> tuple[float, float, float]:
    """Duality gap of ``(z, ξ)`` in floating point: returns ``(primal, dual, gap)``.

    Uses the dual point ``θ = s·r_c`` and the stable non-negative form of the gap from the
    module docstring, so the gap is accurate relative to its own size (no cancellation of
    ``P`` against ``D``).

    Examples
    --------
    >>> primal, dual, gap = lasso_duality_gap_float(np.array([[0.0], [1.0], [2.0]]), np.array([0.0, 1.0, 2.0]), np.array([0.9]), 0.1, 0.1)
    >>> round(primal, 12), round(gap, 12)
    (0.1, 0.0025)
    """
    centred, mean, correlations = _centred_residual(A, y, z, xi)
    return duality_gap_from_parts(centred, correlations, z, beta, mean)


def _centred_residual(A: np.ndarray, y: np.ndarray, z: np.ndarray, xi: float) -> tuple[np.ndarray, float, np.ndarray]:
    """``(r_c, r̄, Aᵀr_c)`` of ``r = y − A z − ξ1``, ``r_c = r − r̄1``."""
    residual = y - A @ z - xi
    mean = float(residual.mean())
    centred = residual - mean
    return centred, mean, A.T @ centred


def duality_gap_from_parts(
    centred_residual: np.ndarray, correlations: np.ndarray, z: np.ndarray, beta: float, mean: float = 0.0
) -> tuple[float, float, float]:
    """``(primal, dual, gap)`` from the centred residual ``r_c``, ``c = Aᵀr_c`` and ``r̄``.

    ``gap = ½(1 − s)²‖r_c‖² + ½N r̄² + Σ_i |z_i|·(β − s·sign(z_i)·c_i)⁺`` with
    ``s = min(1, β/max|c|)``; ``primal = ½‖r_c‖² + ½N r̄² + β‖z‖₁``; ``dual = primal − gap``.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([0.5, -0.5])
    >>> duality_gap_from_parts(r, np.array([0.5, -0.5]), np.array([0.5, -0.5]), 0.5)
    (0.75, 0.75, 0.0)
    """
    largest = float(np.max(np.abs(correlations))) if correlations.size else 0.0
    s = 1.0 if largest <= beta else beta / largest
    norm2 = float(centred_residual @ centred_residual)
    offset = 0.5 * centred_residual.size * mean * mean
    support = np.flatnonzero(z)
    values = z[support]
    primal = 0.5 * norm2 + offset + beta * float(np.abs(values).sum())
    terms = np.abs(values) * (beta - s * np.sign(values) * correlations[support])
    gap = 0.5 * (1.0 - s) ** 2 * norm2 + offset + float(np.maximum(terms, 0.0).sum())
    return primal, primal - gap, gap


def correlation_rounding_level(
    column_norms: np.ndarray, n: int, y_norm: float, fit_scale: float
) -> np.ndarray:
    """Bound ``η_j = 4ε√N·‖ã_j‖·(‖ỹ‖ + Σ_k |z_k|‖ã_k‖)`` on the float64 rounding error of
    ``c_j = ã_jᵀ(ỹ − Ã z)`` (``fit_scale = Σ_k |z_k|‖ã_k‖``), with a safety factor.

    Examples
    --------
    >>> import numpy as np
    >>> correlation_rounding_level(np.array([1.0, 2.0]), 4, 1.0, 0.0) / np.finfo(float).eps
    array([ 8., 16.])
    """
    return 4.0 * _EPS * math.sqrt(n) * column_norms * (y_norm + fit_scale)


def gap_rounding_floor(A_centred: np.ndarray, y_centred: np.ndarray, z: np.ndarray) -> float:
    """Rounding-error level ``Σ_i |z_i| η_i`` of the float64 duality gap (η from
    :func:`correlation_rounding_level`); on centred data ``Ã``, ``ỹ``.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0], [-1.0]])
    >>> gap_rounding_floor(A, np.array([1.0, -1.0]), np.array([0.5])) < 1e-14
    True
    """
    support = np.flatnonzero(z)
    if support.size == 0:
        return 0.0
    values = np.abs(z[support])
    norms = np.linalg.norm(A_centred[:, support], axis=0)
    noise = correlation_rounding_level(norms, y_centred.size, float(np.linalg.norm(y_centred)), float(values @ norms))
    return float(values @ noise)


def certify_lasso_float(
    A: object, y: object, z: object, xi: float, beta: float, *, tol: float = 1e-8
) -> FloatLassoCertificate:
    """Float64 optimality report for ``(z, ξ)``: duality gap and scaled KKT violations.

    ``is_optimal`` iff ``gap ≤ tol · P(z, ξ)``, i.e. the objective is provably within relative
    ``tol`` of the optimum (weak duality), or the gap is below its own rounding-error level.
    See :class:`FloatLassoCertificate`.

    Parameters
    ----------
    A : array-like (N, M) or FloatDictionary
        The dictionary. From a :class:`~mirrorlib.lasso.float_dictionary.FloatDictionary` the
        centred residual and the correlations are computed as the float solver computes them,
        ``r_c = ỹ − Ã z`` and ``c = Ãᵀr_c`` (``A = Ã + 1āᵀ``, and ``1ᵀr_c = 0``), with the
        residual's mean ``ȳ − ξ − āᵀz``; from an array, ``r = y − A z − ξ1`` is centred after.
    y : array-like (N,)
        Labels.
    z : array-like (M,)
        Coefficients of the point to certify.
    xi : float
        Its intercept ξ.
    beta : float
        β > 0.
    tol : float
        Relative duality gap at which the point is called optimal.

    Returns
    -------
    FloatLassoCertificate

    Raises
    ------
    ValueError
        Naming the argument, for mismatched shapes, non-finite values, β ≤ 0 or tol ≤ 0.

    Examples
    --------
    >>> import numpy as np
    >>> report = certify_lasso_float(np.eye(2), [1.0, -1.0], [0.5, -0.5], 0.0, 0.5)
    >>> report.is_optimal, report.duality_gap
    (True, 0.0)
    >>> from mirrorlib.lasso.float_dictionary import FloatDictionary
    >>> certify_lasso_float(FloatDictionary.of(np.eye(2)), [1.0, -1.0], [0.5, -0.5], 0.0, 0.5).duality_gap
    0.0
    """
    beta_f = _positive_float(beta, "beta")
    xi_f = _finite_float(xi, "xi")
    tol_f = _positive_float(tol, "tol")
    if isinstance(A, FloatDictionary):
        y_arr, z_arr = _float_point(A.shape, y, z)
        on = z_arr != 0
        y_mean = float(y_arr.mean())
        centred = (y_arr - y_mean) - A.centred[:, on] @ z_arr[on]
        mean = y_mean - xi_f - float(A.means[on] @ z_arr[on])
        corr = A.centred.T @ centred
        on_support_centred = A.centred[:, on]
    else:
        A_arr, y_arr, z_arr = _float_inputs(A, y, z)
        on = z_arr != 0
        centred, mean, corr = _centred_residual(A_arr, y_arr, z_arr, xi_f)
        on_support = A_arr[:, on]  # the floor reads the support's columns only: no centred copy of A
        on_support_centred = on_support - on_support.mean(axis=0)
    primal, dual, gap = duality_gap_from_parts(centred, corr, z_arr, beta_f, mean)
    relative = gap / primal if primal > 0 else 0.0
    y_scale = float(np.linalg.norm(y_arr - y_arr.mean())) + 1.0
    intercept = abs(mean) * y_arr.size / y_scale
    feasibility = max(0.0, float(np.max(np.abs(corr))) - beta_f) / beta_f
    support = float(np.max(np.abs(corr[on] - beta_f * np.sign(z_arr[on])))) / beta_f if on.any() else 0.0
    floor = gap_rounding_floor(on_support_centred, y_arr - y_arr.mean(), z_arr[on])
    failures = []
    if not (relative <= tol_f or gap <= floor):
        failures.append(
            f"relative duality gap {relative:.3e} > tol = {tol_f:.1e} (gap {gap:.3e}, objective {primal:.6e}, "
            f"rounding level {floor:.1e})"
        )
    return FloatLassoCertificate(
        is_optimal=not failures,
        objective=primal,
        dual_objective=dual,
        duality_gap=gap,
        relative_gap=relative,
        gap_floor=floor,
        intercept_violation=intercept,
        dual_feasibility_violation=feasibility,
        support_violation=support,
        tol=tol_f,
        failures=tuple(failures),
    )


def _float_inputs(A: object, y: object, z: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A_arr = np.asarray(A, dtype=np.float64)
    if A_arr.ndim != 2 or A_arr.size == 0:
        raise ValueError(f"A must be a non-empty 2-D array, got shape {A_arr.shape}")
    if not np.all(np.isfinite(A_arr)):
        raise ValueError("A contains NaN or inf; remove or replace those entries")
    return (A_arr, *_float_point(A_arr.shape, y, z))


def _float_point(shape: tuple[int, int], y: object, z: object) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``z`` as finite float64 vectors matching the rows and columns of ``A``."""
    y_arr = np.asarray(y, dtype=np.float64)
    z_arr = np.asarray(z, dtype=np.float64)
    if y_arr.shape != (shape[0],):
        raise ValueError(f"y must have shape ({shape[0]},) to match the rows of A, got {y_arr.shape}")
    if z_arr.shape != (shape[1],):
        raise ValueError(f"z must have shape ({shape[1]},) to match the columns of A, got {z_arr.shape}")
    for name, arr in (("y", y_arr), ("z", z_arr)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf; remove or replace those entries")
    return y_arr, z_arr


def _finite_float(value: object, name: str) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got a boolean")
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out!r}")
    return out


def _positive_float(value: object, name: str) -> float:
    out = _finite_float(value, name)
    if out <= 0:
        raise ValueError(f"{name} must be > 0, got {out!r}")
    return out
