"""Networks: the parallel network (:mod:`.parallel`), its exact map to and from a Lasso point
(:mod:`.lasso_map`, weights as exact surds from :mod:`mirrorlib.numbers.surd`), and the
non-convex training baseline (:mod:`.training`)."""

from mirrorlib.networks.parallel import ParallelNetwork
from mirrorlib.networks.lasso_map import LassoPoint, from_lasso, from_units, normalise_unit, to_lasso

__all__ = ["ParallelNetwork", "LassoPoint", "from_lasso", "from_units", "normalise_unit", "to_lasso"]
