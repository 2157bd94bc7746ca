"""Deterministic, parallel sweeps of a claim over random exact instances.

Trial ``i`` of a run with seed ``s`` draws its instance from ``numpy.random.default_rng([s, i])``,
so results do not depend on the number of workers or on scheduling. Failing instances are shrunk
greedily (claim-specific) to the smallest counterexample found.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mirrorlib.progress import REDIRECTED_SECONDS
from mirrorlib.verify.distributed import TrialPool
from mirrorlib.verify.registry import Claim, Counterexample, Instance, Outcome, get_claim

__all__ = ["ClaimReport", "run_claim", "trial_instance", "shrink_counterexample", "save_counterexample", "replay"]


@dataclass(frozen=True)
class ClaimReport:
    """Summary of one claim over ``tried`` random instances.

    Examples
    --------
    >>> report = run_claim('lasso-network-equivalence', trials=3, seed=0, max_n=4)
    >>> report.tried, report.passed, report.failed
    (3, 3, 0)
    """

    name: str
    statement: str
    reference: str
    seed: int
    max_n: int
    tried: int
    passed: int
    failed: int
    skipped: int
    seconds: float
    smallest: Counterexample | None
    measurements: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.failed:
            return "FAILS"
        return "holds" if self.passed else "no instance in scope"

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.name,
            "statement": self.statement,
            "reference": self.reference,
            "status": self.status,
            "seed": self.seed,
            "max_n": self.max_n,
            "tried": self.tried,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "measurements": self.measurements,
            "smallest_counterexample": None if self.smallest is None else self.smallest.as_json(),
        }


def trial_instance(claim: Claim, seed: int, index: int, max_n: int) -> Instance:
    """The instance of trial ``index`` (deterministic in ``seed`` and ``index``).

    Examples
    --------
    >>> from mirrorlib.verify.registry import get_claim
    >>> claim = get_claim('two-layer-library')
    >>> trial_instance(claim, 0, 3, 5) == trial_instance(claim, 0, 3, 5)
    True
    """
    return claim.draw(np.random.default_rng([seed, index]), max_n)


def _run_chunk(claim: Claim | str, seed: int, indices: Sequence[int], max_n: int) -> list[Outcome]:
    """Run trials ``indices``; worker processes receive the claim's name and look it up."""
    resolved = get_claim(claim) if isinstance(claim, str) else claim
    return [resolved.check(trial_instance(resolved, seed, index, max_n)) for index in indices]


MAX_N_LIMIT = 500
"""Largest ``max_n`` any run accepts; each claim may set a lower :attr:`Claim.largest_n`."""


def check_max_n(claim: Claim, max_n: int) -> None:
    """Refuse a ``max_n`` outside ``1..min(claim.largest_n, MAX_N_LIMIT)`` with a one-line ``ValueError``.

    Examples
    --------
    >>> from mirrorlib.verify.registry import get_claim
    >>> check_max_n(get_claim('deep-narrow-relu-stagnation'), 10**6)
    Traceback (most recent call last):
    ...
    ValueError: max_n must be ≤ 32 for deep-narrow-relu-stagnation, got 1000000: its exact check grows fast with the number of points (measured: 5 trials at 32 points take under a minute); lower max_n
    """
    if max_n < 1:
        raise ValueError(f"max_n must be ≥ 1, got {max_n}")
    if max_n > largest_max_n(claim):
        raise ValueError(f"max_n must be ≤ {largest_max_n(claim)} for {claim.name}, got {max_n}: {_why_bounded(claim)}; lower max_n")


def largest_max_n(claim: Claim) -> int:
    """The largest ``max_n`` a run of ``claim`` accepts.

    Examples
    --------
    >>> from mirrorlib.verify.registry import get_claim
    >>> largest_max_n(get_claim('lemma-3.1-skip-connection'))
    200
    """
    return min(claim.largest_n, MAX_N_LIMIT)


def _why_bounded(claim: Claim) -> str:
    if claim.largest_n < MAX_N_LIMIT:
        return f"its exact check grows fast with the number of points (measured: 5 trials at {claim.largest_n} points take under a minute)"
    return "exact checks on more points do not finish in useful time"


def _chunks(count: int, size: int) -> Iterator[range]:
    """Trial indices in ranges of ``size``, produced lazily (a billion trials cost no memory up front)."""
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def _in_order(pool: TrialPool, claim: str, seed: int, chunks: Iterator[range], max_n: int) -> Iterator[list[Outcome]]:
    """``_run_chunk`` over the chunks in ``pool``, results in order, at most 4 per slot pending."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(pool.executor.submit(_run_chunk, claim, seed, chunk, max_n))
        if len(pending) >= 4 * pool.slots:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def _local_pool(workers: int) -> Iterator[TrialPool | None]:
    """``workers`` processes on this machine, or ``None`` (run in this process) for one."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as executor:
        yield TrialPool(executor, slots=workers)


def _with_progress(name: str, trials: int, results: Iterable[list[Outcome]], progress: bool) -> Iterator[Outcome]:
    """Outcomes of ``results``; a rich bar on a terminal, else a line every REDIRECTED_SECONDS."""
    if progress and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(name, total=trials)
            for chunk_outcomes in results:
                bar.advance(task, len(chunk_outcomes))
                yield from chunk_outcomes
    elif progress:  # redirected: a short line on stderr every REDIRECTED_SECONDS, never silent for long
        start = last = time.perf_counter()
        done = 0
        for chunk_outcomes in results:
            done += len(chunk_outcomes)
            now = time.perf_counter()
            if now - last >= REDIRECTED_SECONDS or done == trials:
                eta = (now - start) / done * (trials - done)
                print(f"{name}: {done}/{trials} trials, {now - start:.0f} s, about {eta:.0f} s left", file=sys.stderr, flush=True)
                last = now
            yield from chunk_outcomes
    else:
        for chunk_outcomes in results:
            yield from chunk_outcomes


def _outcomes(claim: Claim, trials: int, seed: int, max_n: int, pool: TrialPool | None, progress: bool) -> Iterator[Outcome]:
    slots = 1 if pool is None else pool.slots
    chunks = _chunks(trials, max(1, min(25, trials // (4 * slots) or 1)))
    if pool is None:
        results: Iterable[list[Outcome]] = (_run_chunk(claim, seed, chunk, max_n) for chunk in chunks)
    else:
        results = _in_order(pool, claim.name, seed, chunks, max_n)
    yield from _with_progress(claim.name, trials, results, progress)


def _merge_measurements(total: dict[str, Any], new: dict[str, Any]) -> None:
    """Numbers are summed, ``max_*``/``min_*`` keys keep the extreme, anything else is counted by value."""
    for key, value in new.items():
        if key.startswith("max_"):
            total[key] = max(total.get(key, value), value)
        elif key.startswith("min_"):
            total[key] = min(total.get(key, value), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
        else:
            counter = total.setdefault(key, {})
            counter[str(value)] = counter.get(str(value), 0) + 1


def run_claim(
    claim: Claim | str,
    *,
    trials: int = 100,
    seed: int = 0,
    max_n: int | None = None,
    workers: int = 1,
    pool: TrialPool | None = None,
    progress: bool = False,
    shrink: bool = True,
) -> ClaimReport:
    """Check ``claim`` on ``trials`` random instances; report counts, time and the smallest
    (shrunk) counterexample.

    Trial ``i`` draws its instance from ``numpy.random.default_rng([seed, i])`` and outcomes are
    read back in trial order, so the report (all but ``seconds``) is the same however the
    trials are spread: ``workers > 1`` runs them in that many local processes, ``pool`` on any
    executor, e.g. a Dask cluster from :func:`mirrorlib.verify.distributed.cluster_pool`.

    Parameters
    ----------
    claim : Claim or str
        A registered claim or its name (``mirrorlib verify --list``).
    trials : int
        Random instances to check (≥ 1).
    seed : int
        Seed of the instance stream.
    max_n : int, optional
        Largest data size drawn (default: the claim's own).
    workers : int
        Local processes.
    pool : TrialPool, optional
        An executor to run the trials on (e.g. a Dask cluster); overrides ``workers``.
    progress : bool
        Show progress (rich on a terminal, a line every 10 s when redirected).
    shrink : bool
        Shrink the smallest counterexample greedily before reporting it.

    Returns
    -------
    ClaimReport
        ``status`` is ``"holds"`` or ``"FAILS"``; a failure carries an exact, replayable counterexample.

    Raises
    ------
    ValueError
        For an unknown claim name or ``trials < 1``.

    Examples
    --------
    >>> report = run_claim("dictionary-size-bounds", trials=3, seed=1)
    >>> report.status, report.tried, report.failed
    ('holds', 3, 0)
    """
    resolved = get_claim(claim) if isinstance(claim, str) else claim
    if trials < 1:
        raise ValueError(f"trials must be ≥ 1, got {trials}")
    if seed < 0:
        raise ValueError(f"seed must be ≥ 0 (numpy seeds are non-negative), got {seed}")
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1, got {workers}")
    if pool is not None and workers > 1:
        raise ValueError("give workers (local processes) or pool (an executor), not both")
    size_limit = resolved.default_max_n if max_n is None else max_n
    check_max_n(resolved, size_limit)
    start = time.perf_counter()
    passed = failed = skipped = 0
    smallest: Counterexample | None = None
    measurements: dict[str, Any] = {}
    with _local_pool(workers) if pool is None else nullcontext(pool) as active:
        for outcome in _outcomes(resolved, trials, seed, size_limit, active, progress):
            _merge_measurements(measurements, outcome.measurements)
            if outcome.skipped is not None:
                skipped += 1
            elif outcome.passed:
                passed += 1
            else:
                failed += 1
                witness = outcome.counterexample
                if witness is not None and (smallest is None or witness.size < smallest.size):
                    smallest = witness
    if smallest is not None and shrink:
        smallest = shrink_counterexample(resolved, smallest)
    return ClaimReport(
        name=resolved.name,
        statement=resolved.statement,
        reference=resolved.reference,
        seed=seed,
        max_n=size_limit,
        tried=trials,
        passed=passed,
        failed=failed,
        skipped=skipped,
        seconds=time.perf_counter() - start,
        smallest=smallest,
        measurements=measurements,
    )


def shrink_counterexample(claim: Claim, counterexample: Counterexample, max_steps: int = 200) -> Counterexample:
    """Greedy shrinking: replace the instance by a smaller variant while the claim still fails.

    Parameters
    ----------
    claim : Claim
        The claim, with its ``shrink`` (variants of an instance, most reducing first).
    counterexample : Counterexample
        A failure of ``claim``.
    max_steps : int
        Stop after this many successful shrinks.

    Returns
    -------
    Counterexample
        A failure on an instance no shrink variant of which fails.

    Examples
    --------
    >>> from mirrorlib.verify.registry import Claim, Counterexample, Outcome
    >>> claim = Claim('toy', 'lists have no 3', 'none', lambda rng, n: {'xs': [1, 3, 5]}, lambda inst: Outcome(3 not in inst['xs'], None if 3 not in inst['xs'] else Counterexample('toy', inst, {}, len(inst['xs']))), lambda inst: ({'xs': inst['xs'][:i] + inst['xs'][i + 1:]} for i in range(len(inst['xs']))), 5)
    >>> shrink_counterexample(claim, Counterexample('toy', {'xs': [1, 3, 5]}, {}, 3)).instance
    {'xs': [3]}
    """
    if claim.shrink is None:
        return counterexample
    current = counterexample
    for _ in range(max_steps):
        for candidate in claim.shrink(current.instance):
            outcome = claim.check(candidate)
            if outcome.skipped is None and not outcome.passed and outcome.counterexample is not None:
                current = outcome.counterexample
                break
        else:
            return current
    return current


def save_counterexample(counterexample: Counterexample, directory: str | Path) -> Path:
    """Write the counterexample as JSON (name from claim and content hash); return the path.

    Parameters
    ----------
    counterexample : Counterexample
    directory : str or Path
        Created if missing.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, json
    >>> from mirrorlib.verify.registry import Counterexample
    >>> example = Counterexample('my-claim', {'X': ['0', '1']}, {'gap': '1/2'}, 2)
    >>> path = save_counterexample(example, tempfile.mkdtemp())
    >>> path.suffix, json.loads(path.read_text())['claim']
    ('.json', 'my-claim')
    """
    text = json.dumps(counterexample.as_json(), indent=2, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    path = Path(directory) / f"{counterexample.claim}-{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return path


def load_counterexample(path: str | Path) -> dict[str, Any]:
    """A saved counterexample (``{"claim", "instance", …}``); ``ValueError`` saying what is wrong with the file."""
    file = Path(path)
    if not file.exists():
        raise ValueError(f"no file {str(path)!r}; give the path of a counterexample saved with --save")
    if file.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; give one counterexample JSON file from it")
    try:
        saved = json.loads(file.read_text())
    except UnicodeDecodeError:
        raise ValueError(f"{str(path)!r} is not a text file; give a counterexample JSON file") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{str(path)!r} is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(saved, dict) or not {"claim", "instance"} <= set(saved):
        raise ValueError(f"{str(path)!r} is not a saved counterexample: it needs the keys 'claim' and 'instance'")
    get_claim(str(saved["claim"]))  # ValueError listing the known claims
    return saved


def replay(path: str | Path) -> Outcome:
    """Re-run the claim of a saved counterexample on its instance (the file is checked first).

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_counterexample` (or ``mirrorlib verify --save``).

    Returns
    -------
    Outcome
        ``passed`` is False while the counterexample still holds.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from mirrorlib.verify.registry import Counterexample, get_claim
    >>> claim = get_claim('lasso-network-equivalence')
    >>> instance = claim.draw(np.random.default_rng(0), 4)
    >>> path = save_counterexample(Counterexample(claim.name, instance, {}, 4), tempfile.mkdtemp())
    >>> replay(path).passed
    True
    """
    saved = load_counterexample(path)
    try:
        return get_claim(str(saved["claim"])).check(saved["instance"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{str(path)!r}: its instance does not fit claim {saved['claim']!r} ({error})") from None
