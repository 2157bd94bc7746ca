"""Certify the network, not only the Lasso: the training-optimality certificate (theory §6).

A Lasso solution over one dictionary ``A`` is optimal for the training problem of the whole
architecture exactly when no unit of the architecture beats the penalty on the optimal residual:

    sup over all units u of |λᵀu(X)| ≤ β,   λ = r = y − Az − ξ1   (1ᵀλ = 0),

because then ``(z, ξ)`` also satisfies the KKT conditions of the Lasso over the infinite
dictionary of all unit features, whose optimum equals the training optimum with ``m ≥ m*`` units
(theory §3). The left side is one call of an exact *oracle*
(:func:`mirrorlib.groundtruth.oracle.unit_oracle`; for sign/threshold units
:func:`switching_oracle`). Whatever it returns, weak duality gives a bound on how far the
network is from the best one: with ``s = min(1, β / sup)`` the point ``θ = s·λ`` is feasible for
the dual of the infinite Lasso, ``max_θ yᵀθ − ½‖θ‖²`` s.t. ``1ᵀθ = 0``, ``|θᵀu(X)| ≤ β`` for
every unit (and ``θ ⊥`` unpenalised columns), so

    objective − (best training objective) ≤ gap = P(z, ξ) − (yᵀθ − ½‖θ‖²),

computed exactly. ``gap = 0`` iff the network is optimal among all networks of the architecture.
Float fits are certified the same way after converting their residual exactly; they are called
optimal *within tolerance* when ``gap ≤ tol·P``.

In the β → 0⁺ limit the Lasso certificate is a dual vector ν (``1ᵀν = 0``, ``|a_iᵀν| ≤ 1``,
``a_iᵀν = sign z_i`` on the support) proving minimum ℓ1 norm among interpolants of the library;
the network version needs ``sup_u |νᵀu(X)| ≤ 1``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

from mirrorlib.numbers.exact import format_short
from mirrorlib.numbers.linalg import least_squares

__all__ = [
    "FitCertificate",
    "LinearAnswer",
    "OracleAnswer",
    "SwitchingAnswer",
    "TrainingCertificate",
    "certify_training",
    "switching_oracle",
]


class OracleAnswer(Protocol):
    """What an oracle returns: the exact supremum and a description of a maximising unit.

    Examples
    --------
    >>> from mirrorlib.groundtruth.oracle import unit_oracle
    >>> answer = unit_oracle([0, 1, 3], [1, -2, 1], 'relu', 2)
    >>> answer.value, isinstance(answer.describe(), str)
    (Fraction(2, 1), True)
    """

    value: Fraction

    def describe(self) -> str: ...


Oracle = Callable[[Sequence[Fraction]], OracleAnswer]


@dataclass(frozen=True)
class TrainingCertificate:
    """Is the fitted network optimal among ALL networks of its architecture? (module docstring)

    Attributes
    ----------
    training_optimal : bool or None
        Exact fits: ``sup ≤ threshold`` exactly. Float fits: ``gap ≤ tol·objective``. ``None``
        when no oracle was run (``reason`` says why).
    sup : Fraction or None
        ``sup_u |λᵀu(X)|`` over every unit of the architecture.
    threshold : Fraction or None
        β (1 in the β → 0⁺ limit).
    gap : Fraction or None
        Exact upper bound on ``objective − best training objective`` (β > 0 only).
    unit : OracleAnswer or None
        A maximising unit; when ``training_optimal`` is False, a unit that the network should use.
    exact : bool
        Whether the fit itself was exact.
    reason : str
        One sentence: what is certified, or why nothing is.

    Examples
    --------
    >>> from mirrorlib.estimator import ConvexNet
    >>> training = ConvexNet('relu', 2, '1/10', exact=True).fit([0, 1, 2, 4], [0, 1, 1, 3]).certificate_.training
    >>> training.training_optimal, training.gap
    (True, Fraction(0, 1))
    """

    training_optimal: bool | None
    sup: Fraction | None
    threshold: Fraction | None
    gap: Fraction | None
    objective: Fraction | None
    unit: OracleAnswer | None
    exact: bool
    tol: float
    reason: str

    @property
    def ratio(self) -> Fraction | None:
        """``sup / threshold``: > 1 means a unit of the architecture beats the penalty."""
        if self.sup is None or not self.threshold:
            return None
        return self.sup / self.threshold

    @property
    def relative_gap(self) -> float | None:
        if self.gap is None or self.objective is None:
            return None
        return float(self.gap / self.objective) if self.objective else float(self.gap)

    def summary(self) -> str:
        """The one-line verdict printed by ``mirrorlib fit``."""
        if self.training_optimal is None:
            return f"NOT CHECKED — {self.reason}"
        ratio = self.ratio
        measured = f"sup_u |λᵀu(X)| = {'?' if self.sup is None else format_short(self.sup)}" + ("" if ratio is None else f" = {float(ratio):.6g}·threshold")
        if self.training_optimal:
            verdict = "OPTIMAL" if self.exact else "OPTIMAL within tolerance"
            return f"{verdict} — {self.reason} ({measured})"
        unit = "" if self.unit is None else f"; e.g. {self.unit.describe()}"
        return f"NOT OPTIMAL — {self.reason} ({measured}{unit})"


def _project_out(vector: Sequence[Fraction], free: Sequence[Sequence[Fraction]]) -> tuple[Fraction, ...]:
    """``v − F(FᵀF)⁻¹Fᵀv`` exactly: v made orthogonal to the free (unpenalised) columns."""
    rows = [list(row) for row in zip(*free)]
    coefficients = least_squares(rows, list(vector))
    return tuple(v - sum((c * f[i] for c, f in zip(coefficients, free)), Fraction(0)) for i, v in enumerate(vector))


def certify_training(
    y: Sequence[Fraction],
    residual: Sequence[Fraction],
    penalty: Fraction,
    beta: Fraction | None,
    oracle: Oracle,
    *,
    free_columns: Sequence[Sequence[Fraction]] = (),
    limit_dual: Sequence[Fraction] | None = None,
    exact: bool = True,
    tol: float = 1e-9,
    scope: str = "every network of this architecture",
) -> TrainingCertificate:
    """The training-optimality certificate of a fitted Lasso point (module docstring).

    Parameters
    ----------
    y, residual : sequences of Fractions
        Labels and ``r = y − Az − ξ1`` (exact; a float fit's residual converted exactly), in the
        order the oracle expects.
    penalty : Fraction
        ``‖z‖₁`` over the penalised columns.
    beta : Fraction or None
        β, or None for the β → 0⁺ limit (then ``limit_dual`` is the minimum-ℓ1 dual vector ν).
    oracle : callable
        λ ↦ an answer with the exact ``value = sup_u |λᵀu(X)|``.
    free_columns : sequences of Fractions
        Unpenalised columns besides ``1`` (the skip connection's ``x``).
    exact, tol : bool, float
        Float fits are optimal within tolerance when ``gap ≤ tol·objective``.
    scope : str
        Words naming the architecture in the verdict.

    Examples
    --------
    A residual no 2-layer ReLU unit can correlate with beyond β = 1:

    >>> from fractions import Fraction
    >>> from mirrorlib.groundtruth.oracle import unit_oracle
    >>> oracle = lambda lam: unit_oracle([0, 1, 2], lam, "relu", 2)
    >>> r = [Fraction(1, 4), Fraction(-1, 2), Fraction(1, 4)]
    >>> cert = certify_training([0, 0, 0], r, Fraction(0), Fraction(1), oracle)
    >>> cert.training_optimal, cert.sup
    (True, Fraction(1, 4))
    """
    free = [tuple(Fraction(1) for _ in residual), *(tuple(c) for c in free_columns)]
    if beta is None:
        if limit_dual is None:
            raise ValueError("limit_dual: the β → 0⁺ limit needs the minimum-ℓ1 dual vector ν of the Lasso certificate")
        lam = _project_out([Fraction(v) for v in limit_dual], free)
        answer = oracle(lam)
        optimal = answer.value <= 1
        reason = (
            f"the interpolating network has minimum path norm among all networks of {scope}"
            if optimal
            else f"a unit ({scope}) has |νᵀu(X)| > 1: another network of this architecture interpolates with a lower norm"
        )
        return TrainingCertificate(optimal, answer.value, Fraction(1), None, None, answer, exact, tol, reason)
    lam = _project_out([Fraction(v) for v in residual], free)
    answer = oracle(lam)
    target = [Fraction(v) for v in y]
    objective = sum((v * v for v in residual), Fraction(0)) / 2 + beta * penalty
    scale = Fraction(1) if answer.value <= beta else beta / answer.value
    theta = [scale * v for v in lam]
    dual = sum((t * v for t, v in zip(theta, target)), Fraction(0)) - sum((t * t for t in theta), Fraction(0)) / 2
    gap = objective - dual
    if exact:
        optimal = answer.value <= beta
    else:
        optimal = gap <= Fraction(tol) * objective
    if optimal and exact:
        reason = f"no network of this architecture ({scope}, at least as many units) has a lower training objective"
    elif optimal:
        reason = f"the training objective is within {float(gap):.3g} (relative {tol:g}) of the best network of {scope}"
    else:
        reason = f"a unit ({scope}) beats the penalty: a network of this architecture is better by up to {float(gap):.6g}"
    return TrainingCertificate(optimal, answer.value, beta, gap, objective, answer, exact, tol, reason)


@dataclass(frozen=True)
class FitCertificate:
    """Both verdicts of a fit: the Lasso over the fitted library and the network over ALL networks.

    ``is_optimal`` is the Lasso verdict (the library ``library_`` the Lasso ran over);
    ``training_optimal`` the network verdict (:class:`TrainingCertificate`). Attributes of the
    Lasso certificate (``residual``, ``failures``, ``duality_gap``, …) are available directly.

    Examples
    --------
    >>> from mirrorlib.estimator import ConvexNet
    >>> certificate = ConvexNet('relu', 2, '1/10', exact=True).fit([0, 1, 2, 4], [0, 1, 1, 3]).certificate_
    >>> certificate.is_optimal, certificate.training_optimal
    (True, True)
    """

    lasso: Any
    training: TrainingCertificate

    @property
    def is_optimal(self) -> bool:
        """The Lasso over the fitted library is solved (exact KKT, or float duality gap)."""
        return bool(self.lasso.is_optimal)

    @property
    def training_optimal(self) -> bool | None:
        """No network of the architecture does better (None: not checked, see ``training.reason``)."""
        return self.training.training_optimal

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.lasso, name)


@dataclass(frozen=True)
class LinearAnswer:
    """Oracle answer for a linear σ: every unit is ``c·x`` up to a constant, ``|c| ≤ slope^{L−1}``;
    ``unit`` is the one with ``c = slope^{L−1}`` (all weights 1, biases 0).

    Examples
    --------
    >>> from mirrorlib.estimator import ConvexNet
    >>> ConvexNet('linear', 2, '1/10', exact=True).fit([0, 1, 2], [0, 1, 3]).certificate_.training.unit.describe()
    'the linear feature x (σ is linear)'
    """

    value: Fraction
    unit: Any

    def describe(self) -> str:
        return "the linear feature x (σ is linear)"


def not_checked(reason: str, *, exact: bool) -> TrainingCertificate:
    """A certificate that states why no oracle was run."""
    return TrainingCertificate(None, None, None, None, None, None, exact, 0.0, reason)


# --------------------------------------------------------------------------- sign / threshold units
@dataclass(frozen=True)
class SwitchingAnswer:
    """``max |λᵀv|`` over vectors v with values in ``levels`` and at most ``K`` switches on sorted data.

    Examples
    --------
    >>> answer = switching_oracle([Fraction(1), Fraction(-2), Fraction(1)], 1)
    >>> answer.value, answer.pattern
    (Fraction(2, 1), (0, 0, 1))
    """

    value: Fraction
    pattern: tuple[int, ...]  # 0/1 per distinct point: which level
    levels: tuple[Fraction, Fraction]

    def describe(self) -> str:
        return "switching pattern " + "".join(str(bit) for bit in self.pattern)


def switching_oracle(
    weights: Sequence[Fraction], max_switches: int, levels: tuple[Any, Any] = (-1, 1)
) -> SwitchingAnswer:
    """Exact ``max_v |Σ_j w_j v_j|`` over ``v_j ∈ levels`` with at most ``max_switches`` changes.

    ``weights`` are λ summed over each distinct sorted data point. Dynamic programming over the
    points and the number of switches used, ``O(n·K)``: the sign/threshold features of
    :mod:`mirrorlib.signnets` are exactly these vectors (the claim ``sign-dictionary-size``
    checks it against the threshold-function ground truth).

    Parameters
    ----------
    weights : sequence of Fraction
        λ summed per distinct sorted data point.
    max_switches : int
        ``K``.
    levels : pair
        The two values a unit takes: ``(-1, 1)`` for sign, ``(0, 1)`` for threshold.

    Returns
    -------
    SwitchingAnswer

    Examples
    --------
    >>> switching_oracle([1, -2, 1], 1).value   # one switch: (1, -1, -1) gives 1 + 2 - 1
    Fraction(2, 1)
    >>> switching_oracle([1, -2, 1], 2).value   # (1, -1, 1)
    Fraction(4, 1)
    """
    low, high = (Fraction(level) for level in levels)
    values = [Fraction(w) for w in weights]
    best: Fraction | None = None
    best_pattern: tuple[int, ...] = ()
    for sign in (1, -1):
        # state (switches used, current bit) -> (score, pattern)
        states: dict[tuple[int, int], tuple[Fraction, tuple[int, ...]]] = {}
        for bit in (0, 1):
            states[(0, bit)] = (sign * values[0] * (high if bit else low), (bit,))
        for w in values[1:]:
            nxt: dict[tuple[int, int], tuple[Fraction, tuple[int, ...]]] = {}
            for (used, bit), (score, pattern) in states.items():
                for new_bit in (0, 1):
                    count = used + (new_bit != bit)
                    if count > max_switches:
                        continue
                    candidate = score + sign * w * (high if new_bit else low)
                    key = (count, new_bit)
                    if key not in nxt or candidate > nxt[key][0]:
                        nxt[key] = (candidate, (*pattern, new_bit))
            states = nxt
        score, pattern = max(states.values(), key=lambda item: item[0])
        if best is None or score > best:
            best, best_pattern = score, pattern
    assert best is not None
    return SwitchingAnswer(best, best_pattern, (low, high))
