"""Sign and threshold networks of any depth: exact units, closed-form libraries, ground truth.

One concept per module:

* :mod:`~mirrorlib.signnets.networks` — the amplitude parametrisation ``s·σ(wᵀh + b)``, tree and
  rectangular units, what is penalised, exact evaluation;
* :mod:`~mirrorlib.signnets.switching` — switching patterns, the switch bound ``K`` (tree:
  ``∏ m_l``; rectangular: ``m_1``; depth 2: 1) and the count ``2 Σ_{k≤K} C(n−1, k)``;
* :mod:`~mirrorlib.signnets.construction` — a unit realising every pattern with ``≤ K`` switches;
* :mod:`~mirrorlib.signnets.library` — :class:`SignLibrary`, the Lasso dictionary;
* :mod:`~mirrorlib.signnets.network` — :class:`SignNetwork` ``ξ + Σ α_i s_i σ(p_i)``, the exact
  balanced map from a Lasso solution and back (what :class:`mirrorlib.estimator.ConvexNet` rebuilds);
* :mod:`~mirrorlib.signnets.threshold_functions` — all linear threshold functions of ``m`` bits;
* :mod:`~mirrorlib.signnets.groundtruth` — exact enumeration of every feature a unit produces;
* :mod:`~mirrorlib.signnets.checks` / :mod:`~mirrorlib.signnets.reports` — closed form versus
  ground truth, with exact counterexamples, and CLI-ready reports;
* :mod:`~mirrorlib.signnets.claims` — the same comparison as ``mirrorlib verify`` claims
  (random JSON-able instances, outcomes, shrinking).
"""

from mirrorlib.signnets.checks import (
    SignCounterexample,
    SignDictionaryCheck,
    check_sign_dictionary,
    compare_with_ground_truth,
    sweep_sign_dictionaries,
)
from mirrorlib.signnets.construction import realising_unit
from mirrorlib.signnets.groundtruth import GroundTruth, ground_truth
from mirrorlib.signnets.library import SWITCH_RULES, SignFeature, SignLibrary, sign_library
from mirrorlib.signnets.network import SignLassoPoint, SignNetwork, balanced_network, from_lasso
from mirrorlib.signnets.networks import (
    SIGN_ACTIVATIONS,
    SIGN_ARCHITECTURES,
    Neuron,
    SignNetSpec,
    SignUnit,
    amplitude_penalty,
    neuron,
    parse_widths,
    sign_net_spec,
)
from mirrorlib.signnets.reports import (
    SignLibraryReport,
    sign_library_report,
)
from mirrorlib.signnets.switching import (
    count_switch_vectors,
    iter_switch_patterns,
    pattern_at_rank,
    pattern_rank,
    switch_bound,
    theory_switch_bound,
)
from mirrorlib.signnets.threshold_functions import ThresholdFunctionTable, threshold_functions

__all__ = [
    "SIGN_ACTIVATIONS",
    "SIGN_ARCHITECTURES",
    "SWITCH_RULES",
    "GroundTruth",
    "Neuron",
    "SignCounterexample",
    "SignDictionaryCheck",
    "SignFeature",
    "SignLassoPoint",
    "SignLibrary",
    "SignLibraryReport",
    "SignNetSpec",
    "SignNetwork",
    "SignUnit",
    "ThresholdFunctionTable",
    "amplitude_penalty",
    "balanced_network",
    "check_sign_dictionary",
    "compare_with_ground_truth",
    "count_switch_vectors",
    "from_lasso",
    "ground_truth",
    "iter_switch_patterns",
    "neuron",
    "parse_widths",
    "pattern_at_rank",
    "pattern_rank",
    "realising_unit",
    "sign_library",
    "sign_library_report",
    "sign_net_spec",
    "sweep_sign_dictionaries",
    "switch_bound",
    "theory_switch_bound",
    "threshold_functions",
]
