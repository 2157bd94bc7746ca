"""Fit over ALL units of an architecture: column generation with the exact oracle (theory §6).

Start from a library (the closed form, or nothing where no closed form exists), solve the Lasso,
ask the oracle for the unit that correlates most with the residual, and if it beats the penalty
(``|rᵀu(X)| > β``) append its column, and those of the oracle's runners-up that beat it too
(:data:`RUNNERS_UP`), and solve again. Every added column is a cell-vertex feature
(:mod:`mirrorlib.groundtruth.oracle`), of which there are finitely many, and each round strictly
lowers the exact objective, so exact column generation ends, with a training-optimality
certificate (:mod:`mirrorlib.optimality`): no network of the architecture, with at least as many
units, has a lower training objective. Float fits stop when the exact duality gap over all units
is within ``tol`` of the objective.

Which architectures have an oracle
----------------------------------
* deep narrow units, any positively homogeneous non-linear σ (built-in or custom), any depth:
  :func:`~mirrorlib.groundtruth.oracle.unit_oracle` (polynomial in N for fixed depth);
* the 2-layer net with a skip connection (Lemma 3.1): 2-layer units, λ also ⊥ x;
* sign/threshold tree and rectangular units: the switching-pattern oracle
  :func:`~mirrorlib.optimality.switching_oracle` over the vectors with at most K switches.
Linear σ needs none (every unit is affine). Symmetrised ReLU units lead to a group Lasso; their
column generation, with its own exact oracle, is :mod:`mirrorlib.symmetrised.fit`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.data import Dataset, as_labels
from mirrorlib.numbers.exact import nonzero_rationals, to_rational
from mirrorlib.numbers.linalg import to_fraction, to_scalar
from mirrorlib.groundtruth.architectures import make_architecture
from mirrorlib.groundtruth.oracle import DEFAULT_MAX_CANDIDATES, OracleResult, oracle_size, unit_oracle
from mirrorlib.lasso.fit import float_dictionary
from mirrorlib.lasso.float_dictionary import FloatDictionary
from mirrorlib.libraries import Feature, Library, exact_column
from mirrorlib.optimality import LinearAnswer, Oracle, TrainingCertificate, certify_training, not_checked, switching_oracle
from mirrorlib.functions.reflections import explain_value
from mirrorlib.progress import LOGGER
from mirrorlib.protocols import FeatureLibrary

__all__ = ["RUNNERS_UP", "CertifiedFit", "feature_from_unit", "fit_certified", "network_oracle", "training_certificate"]

RUNNERS_UP = 20
"""Besides the oracle's maximiser, up to this many further units (the largest each vertex map
found) that beat β join the library in the same round. One unit per round took 45 rounds on a
certified abs depth-3 fit of 100 points, and 20 more per round took 5 (``bench_oracle.py``)."""


@dataclass(frozen=True)
class CertifiedFit:
    """The outcome of :func:`fit_certified`.

    Attributes
    ----------
    library : Library or SignLibrary
        The final dictionary (closed form plus :attr:`added`).
    fit : LassoFit
        The Lasso solution over it, with its own (library-level) certificate.
    training : TrainingCertificate
        The verdict over every network of the architecture.
    added : tuple[Feature, ...]
        Columns the oracle added, in order.

    Examples
    --------
    Without an oracle the library stays fixed and the network verdict says why it was not checked:

    >>> from mirrorlib.lasso.fit import fit_lasso
    >>> from mirrorlib.libraries import library
    >>> start = library([0, 1, 3], 'relu', 2).distinct()
    >>> result = fit_certified(start, [0, 1, 0], Fraction(1, 10), fit_lasso, None, 'no oracle given', exact=True, grow=False)
    >>> result.fit.is_certified, result.training.training_optimal, result.training.reason, result.added
    (True, None, 'no oracle given', ())
    """

    library: FeatureLibrary
    fit: Any
    training: TrainingCertificate
    added: tuple[Feature, ...]


def network_oracle(
    dataset: Dataset,
    activation: Any,
    depth: int,
    architecture: str,
    *,
    max_switches: int | None = None,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    runners_up: int = RUNNERS_UP,
) -> tuple[Oracle | None, str]:
    """``(oracle, scope)`` for an architecture, or ``(None, reason)`` when none applies or it is
    too large (:func:`~mirrorlib.groundtruth.oracle.oracle_size` above ``max_candidates``).

    Parameters
    ----------
    dataset : Dataset
        The data.
    activation : Activation
        σ.
    depth : int
        ``L ≥ 2``.
    architecture : str
        ``"narrow"``, ``"skip"`` or ``"sign"`` (sign/threshold units).
    max_switches : int, optional
        Sign/threshold: the units' switch bound ``K``.
    max_candidates : int
        Refuse oracles that would evaluate more candidate units.
    runners_up : int
        Deep narrow units: the exact oracle's answers also carry up to this many further units
        (:func:`~mirrorlib.groundtruth.oracle.unit_oracle`, evaluated only when read), for
        column generation to add in the same round.

    Returns
    -------
    (oracle or None, str)
        The oracle ``λ ↦ answer`` and what it covers, or ``None`` and why not.

    Examples
    --------
    >>> from mirrorlib.data import as_dataset
    >>> from mirrorlib.functions.activations import get_activation
    >>> oracle, scope = network_oracle(as_dataset([0, 1, 3]), get_activation('relu'), 3, 'narrow')
    >>> oracle([1, -2, 1]).value, scope
    (Fraction(2, 1), 'deep narrow relu units of depth 3')
    """
    if activation.is_zero_homogeneous:
        levels = (-1, 1) if activation.name == "sign" else (0, 1)
        points = dataset.distinct_x
        position = {value: index for index, value in enumerate(points)}

        def sign_oracle(lam: Sequence[Fraction]) -> Any:
            weights = [Fraction(0)] * len(points)
            for caller, value in zip(dataset.order, dataset.x):
                weights[position[value]] += lam[caller]
            return switching_oracle(weights, int(max_switches or 0), levels)

        return sign_oracle, f"{activation.name} units (at most {max_switches} switches on the data)"
    unit_depth = 2 if architecture == "skip" else depth
    if activation.slopes[0] == activation.slopes[1]:
        slope = abs(activation.slopes[0]) ** (unit_depth - 1)
        spec = make_architecture("narrow", unit_depth)
        identity = spec.unit(activation, (1,) * spec.n_weights, (0,) * spec.n_parameters)
        x = dataset.to_original_order(dataset.x)

        def linear_oracle(lam: Sequence[Fraction]) -> LinearAnswer:
            return LinearAnswer(slope * abs(sum((l * v for l, v in zip(lam, x)), Fraction(0))), identity)

        return linear_oracle, f"linear units of depth {depth}"
    try:
        size = oracle_size(len(dataset.distinct_x), activation, unit_depth)
    except ValueError as error:
        return None, str(error)
    if size > max_candidates:
        return None, (
            f"the exact oracle would evaluate {size:,} candidate units (limit max_oracle_candidates={max_candidates:,})"
        )

    def homogeneous_oracle(lam: Sequence[Fraction]) -> OracleResult:
        return unit_oracle(dataset, lam, activation, unit_depth, max_candidates=max_candidates, runners_up=runners_up)

    scope = f"deep narrow {activation.name} units of depth {depth}" if architecture == "narrow" else (
        f"2-layer {activation.name} units with a skip connection"
    )
    return homogeneous_oracle, scope


def _exact_residual(library: FeatureLibrary, y: Sequence[Fraction], support: Sequence[tuple[int, Fraction]], xi: Any) -> list[Fraction]:
    """``r = y − Az − ξ1`` exactly in the caller's order, from the units of the support
    (:func:`~mirrorlib.numbers.exact.nonzero_rationals` of ``z``) only."""
    dataset = library.dataset
    intercept = to_rational(xi, name="xi")
    if not support:
        return [target - intercept for target in y]
    fitted = library.exact_columns([index for index, _ in support]).matvec([to_scalar(c) for _, c in support])
    return [target - intercept - to_fraction(f) for target, f in zip(y, dataset.to_original_order(fitted))]


def _certified_residual(fit: Any, y: Sequence[Fraction], penalised: np.ndarray) -> list[Fraction] | None:
    """The residual ``y − Az − ξ1`` of an exact fit over penalised columns only, as its Lasso
    certificate computed it for the same labels ``y``; None otherwise."""
    if not fit.exact or not penalised.all():
        return None
    problem = fit.penalised_problem
    if problem is None or list(problem[1]) != list(y):
        return None
    return list(fit.certificate.residual)


def training_certificate(
    library: FeatureLibrary, fit: Any, y: Sequence[Fraction], beta: Fraction | None, oracle: Oracle | None, scope: str, *, tol: float = 1e-9
) -> TrainingCertificate:
    """The training-optimality certificate of a Lasso fit over ``library`` (see
    :func:`mirrorlib.optimality.certify_training`).

    Parameters
    ----------
    library : FeatureLibrary
        The library the Lasso ran over.
    fit : LassoFit
        Its solution.
    y : sequence of Fraction
        Labels (caller's order).
    beta : Fraction or None
        β (``None``: the β → 0⁺ limit).
    oracle, scope
        From :func:`network_oracle`.
    tol : float
        Relative gap at which float fits are called optimal.

    Returns
    -------
    TrainingCertificate

    Examples
    --------
    The closed-form abs library at depth 3 is not enough on this data: the Lasso over it is
    solved, but a unit of the architecture beats the penalty, and the exact gap bounds the loss.

    >>> from mirrorlib.data import as_dataset
    >>> from mirrorlib.lasso.fit import fit_lasso
    >>> from mirrorlib.functions.activations import get_activation
    >>> X, y, beta = as_dataset([0, 2, 3, 5]), [Fraction(v) for v in (-3, 0, -2, 2)], Fraction(1, 10)
    >>> from mirrorlib.libraries import library
    >>> closed_form = library(X, 'abs', 3).distinct()
    >>> fit = fit_lasso(closed_form, y, beta, exact=True)
    >>> certificate = training_certificate(closed_form, fit, y, beta, *network_oracle(X, get_activation('abs'), 3, 'narrow'))
    >>> fit.is_certified, certificate.training_optimal, certificate.gap
    (True, False, Fraction(209, 2880))
    >>> certificate.unit.describe()
    'abs(+abs(+x - 3/2) - 3/2)  |λᵀu| = 2/15'
    """
    if oracle is None:
        return not_checked(scope, exact=fit.exact)
    penalised = library.penalised
    support = nonzero_rationals(fit.z, name="z")
    residual = _certified_residual(fit, y, penalised) or _exact_residual(library, y, support, fit.xi)
    penalty = sum((abs(value) for index, value in support if penalised[index]), Fraction(0))
    free = [library.dataset.to_original_order(library.exact_values(int(i))) for i in np.flatnonzero(~penalised)]
    limit_dual = fit.certificate.dual if beta is None else None
    return certify_training(
        y, residual, penalty, beta, oracle, free_columns=free, limit_dual=limit_dual, exact=fit.exact, tol=tol, scope=scope
    )


def feature_from_unit(result: OracleResult, library: Library) -> Feature:
    """A library column for the oracle's maximising unit (weights ±1, exact biases).

    Its label names the unit; ``first_breakpoint`` explains the layer-1 kink as a reflection
    tree over the data when one of nesting ≤ 1 gives it (a data point or R(x_i, x_j)).

    Examples
    --------
    >>> from mirrorlib.libraries import generated_library
    >>> lib = generated_library([0, 2, 3, 5], "abs", 3)
    >>> result = unit_oracle([0, 2, 3, 5], [-1, 2, -2, 1], "abs", 3)
    >>> feature_from_unit(result, lib).label
    'oracle: abs(abs(x - 3/2) - 3/2)'
    """
    unit = result.unit.as_narrow_unit()
    if unit is None:
        raise ValueError("only narrow units become Lasso columns; wide units lead to a group Lasso")
    signs = tuple(int(w) for w in unit.weights)
    kink = -unit.biases[0] / unit.weights[0]
    return Feature(
        label=f"oracle: {unit.describe()}",
        unit=unit,
        signs=signs,
        first_breakpoint=explain_value(kink, library.dataset, 1),
        anchors=(),
    )


@dataclass
class _Rounds:
    """Solve, certify, add the oracle's unit; repeated (see :func:`fit_certified`)."""

    y: Any
    beta: Any
    beta_exact: Fraction | None
    labels: list[Fraction]
    fit_lasso: Callable[..., Any]
    oracle: Oracle | None
    scope: str
    tol: float
    max_rounds: int

    def grow(
        self, library: FeatureLibrary, added: list[Feature], *, exact: bool, grow: bool = True, warm: list[float] | None = None
    ) -> tuple[Any, Any, TrainingCertificate]:
        """Rounds until certified (or ``max_rounds``); appends to ``added``; returns the last state.
        ``warm``: float coefficients of the first columns to start the first float solve from."""
        beta = self.beta if exact else float(self.beta_exact)  # type: ignore[arg-type]
        generated = {tuple(exact_column(feature, library.dataset)) for feature in library.generated} if grow else set()
        dictionary: FloatDictionary | None = None
        for round_index in range(self.max_rounds + 1):
            options: dict[str, Any] = {} if exact or warm is None else {"start": warm + [0.0] * (library.n_features - len(warm))}
            if not exact and library.penalised.all():
                dictionary = options["dictionary"] = _grown_dictionary(library, dictionary)
            fit = self.fit_lasso(library, self.y, beta, exact=exact, tol=self.tol, **options)
            warm = None if exact else [float(v) for v in fit.z]
            certificate = training_certificate(
                library, fit, self.labels, self.beta_exact, self.oracle, self.scope, tol=max(self.tol, 1e-12) * 100
            )
            LOGGER.info(
                "column generation round %d (%s, %d columns): %s", round_index, "exact" if exact else "float",
                library.n_features, certificate.summary(),
            )
            if not grow or certificate.training_optimal is not False or round_index == self.max_rounds:
                break
            features = []
            for answer in _violators(certificate):
                feature = feature_from_unit(answer, library)
                column = tuple(exact_column(feature, library.dataset))
                if column in generated and answer is certificate.unit:
                    if exact:
                        raise RuntimeError("column generation: the oracle returned a column already in the library (a bug)")
                    break  # float fit: the violation is at the solver's tolerance; the certificate reports the gap
                if column not in generated:
                    generated.add(column)
                    features.append(feature)
            if not features:
                break
            library = library.with_features(features)
            added.extend(features)
        return library, fit, certificate


def _grown_dictionary(library: FeatureLibrary, previous: FloatDictionary | None) -> FloatDictionary:
    """The centred columns of ``library.matrix()`` as a
    :class:`~mirrorlib.lasso.float_dictionary.FloatDictionary` with spare capacity: from the
    whole matrix the first time, then by appending the columns ``previous`` lacks (the units a
    round added, from their exact values, each rounded once as ``library.matrix()`` rounds them)."""
    if previous is None:
        return float_dictionary(library, spare=None)
    dataset = library.dataset
    new = [dataset.to_original_order(library.exact_values(index)) for index in range(previous.shape[1], library.n_features)]
    return previous.appended(np.array(new, dtype=np.float64).reshape(len(new), dataset.n_samples).T)


def _violators(certificate: TrainingCertificate) -> list[Any]:
    """The oracle's unit, then its runners-up (:func:`~mirrorlib.groundtruth.oracle.unit_oracle`)
    that beat the threshold too: the columns one round of column generation adds. After a float
    fit a runner-up must beat it by more than the relative tolerance: units tied with the
    threshold at the optimum (common: they are the optimum's other active units) otherwise come
    and go with the rounding of the float residual."""
    answer = certificate.unit
    bar = certificate.threshold if certificate.exact else certificate.threshold * (1 + Fraction(certificate.tol))
    return [answer, *(other for other in getattr(answer, "runners_up", ()) if other.value > bar)]


def fit_certified(
    start: FeatureLibrary,
    y: Any,
    beta: Any,
    fit_lasso: Callable[..., Any],
    oracle: Oracle | None,
    scope: str,
    *,
    exact: bool,
    tol: float = 1e-10,
    grow: bool = True,
    max_rounds: int = 200,
    warm_start: Sequence[float] | None = None,
) -> CertifiedFit:
    """Solve the Lasso over ``start`` and, with ``grow``, add the oracle's units until certified.

    Parameters
    ----------
    start : Library or SignLibrary
        The first dictionary.
    y, beta : labels and β (None: the β → 0⁺ limit, exact only)
    fit_lasso : callable
        ``fit_lasso(library, y, beta, exact=…, tol=…)`` → LassoFit.
    oracle, scope : from :func:`network_oracle`
    exact, tol : exact rational fit, or float64 to relative gap ``tol``
    grow : bool
        False keeps the library fixed (``library="closed-form"``) and only reports the verdict.
    max_rounds : int
        Stop after this many added columns (the certificate then says how far from optimal).
        Exact fits first grow the library with float solves (cheap), then solve exactly and keep
        adding units until the exact certificate holds, so the final verdict is exact.
    warm_start : sequence of float, optional
        Float fits: coefficients of ``start``'s columns for the first solve to begin from (e.g.
        the working-set solution that selected them).

    Returns
    -------
    CertifiedFit

    Examples
    --------
    >>> from mirrorlib.data import as_dataset
    >>> from mirrorlib.lasso.fit import fit_lasso
    >>> from mirrorlib.functions.activations import get_activation
    >>> from mirrorlib.libraries import library
    >>> dataset = as_dataset([0, 1, 3, 4])
    >>> oracle, scope = network_oracle(dataset, get_activation('abs'), 3, 'narrow')
    >>> result = fit_certified(library(dataset, 'abs', 3).distinct(), [0, 1, 0, 1], Fraction(1, 10), fit_lasso, oracle, scope, exact=True)
    >>> result.training.training_optimal, len(result.added)
    (True, 0)
    """
    labels = as_labels(y, start.dataset)
    labels_original = [Fraction(v) for v in start.dataset.to_original_order(labels)]
    beta_exact = None if beta is None else to_rational(beta, name="beta")
    library = start
    added: list[Feature] = []
    if library.n_features == 0:  # no closed form: begin with the best unit for the centred labels
        if oracle is None:
            raise ValueError("no closed-form library and no oracle for this architecture: nothing to fit with")
        mean = sum(labels_original, Fraction(0)) / len(labels_original)
        first = feature_from_unit(oracle([v - mean for v in labels_original]), library)  # type: ignore[arg-type]
        library = library.with_features([first])
        added.append(first)
    rounds = _Rounds(y, beta, beta_exact, labels_original, fit_lasso, oracle, scope, tol, max_rounds)
    if exact and grow and beta is not None:
        # float rounds find (nearly) every missing unit cheaply; the exact rounds below confirm
        library = rounds.grow(library, added, exact=False)[0]
    library, fit, certificate = rounds.grow(library, added, exact=exact, grow=grow, warm=None if warm_start is None else list(warm_start))
    return CertifiedFit(library, fit, certificate, tuple(added))
