"""Hypothesis strategies and helpers for property-testing mirrorlib and new activations.

Requires the ``testing`` extra (``pip install "mirrorlib[testing]"``), which brings hypothesis.
"""

from mirrorlib.testing.checks import ActivationVerdict, OutOfScope, assert_library_complete, completeness_verdict

__all__ = ["ActivationVerdict", "OutOfScope", "assert_library_complete", "completeness_verdict"]
