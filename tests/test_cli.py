"""The command line: the commands of the README work and fail clearly."""

import json

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
    assert report["counts"]["naive"] == 8 * 6**4 + 1
    assert len(report["features"]) == report["counts"]["distinct"]
    first = report["features"][0]
    assert set(first) >= {"label", "unit", "signs", "column", "breakpoints", "first_breakpoint"}
    assert all(len(feature["column"]) == 6 for feature in report["features"])


def test_library_count_only():
    result = runner.invoke(app, ["library", "--data", "0,1/2,3", "--depth", "3", "--count-only"])
    assert result.exit_code == 0 and "columns" not in result.output and "naive 37" in result.output


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
