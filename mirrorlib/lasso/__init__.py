"""The Lasso ``min ½‖A z + ξ1 − y‖² + β‖z‖₁``: the exact homotopy (:mod:`.homotopy`), the float
solver (:mod:`.active_set`), their results (:mod:`.solutions`), certificates (:mod:`.certificate`)
and the set of all optima (:mod:`.landscape`).

Examples
--------
>>> from mirrorlib.lasso import solve_lasso_exact
>>> solve_lasso_exact([[0], [1], [2]], [0, 1, 2], "1/10").z
(Fraction(19, 20),)
"""

from mirrorlib.lasso.active_set import solve_lasso
from mirrorlib.lasso.homotopy import solve_lasso_exact
from mirrorlib.lasso.solutions import BETA_TO_ZERO, ExactLassoSolution, FloatLassoSolution, PathKnot

__all__ = ["BETA_TO_ZERO", "PathKnot", "ExactLassoSolution", "FloatLassoSolution", "solve_lasso_exact", "solve_lasso"]
