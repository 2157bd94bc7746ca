"""Hypothesis strategies and helpers for property-testing mirrorlib and new activations.

Requires the ``testing`` extra (``pip install "mirrorlib[testing]"``), which brings hypothesis.
"""
