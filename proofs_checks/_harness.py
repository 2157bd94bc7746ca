"""Shared entry points of the claim modules: a command line and a pytest check."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mirrorlib.verify.registry import Claim
from mirrorlib.verify.report import reports_as_text
from mirrorlib.verify.runner import ClaimReport, replay, run_claim


def main(claim: Claim, argv: Sequence[str] | None = None) -> int:
    """``python -m proofs_checks.<claim> [options]`` is ``mirrorlib verify <claim> [options]``: the
    same typer command, options (``--trials``, ``--seed``, ``--max-n``, ``--workers``,
    ``--scheduler``, ``--save``, ``--format``, ``--quiet``) and exit codes (0 holds, 1 fails,
    2 usage error)."""
    from mirrorlib.cli import app

    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=["verify", claim.name, *arguments], prog_name=f"python -m proofs_checks.{claim.name.replace('-', '_')}")
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


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
