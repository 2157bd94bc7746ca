"""The command line: the commands of the README work and fail clearly."""

import pytest
import json
from fractions import Fraction

from typer.testing import CliRunner

from mirrorlib.cli import app

runner = CliRunner()


def test_library_text_lists_exact_columns_and_counts():
    result = runner.invoke(app, ["library", "--activation", "abs", "--depth", "3", "--data", "0,1,3,7"])
    assert result.exit_code == 0, result.output
    assert "counts: naive 17 [N^2 + 1], distinct 10" in result.output
    assert "(1, 0, 2, 6)" in result.output and "R(x1, x0)" in result.output


def test_library_json_is_machine_readable():
    result = runner.invoke(
        app, ["library", "--activation", "relu", "--depth", "4", "--data", "0,4,5,7,10,11", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"]["naive"] == 16 * 6**3 + 1 and report["variant"] == "paper"
    assert len(report["features"]) == report["counts"]["distinct"]
    first = report["features"][0]
    assert set(first) >= {"label", "unit", "signs", "column", "breakpoints", "first_breakpoint"}
    assert all(len(feature["column"]) == 6 for feature in report["features"])


def test_library_count_only():
    result = runner.invoke(app, ["library", "--data", "0,1/2,3", "--depth", "3", "--count-only"])
    assert result.exit_code == 0 and "columns" not in result.output and "naive 37" in result.output


def test_library_listings_too_large_are_refused_before_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing names breakpoints by nesting-2 reflection trees at depth ≥ 4: on 150 points that
    is 506M trees, refused in one line before any library is built (it used to build for 23 s and
    end in a traceback); the counts alone still work. A listing whose exact columns exceed the
    memory limit is refused in one line too, not while printing."""
    import mirrorlib.report.text as text

    data = ",".join(str(value) for value in range(150))
    with monkeypatch.context() as patched:
        patched.setattr(text, "library", lambda *args, **kwargs: pytest.fail("built a library for a refused listing"))
        result = runner.invoke(app, ["library", "--data", data, "--depth", "4"])
    assert result.exit_code == 2
    assert result.output.startswith("error: nesting 2 on 150 points gives 506,227,650 reflection trees") and "--count-only" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert runner.invoke(app, ["library", "--data", ",".join(str(v) for v in range(12)), "--depth", "4", "--count-only"]).exit_code == 0
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(10**6))
    result = runner.invoke(app, ["library", "--data", ",".join(str(v) for v in range(40)), "--depth", "3"])
    assert result.exit_code == 2 and result.output.startswith("error: the dictionary has") and "Traceback" not in result.output


def test_reflections_formats():
    for output_format, marker in (("dot", "digraph reflections"), ("text", "R(x0, x1) = 2"), ("json", '"expression"')):
        result = runner.invoke(app, ["reflections", "--data", "0,1,3", "--depth", "3", "--format", output_format])
        assert result.exit_code == 0, result.output
        assert marker in result.output
    data = json.loads(runner.invoke(app, ["reflections", "--data", "0,1,3", "--nesting", "1", "--format", "json"]).output)
    assert data["counts"][1] == {"nesting": 1, "trees": 6, "distinct_values": 5, "new_values": 5}


def test_bad_input_exits_with_a_message():
    cases = [
        (["library", "--data", "0,nan"], "must be finite"),
        (["library", "--data", "0,1", "--depth", "1"], "depth must be ≥ 2"),
        (["library", "--data", "0,1", "--activation", "tanh"], "unknown"),
        (["library", "--data", "", "--depth", "2"], "empty"),
        (["reflections", "--data", "0,1"], "give --depth"),
    ]
    for arguments, message in cases:
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert message in result.output


def test_fit_exact_prints_certificate_network_and_plot(tmp_path):
    plot = tmp_path / "fit.png"
    arguments = ["fit", "--activation", "relu", "--depth", "3", "--data", "0,4,5,7,10,11", "--labels", "0,0,0,2,3,3"]
    result = runner.invoke(app, [*arguments, "--beta", "1/1000", "--exact", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert "optimal value: 3999/4000000" in result.output
    assert "certificate (the Lasso over this library): OPTIMAL" in result.output and "architecture): OPTIMAL" in result.output and "equals the Lasso optimum: yes" in result.output
    assert plot.exists() and plot.stat().st_size > 10_000
    report = json.loads(runner.invoke(app, [*arguments, "--beta", "1/1000", "--exact", "--format", "json"]).output)
    assert report["objective"] == "3999/4000000" and report["certificate"]["optimal"]
    # the optimum is not unique (the report says so); its fit and ℓ1 norm are
    assert sum(abs(Fraction(entry["z"])) for entry in report["coefficients"]) == Fraction(1999, 2000)
    assert report["network"]["training_objective"] == "3999/4000000"


def test_fit_float_and_bad_input():
    base = ["fit", "--data", "0,1,2", "--labels", "0,1,0"]
    result = runner.invoke(app, [*base, "--beta", "0.01"])
    assert result.exit_code == 0 and "certificate (the Lasso over this library): OPTIMAL" in result.output and "architecture): OPTIMAL" in result.output
    for extra, message in (
        (["--beta", "0"], "beta must be > 0"),
        (["--beta", "-1"], "beta must be > 0"),
        (["--beta", "0+"], "needs --exact"),
        (["--beta", "abc"], "--beta"),
    ):
        result = runner.invoke(app, [*base, *extra])
        assert result.exit_code == 2 and message in result.output, (extra, result.output)
    result = runner.invoke(app, ["fit", "--data", "0,1,2", "--labels", "0,1", "--beta", "1"])
    assert result.exit_code == 2 and "--labels has 2 values but --data has 3" in result.output


def test_sign_and_threshold_libraries_from_the_cli():
    result = runner.invoke(
        app, ["library", "--activation", "sign", "--architecture", "tree", "--widths", "2,2", "--depth", "4", "--data", "0,1,2,5,6"]
    )
    assert result.exit_code == 0, result.output
    assert "counts: naive 32" in result.output and "(-1, 1, 1, 1, 1)" in result.output
    result = runner.invoke(
        app,
        ["library", "--activation", "threshold", "--architecture", "rectangular", "--widths", "3,3", "--depth", "4",
         "--data", "0,1,2,3,4,5,6,7", "--count-only"],
    )
    assert result.exit_code == 0 and "naive 128" in result.output and "columns" not in result.output
    result = runner.invoke(app, ["library", "--activation", "relu", "--widths", "2", "--data", "0,1"])
    assert result.exit_code == 2 and "--widths applies to sign/threshold" in result.output


def test_verify_exit_code_is_1_when_a_claim_fails_and_save_path_is_checked_first(tmp_path) -> None:
    from typer.testing import CliRunner

    from mirrorlib.cli import app

    runner = CliRunner()
    failing = runner.invoke(app, ["verify", "skip-relu-equals-plain-abs", "--trials", "3"])
    assert failing.exit_code == 1, failing.output
    holding = runner.invoke(app, ["verify", "two-layer-library", "--trials", "3"])
    assert holding.exit_code == 0, holding.output
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    bad = runner.invoke(app, ["verify", "two-layer-library", "--trials", "1", "--save", str(blocker)])
    assert bad.exit_code == 2 and "--save" in bad.output and "Traceback" not in bad.output


def test_data_and_labels_are_read_from_files_after_at(tmp_path) -> None:
    """``@path`` reads numbers separated by commas, spaces or line breaks, exactly as written;
    a missing, unreadable or empty file is a one-line usage error naming the option."""
    (tmp_path / "x.txt").write_text("0 1/2\n3,\n7\n")
    (tmp_path / "y.txt").write_text("0.1, 1\n1 3\n")
    from_files = runner.invoke(app, ["fit", "--data", f"@{tmp_path / 'x.txt'}", "--labels", f"@{tmp_path / 'y.txt'}", "--beta", "1/10", "--exact", "--format", "json"])
    inline = runner.invoke(app, ["fit", "--data", "0,1/2,3,7", "--labels", "1/10,1,1,3", "--beta", "1/10", "--exact", "--format", "json"])
    assert from_files.exit_code == inline.exit_code == 0 and json.loads(from_files.output) == json.loads(inline.output)
    assert "x1=1/2" in runner.invoke(app, ["library", "--data", f"@{tmp_path / 'x.txt'}"]).output
    (tmp_path / "empty.txt").write_text(" \n")
    for path, message in ((tmp_path / "missing.txt", "cannot read"), (tmp_path, "cannot read"), (tmp_path / "empty.txt", "holds no numbers")):
        result = runner.invoke(app, ["reflections", "--data", f"@{path}", "--depth", "3"])
        assert result.exit_code == 2 and message in result.output and repr(str(path)) in result.output
        assert result.output.count("\n") == 1 and result.output.startswith("error: --data: ")


def test_fit_solver_option_names_the_solver_and_the_columns_it_held() -> None:
    """``--solver working-set`` solves over all naive columns matrix-free and reports the columns it
    selected as such; ``dense`` the distinct library; both reach the same optimum."""
    x = [Fraction(k, 20) for k in range(-20, 21)]
    arguments = ["fit", "--data", ",".join(map(str, x)), "--labels", ",".join(str(abs(v) - v * v) for v in x), "--beta", "0.05", "--depth", "3", "--quiet"]
    working, dense = (runner.invoke(app, [*arguments, "--solver", solver]) for solver in ("working-set", "dense"))
    assert working.exit_code == dense.exit_code == 0
    assert "solver=float working set (matrix-free)" in working.output and "selected by the working set from all 6725 = 2^2·N^2 + 1 naive columns" in working.output
    assert "solver=float active set" in dense.output and "distinct columns (naive 6725" in dense.output
    value = [float(next(line for line in result.output.splitlines() if line.startswith("optimal value:")).split(":")[1]) for result in (working, dense)]
    assert abs(value[0] - value[1]) <= 1e-8 * value[1]
    refused = runner.invoke(app, [*arguments[:-1], "--exact", "--solver", "working-set"])
    assert refused.exit_code == 2 and refused.output.startswith("error: --solver working-set is a float solver")


def test_reflections_depth_is_validated() -> None:
    from typer.testing import CliRunner

    from mirrorlib.cli import app

    for depth in ("0", "-5", "1"):
        result = CliRunner().invoke(app, ["reflections", "--data", "0,1,3", "--depth", depth])
        assert result.exit_code == 2 and f"got {depth}" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["library", "--data", "0,,3"], "--data has an empty item at position 1"),
        (["library", "--data", "0,1", "--activation", "tanh"], "'tanh' is not a piecewise-linear expression"),
        (["fit", "--data", "0,1,2", "--labels", "0,1,0", "--beta", "0+"], "--beta 0+ (the β → 0⁺ limit) needs --exact"),
        (["fit", "--data", "0,1,2", "--labels", "0,1,0", "--beta", "abc"], "--beta must be a number"),
        (["fit", "--data", "0,1,2", "--labels", "0,1,0", "--beta", "-1"], "--beta must be > 0"),
        (["verify", "two-layer-library", "--seed", "-1"], "--seed"),
        (["verify", "two-layer-library", "--trials", "0"], "--trials"),
    ],
)
def test_usage_errors_name_the_option_in_one_line(arguments, message) -> None:
    from typer.testing import CliRunner

    from mirrorlib.cli import app

    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_float_json_uses_shortest_round_trip_floats() -> None:
    import json

    from typer.testing import CliRunner

    from mirrorlib.cli import app

    result = CliRunner().invoke(app, ["fit", "--data", "0,1,2,3", "--labels", "0,1,0,2", "--beta", "1/3", "--format", "json"])
    data = json.loads(result.output)
    objective = data["objective"]
    assert repr(float(objective)) == objective  # the shortest text that reads back to the same float


def test_replay_errors_are_one_line_and_a_valid_replay_shows_the_witness(tmp_path) -> None:
    import json
    from pathlib import Path

    cases = {
        "missing.json": None,
        "bad.json": "{not json",
        "empty.json": "",
        "list.json": "[]",
        "noinstance.json": json.dumps({"claim": "two-layer-library"}),
        "unknown.json": json.dumps({"claim": "no-such-claim", "instance": {}}),
    }
    for name, text in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text)
        result = runner.invoke(app, ["verify", "--replay", str(tmp_path / name)])
        assert result.exit_code == 2 and result.output.startswith("error: --replay:") and "Traceback" not in result.output, (name, result.output)
    directory = runner.invoke(app, ["verify", "--replay", str(tmp_path)])
    assert directory.exit_code == 2 and "is a directory" in directory.output
    saved = sorted((Path(__file__).parent / "counterexamples").glob("deep-narrow-abs-library-*.json"))[0]
    text = runner.invoke(app, ["verify", "--replay", str(saved)])
    assert text.exit_code == 1 and "still fails" in text.output and "unit" in text.output
    as_json = runner.invoke(app, ["verify", "--replay", str(saved), "--format", "json"])
    assert as_json.exit_code == 1 and json.loads(as_json.output)["passed"] is False


def test_plot_path_is_checked_before_fitting(tmp_path) -> None:
    base = ["fit", "--data", "0,1,2", "--labels", "0,1,0", "--beta", "1/10"]
    for path, message in ((tmp_path / "nowhere" / "fit.png", "does not exist"), (tmp_path / "fit.xyz", "cannot write .xyz"), (tmp_path / "fit", "no extension")):
        result = runner.invoke(app, [*base, "--plot", str(path)])
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    written = runner.invoke(app, [*base, "--plot", str(tmp_path / "fit.svg")])
    assert written.exit_code == 0 and (tmp_path / "fit.svg").exists()


def test_unbounded_work_is_refused_before_it_starts() -> None:
    from mirrorlib.verify.runner import _chunks

    trees = runner.invoke(app, ["reflections", "--data", "0,1,3,7,11", "--depth", "6"])
    assert trees.exit_code == 2 and "reflection trees" in trees.output and "Traceback" not in trees.output
    huge = runner.invoke(app, ["verify", "two-layer-library", "--max-n", "100000"])
    assert huge.exit_code == 2 and "--max-n 100000 is more points" in huge.output and "two-layer-library ≤" in huge.output
    every = runner.invoke(app, ["verify", "all", "--max-n", "40", "--quiet"])  # refused before any claim runs
    assert every.exit_code == 2 and "deep-narrow-relu-stagnation ≤ 32" in every.output and "lemma-3.1-skip-connection" not in every.output
    assert len(every.output.strip().splitlines()) == 1 and "Traceback" not in every.output
    deep = runner.invoke(app, ["fit", "--data", "0,1,2,3", "--labels", "0,1,0,1", "--beta", "1/10", "--depth", "10"])
    assert deep.exit_code == 2 and "depth ≤ 5" in deep.output and "Traceback" not in deep.output
    lazy = _chunks(10**9, 25)  # a billion trials: chunks are produced on demand
    assert next(lazy) == range(0, 25) and next(lazy) == range(25, 50)


def test_flags_look_like_flags_and_ignored_combinations_are_refused() -> None:
    for command, flag in (("fit", "--exact"), ("library", "--all"), ("library", "--count-only")):
        lines = [line for line in runner.invoke(app, [command, "--help"]).output.splitlines() if f" {flag} " in line]
        assert lines and not any("<bool>" in line for line in lines), lines
    for arguments, message in (
        (["library", "--data", "0,1,2", "--all", "--count-only"], "--all and --count-only"),
        (["library", "--data", "0,1,2", "--activation", "abs", "--depth", "3", "--reflection-nesting", "1"], "--reflection-nesting applies"),
        (["verify", "--list", "two-layer-library"], "--list shows every claim"),
    ):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2 and message in result.output, result.output


def test_values_too_large_for_float64_are_usage_errors() -> None:
    result = runner.invoke(app, ["fit", "--data", "0,1,2", "--labels", "0,1,0", "--beta", "1e400"])
    assert result.exit_code == 2 and "--beta has a value too large for float64" in result.output
    result = runner.invoke(app, ["fit", "--data", "0,1,1e400", "--labels", "0,1,0", "--beta", "1"])
    assert result.exit_code == 2 and "--data has a value too large" in result.output


def test_sign_library_reports_the_architecture_that_was_asked_for() -> None:
    result = runner.invoke(app, ["library", "--activation", "threshold", "--data", "0,1,2", "--count-only"])
    assert result.exit_code == 0 and "architecture=narrow (a tree of width 1)" in result.output
    deep = runner.invoke(app, ["library", "--activation", "sign", "--depth", "4", "--data", "0,1,2,5", "--count-only"])
    assert deep.exit_code == 0 and "widths=1,1" in deep.output
