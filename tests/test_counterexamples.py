"""Saved exact counterexamples (tests/counterexamples/*.json) still fail when replayed."""

import json
from fractions import Fraction
from pathlib import Path

import pytest

from mirrorlib.verify.registry import get_claim
from mirrorlib.verify.runner import replay

DIRECTORY = Path(__file__).parent / "counterexamples"
SAVED = sorted(DIRECTORY.glob("*.json"))


def test_the_product_rule_counterexample_is_saved():
    assert any(json.loads(path.read_text())["claim"] == "sign-dictionary-product-rule" for path in SAVED)


@pytest.mark.parametrize("path", SAVED, ids=[path.name for path in SAVED])
def test_saved_counterexample_still_fails(path):
    saved = json.loads(path.read_text())
    outcome = replay(path)
    assert outcome.skipped is None and not outcome.passed
    assert outcome.counterexample is not None
    assert outcome.counterexample.instance == saved["instance"]
    assert outcome.counterexample.witness == saved["witness"]


def test_smallest_product_rule_counterexample_is_the_documented_one_and_the_derived_rule_holds_there():
    """Rectangular widths (1, 2), depth 4, data 0, 1, 2: ∏ m_l = 2 allows (−1, 1, −1), but every neuron
    above layer 1 sees only the single layer-1 step, so K = m_1 = 1 and no unit produces it."""
    saved = json.loads(next(path for path in SAVED if "product-rule" in path.name).read_text())
    assert saved["instance"] == {"data": ["0", "1", "2"], "activation": "sign", "architecture": "rectangular", "widths": [1, 2], "depth": 4}
    assert saved["witness"]["vector"] == ["-1", "1", "-1"] and saved["witness"]["unit"] is None
    assert (saved["witness"]["closed_form_count"], saved["witness"]["ground_truth_count"]) == (8, 6)
    assert get_claim("sign-dictionary-size").check(saved["instance"]).passed


def test_deep_abs_counterexamples_are_saved_with_exact_witnesses():
    claims = {json.loads(path.read_text())["claim"] for path in SAVED}
    assert {"deep-narrow-abs-library", "deep-narrow-abs-library-depth4"} <= claims
    for path in SAVED:
        saved = json.loads(path.read_text())
        if saved["claim"].startswith("deep-narrow-abs"):
            witness = saved["witness"]
            assert Fraction(witness["unit_value λᵀu(X)"]) > Fraction(witness["library_value max_i |λᵀa_i|"])
            assert sum(Fraction(v) for v in witness["lambda (sorted data, 1ᵀλ = 0)"]) == 0
