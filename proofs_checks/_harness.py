"""Shared entry points of the claim modules: a command line and a pytest check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from mirrorlib.verify.registry import Claim
from mirrorlib.verify.report import reports_as_text
from mirrorlib.verify.runner import ClaimReport, replay, run_claim, save_counterexample


def _at_least(low: int):  # type: ignore[no-untyped-def]
    """argparse type: an integer ≥ ``low`` (argparse names the option and exits 2 otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be ≥ {low}, got {value}")
        return value

    return parse


def main(claim: Claim, argv: Sequence[str] | None = None) -> int:
    """``python -m proofs_checks.<claim>``: run the claim; exit 1 if it fails."""
    parser = argparse.ArgumentParser(prog=f"python -m proofs_checks.{claim.name.replace('-', '_')}", description=claim.statement)
    parser.add_argument("--trials", type=_at_least(1), default=100)
    parser.add_argument("--seed", type=_at_least(0), default=0)
    parser.add_argument("--max-n", type=_at_least(1), default=None)
    parser.add_argument("--workers", type=_at_least(1), default=1)
    parser.add_argument("--save", default=None, help="directory for the smallest counterexample (JSON)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    arguments = parser.parse_args(argv)
    report = run_claim(
        claim, trials=arguments.trials, seed=arguments.seed, max_n=arguments.max_n, workers=arguments.workers, progress=sys.stderr.isatty()
    )
    print(json.dumps(report.as_json(), indent=2) if arguments.json else reports_as_text([report]))
    if report.smallest is not None and arguments.save:
        print(f"saved: {save_counterexample(report.smallest, arguments.save)}")
    return 1 if report.failed else 0


def check_finding(claim: Claim, *, expected: str, trials: int, seed: int = 0, max_n: int | None = None) -> ClaimReport:
    """The pytest side: the documented finding (``"holds"`` or ``"fails"``) is reproduced.

    For ``"fails"`` the smallest counterexample must replay as a failure (it is exact).
    """
    report = run_claim(claim, trials=trials, seed=seed, max_n=max_n)
    assert report.status.lower() == expected.lower(), reports_as_text([report])
    if expected.lower() == "fails":
        assert report.smallest is not None
        outcome = claim.check(report.smallest.instance)
        assert not outcome.passed and outcome.skipped is None
    return report


__all__ = ["main", "check_finding", "replay"]
