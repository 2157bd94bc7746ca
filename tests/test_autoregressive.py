"""ConvexAR on a real series (statsmodels' sunspots, read offline) against AR(1) and non-convex training."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("statsmodels", reason="the ar extra is part of [dev]")

from mirrorlib.autoregressive import ConvexAR, compare_on_series, load_series
from mirrorlib.cli import app


@pytest.fixture(scope="module")
def sunspots_depth2():
    return compare_on_series(load_series("sunspots"), name="sunspots", depth=2, beta=10.0, n_starts=3)


def test_the_certified_optimum_is_below_every_trained_network(sunspots_depth2):
    """The Lasso optimum is the global optimum of the training objective: L-BFGS cannot end below it."""
    result = sunspots_depth2
    assert result.convex_certified
    assert result.nonconvex_objective_gap >= -1e-6 * abs(float(result.model.model_.objective_))
    assert (result.n_train, result.n_test) == (247, 62)


def test_ar1_baseline_is_the_least_squares_line(sunspots_depth2):
    values = load_series("sunspots")[: sunspots_depth2.n_train]
    slope, intercept = np.polyfit(values[:-1], values[1:], 1)
    assert np.allclose(sunspots_depth2.ar1_params, (intercept, slope))


def test_convex_ar_predict_forecast_and_errors():
    series = 2 + np.sin(np.arange(30) / 2)
    model = ConvexAR(depth=2, beta=0.01).fit(series)
    assert model.predict(series).shape == (29,) and model.n_train_ == 30
    assert model.mse(series) < np.var(series)
    assert model.forecast(series[-1], 3).shape == (3,)
    for bad, message in (([[1, 2], [3, 4]], "one-dimensional"), ([1.0, np.nan, 2.0], "NaN"), ([1.0, 2.0], "at least 3")):
        with pytest.raises(ValueError, match=message):
            ConvexAR().fit(bad)
    with pytest.raises(ValueError, match="steps"):
        model.forecast(1.0, 0)


def test_cli_ar(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["ar", "--dataset", "nile", "--depth", "2", "--beta", "1000", "--format", "json", "--plot", str(tmp_path / "ar.png")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["name"] == "nile" and record["n_train"] == 80 and record["convex_certified"]
    assert (tmp_path / "ar.png").stat().st_size > 0
    bad = runner.invoke(app, ["ar", "--dataset", "weather"])
    assert bad.exit_code == 2 and "--dataset" in bad.output


def test_cli_ar_refuses_an_unbuildable_library_in_one_line():
    result = CliRunner().invoke(app, ["ar", "--depth", "12"])
    assert result.exit_code == 2 and "MIRRORLIB_MAX_BYTES" in result.output and "Traceback" not in result.output


def test_float_data_with_huge_denominators_refuse_before_allocating():
    """Floats read exactly have huge common denominators (no int64 keys): the float deduplication
    must still run the memory check before any per-column array is allocated."""
    from mirrorlib.estimator import ConvexNet

    with pytest.raises(ValueError, match="MIRRORLIB_MAX_BYTES"):
        ConvexNet("relu", 12, 1.0).fit([0.1, 0.37, 0.52, 0.9], [0.0, 1.0, 0.0, 1.0])
