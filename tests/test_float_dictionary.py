"""A float dictionary grown by columns is the dictionary of all its columns; column generation
grows one across rounds and reaches the same fit as writing the matrix again every round."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mirrorlib.column_generation as column_generation
from mirrorlib import ConvexNet
from mirrorlib.lasso import solve_lasso
from mirrorlib.lasso.fit import fit_lasso
from mirrorlib.lasso.float_dictionary import FloatDictionary
from mirrorlib.libraries import MemoryLimitExceeded, library

SETTINGS = settings(derandomize=True, deadline=None, max_examples=60)


def _same_as_written_whole(dictionary: FloatDictionary, A: np.ndarray) -> None:
    whole = FloatDictionary.of(np.asfortranarray(A))
    for name in ("centred", "means", "norms"):
        assert np.array_equal(getattr(dictionary, name), getattr(whole, name)), name


@given(
    n_rows=st.integers(1, 9),
    widths=st.lists(st.integers(1, 7), min_size=1, max_size=6),
    spare=st.sampled_from([0, 1, 3, None]),
    seed=st.integers(0, 2**16),
)
@SETTINGS
def test_appending_columns_gives_bitwise_the_dictionary_of_all_of_them(n_rows: int, widths: list[int], spare: int | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    blocks = [rng.integers(-5, 6, size=(n_rows, width)) / rng.integers(1, 9) for width in widths]
    dictionary = FloatDictionary.of(np.asfortranarray(blocks[0]), spare=spare)
    _same_as_written_whole(dictionary, blocks[0])
    for count in range(1, len(blocks)):
        dictionary = dictionary.appended(blocks[count])
        _same_as_written_whole(dictionary, np.hstack(blocks[: count + 1]))


def test_an_older_dictionary_stays_valid_when_a_sibling_is_appended() -> None:
    A = np.arange(6.0).reshape(3, 2)
    base = FloatDictionary.of(np.asfortranarray(A), spare=4)
    first = base.appended(np.array([[1.0], [0.0], [2.0]]))
    second = base.appended(np.array([[2.0, 0.0], [2.0, 3.0], [5.0, 0.0]]))  # base is no longer the newest: this one copies
    assert base.shape == (3, 2) and first.shape == (3, 3) and second.shape == (3, 4)
    _same_as_written_whole(base, A)
    _same_as_written_whole(second, np.hstack([A, [[2.0, 0.0], [2.0, 3.0], [5.0, 0.0]]]))
    _same_as_written_whole(first.appended(np.eye(3)), np.hstack([A, [[1.0], [0.0], [2.0]], np.eye(3)]))


def test_dictionary_arrays_are_read_only_and_bad_columns_are_refused() -> None:
    dictionary = FloatDictionary.of(np.eye(3))
    with pytest.raises(ValueError, match="read-only"):
        dictionary.centred[0, 0] = 5.0
    with pytest.raises(ValueError, match="columns has 2 rows but the dictionary has 3"):
        dictionary.appended(np.ones((2, 1)))
    with pytest.raises(ValueError, match="columns contains NaN or inf"):
        dictionary.appended(np.array([[1.0], [np.nan], [0.0]]))
    with pytest.raises(ValueError, match="A must be two-dimensional"):
        FloatDictionary.of([1.0, 2.0])
    for spare in (-5, 2.5, True):
        with pytest.raises(ValueError, match="spare must be a whole number of columns"):
            FloatDictionary.of(np.eye(3), spare=spare)
    with pytest.raises(MemoryLimitExceeded, match=r"the float dictionary would hold 1,000,000,000,003 columns on 3 points"):
        FloatDictionary.of(np.eye(3), spare=10**12)  # refused before allocating


def test_solve_lasso_on_a_grown_dictionary_equals_the_solve_on_the_whole_matrix() -> None:
    lib = library(np.linspace(-1, 1, 40), "relu", 3).distinct()
    A = lib.matrix()
    y = np.sin(3 * np.linspace(-1, 1, 40))
    grown = FloatDictionary.of(A[:, :-30], spare=8).appended(A[:, -30:-10]).appended(A[:, -10:])
    on_grown, on_matrix = solve_lasso(grown, y, 0.01), solve_lasso(A, y, 0.01)
    assert np.array_equal(on_grown.z, on_matrix.z) and on_grown.xi == on_matrix.xi and on_grown.objective == on_matrix.objective


def test_fit_lasso_refuses_a_dictionary_of_another_shape() -> None:
    lib = library([0, 1, 3], "relu", 2).distinct()
    with pytest.raises(ValueError, match=r"dictionary has shape \(3, 2\) but the library's matrix is \(3, "):
        fit_lasso(lib, [0, 1, 0], 0.1, exact=False, dictionary=FloatDictionary.of(np.ones((3, 2))))


@pytest.mark.parametrize(("activation", "depth"), [("abs", 3), ("abs", 4), ("leaky_relu(1/3)", 3)])
def test_certified_fits_grow_one_dictionary_and_match_fits_that_write_the_matrix_every_round(
    activation: str, depth: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(f"grow-{activation}")
    X = sorted(rng.uniform(-3, 3) for _ in range(40))
    y = [np.sin(2 * x) + rng.gauss(0, 0.3) for x in X]
    appended: list[int] = []
    original_append = FloatDictionary.appended

    def counted(self: FloatDictionary, columns: object) -> FloatDictionary:
        appended.append(np.asarray(columns).shape[1])
        return original_append(self, columns)

    monkeypatch.setattr(FloatDictionary, "appended", counted)
    grown = ConvexNet(activation, depth, 0.05).fit(np.reshape(X, (-1, 1)), y)
    monkeypatch.setattr(column_generation, "_grown_dictionary", lambda library, previous: None)
    rewritten = ConvexNet(activation, depth, 0.05).fit(np.reshape(X, (-1, 1)), y)
    first_round = grown.library_.n_closed_form or 1  # without a closed form the first column is the oracle's first unit
    assert first_round + sum(appended) == grown.library_.n_features  # every later unit was appended, nothing rewritten
    assert sum(appended) > 0
    assert grown.certificate_.training_optimal is True
    assert grown.objective_ == rewritten.objective_ and np.array_equal(grown.coef_, rewritten.coef_)
    assert [f.label for f in grown.added_features_] == [f.label for f in rewritten.added_features_]
    exact_objective = grown.network_.training_objective(X, y, 0.05, exact=True)
    assert abs(float(exact_objective) - float(grown.objective_)) <= 1e-9 * float(exact_objective)
    assert isinstance(exact_objective, Fraction)
