"""Data-only report of a sign/threshold library for the CLI's ``mirrorlib library``. Nothing
here prints; ``as_text``/``as_json`` render. Random trials of the closed form against the ground
truth are the claims ``sign-dictionary-size`` and ``sign-dictionary-product-rule``, run by
``mirrorlib verify`` like every other claim."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mirrorlib.data import Dataset
from mirrorlib.numbers.exact import format_rational
from mirrorlib.signnets.library import SignFeature, SignLibrary, sign_library

__all__ = [
    "SignLibraryReport",
    "sign_library_report",
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
