"""Theorem verifiers: a registry of claims, a deterministic parallel runner and reports.

Each claim lives in ``proofs_checks/<claim_name>.py`` (runnable on its own with
``python -m proofs_checks.<claim_name>``) and is registered here by name, e.g.
``deep-narrow-relu-stagnation``; ``mirrorlib verify`` runs them.
"""

from mirrorlib.verify.registry import Claim, Counterexample, Outcome, all_claims, get_claim
from mirrorlib.verify.runner import ClaimReport, run_claim

__all__ = ["Claim", "Counterexample", "Outcome", "ClaimReport", "all_claims", "get_claim", "run_claim"]
