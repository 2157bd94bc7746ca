"""Rendering claim reports as text, Markdown tables and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mirrorlib.verify.runner import ClaimReport

__all__ = ["reports_as_text", "reports_as_markdown", "reports_as_json"]


def _witness_lines(report: ClaimReport) -> list[str]:
    if report.smallest is None:
        return []
    lines = [f"  smallest exact counterexample (N = {report.smallest.size}):"]
    lines += [f"    {key}: {_compact(value)}" for key, value in report.smallest.instance.items()]
    lines += [f"    {key}: {_compact(value)}" for key, value in report.smallest.witness.items()]
    return lines


def _compact(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_compact(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_compact(item)}" for key, item in value.items()) + "}"
    return str(value)


def reports_as_text(reports: Sequence[ClaimReport]) -> str:
    """One block per claim: status, counts, time, measurements, smallest counterexample.

    Examples
    --------
    >>> from mirrorlib.verify.runner import run_claim
    >>> print(reports_as_text([run_claim('dictionary-size-bounds', trials=3)]).splitlines()[0])
    dictionary-size-bounds [theory §5 (dictionary-size bounds)]: holds
    """
    lines = []
    for report in reports:
        lines.append(f"{report.name} [{report.reference}]: {report.status}")
        lines.append(f"  {report.statement}")
        lines.append(
            f"  tried {report.tried}, passed {report.passed}, failed {report.failed}, "
            f"skipped {report.skipped}; seed {report.seed}, max N {report.max_n}; {report.seconds:.2f} s"
        )
        if report.measurements:
            lines.append(f"  measured: {_compact(report.measurements)}")
        lines.extend(_witness_lines(report))
    return "\n".join(lines)


def reports_as_markdown(reports: Sequence[ClaimReport]) -> str:
    """A Markdown table (one row per claim) followed by the counterexamples.

    Examples
    --------
    >>> from mirrorlib.verify.runner import run_claim
    >>> print(reports_as_markdown([run_claim('dictionary-size-bounds', trials=3)]).splitlines()[0])
    | claim | reference | status | tried | passed | failed | skipped | time (s) |
    """
    rows = [
        "| claim | reference | status | tried | passed | failed | skipped | time (s) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    rows += [
        f"| `{r.name}` | {r.reference} | {r.status} | {r.tried} | {r.passed} | {r.failed} | {r.skipped} | {r.seconds:.2f} |"
        for r in reports
    ]
    for report in reports:
        if report.smallest is not None:
            rows += ["", f"**{report.name}** — smallest counterexample:", "```", *_witness_lines(report), "```"]
    return "\n".join(rows)


def reports_as_json(reports: Sequence[ClaimReport]) -> str:
    """A JSON list, one object per claim (``ClaimReport.as_json``), counterexamples included.

    Examples
    --------
    >>> import json
    >>> from mirrorlib.verify.runner import run_claim
    >>> json.loads(reports_as_json([run_claim('dictionary-size-bounds', trials=3)]))[0]['status']
    'holds'
    """
    return json.dumps([report.as_json() for report in reports], indent=2)
