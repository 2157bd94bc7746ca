"""The Lasso ``min ½‖A z + ξ1 − y‖² + β‖z‖₁``: the exact homotopy and the float solver (:mod:`.path`),
certificates (:mod:`.certificate`) and the set of all optima (:mod:`.landscape`).

Examples
--------
>>> from mirrorlib.lasso import solve_lasso_exact
>>> solve_lasso_exact([[0], [1], [2]], [0, 1, 2], "1/10").z
(Fraction(19, 20),)
"""

from mirrorlib.lasso.path import BETA_TO_ZERO, ExactLassoSolution, FloatLassoSolution, PathKnot, solve_lasso, solve_lasso_exact

__all__ = ["BETA_TO_ZERO", "PathKnot", "ExactLassoSolution", "FloatLassoSolution", "solve_lasso_exact", "solve_lasso"]
