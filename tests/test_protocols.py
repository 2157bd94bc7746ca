"""Every family of units plugs into the same protocols, and the one pipeline (fit_lasso →
library.network) gives, for each, a network whose training objective IS the Lasso optimum."""

from fractions import Fraction

import numpy as np
import pytest

from mirrorlib.lasso.fit import fit_lasso
from mirrorlib.libraries import library
from mirrorlib.protocols import FeatureLibrary, TrainedNetwork, Unit
from mirrorlib.signnets import sign_library

X = [0, 1, 3, 4, 7]
Y = [Fraction(v) for v in (0, 2, 1, 3, -1)]
BETA = Fraction(1, 5)

FAMILIES = {
    "relu narrow L=3": lambda: library(X, "relu", 3),
    "abs narrow L=3": lambda: library(X, "abs", 3),
    "leaky relu L=2": lambda: library(X, "leaky_relu(1/4)", 2),
    "relu skip": lambda: library(X, "relu", 2, architecture="skip"),
    "sign tree L=3": lambda: sign_library(X, "sign", "tree", (2,), 3),
    "threshold rectangular L=4": lambda: sign_library(X, "threshold", "rectangular", (1, 2), 4),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_column_is_its_unit_evaluated_exactly(family: str) -> None:
    lib = FAMILIES[family]()
    columns = lib.matrix(exact=True)
    for index in range(lib.n_features):
        feature = lib.feature(index)
        assert isinstance(feature.unit, Unit)
        values = [feature.unit(x) + feature.offset for x in X]
        assert values == list(columns[:, index]), (index, feature.unit.describe())
        assert [feature.unit.function(x) for x in X] == [feature.unit(x) for x in X]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_one_pipeline_for_every_family(family: str) -> None:
    lib = FAMILIES[family]().distinct()
    assert isinstance(lib, FeatureLibrary)
    fit = fit_lasso(lib, Y, BETA, exact=True)
    assert fit.is_certified
    network = lib.network(fit.z, fit.xi)
    assert isinstance(network, TrainedNetwork)
    assert network.training_objective(X, Y, BETA, exact=True) == fit.objective
    fitted = lib.matrix(exact=True) @ np.array(fit.z, dtype=object) + fit.xi
    assert np.allclose(network.predict([float(x) for x in X]), fitted.astype(float))


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("form", ["whole", "distinct", "selected", "selection by units", "with a generated column"])
def test_exact_columns_are_the_exact_values(family: str, form: str) -> None:
    """``exact_columns`` (integer rows where built, else through the units) gives the columns
    ``exact_values`` gives, in the order asked, repeats and negative indices included."""
    from dataclasses import replace

    from mirrorlib.libraries.library import ColumnSelection

    lib = FAMILIES[family]()
    if form == "distinct":
        lib = lib.distinct()
    elif form in ("selected", "selection by units", "with a generated column") and hasattr(lib, "recipe"):
        picked = [lib.n_features - 1, 3, 0, 7]
        rows = lib.recipe.integer_rows(picked) if form == "selected" else None
        lib = replace(lib, selection=ColumnSelection(picked), selected_rows=rows)
        if form == "with a generated column":
            lib = lib.with_features([library(X, "relu", 3).feature(11)])
    indices = [lib.n_features - 1, 0, 2, 0, -1]
    expected = [[str(v) for v in lib.exact_values(index)] for index in indices]
    assert [[str(v) for v in column] for column in lib.exact_columns(indices).columns()] == expected
    with pytest.raises(IndexError):
        lib.exact_columns([lib.n_features])


def test_two_layer_networks_on_d_dimensional_data_are_trained_networks() -> None:
    from mirrorlib.multidim.group_lasso import fit_group_lasso

    X2, y2 = np.array([[0, 0], [1, 0], [0, 1], [1, 1]]), np.array([0.0, 1.0, 1.0, 0.0])
    fit = fit_group_lasso(X2, y2, 0.05)
    network = fit.network()
    assert isinstance(network, TrainedNetwork)
    assert abs(network.training_objective(X2, y2, 0.05) - fit.objective) <= 1e-9 * fit.objective
