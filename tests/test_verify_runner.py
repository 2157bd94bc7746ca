"""The claim runner: deterministic per seed, independent of workers, shrinks counterexamples."""

from fractions import Fraction

import numpy as np
import pytest

from mirrorlib.verify.registry import Claim, Counterexample, Outcome
from mirrorlib.verify.report import reports_as_json, reports_as_markdown, reports_as_text
from mirrorlib.verify.runner import run_claim, save_counterexample, shrink_counterexample, trial_instance


def _draw(rng: np.random.Generator, max_n: int) -> dict:
    n = int(rng.integers(1, max_n + 1))
    return {"X": [str(Fraction(int(v), int(d))) for v, d in zip(rng.integers(-9, 10, n), rng.integers(1, 4, n))]}


def _check(instance: dict) -> Outcome:
    """Toy claim 'every data set has at most 3 points' — false, with exact witnesses."""
    size = len(instance["X"])
    if size <= 3:
        return Outcome(passed=True, measurements={"max_n_seen": size})
    witness = {"n": size}
    return Outcome(passed=False, counterexample=Counterexample("toy", instance, witness, size), measurements={"max_n_seen": size})


def _shrink(instance: dict):
    for index in range(len(instance["X"])):
        yield {"X": instance["X"][:index] + instance["X"][index + 1 :]}


TOY = Claim("toy", "every data set has at most 3 points", "none", _draw, _check, _shrink)


def test_trials_are_deterministic_per_seed():
    assert trial_instance(TOY, 3, 7, 6) == trial_instance(TOY, 3, 7, 6)
    assert trial_instance(TOY, 3, 7, 6) != trial_instance(TOY, 4, 7, 6)


def test_report_counts_and_smallest_shrunk_counterexample():
    report = run_claim(TOY, trials=40, seed=1, max_n=6)
    assert report.tried == 40 and report.passed + report.failed == 40 and report.failed > 0
    assert report.status == "FAILS"
    assert report.smallest is not None and report.smallest.size == 4  # shrunk to the boundary
    assert report.measurements["max_n_seen"] <= 6
    for render in (reports_as_text, reports_as_markdown, reports_as_json):
        assert "toy" in render([report])


def test_workers_do_not_change_results(monkeypatch):
    import mirrorlib.verify.runner as runner

    monkeypatch.setattr(runner, "get_claim", lambda name: TOY)
    serial = run_claim(TOY, trials=20, seed=5, max_n=6, workers=1)
    # the process pool resolves claims by name: emulate with threads to keep the toy claim local
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(runner, "ProcessPoolExecutor", ThreadPoolExecutor)
    parallel = run_claim(TOY, trials=20, seed=5, max_n=6, workers=2)
    assert (serial.passed, serial.failed, serial.smallest) == (parallel.passed, parallel.failed, parallel.smallest)


def test_shrinking_without_a_shrinker_keeps_the_instance():
    claim = Claim("toy", "s", "r", _draw, _check)
    witness = Counterexample("toy", {"X": ["1"] * 5}, {}, 5)
    assert shrink_counterexample(claim, witness) is witness


def test_save_counterexample(tmp_path):
    path = save_counterexample(Counterexample("toy", {"X": ["1/2"]}, {"n": 1}, 1), tmp_path)
    assert path.exists() and '"1/2"' in path.read_text()


@pytest.mark.parametrize(("keyword", "value"), [("trials", 0), ("workers", 0), ("max_n", 0)])
def test_bad_arguments(keyword, value):
    with pytest.raises(ValueError, match=keyword):
        run_claim(TOY, **{"trials": 1, keyword: value})


def test_distinct_data_are_drawn_at_once_for_large_n() -> None:
    """The old generator redrew from 53 values and never finished beyond n = 53."""
    import numpy as np

    from mirrorlib.numbers.exact import to_rational_vector
    from proofs_checks._instances import random_distinct_data

    for seed in range(20):
        data = random_distinct_data(np.random.default_rng(seed), 100, 100)
        assert len(set(to_rational_vector(data))) == 100


def test_redirected_runs_report_progress_on_stderr_and_quiet_silences_it(capsys) -> None:
    from mirrorlib.verify import run_claim

    run_claim("two-layer-library", trials=4, seed=0, progress=True)  # stderr is captured: not a terminal
    assert "two-layer-library: 4/4 trials" in capsys.readouterr().err
    run_claim("two-layer-library", trials=4, seed=0, progress=False)
    assert capsys.readouterr().err == ""


def test_every_claim_module_is_registered_as_an_entry_point() -> None:
    """A verifier added to proofs_checks/ without its pyproject entry point would never run."""
    import importlib
    import pkgutil

    import proofs_checks
    from mirrorlib.verify import all_claims
    from mirrorlib.verify.registry import Claim

    defined = set()
    for module_info in pkgutil.iter_modules(proofs_checks.__path__):
        if not module_info.name.startswith("_") and module_info.name != "conftest":
            claim = getattr(importlib.import_module(f"proofs_checks.{module_info.name}"), "CLAIM", None)
            if isinstance(claim, Claim):
                defined.add(claim.name)
    assert {claim.name for claim in all_claims()} == defined


def test_the_package_does_not_import_its_verifiers() -> None:
    import subprocess
    import sys

    code = "import sys, mirrorlib.verify.registry, mirrorlib.verify.runner, mirrorlib.cli; print(any(m.startswith('proofs_checks') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_claim_modules_run_the_verify_command_with_its_exit_codes(capsys) -> None:
    """``python -m proofs_checks.<claim>`` is ``mirrorlib verify <claim>``: 0 holds, 1 fails, 2 usage."""
    from proofs_checks import deep_narrow_abs_library, two_layer_library
    from proofs_checks._harness import main

    assert main(two_layer_library.CLAIM, ["--trials", "3", "--quiet"]) == 0
    assert main(deep_narrow_abs_library.CLAIM, ["--trials", "10", "--quiet", "--format", "json"]) == 1
    assert main(two_layer_library.CLAIM, ["--seed", "-1"]) == 2
    assert "FAILS" in capsys.readouterr().out


def test_distinct_data_keep_earlier_draws_and_finish_for_large_n() -> None:
    """Small samples are the whole-sample redraws earlier releases made; a sample of 400 (which
    is almost never distinct at once) is topped up instead of redrawn forever."""
    from mirrorlib.numbers.exact import to_rational_vector
    from proofs_checks._instances import random_distinct_data, random_rationals

    def redrawn_until_distinct(rng: np.random.Generator, min_n: int, max_n: int) -> list[str]:
        n = int(rng.integers(min_n, max_n + 1))
        while True:
            data = random_rationals(rng, n, numerator=max(12, 2 * n))
            if len(set(to_rational_vector(data))) == n:
                return data

    for seed in range(200):
        assert random_distinct_data(np.random.default_rng(seed), 2, 12) == redrawn_until_distinct(np.random.default_rng(seed), 2, 12)
    large = random_distinct_data(np.random.default_rng(0), 400, 400)
    assert len(set(to_rational_vector(large))) == 400


def test_each_claim_refuses_draws_larger_than_it_checks_in_useful_time() -> None:
    """A ground-truth check at 341 points ran for minutes and was killed; a claim's own ceiling
    now refuses such a run before any trial, and every default size is within it."""
    from mirrorlib.verify import all_claims
    from mirrorlib.verify.runner import largest_max_n

    for claim in all_claims():
        assert claim.default_max_n <= largest_max_n(claim)
    with pytest.raises(ValueError, match="max_n must be ≤ 32 for deep-narrow-relu-stagnation, got 341"):
        run_claim("deep-narrow-relu-stagnation", trials=1, max_n=341)
    assert run_claim(TOY, trials=2, max_n=500).tried == 2  # a claim without its own ceiling keeps the global one


def test_sign_instances_stay_within_their_ground_truth_and_keep_small_draws() -> None:
    """The sign claims draw from 65 rationals while their ground truth handles 62 distinct points;
    large draws used to be refused by the ground truth, so ``--max-n 500`` failed. A draw now
    repeats earlier points once it holds 62 values; draws that never get there are unchanged."""
    from mirrorlib.numbers.exact import to_rational_vector
    from mirrorlib.signnets.claims import DUPLICATE_PROBABILITY, draw_sign_instance
    from mirrorlib.signnets.groundtruth import MAX_GROUND_TRUTH_POINTS

    def unlimited_data(rng: np.random.Generator, max_n: int) -> list[Fraction]:
        data: list[Fraction] = []
        for _ in range(int(rng.integers(1, max_n + 1))):
            if data and rng.random() < DUPLICATE_PROBABILITY:
                data.append(data[int(rng.integers(len(data)))])
            else:
                data.append(Fraction(int(rng.integers(-12, 13)), int(rng.integers(1, 5))))
        return data

    for seed in range(50):
        drawn = to_rational_vector(draw_sign_instance(np.random.default_rng(seed), 40)["data"])
        assert list(drawn) == unlimited_data(np.random.default_rng(seed), 40)
    largest = max(len(set(to_rational_vector(draw_sign_instance(np.random.default_rng(seed), 2000)["data"]))) for seed in range(20))
    assert largest == MAX_GROUND_TRUTH_POINTS
    assert run_claim("sign-dictionary-size", trials=3, seed=0, max_n=500).failed == 0
