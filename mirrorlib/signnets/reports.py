"""Data-only reports for the CLI: ``mirrorlib library`` (sign/threshold) and
``mirrorlib verify sign-dictionary-size``. Nothing here prints; ``as_text``/``as_json`` render."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mirrorlib.data import Dataset
from mirrorlib.numbers.exact import format_rational
from mirrorlib.signnets.checks import (
    SignDictionaryCheck,
    compare_with_ground_truth,
    random_sign_instance,
)
from mirrorlib.signnets.groundtruth import ground_truth
from mirrorlib.signnets.library import SWITCH_RULES, SignFeature, SignLibrary, sign_library

__all__ = [
    "SignLibraryReport",
    "sign_library_report",
    "RuleSummary",
    "SignDictionaryTrials",
    "sign_dictionary_trials",
]


def _q(value: Fraction) -> str:
    return format_rational(value)


@dataclass(frozen=True)
class SignLibraryReport:
    """A sign/threshold library for people (text) and machines (JSON).

    ``count_only`` never enumerates (O(K) arithmetic); ``max_listed`` caps the listed features.

    Examples
    --------
    >>> report = sign_library_report('0,1,2', depth=2)
    >>> report.as_json()['counts']
    {'naive': 6, 'naive_formula': '2·Σ_{k≤K} C(N−1, k), N=3 samples, K=1', 'distinct': 6, 'distinct_nonconstant': 4}
    """

    library: SignLibrary
    count_only: bool = False
    max_listed: int | None = None
    architecture_label: str | None = None  # what the user asked for, when it differs from the library's name

    def listed(self) -> list[SignFeature]:
        features = []
        for index, feature in enumerate(self.library.iter_features()):
            if self.max_listed is not None and index >= self.max_listed:
                break
            features.append(feature)
        return features

    def feature_json(self, index: int, feature: SignFeature) -> dict[str, Any]:
        column = next(_columns(self.library, [feature]))
        return {
            "index": index,
            "label": feature.label,
            "column": [_q(v) for v in column],
            "switches": feature.n_switches,
            "switch_points": [_q(t) for t in feature.switch_points],
            "unit": feature.unit.as_json(),
            "penalised": feature.penalised,
        }

    def as_json(self) -> dict[str, Any]:
        library = self.library
        result: dict[str, Any] = {
            "activation": library.activation.name,
            "architecture": library.architecture,
            "widths": list(library.widths),
            "depth": library.depth,
            "rule": library.rule,
            "K": library.max_switches,
            "K_effective": library.effective_switches,
            "data": [_q(x) for x in library.dataset.to_original_order(list(library.dataset.x))],  # type: ignore[arg-type]
            "counts": library.counts.as_dict(),
        }
        if not self.count_only:
            result["features"] = [self.feature_json(i, f) for i, f in enumerate(self.listed())]
        return result

    def as_text(self) -> str:
        library, counts = self.library, self.library.counts
        widths = ",".join(map(str, library.widths)) or "-"
        data = ", ".join(f"x{caller}={_q(value)}" for value, caller in zip(library.dataset.x, library.dataset.order))
        lines = [
            f"library: activation={library.activation.name} architecture={self.architecture_label or library.architecture} "
            f"widths={widths} depth={library.depth}",
            f"data (ascending): {data}",
            f"switch bound K={library.max_switches} ({library.rule}), effective min(K, n−1)={library.effective_switches} "
            f"on n={len(library.points)} distinct points",
            f"counts: naive {counts.naive} [{counts.naive_formula}], distinct {counts.distinct}, "
            f"distinct non-constant {counts.distinct_nonconstant}",
        ]
        if self.count_only:
            return "\n".join(lines)
        listed = self.listed()
        lines.append(f"columns (rows in data order x0, x1, …); showing {len(listed)} of {counts.distinct}:")
        for index, (feature, column) in enumerate(zip(listed, _columns(library, listed))):
            lines.append(f"[{index:>4}] ({', '.join(_q(v) for v in column)})  {feature.label}")
            lines.append(f"        unit {feature.unit.describe()}")
        return "\n".join(lines)


def _columns(library: SignLibrary, features: Iterable[SignFeature]) -> Iterable[tuple[Fraction, ...]]:
    dataset: Dataset = library.dataset
    for feature in features:
        lookup = dict(zip(library.points, feature.values))
        yield tuple(dataset.to_original_order([lookup[x] for x in dataset.x]))  # type: ignore[misc]


def sign_library_report(
    data: str | Iterable[object],
    *,
    activation: str = "sign",
    architecture: str = "tree",
    widths: str | Iterable[object] | None = None,
    depth: int = 2,
    count_only: bool = False,
    max_listed: int | None = None,
    rule: str = "derived",
) -> SignLibraryReport:
    """Validate the inputs and build the report (raises ``ValueError`` naming the bad argument).

    Examples
    --------
    >>> report = sign_library_report('0,1,2', depth=2)
    >>> print(report.as_text().splitlines()[0])
    library: activation=sign architecture=tree widths=- depth=2
    """
    library = sign_library(data, activation, architecture, widths, depth, rule=rule)
    if max_listed is not None and max_listed < 0:
        raise ValueError(f"max_listed must be ≥ 0, got {max_listed}")
    return SignLibraryReport(library=library, count_only=count_only, max_listed=max_listed)


@dataclass(frozen=True)
class RuleSummary:
    """Outcome of the trials for one switch rule.

    Examples
    --------
    >>> summary = sign_dictionary_trials(4, seed=1, max_points=3, max_depth=3, max_width=2).summaries[0]
    >>> summary.rule, summary.instances, summary.passed, summary.smallest_failure
    ('derived', 4, 4, None)
    """

    rule: str
    instances: int
    passed: int
    tight: int
    relations: dict[str, int]
    smallest_failure: SignDictionaryCheck | None

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "instances": self.instances,
            "passed": self.passed,
            "failed": self.instances - self.passed,
            "bound_tight": self.tight,
            "relations": dict(self.relations),
            "smallest_failure": None if self.smallest_failure is None else self.smallest_failure.as_json(),
        }


@dataclass(frozen=True)
class SignDictionaryTrials:
    """Random instances: closed form (each rule) versus exact ground truth.

    Examples
    --------
    >>> trials = sign_dictionary_trials(4, seed=1, max_points=3, max_depth=3, max_width=2)
    >>> trials.trials, [summary.rule for summary in trials.summaries]
    (4, ['derived', 'theory'])
    """

    trials: int
    seed: int
    max_points: int
    summaries: tuple[RuleSummary, ...]

    @property
    def derived_rule_holds(self) -> bool:
        return all(s.passed == s.instances for s in self.summaries if s.rule == "derived")

    def as_json(self) -> dict[str, Any]:
        return {
            "trials": self.trials,
            "seed": self.seed,
            "max_points": self.max_points,
            "rules": [summary.as_json() for summary in self.summaries],
        }

    def as_text(self) -> str:
        lines = [f"sign/threshold dictionary size: {self.trials} random instances (seed {self.seed}, ≤ {self.max_points} samples)"]
        for summary in self.summaries:
            relations = ", ".join(f"{name}: {count}" for name, count in sorted(summary.relations.items()))
            lines.append(
                f"rule {summary.rule}: {summary.passed}/{summary.instances} closed form = ground truth; "
                f"size bound attained in {summary.tight}; relations {relations}"
            )
            failure = summary.smallest_failure
            if failure is not None and failure.counterexample is not None:
                lines.append(f"  smallest counterexample: {failure.describe_instance()}")
                lines.append(
                    f"  closed form {failure.formula_count} vs ground truth {failure.ground_truth_count} features"
                )
                lines.extend("  " + line for line in failure.counterexample.as_text().splitlines())
        return "\n".join(lines)


def _size_key(check: SignDictionaryCheck) -> tuple[int, int, int, int, str]:
    return check.n_samples, check.n_points, check.depth, sum(check.widths), repr(check.data)


def sign_dictionary_trials(
    trials: int = 500,
    *,
    seed: int = 0,
    max_points: int = 6,
    max_depth: int = 5,
    max_width: int = 3,
    rules: Iterable[str] = SWITCH_RULES,
) -> SignDictionaryTrials:
    """Check closed form versus ground truth on ``trials`` random instances, for each rule
    (``"derived"``: the exact ``K``; ``"theory"``: theory §5's product of widths). The ground truth
    is computed once per instance and shared by the rules.

    Raises ``ValueError`` for ``trials < 1``, ``max_points < 1`` or an unknown rule.

    Examples
    --------
    >>> trials = sign_dictionary_trials(5, seed=0, max_points=3, max_depth=3, max_width=2)
    >>> [(summary.rule, summary.instances, summary.passed) for summary in trials.summaries]
    [('derived', 5, 5), ('theory', 5, 5)]
    """
    rules = tuple(rules)
    if trials < 1:
        raise ValueError(f"trials must be ≥ 1, got {trials}")
    if max_points < 1:
        raise ValueError(f"max_points must be ≥ 1, got {max_points}")
    unknown = [rule for rule in rules if rule not in SWITCH_RULES]
    if unknown:
        raise ValueError(f"rules must be among {SWITCH_RULES}, got {unknown}")
    rng = random.Random(seed)
    checks: dict[str, list[SignDictionaryCheck]] = {rule: [] for rule in rules}
    for _ in range(trials):
        instance = random_sign_instance(rng, max_points=max_points, max_depth=max_depth, max_width=max_width)
        truth = ground_truth(instance.data, instance.activation, instance.architecture, instance.widths, instance.depth)
        for rule in rules:
            library = sign_library(truth.dataset, instance.activation, instance.architecture, instance.widths, instance.depth, rule=rule)
            checks[rule].append(compare_with_ground_truth(library, truth))
    summaries = []
    for rule, results in checks.items():
        failures = [check for check in results if not check.passed]
        summaries.append(
            RuleSummary(
                rule=rule,
                instances=len(results),
                passed=len(results) - len(failures),
                tight=sum(check.bound_tight for check in results),
                relations=dict(Counter(check.relation for check in results)),
                smallest_failure=min(failures, key=_size_key) if failures else None,
            )
        )
    return SignDictionaryTrials(trials=trials, seed=seed, max_points=max_points, summaries=tuple(summaries))
