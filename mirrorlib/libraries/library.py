"""A library: dictionary columns with their provenance (features, units), built lazily.

:class:`Library` is what the rest of mirrorlib consumes — ``matrix()`` (float64 or exact),
``distinct()``, ``counts``, ``feature(i)`` with the unit that produces column ``i``. Closed forms
(:mod:`mirrorlib.libraries.closed_form`) create one; column generation appends generated
features to it (:meth:`Library.with_features`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np

from mirrorlib.data import Dataset
from mirrorlib.functions.activations import Activation
from mirrorlib.functions.pwl import PWL
from mirrorlib.functions.reflections import ReflectionExpression
from mirrorlib.libraries.distinct_columns import first_distinct_rows
from mirrorlib.libraries.narrow_columns import IntegerColumns
from mirrorlib.numbers.linalg import ExactMatrix, to_scalar
from mirrorlib.protocols import matrix_out
from mirrorlib.units import NarrowUnit

if TYPE_CHECKING:
    from mirrorlib.libraries.closed_form import _Recipe
    from mirrorlib.networks.parallel import ParallelNetwork

__all__ = ["ColumnSelection", "Feature", "Library", "LibraryCounts", "MemoryLimitExceeded", "exact_column", "memory_limit"]


@dataclass(frozen=True)
class Feature:
    """One dictionary column with its provenance.

    Attributes
    ----------
    label : str
        The closed-form formula, e.g. ``relu(+(relu(-(x - x2)) - h1(x0)))``.
    unit : NarrowUnit
        A unit network whose output reproduces the feature: ``feature(x) = unit(x) + offset``
        for every ``x`` (on the data only, for the linear recession feature).
    signs : tuple[int, ...]
        ``(s_1, …, s_{L−1})``.
    first_breakpoint : ReflectionExpression | None
        ``a_1`` as a reflection tree (a data point or ``R(x_i, x_j)``); None for the linear feature.
    anchors : tuple[int, ...]
        Caller indices ``(j_2, …, j_{L−1})`` of the anchor points ``x_{j_l}``.
    offset : Fraction
        Constant with ``feature = unit + offset`` on the data (non-zero only for the linear feature).
    penalised : bool
        False only for the skip connection's linear column.
    linear_slope : Fraction | None
        ``c`` for the linear recession-ray feature ``c·x``; None for every other feature.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> feature = library([0, 1, 3], 'relu', 2).features[1]
    >>> feature.label, feature.breakpoints
    ('h1 = relu(+(x - x1))', (Fraction(1, 1),))
    """

    label: str
    unit: NarrowUnit
    signs: tuple[int, ...]
    first_breakpoint: ReflectionExpression | None
    anchors: tuple[int, ...]
    offset: Fraction = Fraction(0)
    penalised: bool = True
    linear_slope: Fraction | None = None

    @property
    def is_linear(self) -> bool:
        """True for the recession-ray feature ``c·x``."""
        return self.linear_slope is not None

    @cached_property
    def function(self) -> PWL:
        """The feature as an exact PWL function of ``x`` (the linear feature is ``x`` itself)."""
        if self.linear_slope is not None:
            return PWL.affine(self.linear_slope, 0)
        return self.unit.function

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        return self.function.breakpoints


@dataclass(frozen=True)
class LibraryCounts:
    """Dictionary sizes (theory §5, last bullet).

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> library([0, 1, 3], 'relu', 3).counts
    LibraryCounts(naive=37, naive_formula='2^2·N^2 + 1', distinct=7, distinct_nonconstant=6)
    """

    naive: int  # columns the closed form generates (before any deduplication), as the formula counts them
    naive_formula: str
    distinct: int  # distinct columns after exact deduplication
    distinct_nonconstant: int  # distinct columns that are not constant on the data

    def as_dict(self) -> dict[str, object]:
        return {
            "naive": self.naive,
            "naive_formula": self.naive_formula,
            "distinct": self.distinct,
            "distinct_nonconstant": self.distinct_nonconstant,
        }


class ColumnSelection(Sequence[int]):
    """The closed-form columns a library keeps, their indices held as one read-only int64 array:
    a distinct library of a million columns keeps the array its build made, not a million
    Python integers. It compares, hashes and iterates as the tuple of its indices.

    Parameters
    ----------
    indices : sequence of int or numpy.ndarray
        Column indices of the closed form (copied).

    Examples
    --------
    >>> chosen = ColumnSelection([0, 4, 5])
    >>> len(chosen), chosen[1], chosen == (0, 4, 5), list(chosen[1:])
    (3, 4, True, [4, 5])
    >>> chosen.indices.tolist()
    [0, 4, 5]
    """

    __slots__ = ("indices",)

    def __init__(self, indices: Sequence[int] | np.ndarray) -> None:
        array = np.array(indices, dtype=np.int64).reshape(-1)
        array.setflags(write=False)
        self.indices = array

    def __len__(self) -> int:
        return int(self.indices.size)

    def __getitem__(self, index: int | slice) -> int | ColumnSelection:  # type: ignore[override]
        if isinstance(index, slice):
            return ColumnSelection(self.indices[index])
        return int(self.indices[index])

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnSelection):
            return bool(np.array_equal(self.indices, other.indices))
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ColumnSelection({self.indices.tolist()!r})" if len(self) <= 10 else f"ColumnSelection(<{len(self):,} columns>)"


@dataclass(frozen=True)
class Library:
    """A closed-form dictionary on a data set; column ``i`` is :meth:`feature` ``(i)``.

    Use :meth:`matrix` for the ``N × M`` dictionary ``A`` (rows in the caller's data order),
    :meth:`distinct` for the exactly deduplicated library and :attr:`counts` for the sizes.
    Columns and features are computed on first use: the float matrix by a float64 recursion,
    the exact one by the same recursion on Fractions, a :class:`Feature` (with its unit) only
    when asked for.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 3], 'abs', 2)
    >>> lib.n_features, lib.matrix(exact=True)[1]
    (7, array([Fraction(1, 1), Fraction(0, 1), Fraction(2, 1), Fraction(1, 1),
           Fraction(0, 1), Fraction(2, 1), Fraction(1, 1)], dtype=object))
    >>> lib.distinct().n_features
    3
    """

    activation: Activation
    depth: int
    architecture: str
    dataset: Dataset
    naive_formula: str
    recipe: _Recipe = field(repr=False)
    selection: ColumnSelection | None = field(default=None, repr=False)
    generated: tuple[Feature, ...] = field(default=(), repr=False)
    selected_rows: IntegerColumns | None = field(default=None, repr=False, compare=False)
    """The selection's columns as integer rows, when they were built without the naive library."""

    def __post_init__(self) -> None:
        if self.selection is not None and not isinstance(self.selection, ColumnSelection):
            object.__setattr__(self, "selection", ColumnSelection(self.selection))

    @property
    def variant(self) -> str | None:
        """``"paper"`` or ``"all-reflections"`` for deep narrow ReLU closed forms, else None."""
        return self.recipe.plan.variant

    @property
    def n_closed_form(self) -> int:
        """Columns from the closed form (the first ones); the rest are :attr:`generated`."""
        return self.recipe.n_columns if self.selection is None else len(self.selection)

    @property
    def n_features(self) -> int:
        return self.n_closed_form + len(self.generated)

    def _recipe_index(self, index: int) -> int:
        return index if self.selection is None else self.selection[index]

    def feature(self, index: int) -> Feature:
        """The ``index``-th feature (column) with its provenance."""
        if not -self.n_features <= index < self.n_features:
            raise IndexError(f"feature index {index} out of range for {self.n_features} features")
        index %= self.n_features
        if index >= self.n_closed_form:
            return self.generated[index - self.n_closed_form]
        return self.recipe.feature(self._recipe_index(index))

    def with_features(self, features: Sequence[Feature]) -> Library:
        """This library with ``features`` appended as generated (penalised) columns.

        Column generation (:mod:`mirrorlib.column_generation`) grows a library this way with the
        units the oracle finds; every column still equals its unit on the data.
        """
        return replace(self, generated=self.generated + tuple(features))

    @cached_property
    def features(self) -> tuple[Feature, ...]:
        """All features, in column order."""
        return tuple(self.feature(i) for i in range(self.n_features))

    def _generated_rows(self, dtype: object) -> np.ndarray:
        """The generated columns on the sorted data, (len(generated), N)."""
        rows = [exact_column(feature, self.dataset) for feature in self.generated]
        return np.array(rows, dtype=object).reshape(len(rows), self.dataset.n_samples).astype(dtype)

    @cached_property
    def sorted_columns_exact(self) -> np.ndarray:
        """Object array (M, N) of Fractions; row ``i`` is column ``i`` on the sorted data.

        Closed-form rows come from the integer build (:meth:`_Recipe.integer_columns`); a
        selection much smaller than the closed form whose integer columns were never built is
        evaluated column by column through its units instead.
        """
        if self.selected_rows is not None:
            selected = self.selected_rows.fractions()
        elif self._selection_by_units() and not self._integer_columns_built():
            rows = [exact_column(self.recipe.feature(i), self.dataset) for i in self.selection or ()]
            selected = np.array(rows, dtype=object).reshape(len(rows), self.dataset.n_samples)
        else:
            selected = self.recipe.integer_columns().fractions(None if self.selection is None else self.selection.indices)
        return np.vstack([selected, self._generated_rows(object)]) if self.generated else selected

    def _integer_columns_built(self) -> bool:
        """Whether this library's closed-form columns are at hand as integers (built without the
        naive library, or the whole closed form built in integers)."""
        return self.selected_rows is not None or "_integer_columns" in self.recipe.__dict__

    def _selection_by_units(self) -> bool:
        """A selection much smaller than the closed form is evaluated column by column through
        its units rather than by building every column of the closed form."""
        return self.selection is not None and 4 * len(self.selection) < self.recipe.n_columns

    def _built_integer_rows(self, indices: list[int]) -> tuple[np.ndarray, int]:
        """Closed-form columns ``indices`` of this library as integer rows and their denominator,
        read off the integers already built (:meth:`_integer_columns_built`), copying no others."""
        if self.selected_rows is not None:
            return self.selected_rows.values[indices], self.selected_rows.denominator
        built = self.recipe.integer_columns()
        return built.values[[self._recipe_index(index) for index in indices]], built.denominator

    def _integer_rows(self) -> np.ndarray:
        """The closed-form columns of this library (its selection) as integer rows."""
        return self._integer_columns().values

    def _integer_columns(self) -> IntegerColumns:
        """The closed-form columns of this library (its selection) as integers on their denominator."""
        if self.selected_rows is not None:
            return self.selected_rows
        built = self.recipe.integer_columns()
        return built if self.selection is None else IntegerColumns(built.values[self.selection.indices], built.denominator)

    def _distinct_positions(self, exact: bool) -> list[int]:
        """Positions of the first occurrence of each distinct (column, penalised) pair."""
        if self.generated:  # generated columns have their own denominators: compare Fractions
            return _first_occurrences(self.sorted_columns_exact, self.penalised)
        if exact or self.recipe.integer_scale().fits_int64:
            return first_distinct_rows(self._integer_rows(), classes=self.penalised.astype(np.int64))
        columns = self.matrix(order="sorted").T  # first: it refuses a library too large to build
        keyed = np.column_stack([self.penalised.astype(np.float64), columns])
        return sorted(int(i) for i in np.unique(keyed, axis=0, return_index=True)[1])

    def matrix_fits_memory(self) -> bool:
        """Whether the float :meth:`matrix` (one N × M float64 array) is within :func:`memory_limit`,
        as :meth:`matrix` checks before building it.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> library([0, 1, 3], "relu", 3).matrix_fits_memory()
        True
        """
        try:
            _check_dense_memory(self, np.float64)
        except MemoryLimitExceeded:
            return False
        return True

    def matrix(self, exact: bool = False, *, order: str = "original", out: np.ndarray | None = None) -> np.ndarray:
        """The dictionary ``A`` (N × M): float64, or with ``exact=True`` an object array of Fractions.

        ``order="original"`` puts rows in the caller's order of ``X`` (so ``A z + ξ`` lines up
        with the caller's ``y``); ``order="sorted"`` uses ascending ``x``. The float matrix is
        in Fortran order (each column contiguous, as it is built and as the solvers read it),
        or written into ``out`` (:func:`~mirrorlib.protocols.matrix_out`), which is returned.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, 1, 3], "relu", 2).distinct()
        >>> buffer = np.zeros((3, lib.n_features + 1), order="F")
        >>> lib.matrix(out=buffer[:, :-1]).tolist() == lib.matrix().tolist(), buffer[:, -1].tolist()
        (True, [0.0, 0.0, 0.0])
        """
        if order not in ("original", "sorted"):
            raise ValueError(f"order must be 'original' or 'sorted', got {order!r}")
        if out is not None:
            matrix_out(out, (self.dataset.n_samples, self.n_features), exact)
        _check_dense_memory(self, object if exact else np.float64)
        positions = self._caller_positions() if order == "original" else None
        if out is not None:
            self._float_rows(positions, out.T)
            return out
        if not exact:
            return self._float_rows(positions).T
        columns = self.sorted_columns_exact  # cached: never handed out
        return (columns.copy() if positions is None else np.take(columns, positions, axis=1)).T

    def exact_values(self, index: int) -> list[Fraction]:
        """Column ``index`` at the sorted data, exactly: read off the integer columns when the
        library has built them, else evaluated through the feature's unit.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, '1/2', 3], 'relu', 3).distinct()
        >>> lib.exact_values(4) == list(lib.matrix(exact=True, order="sorted")[:, 4])
        True
        """
        if not -self.n_features <= index < self.n_features:
            raise IndexError(f"column index {index} out of range for {self.n_features} columns")
        index %= self.n_features
        if index < self.n_closed_form and self._integer_columns_built():
            rows, denominator = self._built_integer_rows([index])
            return [Fraction(int(value), denominator) for value in rows[0]]
        return exact_column(self.feature(index), self.dataset)

    def exact_columns(self, indices: Sequence[int]) -> ExactMatrix:
        """Columns ``indices`` at the sorted data, exactly, as an ``N × len(indices)`` matrix: from
        the integer rows without a Fraction per entry when the library has built them and every
        index is a closed-form column, else through :meth:`exact_values`. (1,333 columns of
        a working-set selection at 2,000 points: 0.31 s, against 2.96 s through Fractions.)

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, '1/2', 3], 'relu', 3).distinct()
        >>> lib.exact_columns([4, 1]).columns()
        [[3, 5/2, 0], [0, 0, 5/2]]
        >>> [[str(v) for v in lib.exact_values(j)] for j in (4, 1)]
        [['3', '5/2', '0'], ['0', '0', '5/2']]
        """
        wanted = [int(index) for index in indices]
        if any(not -self.n_features <= index < self.n_features for index in wanted):
            raise IndexError(f"column indices must be in [-{self.n_features}, {self.n_features}), got {wanted}")
        wanted = [index % self.n_features for index in wanted]
        if self._integer_columns_built() and all(index < self.n_closed_form for index in wanted):
            rows, denominator = self._built_integer_rows(wanted)
            return ExactMatrix.from_integer_columns(rows.reshape(len(wanted), self.dataset.n_samples), denominator)
        return ExactMatrix.from_scalar_columns([[to_scalar(v) for v in self.exact_values(index)] for index in wanted], self.dataset.n_samples)

    def exact_matrix(self) -> ExactMatrix:
        """``A`` for the exact solvers, rows in the caller's order, without a Fraction per entry.

        The closed-form columns come from their integer rows on the common denominator ``D``
        (:class:`~mirrorlib.libraries.narrow_columns.IntegerColumns`); generated columns are
        put on the least common multiple of ``D`` and their own denominators.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library(['1/2', 0, 3], 'relu', 2)
        >>> A = lib.exact_matrix()
        >>> [[str(v) for v in A.column(j)] for j in (1, 2)] == [[str(v) for v in column] for column in lib.matrix(exact=True).T[1:3]]
        True
        """
        _check_memory(self.n_features, self.dataset.n_samples, object, what="the exact dictionary has", arrays=1)  # the integers handed to FLINT
        if self._selection_by_units() and not self._integer_columns_built():
            return ExactMatrix.from_array(self.matrix(exact=True))  # a few columns: evaluated through their units
        closed = self._integer_columns()
        values, denominator = closed.values, closed.denominator
        if self.generated:
            generated = [exact_column(feature, self.dataset) for feature in self.generated]
            common = math.lcm(denominator, *{value.denominator for column in generated for value in column})
            scaled = [[value.numerator * (common // value.denominator) for value in column] for column in generated]
            values = np.vstack([values.astype(object) * (common // denominator), np.array(scaled, dtype=object).reshape(len(scaled), -1)])
            denominator = common
        positions = self._caller_positions()
        return ExactMatrix.from_integer_columns(values if positions is None else np.take(values, positions, axis=1), denominator)

    def _caller_positions(self) -> np.ndarray | None:
        """For each sample in the caller's order, its position in the sorted data; None when the
        caller's data came sorted."""
        if self.dataset.order == tuple(range(self.dataset.n_samples)):
            return None
        return np.argsort(np.array(self.dataset.order, dtype=np.int64))

    def _float_rows(self, positions: np.ndarray | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """The float64 columns as rows (M, N) on the sorted data, or on ``positions`` of it, in one
        new array or in ``out`` (:func:`_rows_into`): from the integer columns when they were
        built in int64 (a selection then never rebuilds the whole library in floats), else by
        the float recursion; generated columns last."""
        if out is None:
            out = np.empty((self.n_features, self.dataset.n_samples if positions is None else positions.size), dtype=np.float64)
        closed = out[: self.n_closed_form]
        indices = None if self.selection is None else np.asarray(self.selection.indices)
        cached = self.recipe.__dict__.get("_integer_columns")
        if self.selected_rows is not None:
            _rows_into(closed, self.selected_rows.values, None, positions, self.selected_rows.denominator)
        elif self._selection_by_units() and cached is None and "_float_columns" not in self.recipe.__dict__:
            x = np.array([float(v) for v in self.dataset.x])
            rows = np.array([self._float_feature(self.recipe.feature(i), x) for i in self.selection or ()], dtype=np.float64)
            _rows_into(closed, rows.reshape(len(closed), x.size), None, positions, 1)
        elif cached is None or cached.values.dtype == object:
            _rows_into(closed, self.recipe.columns(exact=False), indices, positions, 1)
        else:
            _rows_into(closed, cached.values, indices, positions, cached.denominator)
        if self.generated:
            _rows_into(out[self.n_closed_form :], self._generated_rows(np.float64), None, positions, 1)
        return out

    @staticmethod
    def _float_feature(feature: Feature, x: np.ndarray) -> np.ndarray:
        """One column in float64 through its unit (``feature = unit + offset`` on the data)."""
        if feature.linear_slope is not None:
            return float(feature.linear_slope) * x
        return feature.unit.evaluate(x) + float(feature.offset)

    def network(self, z: Sequence[object], xi: object) -> ParallelNetwork:
        """The balanced network of the Lasso point ``(z, ξ)`` over this library (rescaling lemma:
        weights ``±|z_i|^{1/L}``), whose training objective equals the Lasso objective exactly; see
        :func:`mirrorlib.networks.lasso_map.from_lasso`.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, 1, 3], 'relu', 2)
        >>> net = lib.network([0, 2, 0, 0, 0, 0, 0], 0)
        >>> net.training_objective([0, 1, 3], [0, 1, 4], '1/10', exact=True)
        Fraction(7, 10)
        """
        from mirrorlib.networks.lasso_map import from_lasso

        return from_lasso(self, z, xi)

    def distinct(self, *, exact: bool = True) -> Library:
        """The library with duplicated columns removed, one feature per distinct column; a
        penalised and an unpenalised column are never merged.

        A closed-form library is built distinct by construction
        (:mod:`mirrorlib.libraries.distinct_columns`): layer by layer, one unit per distinct parent
        and anchor value, never the naive library; each kept column is labelled by one naive
        column equal to it, and columns keep the naive order. Otherwise (a selection or generated
        columns) the first occurrence of each column is kept. Columns are compared exactly, as
        integer rows on a common denominator (see :mod:`mirrorlib.libraries.narrow_columns`), so
        no exact Fraction matrix is built. With
        ``exact=False`` and data whose common denominator is too large for int64 arithmetic
        (e.g. floats converted exactly), the float64 columns are compared bitwise instead:
        equal columns rounded differently are then kept twice (costing time, not correctness).

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, 1, 3], "relu", 3)
        >>> lib.n_features, lib.distinct().n_features
        (37, 7)
        """
        if self.selection is None and not self.generated and (exact or self.recipe.integer_scale().fits_int64):
            keys, rows = self.recipe.distinct_integer_columns()
            return replace(self, selection=ColumnSelection(keys), selected_rows=rows)
        keep = self._distinct_positions(exact)
        base = self.n_closed_form
        closed = [i for i in keep if i < base]
        rows = None if self.selected_rows is None else IntegerColumns(self.selected_rows.values[closed], self.selected_rows.denominator)
        return replace(
            self,
            selection=ColumnSelection([self._recipe_index(i) for i in closed]),
            generated=tuple(self.generated[i - base] for i in keep if i >= base),
            selected_rows=rows,
        )

    @property
    def n_naive(self) -> int:
        """The naive count: the columns the closed form generates before deduplication.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> library([0, 1, 3], 'relu', 3).n_naive
        37
        """
        return self.recipe.n_columns

    @cached_property
    def counts(self) -> LibraryCounts:
        distinct = self.distinct()
        if distinct.generated:
            nonconstant = sum(1 for row in distinct.sorted_columns_exact if len(set(row)) > 1)
        else:
            rows = distinct._integer_rows()
            nonconstant = int(sum(1 for row in rows if row.max() != row.min())) if rows.dtype == object else int(np.count_nonzero(rows.max(axis=1) != rows.min(axis=1)))
        return LibraryCounts(
            naive=self.n_naive,
            naive_formula=self.naive_formula,
            distinct=distinct.n_features,
            distinct_nonconstant=nonconstant,
        )

    @property
    def penalised(self) -> np.ndarray:
        """Boolean mask over columns: False for unpenalised columns (the skip connection's ``x``)."""
        mask = np.ones(self.n_features, dtype=bool)
        linear_index = self.recipe.n_columns - 1
        if not self.recipe.penalise_linear:
            positions = range(self.n_closed_form) if self.selection is not None else [linear_index]
            for position in positions:
                if self._recipe_index(position) == linear_index:
                    mask[position] = False
        return mask

    def breakpoint_trees(self, feature: Feature, max_nesting: int = 2) -> dict[Fraction, ReflectionExpression | None]:
        """Each breakpoint of ``feature`` explained as the least nested reflection tree over the
        data (nesting ≤ ``max_nesting``); ``None`` marks a breakpoint no such tree produces."""
        return {b: self.recipe.reflection_lookup(max_nesting).get(b) for b in feature.breakpoints}


DEFAULT_MEMORY_LIMIT = 4 * 1024**3


def memory_limit() -> int:
    """Bytes a dictionary build may use: ``MIRRORLIB_MAX_BYTES`` from the environment, else 4 GiB.

    Examples
    --------
    >>> memory_limit() // 1024**3  # GiB, with MIRRORLIB_MAX_BYTES unset
    4
    """
    import os

    text = os.environ.get("MIRRORLIB_MAX_BYTES", "")
    try:
        return int(text) if text else DEFAULT_MEMORY_LIMIT
    except ValueError:
        raise ValueError(f"MIRRORLIB_MAX_BYTES must be a whole number of bytes, got {text!r}") from None


def format_bytes(size: float) -> str:
    """A memory size for messages: GiB from 1 GiB on, MiB from 1 MiB on, else bytes.

    Examples
    --------
    >>> format_bytes(6 * 1024**3), format_bytes(50 * 1024**2), format_bytes(1000)
    ('6.0 GiB', '50.0 MiB', '1,000 bytes')
    """
    if size >= 1024**3:
        return f"{size / 1024**3:,.1f} GiB"
    return f"{size / 1024**2:,.1f} MiB" if size >= 1024**2 else f"{size:,.0f} bytes"


PYTHON_NUMBER_BYTES = 100
"""Bytes one entry costs as a Python number (an int or a Fraction and its pointer), for memory estimates."""


def _entry_bytes(dtype: object) -> int:
    """Bytes one array entry of ``dtype`` costs: its item size, or :data:`PYTHON_NUMBER_BYTES` for objects.

    Examples
    --------
    >>> _entry_bytes(np.int32), _entry_bytes(np.float64), _entry_bytes(object)
    (4, 8, 100)
    """
    kind = np.dtype(dtype)
    return PYTHON_NUMBER_BYTES if kind == object else kind.itemsize


class MemoryLimitExceeded(ValueError):
    """A build refused before allocating, because its estimated peak is over :func:`memory_limit`.

    A ``ValueError`` (its message names the size, the limit and the fix), so callers that treat
    bad sizes as bad input need not know it; callers with a cheaper alternative catch it.

    Examples
    --------
    >>> _check_memory(10**9, 100, np.float64)
    Traceback (most recent call last):
    ...
    mirrorlib.libraries.library.MemoryLimitExceeded: the closed-form library has 1,000,000,000 columns on 100 points and would need about 2,235.2 GiB in 8-byte entries (limit 4.0 GiB); use fewer points or a smaller depth, or raise the limit with MIRRORLIB_MAX_BYTES
    """


def _check_memory(n_columns: int, n_samples: int, dtype: object, *, what: str = "the closed-form library has", arrays: int = 3) -> None:
    """Refuse (:class:`MemoryLimitExceeded`) a build whose peak (``arrays`` arrays of M × N
    entries of ``dtype``, see :func:`_entry_bytes`) is over the limit."""
    size = _entry_bytes(dtype)
    estimate = arrays * n_columns * n_samples * size
    limit = memory_limit()
    if estimate > limit:
        raise MemoryLimitExceeded(
            f"{what} {n_columns:,} columns on {n_samples} points and would need about "
            f"{format_bytes(estimate)} {'in Python numbers' if size == PYTHON_NUMBER_BYTES else f'in {size}-byte entries'} "
            f"(limit {format_bytes(limit)}); use fewer points or a smaller depth, or raise the limit with MIRRORLIB_MAX_BYTES"
        )


def _check_dense_memory(library: Library, dtype: object) -> None:
    """Refuse the dense matrix of ``library`` (one N × M array of ``dtype``) over the limit.

    Callers that form more N × M arrays than the one they ask for (a fit with unpenalised
    columns, :func:`~mirrorlib.lasso.fit.fit_lasso`) check their own count."""
    _check_memory(library.n_features, library.dataset.n_samples, dtype, what="the dictionary has", arrays=1)


ROWS_BLOCK_ENTRIES = 2**20
"""Entries :func:`_rows_into` converts at a time (8 MB of float64)."""


def _rows_into(out: np.ndarray, values: np.ndarray, indices: np.ndarray | None, positions: np.ndarray | None, denominator: int) -> None:
    """``out[i] = values[indices[i], positions] / denominator`` in float64 (every index when
    ``indices`` or ``positions`` is None), :data:`ROWS_BLOCK_ENTRIES` entries at a time, so that no
    temporary array of ``out``'s size is formed. Integer and float rows are cast to float64 and
    divided by ``float(denominator)``; Python numbers are divided first, then rounded once.

    Examples
    --------
    >>> out = np.empty((2, 2))
    >>> _rows_into(out, np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), np.array([2, 0]), np.array([2, 0]), 4)
    >>> out.tolist()
    [[2.25, 1.75], [0.75, 0.25]]
    """
    step = max(1, ROWS_BLOCK_ENTRIES // max(1, out.shape[1]))
    for start in range(0, out.shape[0], step):
        rows = slice(start, start + step)
        block = values[rows] if indices is None else values[indices[rows]]
        if positions is not None:
            block = np.take(block, positions, axis=1)
        if block.dtype == object:
            out[rows] = (block / denominator).astype(np.float64)
        else:
            np.divide(block, float(denominator), out=out[rows])


def exact_column(feature: Feature, dataset: Dataset) -> list[Fraction]:
    """``feature(x) = unit(x) + offset`` at every sorted data point, exactly (any feature with a
    ``unit`` and an ``offset``: closed-form, generated or sign/threshold).

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 3], 'relu', 2)
    >>> exact_column(lib.feature(1), lib.dataset)
    [Fraction(0, 1), Fraction(0, 1), Fraction(2, 1)]
    """
    values = _unit_values(feature.unit, dataset)
    return list(values) if feature.offset == 0 else [value + feature.offset for value in values]


_UNIT_VALUES: WeakKeyDictionary[Any, dict[Dataset, tuple[Fraction, ...]]] = WeakKeyDictionary()
"""unit → {data: the unit's values at the sorted data}, kept while the unit lives. A library's
generated features live as long as the library, so column generation, which asks for the added
units' columns every round (the Lasso matrix, the exact residual), evaluates each one once."""


def _unit_values(unit: Any, dataset: Dataset) -> tuple[Fraction, ...]:
    """``unit(x)`` at the sorted data, each distinct point evaluated once through the unit's exact
    piecewise-linear function on one common denominator (:meth:`~mirrorlib.functions.pwl.PWL.restrict`),
    remembered per unit (:data:`_UNIT_VALUES`)."""
    remembered = _UNIT_VALUES.setdefault(unit, {})
    if dataset not in remembered:
        remembered[dataset] = dataset.on_samples(list(unit.function.restrict(dataset.distinct_x)))
    return remembered[dataset]


def _first_occurrences(columns: np.ndarray, penalised: np.ndarray) -> list[int]:
    """Indices of the first occurrence of each distinct (column, penalised) pair of Fraction rows."""
    seen: set[tuple[object, ...]] = set()
    keep = []
    for index, column in enumerate(columns):
        key = (bool(penalised[index]), *column)
        if key not in seen:
            seen.add(key)
            keep.append(index)
    return keep
