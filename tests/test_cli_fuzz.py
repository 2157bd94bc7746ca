"""Fuzz every CLI command with random option values: exit code 0, 1 or 2 and never a traceback.

Sizes are bounded (at most 5 data points, depth ≤ 4 or absurd values that the guards refuse at
once), so every example finishes quickly; the run is derandomized like every hypothesis test here.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mirrorlib.cli import app

runner = CliRunner()

JUNK = st.sampled_from(["", "abc", "nan", "inf", "1e400", "-1", "0", "0+", "1/0", "1/3", ",", "x", "Max(x, 0)"])
NUMBER = st.one_of(st.integers(-3, 12).map(str), JUNK)
DATA = st.one_of(
    st.lists(st.integers(-6, 6), min_size=1, max_size=5).map(lambda values: ",".join(map(str, values))),
    JUNK,
)
ACTIVATION = st.sampled_from(["relu", "abs", "leaky_relu(1/4)", "linear", "sign", "threshold", "tanh", "Max(x, 0)", "", "relu2"])
ARCHITECTURE = st.sampled_from(["narrow", "skip", "tree", "rectangular", "dense", ""])
DEPTH = st.sampled_from(["-1", "0", "1", "2", "3", "4", "12", "abc"])
FUZZ = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _assert_clean(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-500:])
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, repr(result.exception)
    assert "Traceback" not in result.output


@FUZZ
@given(data=DATA, activation=ACTIVATION, depth=DEPTH, architecture=ARCHITECTURE, count_only=st.booleans(), widths=st.sampled_from([None, "2", "2,2", "0", "x"]))
def test_library_command(data, activation, depth, architecture, count_only, widths) -> None:
    arguments = ["library", "--data", data, "--activation", activation, "--depth", depth, "--architecture", architecture]
    arguments += ["--count-only"] if count_only else []
    arguments += [] if widths is None else ["--widths", widths]
    _assert_clean(runner.invoke(app, arguments))


@FUZZ
@given(data=DATA, depth=DEPTH, nesting=st.sampled_from([None, "-1", "0", "1", "2", "9", "x"]), output=st.sampled_from(["text", "json", "dot", "pdf"]))
def test_reflections_command(data, depth, nesting, output) -> None:
    arguments = ["reflections", "--data", data, "--depth", depth, "--format", output]
    arguments += [] if nesting is None else ["--nesting", nesting]
    _assert_clean(runner.invoke(app, arguments))


@FUZZ
@given(
    data=DATA,
    labels=DATA,
    activation=ACTIVATION,
    depth=st.sampled_from(["-1", "1", "2", "3", "12", "x"]),
    beta=NUMBER,
    exact=st.booleans(),
    library=st.sampled_from(["complete", "closed-form", "all"]),
)
def test_fit_command(data, labels, activation, depth, beta, exact, library) -> None:
    arguments = ["fit", "--data", data, "--labels", labels, "--activation", activation, "--depth", depth, "--beta", beta, "--library", library]
    arguments += ["--exact"] if exact else []
    _assert_clean(runner.invoke(app, arguments))


@FUZZ
@given(
    claim=st.sampled_from(["two-layer-library", "dictionary-size-bounds", "no-such-claim", "all", ""]),
    trials=st.sampled_from(["-1", "0", "1", "2", "x"]),
    seed=NUMBER,
    max_n=st.sampled_from([None, "-1", "1", "3", "100000", "x"]),
)
def test_verify_command(claim, trials, seed, max_n) -> None:
    arguments = ["verify", claim, "--trials", trials, "--seed", seed, "--quiet"]
    arguments += [] if max_n is None else ["--max-n", max_n]
    if claim == "all":
        arguments[3] = "1" if trials not in ("-1", "0", "x") else trials
    _assert_clean(runner.invoke(app, arguments))
