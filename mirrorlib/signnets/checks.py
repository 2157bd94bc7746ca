"""Checkable claims: closed-form sign/threshold libraries versus the exact ground truth.

:func:`check_sign_dictionary` compares, on one data set and architecture, the closed form
(:mod:`mirrorlib.signnets.library`, with the derived switch bound or theory §5's product bound)
with every feature a unit can produce (:mod:`mirrorlib.signnets.groundtruth`): set equality,
missing / extra patterns, the count formula against the enumeration, and whether the size bound
is attained. A failure carries an exact counterexample: the data, the feature vector, and the unit
that produces it (a *missing* feature) or the statement that no unit does (an *extra* one).

Both sides depend on the data only through the number ``n`` of distinct values (a unit's feature
is determined by its pattern on the sorted distinct values), so :func:`sweep_sign_dictionaries`
on ``x = 0, 1, …, n − 1`` settles a claim for *every* data set with ``n`` distinct values; random
instances with duplicates, rationals and the caller's order are drawn by
:func:`mirrorlib.signnets.claims.draw_sign_instance` for the claims run by ``mirrorlib verify``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mirrorlib.functions.activations import Activation
from mirrorlib.data import Dataset
from mirrorlib.numbers.exact import format_rational
from mirrorlib.signnets.groundtruth import DEFAULT_WORK_LIMIT, GroundTruth, ground_truth
from mirrorlib.signnets.library import SignLibrary, sign_library
from mirrorlib.signnets.networks import SIGN_ARCHITECTURES, SignUnit
from mirrorlib.signnets.switching import mask_to_pattern, pattern_to_mask, switch_gaps

__all__ = [
    "SignCounterexample",
    "SignDictionaryCheck",
    "check_sign_dictionary",
    "compare_with_ground_truth",
    "sweep_sign_dictionaries",
]


def _q(value: Fraction) -> str:
    return format_rational(value)


def _caller_vector(dataset: Dataset, points: tuple[Fraction, ...], values: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    """A function given on the distinct sorted points, on the samples in the caller's order."""
    lookup = dict(zip(points, values))
    return tuple(dataset.to_original_order([lookup[x] for x in dataset.x]))  # type: ignore[misc]


@dataclass(frozen=True)
class SignCounterexample:
    """An exact witness that the closed form and the ground truth differ.

    ``kind="missing"``: ``unit`` produces ``vector`` but the closed form lacks it.
    ``kind="extra"``: the closed form lists ``vector`` but no unit of the architecture produces it
    (``unit`` is None; the exhaustive ground truth is the certificate).

    Examples
    --------
    >>> check = check_sign_dictionary([0, 1, 2], 'sign', 'rectangular', (1, 2), 4, rule='theory')
    >>> example = check.counterexample
    >>> example.kind, example.pattern, example.n_switches, example.bound
    ('extra', (0, 1, 0), 2, 2)
    """

    kind: str
    data: tuple[Fraction, ...]
    vector: tuple[Fraction, ...]
    pattern: tuple[int, ...]
    n_switches: int
    bound: int
    unit: SignUnit | None
    explanation: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "data": [_q(x) for x in self.data],
            "vector": [_q(v) for v in self.vector],
            "switches": self.n_switches,
            "bound": self.bound,
            "unit": None if self.unit is None else self.unit.as_json(),
            "explanation": self.explanation,
        }

    def as_text(self) -> str:
        lines = [
            f"{self.kind}: data ({', '.join(_q(x) for x in self.data)}), "
            f"vector ({', '.join(_q(v) for v in self.vector)}) with {self.n_switches} switches, bound K={self.bound}",
            f"  {self.explanation}",
        ]
        if self.unit is not None:
            lines.append(f"  unit: {self.unit.describe()}")
        return "\n".join(lines)


@dataclass(frozen=True)
class SignDictionaryCheck:
    """Closed form (with ``rule``) versus ground truth on one instance.

    Patterns are bit vectors on the distinct sorted data (see :mod:`~mirrorlib.signnets.switching`).

    Examples
    --------
    >>> check = check_sign_dictionary([0, 1, 2, 3], 'sign', 'tree', None, 2)
    >>> check.max_switches, check.formula_count, check.ground_truth_count, check.missing
    (1, 8, 8, ())
    """

    activation: str
    architecture: str
    widths: tuple[int, ...]
    depth: int
    rule: str
    data: tuple[Fraction, ...]
    n_points: int
    max_switches: int
    naive_count: int
    formula_count: int
    enumerated_count: int
    ground_truth_count: int
    ground_truth_max_switches: int
    missing: tuple[tuple[int, ...], ...]
    extra: tuple[tuple[int, ...], ...]
    counterexample: SignCounterexample | None

    @property
    def n_samples(self) -> int:
        return len(self.data)

    @property
    def sets_equal(self) -> bool:
        return not self.missing and not self.extra

    @property
    def formula_matches(self) -> bool:
        """The O(K) count equals the number of generated patterns."""
        return self.formula_count == self.enumerated_count

    @property
    def bound_tight(self) -> bool:
        """The formula's size is attained by the ground truth."""
        return self.formula_count == self.ground_truth_count

    @property
    def passed(self) -> bool:
        return self.sets_equal and self.formula_matches

    @property
    def relation(self) -> str:
        if self.sets_equal:
            return "equal"
        if not self.missing:
            return "ground truth ⊊ closed form"
        if not self.extra:
            return "closed form ⊊ ground truth"
        return "incomparable"

    def describe_instance(self) -> str:
        widths = ",".join(map(str, self.widths)) or "-"
        return (
            f"{self.activation} {self.architecture} depth {self.depth} widths {widths}, "
            f"data ({', '.join(_q(x) for x in self.data)})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "activation": self.activation,
            "architecture": self.architecture,
            "widths": list(self.widths),
            "depth": self.depth,
            "rule": self.rule,
            "data": [_q(x) for x in self.data],
            "n_samples": self.n_samples,
            "n_distinct": self.n_points,
            "K": self.max_switches,
            "naive_count": self.naive_count,
            "formula_count": self.formula_count,
            "enumerated_count": self.enumerated_count,
            "ground_truth_count": self.ground_truth_count,
            "ground_truth_max_switches": self.ground_truth_max_switches,
            "relation": self.relation,
            "bound_tight": self.bound_tight,
            "n_missing": len(self.missing),
            "n_extra": len(self.extra),
            "passed": self.passed,
            "counterexample": None if self.counterexample is None else self.counterexample.as_json(),
        }


def compare_with_ground_truth(library: SignLibrary, truth: GroundTruth) -> SignDictionaryCheck:
    """Compare a closed-form library with a ground truth computed for the same data and architecture.

    Examples
    --------
    >>> from mirrorlib.signnets import sign_library
    >>> from mirrorlib.signnets.groundtruth import ground_truth
    >>> check = compare_with_ground_truth(sign_library([0, 1, 2], 'sign', 'tree', (), 2), ground_truth([0, 1, 2], 'sign', 'tree', (), 2))
    >>> check.relation, check.enumerated_count, check.ground_truth_count
    ('equal', 6, 6)
    """
    if library.spec != truth.spec or library.points != truth.points:
        raise ValueError("library and ground truth must be built for the same architecture and data")
    n = len(library.points)
    closed = {pattern_to_mask(pattern) for pattern in library.iter_patterns()}
    produced = truth.masks
    missing = tuple(sorted((mask_to_pattern(m, n) for m in produced - closed), key=_simplest))
    extra = tuple(sorted((mask_to_pattern(m, n) for m in closed - produced), key=_simplest))
    return SignDictionaryCheck(
        activation=library.activation.name,
        architecture=library.architecture,
        widths=library.widths,
        depth=library.depth,
        rule=library.rule,
        data=tuple(library.dataset.to_original_order(list(library.dataset.x))),  # type: ignore[arg-type]
        n_points=n,
        max_switches=library.max_switches,
        naive_count=library.counts.naive,
        formula_count=library.counts.distinct,
        enumerated_count=len(closed),
        ground_truth_count=len(produced),
        ground_truth_max_switches=truth.max_switches,
        missing=missing,
        extra=extra,
        counterexample=_counterexample(library, truth, missing, extra),
    )


def _simplest(pattern: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    return len(switch_gaps(pattern)), pattern


def _counterexample(
    library: SignLibrary, truth: GroundTruth, missing: tuple[tuple[int, ...], ...], extra: tuple[tuple[int, ...], ...]
) -> SignCounterexample | None:
    if not missing and not extra:
        return None
    kind, pattern = ("missing", missing[0]) if missing else ("extra", extra[0])
    dataset, points, spec = library.dataset, library.points, library.spec
    data = tuple(dataset.to_original_order(list(dataset.x)))  # type: ignore[arg-type]
    vector = _caller_vector(dataset, points, tuple(spec.native(bit) for bit in pattern))
    switches = len(switch_gaps(pattern))
    if kind == "missing":
        explanation = (
            f"a unit of the {spec.describe()} produces this feature ({switches} switches), "
            f"but the closed form with K={library.max_switches} ({library.rule} rule) lacks it"
        )
        unit: SignUnit | None = truth.unit_for(pattern)
    else:
        explanation = (
            f"the closed form with K={library.max_switches} ({library.rule} rule) lists this feature "
            f"({switches} switches), but exhaustive exact enumeration finds no unit of the {spec.describe()} "
            f"producing it: its units reach at most {truth.max_switches} switch(es) on these {len(points)} distinct points"
        )
        unit = None
    return SignCounterexample(kind, data, vector, pattern, switches, library.max_switches, unit, explanation)


def check_sign_dictionary(
    X: Iterable[object] | str | Dataset,
    activation: Activation | str = "sign",
    architecture: str = "tree",
    widths: str | Iterable[object] | None = (),
    depth: int = 2,
    *,
    rule: str = "derived",
    work_limit: int = DEFAULT_WORK_LIMIT,
) -> SignDictionaryCheck:
    """Closed form (``rule="derived"`` or ``"theory"``) versus exact ground truth on ``X``.

    Raises ``ValueError`` naming the argument for invalid input (as :func:`sign_library`), and when
    the ground truth would exceed ``work_limit``.

    Parameters
    ----------
    X, activation, architecture, widths, depth, work_limit
        As in :func:`~mirrorlib.signnets.groundtruth.ground_truth` (``widths`` may also be ``"2,2"``).
    rule : ``"derived"`` or ``"theory"``
        Which switch bound the closed form uses.

    Returns
    -------
    SignDictionaryCheck

    Examples
    --------
    >>> check = check_sign_dictionary([0, 1, 2, 3], 'sign', 'tree', None, 2)
    >>> check.relation
    'equal'
    """
    library = sign_library(X, activation, architecture, widths, depth, rule=rule)
    truth = ground_truth(library.dataset, activation, architecture, library.widths, depth, work_limit=work_limit)
    return compare_with_ground_truth(library, truth)


def sweep_sign_dictionaries(
    *,
    max_points: int = 6,
    max_depth: int = 4,
    max_width: int = 3,
    rule: str = "derived",
    work_limit: int = DEFAULT_WORK_LIMIT,
) -> Iterator[SignDictionaryCheck]:
    """Every architecture with ``depth ≤ max_depth``, widths ``≤ max_width`` on ``x = 0..n−1``,
    ``n ≤ max_points`` (sign activation; threshold patterns are the same bits). Exhaustive for
    these parameters: the result holds for all data with ``n`` distinct values. Raises
    ``ValueError`` when an instance's ground truth exceeds ``work_limit``.

    Examples
    --------
    >>> checks = list(sweep_sign_dictionaries(max_points=3, max_depth=2, max_width=1))
    >>> len(checks), {check.relation for check in checks}
    (6, {'equal'})
    """
    for n, depth in itertools.product(range(1, max_points + 1), range(2, max_depth + 1)):
        for architecture in SIGN_ARCHITECTURES:
            for widths in itertools.product(range(1, max_width + 1), repeat=depth - 2):
                yield check_sign_dictionary(
                    list(range(n)), "sign", architecture, widths, depth, rule=rule, work_limit=work_limit
                )
