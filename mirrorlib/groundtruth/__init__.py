"""Ground truth for dual completeness (theory §3), by exact enumeration of bias-space cells.

* :mod:`.architectures` — narrow / width-2 / symmetrised units with fixed weights, free biases;
* :mod:`.cells` — exact depth-first enumeration of the full-dimensional linear regions;
* :mod:`.library` — :func:`ground_truth_library`: the unit features at all cell vertices;
* :mod:`.completeness` — exact λ-checks and the extreme-point (gauge) test against a library;
* :mod:`.numeric` — float64 grid + refinement cross-check of ``sup |λᵀu(X)|``.

Needs pycddlib with GMP (``pip install "mirrorlib[groundtruth]"``; imported lazily).
"""

from mirrorlib.groundtruth.architectures import ARCHITECTURES, Architecture, LayeredUnit, make_architecture
from mirrorlib.groundtruth.completeness import (
    CompletenessGap,
    MissingExtremePoint,
    completeness_gap,
    dominating_unit,
    extreme_points_missing,
    gauge,
)
from mirrorlib.groundtruth.library import GroundTruthEntry, GroundTruthLibrary, Provenance, ground_truth_library
from mirrorlib.groundtruth.numeric import NumericSup, numeric_sup, parameter_box

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "LayeredUnit",
    "make_architecture",
    "GroundTruthEntry",
    "GroundTruthLibrary",
    "Provenance",
    "ground_truth_library",
    "CompletenessGap",
    "MissingExtremePoint",
    "completeness_gap",
    "dominating_unit",
    "extreme_points_missing",
    "gauge",
    "NumericSup",
    "numeric_sup",
    "parameter_box",
]
