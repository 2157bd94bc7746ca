"""Training-optimality certificates and column generation (ConvexNet(library="complete"))."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from typer.testing import CliRunner

from mirrorlib import ConvexNet
from mirrorlib.cli import app
from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.lasso import solve_lasso_exact
from mirrorlib.optimality import switching_oracle

CASES = [("abs", 3), ("abs", 4), ("relu", 3), ("relu", 4), ("leaky_relu(1/3)", 3), ("relu", 2)]


def _instance(rng: random.Random, n: int) -> tuple[list[int], list[Fraction], Fraction]:
    X = rng.sample(range(-8, 9), n)
    y = [Fraction(rng.randint(-3, 3)) for _ in X]
    return X, y, Fraction(1, rng.choice([5, 10, 20]))


def _ground_truth_optimum(X: list[int], y: list[Fraction], beta: Fraction, activation: str, depth: int) -> Fraction:
    """The Lasso over EVERY cell-vertex feature (the exact ground truth): the training optimum."""
    truth = ground_truth_library(X, activation, depth)
    return solve_lasso_exact(truth.matrix(exact=True).tolist(), y, beta).objective


@pytest.mark.parametrize(("activation", "depth"), CASES)
def test_default_exact_fit_is_training_optimal_and_equals_the_ground_truth_lasso(activation: str, depth: int) -> None:
    rng = random.Random(f"{activation}-{depth}")
    for _ in range(6):
        X, y, beta = _instance(rng, rng.randint(3, 5 if depth == 4 else 6))
        model = ConvexNet(activation, depth, beta, exact=True).fit(X, y)
        assert model.certificate_.is_optimal and model.certificate_.training_optimal is True
        assert model.certificate_.training.gap == 0
        assert model.objective_ == _ground_truth_optimum(X, y, beta, activation, depth)
        assert model.network_.training_objective(X, y, beta, exact=True) == model.objective_


def test_closed_form_abs_depth3_is_reported_not_optimal_and_generation_fixes_it() -> None:
    X, y, beta = [1, 2, 6, 7, 8], [2, 3, 0, 2, 0], Fraction(1, 10)
    closed = ConvexNet("abs", 3, beta, exact=True, library="closed-form").fit(X, y)
    assert closed.certificate_.is_optimal  # the Lasso over the closed form IS solved ...
    assert closed.certificate_.training_optimal is False  # ... but the network is not optimal
    assert closed.certificate_.training.sup == Fraction(1, 7)
    complete = ConvexNet("abs", 3, beta, exact=True).fit(X, y)
    assert complete.objective_ == Fraction(77, 400) < closed.objective_ == Fraction(1217, 4900)
    # the oracle's maximiser is enough; its runners-up tie with β at the float optimum and are not added
    assert [f.label for f in complete.added_features_] == ["oracle: abs(abs(x - 9/2) - 5/2)"]
    # the duality gap bounds the improvement
    assert closed.objective_ - complete.objective_ <= closed.certificate_.training.gap


def test_runners_up_join_only_when_they_beat_the_threshold_beyond_the_tolerance() -> None:
    """After a float fit a runner-up at ``β(1 + 10⁻¹⁵)`` is a tie blurred by rounding (it stays
    out), one at ``β(1 + 10⁻⁶)`` beats β (it joins); after an exact fit any excess counts."""
    from types import SimpleNamespace

    from mirrorlib.column_generation import _violators
    from mirrorlib.optimality import TrainingCertificate

    beta = Fraction(1, 10)
    tied, beating = SimpleNamespace(value=beta * (1 + Fraction(1, 10**15))), SimpleNamespace(value=beta * (1 + Fraction(1, 10**6)))
    unit = SimpleNamespace(value=2 * beta, runners_up=(beating, tied))
    for exact, expected in ((False, [unit, beating]), (True, [unit, beating, tied])):
        certificate = TrainingCertificate(False, unit.value, beta, Fraction(1), Fraction(2), unit, exact, 1e-8, "")
        assert _violators(certificate) == expected


def test_float_fit_is_certified_within_tolerance_over_all_networks() -> None:
    X, y = [1, 2, 6, 7, 8], [2, 3, 0, 2, 0]
    model = ConvexNet("abs", 3, 0.1).fit(X, y)
    assert model.certificate_.training_optimal is True and not model.certificate_.training.exact
    assert abs(model.objective_ - 77 / 400) <= 1e-9
    assert model.certificate_.training.relative_gap <= 1e-8


def test_a_working_set_fit_starts_column_generation_from_its_own_coefficients(monkeypatch: pytest.MonkeyPatch) -> None:
    """ConvexNet(solver="working-set") hands the working set's coefficients to the first solve
    over the columns it selected; the certified result is the dense one."""
    import mirrorlib.estimator as estimator
    from mirrorlib.lasso.fit import fit_lasso

    starts = []

    def spy(library, y, beta, **options):
        starts.append(options.get("start"))
        return fit_lasso(library, y, beta, **options)

    monkeypatch.setattr(estimator, "fit_lasso", spy)
    x = np.linspace(-1, 1, 40)
    y = np.sin(3 * x) + np.abs(x)
    model = ConvexNet("relu", 3, 0.05, solver="working-set").fit(x, y)
    dense = ConvexNet("relu", 3, 0.05, solver="dense").fit(x, y)
    first = starts[0]
    assert first is not None and len(first) == model.library_.n_features - len(model.added_features_)
    assert all(v != 0 for v in first)  # the selection is the working set's support
    assert model.certificate_.training_optimal and abs(model.objective_ - dense.objective_) <= 1e-9 * dense.objective_


def test_beta_to_zero_limit_is_certified_for_the_network() -> None:
    model = ConvexNet("abs", 3, None, exact=True).fit([1, 2, 6, 7, 8], [2, 3, 0, 2, 0])
    assert model.certificate_.training_optimal is True and model.certificate_.training.threshold == 1


def test_skip_and_sign_architectures_have_network_certificates() -> None:
    X, y = [0, 4, 5, 7, 10, 11], [0, 0, 0, 2, 3, 3]
    skip = ConvexNet("relu", 2, "1/10", architecture="skip", exact=True).fit(X, y)
    sign = ConvexNet("sign", 4, "1/10", architecture="tree", widths="2,2", exact=True).fit(X, y)
    assert skip.certificate_.training_optimal is True and sign.certificate_.training_optimal is True


def test_switching_oracle_equals_brute_force() -> None:
    rng = np.random.default_rng(0)
    for _ in range(40):
        n, k = int(rng.integers(1, 7)), int(rng.integers(0, 4))
        weights = [Fraction(int(v)) for v in rng.integers(-5, 6, n)]
        for levels in ((-1, 1), (0, 1)):
            best = Fraction(0)
            for bits in np.ndindex(*(2,) * n):
                if sum(a != b for a, b in zip(bits, bits[1:])) <= k:
                    best = max(best, abs(sum(w * levels[b] for w, b in zip(weights, bits))))
            assert switching_oracle(weights, k, levels).value == best


def test_library_modes_are_validated_and_oracle_limit_is_explained() -> None:
    with pytest.raises(ValueError, match="The .library. parameter of ConvexNet must be"):
        ConvexNet("relu", 3, "1/10", library="everything").fit([0, 1, 2], [0, 1, 0])
    with pytest.raises(ValueError, match="max_oracle_candidates"):
        ConvexNet("abs", 3, "1/10", max_oracle_candidates=3).fit([0, 1, 2, 3], [0, 1, 0, 1])
    closed = ConvexNet("abs", 3, "1/10", library="closed-form", max_oracle_candidates=3).fit([0, 1, 2, 3], [0, 1, 0, 1])
    assert closed.certificate_.training_optimal is None and "max_oracle_candidates" in closed.certificate_.training.reason


def test_cli_fit_prints_both_certificates_and_exits_1_when_the_network_is_not_optimal() -> None:
    runner = CliRunner()
    arguments = ["fit", "--activation", "abs", "--depth", "3", "--data", "1,2,6,7,8", "--labels", "2,3,0,2,0", "--beta", "1/10", "--exact"]
    complete = runner.invoke(app, arguments)
    assert complete.exit_code == 0, complete.output
    assert "certificate (the Lasso over this library): OPTIMAL" in complete.output
    assert "certificate (the network among ALL networks of the architecture): OPTIMAL" in complete.output
    closed = runner.invoke(app, [*arguments, "--library", "closed-form"])
    assert closed.exit_code == 1
    assert "the architecture): NOT OPTIMAL" in closed.output


def test_float_fit_accepts_an_exact_beta_string() -> None:
    model = ConvexNet("relu", 2, "1/10").fit([0, 1, 2, 3], [0, 1, 0, 1])
    exact = ConvexNet("relu", 2, "1/10", exact=True).fit([0, 1, 2, 3], [0, 1, 0, 1])
    assert abs(model.objective_ - float(exact.objective_)) <= 1e-9


def test_runners_up_cut_the_rounds_and_reach_the_same_exact_optimum() -> None:
    """Column generation adds the oracle's runners-up that beat β in the same round: fewer oracle
    calls than one unit per round (fails when the runners-up are ignored), the same exact optimum."""
    from mirrorlib.column_generation import fit_certified, network_oracle
    from mirrorlib.data import as_dataset
    from mirrorlib.functions.activations import get_activation
    from mirrorlib.lasso.fit import fit_lasso
    from mirrorlib.libraries import library

    rng = np.random.default_rng(0)
    X = sorted(int(v) for v in rng.choice(60, 12, replace=False))
    y = [Fraction(int(v), 4) for v in rng.integers(-8, 9, len(X))]
    beta, dataset = Fraction(1, 50), as_dataset(X)
    runs = {}
    for runners_up in (0, 20):
        oracle, scope = network_oracle(dataset, get_activation("abs"), 3, "narrow", runners_up=runners_up)
        calls: list[Fraction] = []

        def counted(lam, oracle=oracle, calls=calls):  # type: ignore[no-untyped-def]
            answer = oracle(lam)
            calls.append(answer.value)
            return answer

        runs[runners_up] = (fit_certified(library(dataset, "abs", 3).distinct(), y, beta, fit_lasso, counted, scope, exact=True), calls)
    (one, one_calls), (many, many_calls) = runs[0], runs[20]
    assert one.training.training_optimal is True and many.training.training_optimal is True
    assert many.fit.objective == one.fit.objective
    assert len(one.added) == len(one_calls) - 2  # one unit per round (a float pass, then the exact confirmation)
    assert len(many_calls) < len(one_calls) and len(many.added) > len(many_calls) - 2
