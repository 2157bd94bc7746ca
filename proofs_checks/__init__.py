"""One runnable verifier per claim of the paper / docs/theory.md.

Run one: ``python -m proofs_checks.<claim_module> --trials 200``; all under pytest:
``pytest proofs_checks``; or through the CLI: ``mirrorlib verify --list``.
"""
