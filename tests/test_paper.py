"""The paper's figures: the JSON (exact breakpoints and their reflection trees), not pixels."""

import json
from fractions import Fraction

import pytest
from typer.testing import CliRunner

pytest.importorskip("matplotlib")
pytest.importorskip("cdd")

from mirrorlib.cli import app
from mirrorlib.estimator import ConvexNet
from mirrorlib.report.paper import FIGURES, figure_record

runner = CliRunner()


def ramp(a, b):
    """The paper's ramp(a, b, x): 0 left of a, x − a between, b − a right of b."""
    return lambda x: min(max(x - a, 0), b - a)


OPT_X, OPT_Y = [0, 4, 5, 7, 10, 11], [0, 0, 0, 2, 3, 3]
PAPER_MIN_NORM = {  # the paper code's get_features(L): its minimum-norm solutions of "opt"
    2: lambda x: max(x - 5, 0) - Fraction(2, 3) * max(x - 7, 0) - Fraction(1, 3) * max(x - 10, 0),
    3: lambda x: Fraction(2, 3) * ramp(5, 7)(x) + Fraction(1, 3) * ramp(5, 10)(x),
    4: ramp(5, 8),
}


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_the_papers_minimum_norm_networks_are_exact_optima_of_the_limit(depth):
    """Each theoretical solution the paper plots for "opt" is a vertex of our exact optimal set
    (β → 0⁺, distinct paper library), checked as a function at rational points off the data too."""
    model = ConvexNet("relu", depth, None, exact=True, library="closed-form").fit(OPT_X, OPT_Y)
    optima = model.optimal_set()
    grid = [Fraction(k, 4) for k in range(-8, 60)]
    functions = [model.network_of(z, optima.intercept(z)).function() for z in optima.vertices]
    assert any(all(f(x) == PAPER_MIN_NORM[depth](x) for x in grid) for f in functions)


@pytest.fixture(scope="module")
def opt_record():
    return figure_record("opt")


def test_opt_lasso_breakpoints_are_exact_and_named(opt_record):
    lasso = {(p["kind"], p["depth"]): p for p in opt_record["panels"]}
    assert [(b["value"], b["tree"]) for b in lasso[("lasso", 2)]["breakpoints"]] == [("4", "x1"), ("5", "x2"), ("7", "x3"), ("10", "x4")]
    limit4 = {b["value"]: b["tree"] for b in lasso[("lasso-limit", 4)]["breakpoints"]}
    assert limit4["8"] == "R(x0, x1)" and limit4["9"] == "R(x2, x3)"
    assert all(p["lasso_certificate"] for p in opt_record["panels"] if p["kind"] != "adam")


def test_opt_adam_at_depth_4_keeps_a_reflection_breakpoint(opt_record):
    adam = next(p for p in opt_record["panels"] if p["kind"] == "adam" and p["depth"] == 4)
    assert [b["tree"] for b in adam["initial_breakpoints"]] == ["x2", "R(x0, x1)"]
    assert "R(x0, x1)" in [b["tree"] for b in adam["breakpoints"]]
    assert adam["objective"] < 1e-4


def test_opt_depth_3_reflections_come_only_from_adam(opt_record):
    """Narrow ReLU units of depth 3 cannot put a kink at a reflection (h_1 is monotone): every Lasso
    breakpoint at L = 3 is a data point; the JSON names Adam's kinks near reflections as such."""
    for panel in opt_record["panels"]:
        if panel["depth"] == 3 and panel["kind"] != "adam":
            assert all(b["nesting"] == 0 for b in panel["breakpoints"])
    adam = next(p for p in opt_record["panels"] if p["kind"] == "adam" and p["depth"] == 3)
    assert all(("distance" in b) for b in adam["breakpoints"])


def test_figure_2_kinks_at_the_reflection_of_x0_across_x1():
    record = figure_record("fig2")
    values = []
    for panel in record["panels"]:
        named = {b["tree"]: b["float"] for b in panel["breakpoints"]}
        assert "R(x0, x1)" in named
        values.append(named["R(x0, x1)"])
    assert abs(values[0] - 4) < 0.35 and abs(values[1] - 5) < 0.4  # R(0, 2) = 4, R(−1, 2) = 5


def test_bounce_and_zshape_lasso_fits():
    for name, kinks in (("bounce", ["2", "6"]), ("zshape", ["0", "2", "6"])):
        record = figure_record(name)
        for panel in record["panels"]:
            if panel["kind"] == "lasso":
                assert [b["value"] for b in panel["breakpoints"]] == kinks
                assert all(b["tree"].startswith("x") for b in panel["breakpoints"])


def test_cli_paper_writes_png_svg_json(tmp_path):
    result = runner.invoke(app, ["paper", "bounce", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {"bounce.json", "bounce.png", "bounce.svg"}
    record = json.loads((tmp_path / "bounce.json").read_text())
    assert record["figure"] == "Figure 18" and len(record["panels"]) == 3
    listing = runner.invoke(app, ["paper", "--list"])
    assert listing.exit_code == 0 and all(name in listing.output for name in FIGURES)
    unknown = runner.invoke(app, ["paper", "figure9"])
    assert unknown.exit_code == 2 and "unknown figure" in unknown.output


def test_plot_commands_and_no_global_backend_change(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    backend, figures = matplotlib.get_backend(), plt.get_fignums()
    for command in (
        ["plot", "library", "--data", "0,1,3,7", "--activation", "abs", "--depth", "3", "--out", str(tmp_path / "lib.svg")],
        ["plot", "reflections", "--data", "0,1,3", "--nesting", "2", "--out", str(tmp_path / "trees.png")],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "lib.svg").stat().st_size > 0 and (tmp_path / "trees.png").stat().st_size > 0
    assert matplotlib.get_backend() == backend and plt.get_fignums() == figures
    bad = runner.invoke(app, ["plot", "library", "--data", "0,1", "--out", str(tmp_path / "lib.gif")])
    assert bad.exit_code == 2 and "--out" in bad.output


def test_plot_functions_draw_into_a_given_axes():
    from matplotlib.figure import Figure

    from mirrorlib import library
    from mirrorlib.report.plotting import plot_library, plot_reflections

    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_library(library([0, 1, 3], "relu", 3).distinct(), ax=left) is figure
    assert plot_reflections([0, 1, 3], 1, ax=right) is figure
    assert len(left.lines) > 0 and len(right.collections) > 0


def test_huge_nesting_is_refused_at_once(tmp_path):
    result = runner.invoke(app, ["plot", "reflections", "--data", "0,1,2,3,4,5", "--nesting", "100", "--out", str(tmp_path / "t.png")])
    assert result.exit_code == 2 and "more than" in result.output and "reflection trees" in result.output
