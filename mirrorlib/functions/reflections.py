"""Reflections ``R(a, b) = 2b − a`` and reflection trees (theory §4).

A *reflection tree* is a breakpoint expression: leaves are data points ``x_j``; an internal
node ``R(t₁, t₂)`` mirrors the value of subtree ``t₁`` across the value of subtree ``t₂``.
Trees are :class:`networkx.DiGraph` objects:

* every node has ``value`` (exact Fraction) and ``label`` (``"x3"`` or ``"R"``); leaves also
  carry ``index`` (the caller's index of the data point);
* an internal node has two out-edges, with ``role="reflected"`` (t₁) and ``role="mirror"`` (t₂);
* ``tree.graph["root"]`` names the root and ``tree.graph["expression"]`` spells the tree,
  e.g. ``"R(R(x2, x1), x0)"``.

Identical subtrees are shared (a node per distinct sub-expression), so a tree can be a DAG.
The *nesting* of a tree is its number of R levels: data points have nesting 0,
``R(x_i, x_j)`` nesting 1, ``R(R(x_k, x_j), x_i)`` nesting 2. Distinct trees may share a value
(e.g. ``R(x_0, x_1) = x_2`` for equally spaced data), which is why trees and values are
counted separately.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import networkx as nx

from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import format_rational, to_rational

__all__ = [
    "reflect",
    "ReflectionExpression",
    "leaf",
    "reflection",
    "reflection_expressions",
    "count_reflection_trees",
    "require_tree_count",
    "reflection_tree",
    "reflection_forest",
    "explain_value",
    "ReflectionCounts",
    "reflection_counts",
    "forest_to_dot",
]


def reflect(point: object, mirror: object) -> Fraction:
    """``R(a, b) = 2b − a``: the point ``a`` mirrored across ``b`` (exact).

    Parameters
    ----------
    point : rational
        ``a``.
    mirror : rational
        ``b``.

    Returns
    -------
    Fraction

    Examples
    --------
    >>> reflect(1, 3), reflect('1/2', 0)
    (Fraction(5, 1), Fraction(-1, 2))
    """
    return 2 * to_rational(mirror, name="mirror") - to_rational(point, name="point")


@dataclass(frozen=True)
class ReflectionExpression:
    """An immutable reflection tree (leaf ``x_index`` or ``R(reflected, mirror)``) with its value.

    Examples
    --------
    >>> tree = reflection(leaf(Fraction(1), 1), leaf(Fraction(3), 2))
    >>> str(tree), tree.value, tree.nesting
    ('R(x1, x2)', Fraction(5, 1), 1)
    """

    value: Fraction
    index: int | None = None
    reflected: ReflectionExpression | None = None
    mirror: ReflectionExpression | None = None

    @property
    def is_leaf(self) -> bool:
        return self.index is not None

    @property
    def nesting(self) -> int:
        """Number of R levels on the longest root-to-leaf path."""
        if self.is_leaf:
            return 0
        assert self.reflected is not None and self.mirror is not None
        return 1 + max(self.reflected.nesting, self.mirror.nesting)

    def __str__(self) -> str:
        if self.is_leaf:
            return f"x{self.index}"
        return f"R({self.reflected}, {self.mirror})"

    def to_networkx(self) -> nx.DiGraph:
        """The tree as a DiGraph with shared identical subtrees (see module docstring)."""
        graph = nx.DiGraph(expression=str(self), root=str(self), value=self.value)
        self._add_to(graph)
        return graph

    def _add_to(self, graph: nx.DiGraph) -> str:
        node = str(self)
        if node in graph:
            return node
        if self.is_leaf:
            graph.add_node(node, value=self.value, label=node, index=self.index)
            return node
        assert self.reflected is not None and self.mirror is not None
        graph.add_node(node, value=self.value, label="R")
        graph.add_edge(node, self.reflected._add_to(graph), role="reflected")
        graph.add_edge(node, self.mirror._add_to(graph), role="mirror")
        return node


def leaf(value: object, index: int) -> ReflectionExpression:
    """The data point ``x_index`` with the given value.

    Examples
    --------
    >>> leaf(Fraction(3), 2).value
    Fraction(3, 1)
    """
    return ReflectionExpression(value=to_rational(value, name="value"), index=index)


def reflection(reflected: ReflectionExpression, mirror: ReflectionExpression) -> ReflectionExpression:
    """The tree ``R(reflected, mirror)`` with value ``2·mirror − reflected``.

    Examples
    --------
    >>> reflection(leaf(Fraction(0), 0), leaf(Fraction(2), 1)).value
    Fraction(4, 1)
    """
    return ReflectionExpression(value=reflect(reflected.value, mirror.value), reflected=reflected, mirror=mirror)


def _leaves(dataset: Dataset) -> list[ReflectionExpression]:
    """One leaf per distinct data value (the smallest caller index names it)."""
    first_index: dict[Fraction, int] = {}
    for sorted_position, caller_index in enumerate(dataset.order):
        first_index.setdefault(dataset.x[sorted_position], caller_index)
    return [leaf(value, index) for value, index in sorted(first_index.items())]


MAX_TREES = 2_000_000
"""Refuse to enumerate more reflection trees than this (override with ``max_trees``)."""


def reflection_expressions(
    X: Iterable[object] | Dataset, max_nesting: int, *, max_trees: int = MAX_TREES
) -> Iterator[ReflectionExpression]:
    """All reflection trees over the distinct data values with nesting ≤ ``max_nesting``.

    Level ``k`` consists of ``R(t₁, t₂)`` with ``t₁ ≠ t₂`` (as trees) drawn from levels ``< k``
    and at least one of them at level ``k − 1``; trees are yielded level by level. The number
    yielded is :func:`count_reflection_trees` (it grows doubly exponentially in the nesting);
    above ``max_trees`` a ``ValueError`` gives the count before any work.

    Parameters
    ----------
    X : sequence of rationals or Dataset
        The data.
    max_nesting : int
        Largest nesting depth (0: the data points themselves).
    max_trees : int
        Refuse above this many trees, before any work.

    Yields
    ------
    ReflectionExpression

    Examples
    --------
    >>> sorted({str(e.value) for e in reflection_expressions([0, 1], 1)})
    ['-1', '0', '1', '2']
    """
    if max_nesting < 0:
        raise ValueError(f"max_nesting must be ≥ 0, got {max_nesting}")
    dataset = as_dataset(X)
    require_tree_count(len(dataset.distinct_x), max_nesting, max_trees)
    older: list[ReflectionExpression] = []
    newest = _leaves(dataset)
    yield from newest
    for _ in range(max_nesting):
        older, newest = older + newest, _next_level(older, newest)
        yield from newest


def _next_level(older: list[ReflectionExpression], newest: list[ReflectionExpression]) -> list[ReflectionExpression]:
    """The trees one level above ``newest``: ``R(t₁, t₂)`` for ``t₁ ≠ t₂`` from ``older + newest``,
    not both from ``older``, ordered by ``t₁``'s then ``t₂``'s position there."""
    everything, n_older = older + newest, len(older)
    return [
        reflection(reflected, mirror)
        for r, reflected in enumerate(everything)
        for m, mirror in enumerate(everything)
        if r != m and (r >= n_older or m >= n_older)
    ]


def _first_reflection_to(target: Fraction, older: list[ReflectionExpression], newest: list[ReflectionExpression]) -> ReflectionExpression | None:
    """The first tree of :func:`_next_level` whose value is ``target``, without forming the
    level: ``R(t₁, t₂) = target`` exactly when ``t₂``'s value is ``(t₁ + target)/2``, so each
    ``t₁`` looks up its mirrors by value."""
    everything, n_older = older + newest, len(older)
    positions: dict[Fraction, list[int]] = {}
    for position, expression in enumerate(everything):
        positions.setdefault(expression.value, []).append(position)
    for r, reflected in enumerate(everything):
        for m in positions.get((reflected.value + target) / 2, ()):
            if r != m and (r >= n_older or m >= n_older):
                return reflection(reflected, everything[m])
    return None


def count_reflection_trees(n_points: int, max_nesting: int) -> int:
    """Number of reflection trees over ``n`` distinct points with nesting ≤ ``max_nesting``:
    ``T_0 = n`` and ``T_k = n + T_{k−1}(T_{k−1} − 1)`` (ordered pairs of distinct trees).

    Examples
    --------
    >>> count_reflection_trees(3, 0), count_reflection_trees(3, 1)
    (3, 9)
    """
    if n_points < 0 or max_nesting < 0:
        raise ValueError("n_points and max_nesting must be ≥ 0")
    total = n_points
    for _ in range(max_nesting):
        total = n_points + total * (total - 1)
    return total


def require_tree_count(n_points: int, max_nesting: int, max_trees: int = MAX_TREES, *, hint: str = "use a smaller depth or nesting, or fewer points") -> int:
    """The :func:`count_reflection_trees` of ``n_points`` and ``max_nesting``, or a ``ValueError``
    when it exceeds ``max_trees``. The count stops growing the moment it passes the limit, so a
    huge nesting is refused at once (the exact count has doubly exponentially many digits).

    Examples
    --------
    >>> require_tree_count(3, 1)
    9
    >>> require_tree_count(6, 100)
    Traceback (most recent call last):
    ...
    ValueError: nesting 100 on 6 points gives more than 2,564,787,836,526 reflection trees (limit 2,000,000); use a smaller depth or nesting, or fewer points
    """
    total = n_points
    for level in range(1, max_nesting + 1):
        total = n_points + total * (total - 1)
        if total > max_trees:
            amount = f"{total:,}" if level == max_nesting else f"more than {total:,}"
            raise ValueError(f"nesting {max_nesting} on {n_points} points gives {amount} reflection trees (limit {max_trees:,}); {hint}")
    return total


def reflection_tree(expression: ReflectionExpression) -> nx.DiGraph:
    """The DiGraph of one tree (see module docstring).

    Examples
    --------
    >>> from mirrorlib.functions.reflections import reflection_expressions
    >>> expression = list(reflection_expressions([0, 1], 1))[-1]
    >>> tree = reflection_tree(expression)
    >>> tree.number_of_nodes() >= 1
    True
    """
    return expression.to_networkx()


def reflection_forest(X: Iterable[object] | Dataset, max_nesting: int) -> nx.DiGraph:
    """All trees of :func:`reflection_expressions` in one DiGraph; shared subtrees are single
    nodes, and the roots of the individual trees are exactly the nodes listed in
    ``graph.graph["trees"]``.

    Examples
    --------
    >>> forest = reflection_forest([0, 1, 3], 1)
    >>> forest.number_of_nodes() > 0
    True
    """
    forest = nx.DiGraph(trees=[])
    for expression in reflection_expressions(X, max_nesting):
        forest.graph["trees"].append(expression._add_to(forest))
    return forest


def explain_value(
    value: object, X: Iterable[object] | Dataset, max_nesting: int
) -> ReflectionExpression | None:
    """The first (least nested) reflection tree over ``X`` whose value is ``value``, or ``None``:
    the first in the order of :func:`reflection_expressions`.

    Each level is searched by value (``R(t₁, t₂) = v`` exactly when ``t₂ = (t₁ + v)/2``) in time
    linear in the trees below it; a level is formed only when a higher one is searched. Refused,
    as by :func:`reflection_expressions`, above :data:`MAX_TREES` trees.

    Examples
    --------
    >>> str(explain_value(5, [0, 1, 3], 1))
    'R(x1, x2)'
    >>> explain_value(Fraction(1, 3), [0, 1, 3], 2) is None
    True
    """
    target = to_rational(value, name="value")
    if max_nesting < 0:
        raise ValueError(f"max_nesting must be ≥ 0, got {max_nesting}")
    dataset = as_dataset(X)
    require_tree_count(len(dataset.distinct_x), max_nesting)
    older: list[ReflectionExpression] = []
    newest = _leaves(dataset)
    found = next((expression for expression in newest if expression.value == target), None)
    for level in range(1, max_nesting + 1):
        if found is not None:
            break
        found = _first_reflection_to(target, older, newest)
        if found is None and level < max_nesting:
            older, newest = older + newest, _next_level(older, newest)
    return found


@dataclass(frozen=True)
class ReflectionCounts:
    """Counts of reflection trees versus distinct breakpoint values per nesting level.

    Examples
    --------
    >>> reflection_counts([0, 1, 3], 2)
    [ReflectionCounts(nesting=0, trees=3, distinct_values=3, new_values=3), ReflectionCounts(nesting=1, trees=6, distinct_values=5, new_values=5), ReflectionCounts(nesting=2, trees=66, distinct_values=24, new_values=18)]
    """

    nesting: int
    trees: int
    distinct_values: int
    new_values: int  # values not already produced at a lower nesting

    def as_dict(self) -> dict[str, int]:
        return {
            "nesting": self.nesting,
            "trees": self.trees,
            "distinct_values": self.distinct_values,
            "new_values": self.new_values,
        }


def reflection_counts(X: Iterable[object] | Dataset, max_nesting: int) -> list[ReflectionCounts]:
    """For each nesting level ``k ≤ max_nesting``: trees with nesting exactly ``k``, the
    distinct values among them, and how many of those are new.

    Examples
    --------
    >>> [(c.nesting, c.distinct_values) for c in reflection_counts([0, 1, 3], 1)]
    [(0, 3), (1, 5)]
    """
    seen: set[Fraction] = set()
    per_level: dict[int, list[Fraction]] = {}
    for expression in reflection_expressions(X, max_nesting):
        per_level.setdefault(expression.nesting, []).append(expression.value)
    rows = []
    for nesting in range(max_nesting + 1):
        values = per_level.get(nesting, [])
        distinct = set(values)
        rows.append(ReflectionCounts(nesting, len(values), len(distinct), len(distinct - seen)))
        seen |= distinct
    return rows


def forest_to_dot(forest: nx.DiGraph) -> str:
    """Graphviz DOT text for a forest or a tree (node labels show expression and value).

    Examples
    --------
    >>> forest_to_dot(reflection_forest([0, 1], 1)).splitlines()[0]
    'digraph reflections {'
    """
    lines = ["digraph reflections {", "  node [shape=box, fontname=monospace];"]
    names = {node: f"n{position}" for position, node in enumerate(forest.nodes)}
    for node, attributes in forest.nodes(data=True):
        caption = f"{attributes['label']} = {format_rational(attributes['value'])}"
        if attributes["label"] == "R":
            caption = f"{node} = {format_rational(attributes['value'])}"
        lines.append(f'  {names[node]} [label="{caption}"];')
    for parent, child, attributes in forest.edges(data=True):
        style = "solid" if attributes["role"] == "reflected" else "dashed"
        lines.append(f'  {names[parent]} -> {names[child]} [label="{attributes["role"]}", style={style}];')
    lines.append("}")
    return "\n".join(lines)
