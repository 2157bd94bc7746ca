"""Reports behind the CLI: pure functions from inputs to printable / JSON-able results."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import format_rational, positive_beta, to_rational_vector
from mirrorlib.libraries import Feature, Library, library
from mirrorlib.functions.reflections import forest_to_dot, reflection_counts, reflection_expressions, require_tree_count

__all__ = ["LibraryReport", "library_report", "ReflectionsReport", "reflections_report"]


def _q(value: Fraction) -> str:
    return format_rational(value)


_SOLVER_NAMES = {
    "exact": "exact rational",
    "dense": "float active set",
    "working-set": "float working set (matrix-free)",
    "group-lasso": "float group Lasso",
}
"""How a fit report names ``ConvexNet.solver_`` (exact fits: always over the distinct library)."""


def _library_line(library: dict[str, Any], solver: str) -> str:
    """The report's line on the columns the Lasso ran over: the distinct library, or the columns a
    matrix-free working set selected from all naive columns (the dense library never built).

    Examples
    --------
    >>> _library_line({"columns_used": 38, "naive": 16000001, "naive_formula": "2^2·N^2 + 1"}, "working-set")
    'library: 38 columns, selected by the working set from all 16000001 = 2^2·N^2 + 1 naive columns (matrix-free)'
    """
    if solver == "working-set":
        return (
            f"library: {library['columns_used']} columns, selected by the working set from all "
            f"{library['naive']} = {library['naive_formula']} naive columns (matrix-free)"
        )
    return f"library: {library['columns_used']} distinct columns (naive {library['naive']} = {library['naive_formula']})"


HEADER_POINTS = 20
"""Reports list every data point up to this many; above, the five smallest and two largest."""


def _data_header(dataset: Dataset) -> str:
    """The data in ascending order, each named ``x_i`` by its position ``i`` as given (so a
    column's label ``h1(x62)`` is the 63rd value of the input), abbreviated above
    :data:`HEADER_POINTS` points.

    Examples
    --------
    >>> from mirrorlib.data import as_dataset
    >>> _data_header(as_dataset([3, 0, 1]))
    'data (ascending): x1=0, x2=1, x0=3'
    >>> _data_header(as_dataset([k / 8 for k in range(30)]))
    'data (ascending, 30 points): x0=0, x1=1/8, x2=1/4, x3=3/8, x4=1/2, …, x28=7/2, x29=29/8'
    """
    named = [f"x{caller}={_q(value)}" for value, caller in zip(dataset.x, dataset.order)]
    if len(named) <= HEADER_POINTS:
        return f"data (ascending): {', '.join(named)}"
    return f"data (ascending, {len(named)} points): {', '.join(named[:5])}, …, {', '.join(named[-2:])}"


@dataclass(frozen=True)
class LibraryReport:
    """A closed-form library rendered for people (text) and machines (JSON).

    Examples
    --------
    >>> report = library_report('0,1,3', activation='relu', depth=2)
    >>> report.as_json()['counts']
    {'naive': 7, 'naive_formula': '2^1·N + 1', 'distinct': 5, 'distinct_nonconstant': 4}
    """

    library: Library
    shown: Library
    count_only: bool

    @cached_property
    def shown_matrix(self) -> np.ndarray:
        """The exact matrix of the shown columns, computed once for all features."""
        return self.shown.matrix(exact=True)

    @staticmethod
    def tree_nesting(depth: int) -> int:
        """Nesting of the reflection trees that name the breakpoints of a depth-``depth`` listing."""
        return min(2, max(depth - 2, 1))

    def feature_json(self, index: int, feature: Feature) -> dict[str, Any]:
        trees = self.library.breakpoint_trees(feature, max_nesting=self.tree_nesting(self.library.depth))
        column = self.shown_matrix[:, index]
        return {
            "index": index,
            "label": feature.label,
            "unit": {
                "formula": feature.unit.describe(),
                "weights": [_q(w) for w in feature.unit.weights],
                "biases": [_q(b) for b in feature.unit.biases],
                "offset": _q(feature.offset),
            },
            "signs": list(feature.signs),
            "first_breakpoint": None if feature.first_breakpoint is None else str(feature.first_breakpoint),
            "anchors": [f"x{a}" for a in feature.anchors],
            "penalised": feature.penalised,
            "column": [_q(v) for v in column],
            "breakpoints": [
                {"value": _q(b), "reflection_tree": None if tree is None else str(tree)} for b, tree in trees.items()
            ],
        }

    def as_json(self) -> dict[str, Any]:
        dataset = self.library.dataset
        result: dict[str, Any] = {
            "activation": self.library.activation.name,
            "depth": self.library.depth,
            "architecture": self.library.architecture,
            "variant": self.library.variant,
            "data": dataset.to_original_order([_q(v) for v in dataset.x]),
            "counts": self.library.counts.as_dict(),
        }
        if not self.count_only:
            result["features"] = [self.feature_json(i, f) for i, f in enumerate(self.shown.features)]
        return result

    def as_text(self) -> str:
        counts = self.library.counts
        lines = [
            f"library: activation={self.library.activation.name} depth={self.library.depth} "
            f"architecture={self.library.architecture}"
            + ("" if self.library.variant is None else f" variant={self.library.variant}"),
            _data_header(self.library.dataset),
            f"counts: naive {counts.naive} [{counts.naive_formula}], distinct {counts.distinct}, "
            f"distinct non-constant {counts.distinct_nonconstant}",
        ]
        if self.count_only:
            return "\n".join(lines)
        lines.append(f"columns (rows in data order x0, x1, …); showing {self.shown.n_features}:")
        for entry in (self.feature_json(i, f) for i, f in enumerate(self.shown.features)):
            breakpoints = ", ".join(
                item["value"] + ("" if item["reflection_tree"] in (None, item["value"]) else f"={item['reflection_tree']}")
                for item in entry["breakpoints"]
            )
            lines.append(
                f"[{entry['index']:>4}] ({', '.join(entry['column'])})  {entry['label']}"
                f"\n        unit {entry['unit']['formula']}"
                + (f" + {entry['unit']['offset']}" if entry["unit"]["offset"] != "0" else "")
                + f";  breakpoints: {breakpoints or 'none'}"
                + ("" if entry["penalised"] else ";  unpenalised")
            )
        return "\n".join(lines)


def library_report(
    data: str | Any,
    *,
    activation: str,
    depth: int,
    architecture: str = "narrow",
    widths: str | None = None,
    reflection_nesting: int | None = None,
    variant: str | None = None,
    show_all: bool = False,
    count_only: bool = False,
) -> Any:
    """Build the closed-form library and choose what to show (all columns or distinct ones).

    Sign and threshold activations (0-homogeneous) go to :mod:`mirrorlib.signnets`: tree or
    rectangular architectures with hidden ``widths``; ``architecture="narrow"`` means a tree.

    Parameters
    ----------
    data : str or sequence of rationals
        The inputs.
    activation : str
        σ.
    depth : int
        ``L ≥ 2``.
    architecture : str
        ``"narrow"``, ``"skip"``, or for sign/threshold ``"tree"``/``"rectangular"``.
    widths : str, optional
        Sign/threshold hidden widths.
    reflection_nesting : int, optional
        Deep ReLU: nesting of the first breakpoints' reflections.
    variant : str, optional
        ``"paper"`` (default) or ``"all-reflections"`` (ReLU depth ≥ 4).
    show_all : bool
        List every generated column instead of the distinct ones.
    count_only : bool
        Report the counts only.

    Returns
    -------
    LibraryReport or SignLibraryReport

    Examples
    --------
    >>> report = library_report('0,1,3', activation='relu', depth=2)
    >>> print(report.as_text().splitlines()[0])
    library: activation=relu depth=2 architecture=narrow
    """
    from mirrorlib.functions.activations import get_activation

    data = as_dataset(data, name="--data")
    if get_activation(activation).is_zero_homogeneous:
        from mirrorlib.signnets import sign_library_report

        from dataclasses import replace

        from mirrorlib.estimator import _sign_architecture

        if reflection_nesting is not None or variant is not None:
            raise ValueError("--reflection-nesting and --variant apply to deep ReLU libraries; sign/threshold features have no reflections")
        sign_architecture, sign_widths = _sign_architecture(architecture, widths, depth)
        report = sign_library_report(
            data, activation=activation, architecture=sign_architecture, widths=sign_widths, depth=depth, count_only=count_only
        )
        return replace(report, architecture_label="narrow (a tree of width 1)") if architecture == "narrow" else report
    if widths is not None:
        raise ValueError("--widths applies to sign/threshold tree or rectangular architectures only")
    if not count_only and depth >= 2:  # the listing names breakpoints by reflection trees: refuse before any build
        require_tree_count(
            len(data.distinct_x), LibraryReport.tree_nesting(depth),
            hint="the listing names every breakpoint by its reflection tree; use --count-only, or fewer points",
        )
    lib = library(data, activation, depth, architecture=architecture, variant=variant, reflection_nesting=reflection_nesting)
    report = LibraryReport(library=lib, shown=lib if show_all else lib.distinct(), count_only=count_only)
    if not count_only:
        report.shown_matrix  # the exact columns, now: a listing too large to hold is refused here, not while printing
    return report


@dataclass(frozen=True)
class ReflectionsReport:
    """Reflection trees over data with counts of trees versus distinct values.

    Examples
    --------
    >>> report = reflections_report('0,1,3', 1)
    >>> print(report.as_text().splitlines()[0])
    data (ascending): x0=0, x1=1, x2=3
    """

    dataset: Dataset
    max_nesting: int

    def expressions(self) -> list[Any]:
        return list(reflection_expressions(self.dataset, self.max_nesting))

    def as_json(self) -> dict[str, Any]:
        import networkx as nx

        return {
            "data": self.dataset.to_original_order([_q(v) for v in self.dataset.x]),
            "max_nesting": self.max_nesting,
            "counts": [row.as_dict() for row in reflection_counts(self.dataset, self.max_nesting)],
            "trees": [
                {
                    "expression": str(expression),
                    "value": _q(expression.value),
                    "nesting": expression.nesting,
                    "graph": _json_graph(nx.node_link_data(expression.to_networkx(), edges="edges")),
                }
                for expression in self.expressions()
            ],
        }

    def as_dot(self) -> str:
        from mirrorlib.functions.reflections import reflection_forest

        return forest_to_dot(reflection_forest(self.dataset, self.max_nesting))

    def as_text(self) -> str:
        lines = [_data_header(self.dataset), "nesting  trees  distinct values  new values"]
        for row in reflection_counts(self.dataset, self.max_nesting):
            lines.append(f"{row.nesting:>7}  {row.trees:>5}  {row.distinct_values:>15}  {row.new_values:>10}")
        lines.append("trees:")
        lines.extend(f"  {expression} = {_q(expression.value)}" for expression in self.expressions())
        return "\n".join(lines)


def _json_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """Make node-link data JSON-safe (Fractions as 'p/q')."""

    def convert(value: Any) -> Any:
        if isinstance(value, Fraction):
            return _q(value)
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return convert(graph)


def reflections_report(data: str | Any, max_nesting: int) -> ReflectionsReport:
    """Validate inputs and build a :class:`ReflectionsReport`.

    Parameters
    ----------
    data : str or sequence of rationals
        The inputs.
    max_nesting : int
        Largest nesting of the reflection trees.

    Returns
    -------
    ReflectionsReport

    Examples
    --------
    >>> print(reflections_report('0,1,3', 1).as_text().splitlines()[0])
    data (ascending): x0=0, x1=1, x2=3
    """
    if max_nesting < 0:
        raise ValueError(f"nesting must be ≥ 0 (depth ≥ 2), got {max_nesting}")
    from mirrorlib.functions.reflections import require_tree_count

    dataset = as_dataset(data, name="--data")
    require_tree_count(len(dataset.distinct_x), max_nesting, hint="use a smaller --depth or --nesting, or fewer points")
    return ReflectionsReport(dataset=dataset, max_nesting=max_nesting)


@dataclass(frozen=True)
class FitReport:
    """A fitted :class:`~mirrorlib.estimator.ConvexNet` rendered for people and machines;
    ``all_optima`` adds the vertices of the optimal set, each with its network."""

    model: Any
    X: Any
    y: Any
    all_optima: bool = False

    @cached_property
    def optimal_set(self) -> Any:
        return self.model.optimal_set() if self.all_optima else None

    def _optima_json(self) -> dict[str, Any] | None:
        optima = self.optimal_set
        if optima is None:
            return None
        vertices = []
        for z in optima.vertices:
            xi = optima.intercept(z)
            vertices.append({
                "coefficients": {str(i): _q(v) for i, v in enumerate(z) if v},
                "intercept": _q(xi),
                "network": self.model.network_of(z, xi).describe(),
            })
        return {
            "unique": optima.is_unique,
            "dimension": optima.dimension,
            "vertices": vertices,
            "sparsest_support_size": min(len(v["coefficients"]) for v in vertices),
            "minimum_l2": {str(i): _q(v) for i, v in enumerate(optima.min_l2) if v},
        }

    def _value(self, value: Any) -> str:
        """Exact values as ``p/q``; floats as the shortest text that reads back to the same float."""
        return _q(value) if isinstance(value, Fraction) else repr(float(value))

    def network_objective(self) -> Any:
        beta = self.model.beta
        if beta is None:
            return None
        exact = self.model.exact
        beta_value = to_rational_vector([beta], name="beta")[0] if exact else float(beta)
        return self.model.network_.training_objective(self.X, self.y, beta_value, exact=exact)

    def as_json(self) -> dict[str, Any]:
        model = self.model
        certificate = model.certificate_
        objective = self.network_objective()
        return {
            "activation": model.library_.activation.name,
            "depth": model.depth,
            "architecture": model.architecture,
            "beta": "0+" if model.beta is None else str(model.beta),
            "solver": _SOLVER_NAMES["exact" if model.exact else model.solver_],
            "library": {
                "mode": model.library,
                "columns_used": model.library_.n_features,
                "naive": model.library_.n_naive,
                "naive_formula": model.library_.naive_formula,
                "added_by_oracle": [feature.label for feature in model.added_features_],
            },
            "objective": self._value(model.objective_),
            "intercept": self._value(model.fit_.xi),
            "coefficients": [
                {
                    "column": column,
                    "z": self._value(value),
                    "label": feature.label,
                    "penalised": feature.penalised,
                    "unit": feature.unit.describe(),
                    "breakpoints": [_q(b) for b in feature.breakpoints],
                }
                for column, value, feature in model.selected_features()
            ],
            "certificate": {
                "optimal": bool(certificate.is_optimal),
                "statement": getattr(certificate, "certified", "relative duality gap ≤ tol"),
                "failures": list(certificate.failures),
                "duality_gap": None if getattr(certificate, "duality_gap", None) is None else self._value(certificate.duality_gap),
            },
            "training_certificate": _training_json(certificate.training, self._value),
            "optimum": model.uniqueness_,
            "all_optima": self._optima_json(),
            "network": {
                "description": model.network_.describe(),
                "training_objective": None if objective is None else self._value(objective),
                "equals_lasso_optimum": None if objective is None else (objective == model.objective_ if model.exact else abs(objective - model.objective_) <= 1e-9 * max(1.0, abs(model.objective_))),
            },
        }

    def as_text(self) -> str:
        data = self.as_json()
        lines = [
            f"fit: activation={data['activation']} depth={data['depth']} architecture={data['architecture']} "
            f"beta={data['beta']} solver={data['solver']}",
            _data_header(self.model.library_.dataset),
            _library_line(data["library"], self.model.solver_),
            f"optimal value: {data['objective']}" + ("" if not self.model.exact else f"  (≈ {float(self.model.objective_):.12g})"),
            f"intercept ξ = {data['intercept']}",
            f"non-zero coefficients ({len(data['coefficients'])}):",
        ]
        for entry in data["coefficients"]:
            penalty = "" if entry["penalised"] else "  (unpenalised)"
            lines.append(f"  z[{entry['column']}] = {entry['z']}{penalty}   {entry['label']}")
            lines.append(f"      unit {entry['unit']}; breakpoints {', '.join(entry['breakpoints']) or 'none'}")
        added = data["library"]["added_by_oracle"]
        if added:
            lines.append(f"columns added by the oracle ({len(added)}): " + "; ".join(added))
        verdict = "OPTIMAL" if data["certificate"]["optimal"] else "NOT CERTIFIED"
        lines.append(f"certificate (the Lasso over this library): {verdict} — {data['certificate']['statement']}")
        lines.extend(f"  failure: {failure}" for failure in data["certificate"]["failures"])
        lines.append(f"certificate (the network among ALL networks of the architecture): {self.model.certificate_.training.summary()}")
        lines.append(f"optimum: {data['optimum']}" + ("" if data["optimum"].startswith("unique") else " — other coefficient vectors fit equally well; see --all-optima"))
        if data["all_optima"] is not None:
            optima = data["all_optima"]
            lines.append(
                f"optimal set: dimension {optima['dimension']}, {len(optima['vertices'])} vertices "
                f"(sparsest: {optima['sparsest_support_size']} units); minimum-ℓ2 optimum: {optima['minimum_l2']}"
            )
            for index, vertex in enumerate(optima["vertices"]):
                lines.append(f"  vertex {index}: z = {vertex['coefficients']}, ξ = {vertex['intercept']}")
                lines.append("    " + vertex["network"].replace("\n", "\n    "))
        lines.append(data["network"]["description"])
        if data["network"]["training_objective"] is not None:
            same = "yes" if data["network"]["equals_lasso_optimum"] else "NO"
            lines.append(
                f"training objective of the rebuilt network: {data['network']['training_objective']} "
                f"(equals the Lasso optimum: {same})"
            )
        return "\n".join(lines)


def _as_float(value: Fraction, option: str) -> float:
    """``float(value)``; ValueError naming the option when float64 cannot hold it."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{option} has a value too large for float64; use --exact or rescale") from None


def _training_json(training: Any, value: Any) -> dict[str, Any]:
    """The network-level verdict for machines (None where not checked)."""
    return {
        "training_optimal": training.training_optimal,
        "statement": training.reason,
        "sup_over_units": None if training.sup is None else value(training.sup),
        "threshold": None if training.threshold is None else value(training.threshold),
        "gap": None if training.gap is None else value(training.gap),
        "maximising_unit": None if training.unit is None else training.unit.describe(),
        "exact": training.exact,
    }


def fit_report(
    data: str,
    labels: str,
    *,
    activation: str,
    depth: int,
    beta: str,
    exact: bool,
    architecture: str = "narrow",
    widths: str | None = None,
    reflection_nesting: int | None = None,
    library: str = "complete",
    solver: str = "auto",
    all_optima: bool = False,
) -> FitReport:
    """Parse the command-line inputs, fit a ConvexNet and wrap it in a :class:`FitReport`."""
    from mirrorlib.estimator import ConvexNet

    X = list(to_rational_vector(data, name="--data"))
    y = list(to_rational_vector(labels, name="--labels"))
    if len(X) != len(y):
        raise ValueError(f"--labels has {len(y)} values but --data has {len(X)}; give one label per data point")
    beta_value: Any = None if beta.strip() in ("0+", "0⁺") else beta
    if exact and solver == "working-set":
        raise ValueError("--solver working-set is a float solver; drop --exact, or use --solver dense or auto")
    if beta_value is None and not exact:
        raise ValueError("--beta 0+ (the β → 0⁺ limit) needs --exact; give a number β > 0 for a float fit")
    if beta_value is not None:
        value = positive_beta(beta, name="--beta", limit="0+ with --exact")
        beta_value = value if exact else _as_float(value, "--beta")
    if not exact:
        for option, values in (("--data", X), ("--labels", y)):
            for item in values:
                _as_float(item, option)
    model = ConvexNet(
        activation,
        depth,
        beta_value,
        architecture=architecture,
        widths=widths,
        exact=exact,
        reflection_nesting=reflection_nesting,
        library=library,
        solver=solver,
    ).fit(X, y)
    return FitReport(model=model, X=X, y=y, all_optima=all_optima)
