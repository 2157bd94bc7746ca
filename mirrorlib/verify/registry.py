"""Claims: a statement, a generator of random exact instances and a trial that checks one.

A claim module in ``proofs_checks/`` defines ``CLAIM = Claim(...)``. Instances are plain data
(JSON-able: rationals as ``"p/q"`` strings) so that a failing instance can be saved, re-run
with :meth:`Claim.check` and turned into a regression test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Claim", "Outcome", "Counterexample", "all_claims", "get_claim", "CLAIMS_GROUP"]

Instance = dict[str, Any]


@dataclass(frozen=True)
class Counterexample:
    """An exact witness that a claim fails on ``instance``.

    ``witness`` holds the claim-specific exact evidence, e.g. the dual vector λ, the unit (signs,
    biases) that beats the library, and both values ``max_i |λᵀa_i|`` and ``|λᵀu(X)|`` as
    ``"p/q"`` strings.

    Examples
    --------
    >>> example = Counterexample('my-claim', {'X': ['0', '1']}, {'gap': '1/2'}, 2)
    >>> example.as_json()['claim'], example.size
    ('my-claim', 2)
    """

    claim: str
    instance: Instance
    witness: dict[str, Any]
    size: int  # for choosing the smallest: number of data points

    def as_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "size": self.size, "instance": self.instance, "witness": self.witness}


@dataclass(frozen=True)
class Outcome:
    """The result of one trial: passed, or failed with a counterexample; ``skipped`` trials
    (instance outside the claim's hypotheses) count as neither.

    Examples
    --------
    >>> import numpy as np
    >>> claim = get_claim('lasso-network-equivalence')
    >>> outcome = claim.check(claim.draw(np.random.default_rng(1), 4))
    >>> outcome.passed, outcome.counterexample
    (True, None)
    """

    passed: bool
    counterexample: Counterexample | None = None
    skipped: str | None = None
    measurements: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """A checkable statement of the paper (or of docs/theory.md).

    Attributes
    ----------
    name : str
        CLI name, e.g. ``"deep-narrow-relu-stagnation"``; the module is
        ``proofs_checks.deep_narrow_relu_stagnation``.
    statement : str
        One line, as the paper states it.
    reference : str
        Where it is stated, e.g. ``"Theorem 3.4"``.
    draw : Callable[[np.random.Generator, int], Instance]
        A random exact instance with at most ``max_n`` data points.
    check : Callable[[Instance], Outcome]
        Decide the claim on one instance, exactly.
    shrink : Callable[[Instance], Iterator[Instance]] | None
        Smaller variants of an instance (tried greedily on a failure to report the smallest
        counterexample).
    default_max_n : int
        The largest data size drawn when the user does not say.
    largest_n : int
        The largest ``max_n`` a run accepts: the exact check's cost grows fast with the number of
        points, and larger draws are refused in one line before any trial starts (the values of
        the shipped claims are measured: 5 trials at that size run in under about a minute on one
        core, in at most a few GB).

    Examples
    --------
    >>> claim = get_claim('dictionary-size-bounds')
    >>> outcome = claim.check(claim.draw(np.random.default_rng(0), 4))
    >>> outcome.passed
    True
    """

    name: str
    statement: str
    reference: str
    draw: Callable[[np.random.Generator, int], Instance]
    check: Callable[[Instance], Outcome]
    shrink: Callable[[Instance], Iterator[Instance]] | None = None
    default_max_n: int = 6
    largest_n: int = 500


CLAIMS_GROUP = "mirrorlib.claims"
"""Entry-point group through which packages register claims (``name = "module:CLAIM"``)."""


def all_claims() -> list[Claim]:
    """Every claim registered under the ``mirrorlib.claims`` entry-point group, sorted by name.

    The package never imports its verifiers: ``proofs_checks`` (or any other distribution)
    declares each claim in its ``pyproject.toml``::

        [project.entry-points."mirrorlib.claims"]
        two-layer-library = "proofs_checks.two_layer_library:CLAIM"

    Examples
    --------
    >>> "two-layer-library" in [claim.name for claim in all_claims()]
    True
    """
    from importlib.metadata import entry_points

    claims = {}
    for entry in entry_points(group=CLAIMS_GROUP):
        claim = entry.load()
        if not isinstance(claim, Claim):
            raise TypeError(f"entry point {entry.name} = {entry.value} is not a mirrorlib Claim")
        claims[claim.name] = claim
    return sorted(claims.values(), key=lambda claim: claim.name)


def get_claim(name: str) -> Claim:
    """The claim called ``name``; ``ValueError`` listing the known names otherwise.

    Parameters
    ----------
    name : str

    Returns
    -------
    Claim

    Examples
    --------
    >>> get_claim('two-layer-library').reference
    'Paper §2 (2-layer networks), theory §5'
    """
    for claim in all_claims():
        if claim.name == name:
            return claim
    known = ", ".join(claim.name for claim in all_claims())
    raise ValueError(f"unknown claim {name!r}; known claims: {known} (see `mirrorlib verify --list`)")
