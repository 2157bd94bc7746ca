"""Closed-form Lasso dictionaries ("libraries") as the paper states them (theory §5).

For sorted data ``x_1 ≤ … ≤ x_N`` and a positively homogeneous activation σ every closed form
here is a family of deep narrow units (see :mod:`mirrorlib.units`) whose biases put the
breakpoints on data points and their reflections:

* **2 layers** (any homogeneous σ): ``σ(s(x − x_j))``, ``s = ±1``, ``j = 1..N``, plus the linear
  feature ``x``. Naive count ``2N + 1``.
* **2 layers with a skip connection** (Lemma 3.1): the 2-layer features with an *unpenalised*
  linear column ``x`` (the skip weight). Since ``|t| = 2·relu(t) − t``, ReLU with skip at
  penalty β and abs with skip at 2β have the same optimum.
* **deep narrow ReLU**, depth ``L`` (paper code's recursion)::

      h_1 = relu(s_1(x − a_1)),   h_l = relu(s_l(h_{l−1}(x) − h_{l−1}(x_{j_l}))),  l = 2..L−1,

  with ``a_1 = x_{j_1}``, and for ``L ≥ 4`` also ``a_1 = R(x_{j_1}, x_{j_2}) = 2x_{j_2} − x_{j_1}``.
  Naive count ``2^{L−1} P N^{L−2} + 1`` where ``P`` is the number of choices of ``a_1``
  (``N``, or ``N²`` with reflections).
* **deep narrow abs** (Theorem 3.2): ``h_1 = |x − x_{j_1}|``, ``h_l = |h_{l−1}(x) − h_{l−1}(x_{j_l})|``.
  Naive count ``N^{L−1} + 1``.

The unit realising feature ``h_{L−1}`` has weights ``w_l = s_l`` and biases
``b_1 = −s_1 a_1``, ``b_l = −s_l h_{l−1}(x_{j_l})``; :attr:`Feature.unit` carries them, so every
feature can be re-evaluated as a network. The linear feature ``x`` is a recession-ray feature
(theory §3): on the data it equals a unit in its all-active region up to a constant, which the
unpenalised bias ξ absorbs; :attr:`Feature.offset` records that constant.

Columns are built layer by layer on whole arrays (float64, or exact integers on a common
denominator: :mod:`mirrorlib.libraries.narrow_columns`): no per-column recursion.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import format_rational
from mirrorlib.libraries.distinct_columns import distinct_narrow_columns
from mirrorlib.libraries.narrow_columns import (
    IntegerColumns,
    IntegerScale,
    apply_homogeneous,
    integer_columns,
    integer_inputs,
    integer_scale,
    narrow_block_size,
    narrow_columns,
    narrow_provenance_at,
)
from mirrorlib.functions.reflections import ReflectionExpression, leaf, reflection, reflection_expressions
from mirrorlib.progress import LOGGER
from mirrorlib.units import NarrowUnit

from mirrorlib.libraries.library import Feature, Library, _check_memory

__all__ = ["library", "generated_library", "ARCHITECTURES", "VARIANTS"]

ARCHITECTURES = ("narrow", "skip")

PROGRESS_NAIVE_ENTRIES = 10**9
"""A distinct build whose naive library has more entries (columns × points) than this logs each
layer on :data:`~mirrorlib.progress.LOGGER` (such builds can take seconds)."""


def _first_breakpoint_options(dataset: Dataset, reflection_nesting: int) -> list[ReflectionExpression]:
    """``a_1`` candidates: every data point (with multiplicity, as the naive count does), and
    for ``reflection_nesting ≥ 1`` every ``R(x_i, x_j)``, ``i ≠ j``, and further nesting levels."""
    leaves = [leaf(value, caller) for value, caller in zip(dataset.x, dataset.order)]
    options = list(leaves)
    newest = leaves
    for _ in range(reflection_nesting):
        created = [reflection(a, b) for a, b in itertools.product(options, options) if a is not b]
        created = [expression for expression in created if expression.nesting == newest[0].nesting + 1]
        options.extend(created)
        newest = created
    return options


def _unit_for(
    activation: Activation, signs: tuple[int, ...], first: Fraction, anchors_sorted: tuple[int, ...], x: Sequence[Fraction]
) -> NarrowUnit:
    """Weights ``s_l`` and biases ``b_1 = −s_1 a_1``, ``b_l = −s_l h_{l−1}(x_{j_l})``."""
    weights = tuple(Fraction(s) for s in signs)
    biases = [-weights[0] * first]
    for depth_index, anchor in enumerate(anchors_sorted, start=1):
        partial = NarrowUnit(activation, weights[:depth_index], tuple(biases))
        biases.append(-weights[depth_index] * partial(x[anchor]))
    return NarrowUnit(activation, weights, tuple(biases))


def _label(activation: Activation, signs: tuple[int, ...], first: ReflectionExpression, anchors: tuple[int, ...]) -> str:
    """E.g. ``h1 = relu(+(x - R(x0, x2))); h2 = relu(-(h1(x) - h1(x3)))`` (caller indices)."""
    sign_text = {1: "+", -1: "-"}
    layers = [f"h1 = {activation.name}({sign_text[signs[0]]}(x - {first}))"]
    for level, (sign, anchor) in enumerate(zip(signs[1:], anchors), start=1):
        layers.append(f"h{level + 1} = {activation.name}({sign_text[sign]}(h{level}(x) - h{level}(x{anchor})))")
    return "; ".join(layers)


def _linear_feature(activation: Activation, dataset: Dataset, depth: int, penalised: bool) -> Feature:
    """The linear (recession-ray) feature ``c·x`` with unit cost.

    Depth 2: a unit whose pre-activation keeps one sign on all data is affine there:
    ``σ(x − x_1) = b(x − x_1)`` or ``σ(x − x_N) = a(x − x_N)``; the larger of ``|a|, |b|`` gives
    the best unit-cost direction, so the column is ``c·x`` with ``c = b`` (or ``a``). Deep relu/abs
    units (``b = 1``) with weights 1 and biases ``(−x_1, 0, …, 0)`` equal ``x − x_1`` on the data.
    In both cases ``column = unit + offset`` on the data, the constant offset being absorbed by ξ.
    """
    negative, positive = activation.slopes
    use_positive_side = abs(positive) >= abs(negative)
    slope = positive if use_positive_side else negative
    start = dataset.x[0] if use_positive_side else dataset.x[-1]
    weights = (Fraction(1),) * (depth - 1)
    biases = (-start,) + (Fraction(0),) * (depth - 2)
    unit = NarrowUnit(activation, weights, biases)
    scale = "" if slope == 1 else f"{format_rational(slope)}·"
    return Feature(
        label=f"{scale}x" + ("" if penalised else " (skip connection, unpenalised)"),
        unit=unit,
        signs=(1,) * (depth - 1),
        first_breakpoint=None,
        anchors=(),
        offset=slope * start,
        penalised=penalised,
        linear_slope=slope,
    )


@dataclass(frozen=True, eq=False)
class _Recipe:
    """Everything needed to generate the columns and features of a closed-form library.

    ``firsts`` are the ``a_1`` options combined with every layer-2 anchor; ``tied`` pairs a
    reflected ``a_1 = R(x_{j1}, x_{j2})`` with the sorted position of the anchor ``x_{j2}`` it is
    tied to (the paper code's ``k = 1`` columns). Columns: the ``firsts`` block, the ``tied``
    block, then the linear feature.
    """

    activation: Activation
    dataset: Dataset
    depth: int
    plan: _Plan
    firsts: tuple[ReflectionExpression, ...]
    penalise_linear: bool
    tied: tuple[tuple[ReflectionExpression, int], ...] = ()

    def _block_size(self, n_first: int, tied: bool) -> int:
        return narrow_block_size(n_first, self.plan.signs_per_layer, self.dataset.n_samples, tied)

    @property
    def n_columns(self) -> int:
        return self._block_size(len(self.firsts), False) + self._block_size(len(self.tied), True) + 1

    @property
    def all_firsts(self) -> tuple[ReflectionExpression, ...]:
        return self.firsts + tuple(expression for expression, _ in self.tied)

    def provenance(self, index: int) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
        """``(signs, first-breakpoint index, anchors)`` of naive column ``index`` (not the linear
        one), decoded from the index: the free block first, then the tied one."""
        layers, n = self.plan.signs_per_layer, self.dataset.n_samples
        n_free = self._block_size(len(self.firsts), False)
        if index < n_free:
            return narrow_provenance_at(index, len(self.firsts), layers, n)
        anchors = [anchor for _, anchor in self.tied]
        signs, first_index, rest = narrow_provenance_at(index - n_free, len(self.tied), layers, n, anchors)
        return signs, len(self.firsts) + first_index, rest

    def _blocks(self) -> list[tuple[list[Fraction], list[int] | None]]:
        """``(a_1 values, tied anchors or None)`` of the non-empty column blocks, in column order."""
        blocks: list[tuple[list[Fraction], list[int] | None]] = []
        if self.firsts:
            blocks.append(([e.value for e in self.firsts], None))
        if self.tied:
            blocks.append(([e.value for e, _ in self.tied], [anchor for _, anchor in self.tied]))
        return blocks

    def _linear_row(self) -> Fraction:
        return _linear_feature(self.activation, self.dataset, self.depth, True).linear_slope

    def columns(self, exact: bool) -> np.ndarray:
        """All columns on the sorted data, (M, N): Fraction objects or float64.

        The exact ones come from :meth:`integer_columns`. Refuses (``ValueError``) when the
        estimated peak memory exceeds :func:`memory_limit`.
        """
        if exact:
            return self.integer_columns().fractions()
        if "_float_columns" not in self.__dict__:
            _check_memory(self.n_columns, self.dataset.n_samples, np.float64)
            x = np.array([float(v) for v in self.dataset.x])
            slopes = tuple(float(v) for v in self.activation.slopes)
            rows = [
                narrow_columns(x, np.array([float(v) for v in firsts]), self.plan.signs_per_layer, slopes,
                               None if tied is None else np.array(tied, dtype=np.int64))
                for firsts, tied in self._blocks()
            ]
            linear = np.array([float(self._linear_row() * v) for v in self.dataset.x])
            self.__dict__["_float_columns"] = np.vstack([*rows, linear[None, :]])
        return self.__dict__["_float_columns"]

    def integer_scale(self) -> IntegerScale:
        """The common integer scaling of every column (see :mod:`mirrorlib.libraries.narrow_columns`), cached."""
        if "_integer_scale" not in self.__dict__:
            values = [*self.dataset.x, *(e.value for e in self.all_firsts)]
            self.__dict__["_integer_scale"] = integer_scale(values, self.activation.slopes, len(self.plan.signs_per_layer))
        return self.__dict__["_integer_scale"]

    def integer_columns(self) -> IntegerColumns:
        """All columns exactly, as integers on one common denominator (cached)."""
        if "_integer_columns" not in self.__dict__:
            scale = self.integer_scale()
            _check_memory(self.n_columns, self.dataset.n_samples, scale.dtype)
            rows = [
                integer_columns(self.dataset.x, firsts, self.plan.signs_per_layer, self.activation.slopes, tied, scale=scale).values
                for firsts, tied in self._blocks()
            ]
            values = np.vstack([*rows, self._integer_linear_row(scale)[None, :]])
            self.__dict__["_integer_columns"] = IntegerColumns(values, scale.denominator)
        return self.__dict__["_integer_columns"]

    def integer_rows(self, indices: Sequence[int]) -> IntegerColumns:
        """Rows ``indices`` of :meth:`integer_columns` without building the others: each by the
        recursion ``h_1 = σ(s_1(x − a_1))``, ``h_l = σ(s_l(h_{l−1} − h_{l−1}(x_{j_l})))`` along its
        own provenance, ``O(LN)`` integers per column (for a selection from a closed form too large
        to build, e.g. the columns a matrix-free working-set solve kept).

        Examples
        --------
        >>> recipe = library([0, 1, '5/2', 4], "relu", 3).recipe
        >>> picked = [3, 40, recipe.n_columns - 1]
        >>> bool((recipe.integer_rows(picked).values == recipe.integer_columns().values[picked]).all())
        True
        """
        scale = self.integer_scale()
        int_x, int_firsts, int_slopes = integer_inputs(self.dataset.x, [e.value for e in self.all_firsts], self.activation.slopes, scale)
        wanted = [int(index) for index in indices]
        if any(not 0 <= index < self.n_columns for index in wanted):
            raise IndexError(f"column indices must be in [0, {self.n_columns}), got {min(wanted)}..{max(wanted)}")
        rows = np.empty((len(wanted), self.dataset.n_samples), dtype=scale.dtype)
        for position, index in enumerate(wanted):
            if index == self.n_columns - 1:
                rows[position] = self._integer_linear_row(scale)
                continue
            signs, first_index, anchors = self.provenance(index)
            hidden = apply_homogeneous(signs[0] * (int_x - int_firsts[first_index]), int_slopes)
            for sign, anchor in zip(signs[1:], anchors):
                hidden = apply_homogeneous(sign * (hidden - hidden[anchor]), int_slopes)
            rows[position] = hidden
        return IntegerColumns(rows, scale.denominator)

    def _integer_linear_row(self, scale: IntegerScale) -> np.ndarray:
        factor = int(self._linear_row() * scale.slope_scale**scale.layers)  # an integer: slope_scale clears σ's slopes
        int_x = integer_inputs(self.dataset.x, [], self.activation.slopes, scale)[0]
        return np.array([factor * int(v) for v in int_x], dtype=scale.dtype)  # in Python integers: never wraps

    def distinct_integer_columns(self) -> tuple[np.ndarray, IntegerColumns]:
        """The distinct columns, built distinct by construction
        (:func:`~mirrorlib.libraries.distinct_columns.distinct_narrow_columns`), and for each the
        index of one column of the naive library that equals it (cached).

        A penalised and an unpenalised column are never merged. Each layer is checked against
        :func:`memory_limit` before it is allocated.
        """
        if "_distinct" not in self.__dict__:
            if self.n_columns >= 2**62:
                raise ValueError(
                    f"the closed-form library has {self.n_columns:,} naive columns, too many to index; use fewer points or a smaller depth"
                )
            scale = self.integer_scale()
            n = self.dataset.n_samples

            def reserve(rows: int) -> None:
                _check_memory(rows, n, scale.dtype, what="building the distinct library would hold the equivalent of", arrays=1)

            int_x, _, int_slopes = integer_inputs(self.dataset.x, [], self.activation.slopes, scale)
            blocks, first_key = [], 0
            for firsts, tied in self._blocks():
                int_firsts = integer_inputs([], firsts, self.activation.slopes, scale)[1]
                blocks.append((int_firsts, None if tied is None else np.array(tied, dtype=np.int64), first_key))
                first_key += self._block_size(len(firsts), tied is not None)
            linear = (self._integer_linear_row(scale), self.n_columns - 1, self.penalise_linear)
            report = LOGGER.info if self.n_columns * n > PROGRESS_NAIVE_ENTRIES else (lambda message: None)
            values, keys = distinct_narrow_columns(
                int_x, self.plan.signs_per_layer, int_slopes, blocks, extra=[linear], reserve=reserve, report=report
            )
            self.__dict__["_distinct"] = (keys, IntegerColumns(values, scale.denominator))
        return self.__dict__["_distinct"]

    def forget_distinct(self) -> None:
        """Drop the cached result of :meth:`distinct_integer_columns`, freeing its rows."""
        self.__dict__.pop("_distinct", None)

    def feature(self, index: int) -> Feature:
        """Column ``index``'s feature, kept once asked for: the same object each time, so the
        exact values remembered for its unit (:func:`~mirrorlib.libraries.library.exact_column`)
        last as long as the library (column generation asks for the support's columns every round)."""
        made = self.__dict__.setdefault("_features", {})
        if index not in made:
            made[index] = self._make_feature(index)
        return made[index]

    def _make_feature(self, index: int) -> Feature:
        if index == self.n_columns - 1:
            return _linear_feature(self.activation, self.dataset, self.depth, self.penalise_linear)
        signs, first_index, anchors = self.provenance(index)
        first = self.all_firsts[first_index]
        return Feature(
            label=_label(self.activation, signs, first, tuple(self.dataset.order[a] for a in anchors)),
            unit=_unit_for(self.activation, signs, first.value, anchors, self.dataset.x),
            signs=signs,
            first_breakpoint=first,
            anchors=tuple(self.dataset.order[a] for a in anchors),
        )

    def reflection_lookup(self, max_nesting: int) -> dict[Fraction, ReflectionExpression]:
        key = ("_reflections", max_nesting)
        if key not in self.__dict__:
            lookup: dict[Fraction, ReflectionExpression] = {}
            for expression in reflection_expressions(self.dataset, max_nesting):
                lookup.setdefault(expression.value, expression)
            self.__dict__[key] = lookup
        return self.__dict__[key]


def library(
    X: Iterable[object] | str | Dataset,
    activation: Activation | str = "relu",
    depth: int = 2,
    *,
    architecture: str = "narrow",
    variant: str | None = None,
    reflection_nesting: int | None = None,
) -> Library:
    """The closed-form library of theory §5 for data ``X``.

    Parameters
    ----------
    X : sequence of numbers or ``"0,1,3"``
        Training inputs (exact; floats are converted exactly).
    activation : name or Activation
        ``relu``, ``abs``, ``leaky_relu(a)``, ``linear`` or a custom positively homogeneous PWL
        activation (depth 2); ``relu`` and ``abs`` for depth ≥ 3.
    depth : int
        ``L ≥ 2`` (number of layers, the output layer included).
    architecture : ``"narrow"`` or ``"skip"``
        ``"skip"``: 2-layer net with an unpenalised linear skip connection (Lemma 3.1).
    variant : ``"paper"`` or ``"all-reflections"``, optional
        Deep narrow ReLU only. ``"paper"`` (the default) is the paper code's column set:
        ``a_1 = x_{j_1}``, and for ``L ≥ 4`` also ``a_1 = R(x_{j_1}, x_{j_2})`` tied to the
        layer-2 anchor ``x_{j_2}`` — ``2^L N^{L−1}`` columns at ``L ≥ 4`` — plus the linear
        feature. ``"all-reflections"`` lets ``a_1`` range over every reflection tree of nesting
        ≤ ``reflection_nesting`` independently of the anchors: a strict superset
        (``2^{L−1} N^L`` columns at ``L = 4``, nesting 1) that adds units such as
        ``relu(s_2(h_1(x) − h_1(x_k)))`` with ``a_1 = R(x_i, x_j)``, ``k ≠ j``.
    reflection_nesting : int, optional
        With ``variant="all-reflections"`` (implied when given): nesting of the reflection
        trees allowed for ``a_1``; default 0 for ``L ≤ 3`` and 1 for ``L ≥ 4``.

    Raises
    ------
    ValueError
        empty/NaN/inf data, ``depth < 2``, unknown activation or architecture, a
        non-homogeneous activation, or a depth/activation pair without a closed form.

    Examples
    --------
    >>> lib = library('0,1,3', 'relu', 2)
    >>> lib.n_features, lib.features[0].label
    (7, 'h1 = relu(+(x - x0))')
    >>> library([0, 1, 3, 7], 'relu', 3).distinct().n_features
    13
    """
    dataset = as_dataset(X)
    sigma = get_activation(activation)
    depth = _check_depth(depth)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    if not sigma.is_scalar:
        raise ValueError(
            f"activation {sigma.name} emits two channels per neuron, so its weight decay couples them "
            "(a group-Lasso, not a Lasso); use mirrorlib.groundtruth for its dual-completeness checks"
        )
    sigma.require_positively_homogeneous("a closed-form Lasso library")
    plan = _plan(sigma, depth, architecture, variant, reflection_nesting)
    recipe = _Recipe(
        activation=sigma,
        dataset=dataset,
        depth=depth,
        plan=plan,
        firsts=tuple(_first_breakpoint_options(dataset, plan.reflection_nesting)),
        penalise_linear=architecture != "skip",
        tied=_tied_reflections(dataset) if plan.variant == "paper" and depth >= 4 else (),  # the code's k = 1
    )
    return Library(
        activation=sigma,
        depth=depth,
        architecture=architecture,
        dataset=dataset,
        naive_formula=_naive_formula(plan, depth),
        recipe=recipe,
    )


def generated_library(X: Iterable[object] | str | Dataset, activation: Activation | str, depth: int) -> Library:
    """A deep narrow library with no columns yet, to be grown by column generation.

    For activations and depths without a closed form (leaky ReLU or a custom σ at depth ≥ 3) the
    exact oracle supplies every column (:mod:`mirrorlib.column_generation`).

    Parameters
    ----------
    X : sequence of rationals, str or Dataset
        The data.
    activation : str or Activation
        σ (positively homogeneous).
    depth : int
        ``L ≥ 2``.

    Returns
    -------
    Library

    Examples
    --------
    >>> generated_library([0, 1, 2], "leaky_relu(1/4)", 3).n_features
    0
    """
    dataset = as_dataset(X)
    sigma = get_activation(activation)
    depth = _check_depth(depth)
    sigma.require_positively_homogeneous("a Lasso library")
    plan = _Plan(((),) * (depth - 1), 0)
    recipe = _Recipe(activation=sigma, dataset=dataset, depth=depth, plan=plan, firsts=(), penalise_linear=True)
    return Library(sigma, depth, "narrow", dataset, "none: every column is generated by the oracle", recipe, selection=())


@dataclass(frozen=True)
class _Plan:
    signs_per_layer: tuple[tuple[int, ...], ...]
    reflection_nesting: int
    variant: str | None = None  # "paper" or "all-reflections" for deep narrow ReLU


VARIANTS = ("paper", "all-reflections")


def _check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise TypeError(f"depth must be an integer ≥ 2, got {depth!r}")
    if depth < 2:
        raise ValueError(f"depth must be ≥ 2 (an input layer and an output layer), got {depth}")
    return int(depth)


def _plan(sigma: Activation, depth: int, architecture: str, variant: str | None, reflection_nesting: int | None) -> _Plan:
    both = (1, -1)
    if variant is not None and variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    wider = variant == "all-reflections" or reflection_nesting is not None
    if wider and not (sigma.name == "relu" and architecture == "narrow"):
        raise ValueError("variant='all-reflections' and reflection_nesting apply to deep narrow ReLU libraries only")
    if variant == "paper" and reflection_nesting is not None:
        raise ValueError("reflection_nesting applies to variant='all-reflections'; the paper variant's reflections are fixed")
    if reflection_nesting is not None and reflection_nesting < 0:
        raise ValueError(f"reflection_nesting must be ≥ 0, got {reflection_nesting}")
    if architecture == "skip":
        if depth != 2:
            raise ValueError("architecture='skip' is a 2-layer net with a linear skip connection (Lemma 3.1): use depth=2")
        return _Plan((both,), 0)
    if depth == 2:
        if reflection_nesting:
            raise ValueError(f"2-layer units have no reflections: reflection_nesting must be 0 or omitted at depth 2, got {reflection_nesting}")
        return _Plan((both,), 0)
    if sigma.name == "abs":
        return _Plan(((1,),) * (depth - 1), 0)  # |−t| = |t|: one sign suffices
    if sigma.name == "relu":
        if wider:
            nesting = (0 if depth <= 3 else 1) if reflection_nesting is None else reflection_nesting
            return _Plan((both,) * (depth - 1), nesting, "all-reflections")
        return _Plan((both,) * (depth - 1), 0, "paper")
    raise ValueError(
        f"no closed-form library for {sigma.name} at depth {depth}: the paper gives deep narrow "
        "libraries for relu and abs only; use mirrorlib.groundtruth to enumerate it exactly"
    )


def _tied_reflections(dataset: Dataset) -> tuple[tuple[ReflectionExpression, int], ...]:
    """The paper code's ``k = 1`` first breakpoints: ``R(x_{j1}, x_{j2})`` for every ordered pair
    (``j1 = j2`` included, as the code loops), each tied to its layer-2 anchor ``x_{j2}``."""
    leaves = [leaf(value, caller) for value, caller in zip(dataset.x, dataset.order)]
    n = dataset.n_samples
    return tuple((reflection(leaves[i], leaves[j]), j) for i, j in itertools.product(range(n), repeat=2))


def _naive_formula(plan: _Plan, depth: int) -> str:
    """The generated-column count as a formula in ``N``, e.g. ``2^3·N^4 + 1``."""
    both_sign_layers = sum(1 for signs in plan.signs_per_layer if len(signs) == 2)
    if plan.variant == "paper" and depth >= 4:
        return f"2^{both_sign_layers + 1}·N^{depth - 1} + 1"  # N^{L−1} for a_1 ∈ data, as many tied reflections
    if plan.reflection_nesting > 1:
        first, first_power = "P", 0  # P = number of reflection trees of nesting ≤ k over N points
    else:
        first, first_power = "", 1 + plan.reflection_nesting  # N or N² = N + N(N−1)
    power = first_power + depth - 2
    factors = [f"2^{both_sign_layers}" if both_sign_layers else "", first, f"N^{power}" if power > 1 else "N" if power else ""]
    return "·".join(part for part in factors if part) + " + 1"
