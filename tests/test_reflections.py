"""Reflection trees: node values follow R(a, b) = 2b − a; counts of trees versus values."""

from fractions import Fraction

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirrorlib.functions.reflections import (
    count_reflection_trees,
    explain_value,
    forest_to_dot,
    leaf,
    reflect,
    reflection,
    reflection_counts,
    reflection_expressions,
    reflection_forest,
)
from mirrorlib.testing.strategies import datasets, rationals


@given(rationals(), rationals())
def test_reflect_is_an_involution_fixing_the_mirror(a, b):
    assert reflect(a, b) == 2 * b - a
    assert reflect(reflect(a, b), b) == a
    assert reflect(b, b) == b


def _value_from_graph(graph: nx.DiGraph, node: str) -> Fraction:
    """Recompute a node's value from its leaves via R, ignoring the stored value."""
    children = {graph.edges[node, child]["role"]: child for child in graph.successors(node)}
    if not children:
        return graph.nodes[node]["value"]
    return reflect(_value_from_graph(graph, children["reflected"]), _value_from_graph(graph, children["mirror"]))


@given(datasets(min_size=1, max_size=4), st.integers(0, 2))
def test_tree_values_equal_nested_reflections(X, nesting):
    for expression in reflection_expressions(X, nesting):
        graph = expression.to_networkx()
        root = graph.graph["root"]
        assert _value_from_graph(graph, root) == expression.value == graph.nodes[root]["value"]
        assert expression.nesting <= nesting
        assert nx.is_directed_acyclic_graph(graph)


@given(datasets(min_size=1, max_size=4), st.integers(0, 2))
def test_tree_count_formula(X, nesting):
    n_distinct = len(set(X))
    assert sum(1 for _ in reflection_expressions(X, nesting)) == count_reflection_trees(n_distinct, nesting)


@given(datasets(min_size=1, max_size=5), st.integers(0, 2), st.data())
def test_explain_value_is_the_first_tree_with_that_value(X, nesting, data):
    """The search by value returns the tree a full enumeration meets first, and None exactly when
    no tree has the value (fails if the mirror lookup skips a level, a tie or the order)."""
    trees = list(reflection_expressions(X, nesting))
    value = data.draw(st.one_of(st.sampled_from([tree.value for tree in trees]), rationals()))
    first = next((tree for tree in trees if tree.value == value), None)
    found = explain_value(value, X, nesting)
    assert (found is None) == (first is None)
    if first is not None:
        assert str(found) == str(first) and found.value == value and found.nesting == first.nesting


@pytest.mark.parametrize("X", [[0, 1, 2, 3], [0, 1, 3, 4]])
def test_explain_value_takes_the_first_of_equal_mirrors(X):
    """Evenly placed data: many trees share each value, so the mirror of the first tree matters."""
    trees = list(reflection_expressions(X, 2))
    for value in {tree.value for tree in trees}:
        assert str(explain_value(value, X, 2)) == str(next(tree for tree in trees if tree.value == value))


def test_counts_separate_trees_from_values():
    rows = reflection_counts([0, 1, 2], 1)
    assert rows[0].trees == 3 and rows[0].distinct_values == 3
    # R(x0,x1)=2, R(x0,x2)=4, R(x1,x0)=-1, R(x1,x2)=3, R(x2,x0)=-2, R(x2,x1)=0: value 0 and 2 are old
    assert rows[1].trees == 6 and rows[1].distinct_values == 6 and rows[1].new_values == 4


def test_depth_four_abs_breakpoint_tree_shape():
    x1, x2, x3 = leaf(0, 1), leaf(1, 2), leaf(3, 3)
    tree = reflection(reflection(x3, x2), x1)
    assert str(tree) == "R(R(x3, x2), x1)" and tree.value == 1 and tree.nesting == 2
    graph = tree.to_networkx()
    assert graph.number_of_nodes() == 5
    assert explain_value(Fraction(-1), [0, 1, 3], 1) is not None


def test_shared_subtrees_are_single_nodes():
    a, b = leaf(0, 0), leaf(2, 1)
    tree = reflection(reflection(a, b), b)  # R(R(x0, x1), x1): the leaf x1 appears twice
    graph = tree.to_networkx()
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 4
    assert graph.in_degree("x1") == 2


def test_forest_and_dot():
    forest = reflection_forest([0, 1, 3], 1)
    assert len(forest.graph["trees"]) == count_reflection_trees(3, 1)
    dot = forest_to_dot(forest)
    assert dot.startswith("digraph") and "R(x0, x1) = 2" in dot


def test_bad_nesting():
    with pytest.raises(ValueError, match="max_nesting"):
        list(reflection_expressions([0, 1], -1))
