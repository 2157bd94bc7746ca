"""Closed-form Lasso libraries of sign and threshold networks (theory §5, sign/threshold bullet).

For data with distinct sorted values ``d_0 < … < d_{n−1}`` and a unit architecture with switch
bound ``K`` (:func:`~mirrorlib.signnets.switching.switch_bound`: 1 at depth 2, ``∏ m_l`` for trees,
``m_1`` for rectangular nets), the library is the set of features

    {σ-image of v : v ∈ {0,1}^n has at most K switches},   σ-image = 2v − 1 (sign) or v (threshold),

each lifted to the ``N`` samples (duplicated ``x`` get identical entries), and

    M = 2 Σ_{k=0}^{min(K, n−1)} C(n − 1, k)      (distinct columns; "naive" uses N for n).

The columns include the two constant ones (``±1``, resp. ``0`` and ``1``), which the unpenalised
bias ``ξ`` makes redundant in the Lasso. Nothing is materialised until asked for:
:attr:`SignLibrary.counts` is O(K) arithmetic, :meth:`SignLibrary.iter_features` a generator, and
:attr:`SignLibrary.features` / :meth:`SignLibrary.matrix` build the list. Each feature carries its
provenance: switch gaps and points, and (lazily) a unit realising it
(:mod:`mirrorlib.signnets.construction`).

``rule="theory"`` builds the library with theory §5's bound "(product of the widths below it)"
instead of the derived ``K`` — for checking that statement; its features beyond the derived
bound have no realising unit (``feature.unit`` raises ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from mirrorlib.functions.activations import Activation
from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import format_rational
from mirrorlib.numbers.linalg import ExactMatrix
from mirrorlib.protocols import matrix_out
from mirrorlib.libraries import LibraryCounts
from mirrorlib.functions.pwl import PWL
from mirrorlib.signnets.construction import realising_unit
from mirrorlib.signnets.networks import SignNetSpec, SignUnit, sign_net_spec
from mirrorlib.signnets.switching import (
    count_switch_vectors,
    iter_switch_patterns,
    pattern_at_rank,
    pattern_rank,
    switch_bound,
    switch_gaps,
    theory_switch_bound,
)


if TYPE_CHECKING:
    from mirrorlib.signnets.network import SignNetwork

__all__ = ["SignFeature", "SignLibrary", "sign_library", "SWITCH_RULES"]

SWITCH_RULES = ("derived", "theory")


@dataclass(frozen=True)
class SignFeature:
    """One column of a sign/threshold library, with provenance.

    Attributes
    ----------
    pattern : tuple[int, ...]
        Bits ``v_j`` on the distinct sorted data; the column is ``σ-image(v)`` lifted to the samples.
    spec, points
        The unit architecture and the distinct sorted data (for the provenance unit).
    penalised, offset
        Lasso bookkeeping shared with :class:`mirrorlib.libraries.Feature`: every sign/threshold
        feature is penalised and equals its unit's feature exactly (offset 0).

    Examples
    --------
    >>> feature = sign_library([0, 1, 2], 'sign', 'tree', (), 2).feature(1)
    >>> feature.pattern, feature.penalised
    ((1, 1, 1), True)
    """

    pattern: tuple[int, ...]
    spec: SignNetSpec = field(repr=False)
    points: tuple[Fraction, ...] = field(repr=False)
    penalised: bool = True
    offset: Fraction = Fraction(0)
    linear_slope: Fraction | None = None

    @property
    def is_linear(self) -> bool:
        return False

    @property
    def start(self) -> int:
        """The bit left of the first switch."""
        return self.pattern[0]

    @property
    def gaps(self) -> tuple[int, ...]:
        """Switch gaps ``g``: the feature changes between ``d_g`` and ``d_{g+1}``."""
        return switch_gaps(self.pattern)

    @property
    def n_switches(self) -> int:
        return len(self.gaps)

    @property
    def switch_points(self) -> tuple[Fraction, ...]:
        """Midpoints ``(d_g + d_{g+1})/2``: where the realising unit switches."""
        return tuple((self.points[g] + self.points[g + 1]) / 2 for g in self.gaps)

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        return self.switch_points

    @property
    def values(self) -> tuple[Fraction, ...]:
        """The feature on the distinct sorted data (±1 or 0/1)."""
        return tuple(self.spec.native(bit) for bit in self.pattern)

    @property
    def label(self) -> str:
        """E.g. ``starts -1, switches at 1/2, 3/2`` or ``constant 1``."""
        start = format_rational(self.spec.native(self.start))
        start = f"+{start}" if self.spec.activation.name == "sign" and self.start else start
        if not self.gaps:
            return f"constant {start}"
        return f"starts {start}, switches at " + ", ".join(format_rational(t) for t in self.switch_points)

    @cached_property
    def unit(self) -> SignUnit:
        """A unit of ``spec`` (amplitudes 1) whose feature on the data is this column."""
        return realising_unit(self.spec, self.points, self.pattern)

    @cached_property
    def function(self) -> PWL:
        """The realising unit as an exact PWL step function of ``x``."""
        return self.unit.function


@dataclass(frozen=True)
class SignLibrary:
    """The closed-form library of a sign/threshold architecture on a data set (module docstring).

    Mirrors :class:`mirrorlib.libraries.Library` (the interface of
    :func:`mirrorlib.lasso.fit.fit_lasso` and :class:`mirrorlib.estimator.ConvexNet`):
    :meth:`matrix` (``N × M``, rows in the caller's order), :meth:`feature` (column ``i`` with its
    provenance, without enumerating the others), :attr:`features`, :attr:`penalised`,
    :attr:`counts`, :attr:`recipe`, :attr:`naive_formula`, :meth:`distinct`; and
    :meth:`index_of`, the column of a pattern.

    Examples
    --------
    >>> lib = sign_library([0, 1, 2], 'sign', 'tree', (), 2)
    >>> lib.n_features, lib.matrix(exact=True).shape
    (6, (3, 6))
    """

    spec: SignNetSpec
    dataset: Dataset
    rule: str = "derived"

    @property
    def activation(self) -> Activation:
        return self.spec.activation

    @property
    def architecture(self) -> str:
        return self.spec.architecture

    @property
    def widths(self) -> tuple[int, ...]:
        return self.spec.widths

    @property
    def depth(self) -> int:
        return self.spec.depth

    @cached_property
    def points(self) -> tuple[Fraction, ...]:
        """The distinct data values, ascending."""
        return self.dataset.distinct_x

    @property
    def max_switches(self) -> int:
        """``K`` of :attr:`rule`."""
        if self.rule == "theory":
            return theory_switch_bound(self.spec.widths, self.spec.depth)
        return switch_bound(self.spec.architecture, self.spec.widths, self.spec.depth)

    @property
    def effective_switches(self) -> int:
        """``min(K, n − 1)``: the most switches a pattern on ``n`` distinct points can have."""
        return min(self.max_switches, len(self.points) - 1)

    @property
    def naive_formula(self) -> str:
        return f"2·Σ_{{k≤K}} C(N−1, k), N={self.dataset.n_samples} samples, K={self.max_switches}"

    @cached_property
    def counts(self) -> LibraryCounts:
        """Sizes by O(K) arithmetic, nothing enumerated: naive (the formula on the ``N`` samples, as
        stated for distinct data), distinct (on the ``n`` distinct values), non-constant."""
        distinct = count_switch_vectors(len(self.points), self.max_switches)
        return LibraryCounts(
            naive=self.n_naive,
            naive_formula=self.naive_formula,
            distinct=distinct,
            distinct_nonconstant=distinct - 2,
        )

    @property
    def n_features(self) -> int:
        return self.counts.distinct

    @property
    def n_naive(self) -> int:
        """The naive count: the formula ``2 Σ_{k≤K} C(N − 1, k)`` on the ``N`` samples, as if they
        were distinct (the closed form itself lists the patterns of the distinct values only).

        Examples
        --------
        >>> sign_library([0, 1, 2, 2], 'sign', 'tree', (), 2).n_naive
        8
        """
        return count_switch_vectors(self.dataset.n_samples, self.max_switches)

    @property
    def penalised(self) -> np.ndarray:
        """Boolean mask over columns: all True (every feature's output amplitude is penalised;
        there is no skip column)."""
        return np.ones(self.n_features, dtype=bool)

    def feature(self, index: int) -> SignFeature:
        """Column ``index`` (negative indices count from the end) with its provenance, built from
        its rank alone (:func:`~mirrorlib.signnets.switching.pattern_at_rank`), O(n) work."""
        if not -self.n_features <= index < self.n_features:
            raise IndexError(f"feature index {index} out of range for {self.n_features} features")
        pattern = pattern_at_rank(index % self.n_features, len(self.points), self.max_switches)
        return SignFeature(pattern=pattern, spec=self.spec, points=self.points)

    def index_of(self, pattern: Iterable[int]) -> int:
        """The column whose bits on the distinct sorted data are ``pattern``.

        Raises ``ValueError`` if the pattern has the wrong length, is not 0/1, or has more than
        ``K`` switches (it is not in the library).
        """
        bits = tuple(int(bit) for bit in pattern)
        if len(bits) != len(self.points):
            raise ValueError(f"pattern has {len(bits)} entries but the data have {len(self.points)} distinct points")
        return pattern_rank(bits, self.max_switches)

    def iter_patterns(self) -> Iterator[tuple[int, ...]]:
        """Every pattern once, lazily (order of :func:`~mirrorlib.signnets.switching.iter_switch_patterns`)."""
        return iter_switch_patterns(len(self.points), self.max_switches)

    def iter_features(self) -> Iterator[SignFeature]:
        """The features, lazily (their units are built only when accessed)."""
        for pattern in self.iter_patterns():
            yield SignFeature(pattern=pattern, spec=self.spec, points=self.points)

    @cached_property
    def features(self) -> tuple[SignFeature, ...]:
        return tuple(self.iter_features())

    def matrix(self, exact: bool = False, *, order: str = "original", out: np.ndarray | None = None) -> np.ndarray:
        """The dictionary ``A`` (N × M): float64, or with ``exact=True`` an object array of Fractions.

        ``order="original"`` puts rows in the caller's order of ``X``; ``order="sorted"`` ascending.
        The float matrix is written into ``out`` when given (:func:`~mirrorlib.protocols.matrix_out`).
        """
        if out is not None:
            matrix_out(out, (self.dataset.n_samples, self.n_features), exact)
        index = self._row_index(order)
        bits = np.array(list(self.iter_patterns()), dtype=np.int64).reshape(self.n_features, len(self.points))
        lookup = np.array([self.spec.native(0), self.spec.native(1)], dtype=object if exact else np.float64)
        if out is None:
            return lookup[bits[:, index]].T.copy()
        out[...] = lookup[bits[:, index]].T
        return out

    def exact_values(self, index: int) -> list[Fraction]:
        """Column ``index`` at the sorted data, exactly.

        Examples
        --------
        >>> sign_library([0, 1, 2]).exact_values(2)
        [Fraction(-1, 1), Fraction(1, 1), Fraction(1, 1)]
        """
        return list(self.sorted_columns_exact[index])

    def exact_columns(self, indices: Sequence[int]) -> ExactMatrix:
        """Columns ``indices`` at the sorted data as an exact matrix.

        Examples
        --------
        >>> sign_library([0, 1, 2]).exact_columns([2, 0]).column(0)
        [-1, 1, 1]
        """
        return ExactMatrix.from_array(self.sorted_columns_exact[[int(index) for index in indices]].T.reshape(len(self.points), -1))

    def exact_matrix(self) -> ExactMatrix:
        """``A`` for the exact solvers (rows in the caller's order), from the entries of
        ``matrix(exact=True)`` put on their common denominator.

        Examples
        --------
        >>> sign_library([0, 1, 2]).exact_matrix().column(2)
        [-1, 1, 1]
        """
        return ExactMatrix.from_array(self.matrix(exact=True))

    @cached_property
    def sorted_columns_exact(self) -> np.ndarray:
        """``(M, N)`` object array of Fractions, rows = features, columns = sorted samples."""
        return self.matrix(exact=True, order="sorted").T

    def network(self, z: Iterable[object], xi: object) -> SignNetwork:
        """The balanced network of the Lasso point ``(z, ξ)`` over this library (amplitudes
        ``√|z_i|``), whose training objective equals the Lasso objective exactly; see
        :func:`mirrorlib.signnets.network.from_lasso`.

        Examples
        --------
        One step ``sign(x − 1/2)`` (column 2) with ``z = 1`` fits ``(−1, 1, 1)`` exactly and pays ``β|z|``:

        >>> lib = sign_library([0, 1, 2])
        >>> net = lib.network([0, 0, 1] + [0] * (lib.n_features - 3), 0)
        >>> net.training_objective([0, 1, 2], [-1, 1, 1], '1/10', exact=True)
        Fraction(1, 10)
        """
        from mirrorlib.signnets.network import from_lasso

        return from_lasso(self, list(z), xi)

    def distinct(self) -> SignLibrary:
        """The library itself: its columns are distinct by construction."""
        return self

    def _row_index(self, order: str) -> np.ndarray:
        """For each output row, the index of its value among the distinct points."""
        if order not in ("original", "sorted"):
            raise ValueError(f"order must be 'original' or 'sorted', got {order!r}")
        position = {value: i for i, value in enumerate(self.points)}
        sorted_index = np.array([position[value] for value in self.dataset.x], dtype=np.int64)
        if order == "sorted":
            return sorted_index
        caller = np.empty_like(sorted_index)
        caller[np.array(self.dataset.order, dtype=np.int64)] = sorted_index
        return caller


def sign_library(
    X: Iterable[object] | str | Dataset,
    activation: Activation | str = "sign",
    architecture: str = "tree",
    widths: str | Iterable[object] | None = (),
    depth: int = 2,
    *,
    rule: str = "derived",
) -> SignLibrary:
    """The closed-form library of sign/threshold units of the given architecture on ``X``.

    Parameters
    ----------
    X : numbers or ``"0,1,3"``
        Training inputs (exact; duplicates allowed).
    activation : ``"sign"`` or ``"threshold"``
    architecture : ``"tree"`` or ``"rectangular"``
    widths : ``"2,2"`` or a sequence of ``depth − 2`` positive ints
        Hidden widths ``m_1, …, m_{L−2}`` counted from the input (empty at depth 2).
    depth : int
        ``L ≥ 2``.
    rule : ``"derived"`` (default, the exact ``K``) or ``"theory"`` (theory §5's product bound).

    Raises
    ------
    ValueError
        naming the argument: empty/NaN data (``X``), bad ``activation``, ``architecture``,
        ``widths``, ``depth`` or ``rule``.

    Examples
    --------
    >>> lib = sign_library([0, 1, 2, 3], 'sign', 'tree', (), 2)
    >>> lib.n_features, lib.distinct().n_features
    (8, 8)
    """
    spec = sign_net_spec(activation, architecture, widths, depth)
    if rule not in SWITCH_RULES:
        raise ValueError(f"rule must be one of {SWITCH_RULES}, got {rule!r}")
    return SignLibrary(spec=spec, dataset=as_dataset(X, name="X"), rule=rule)
