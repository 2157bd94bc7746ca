"""Exact polyhedral primitives on pycddlib's GMP backend (imported lazily).

An *affine form* is a tuple ``(c, a_1, …, a_d)`` of Fractions standing for ``θ ↦ c + aᵀθ`` on
ℝ^d. A list of forms ``f_1 … f_m`` describes the closed polyhedron ``{θ : f_i(θ) ≥ 0 ∀i}`` —
exactly cdd's H-representation ``0 ≤ b + Aθ`` with rows ``[b, A]``. Everything here is exact
(GMP rationals inside cdd, :class:`fractions.Fraction` outside); no floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import ModuleType

__all__ = ["Form", "require_cdd", "strictly_interior_point", "minimal_face_points", "LPResult", "maximise"]

Form = Sequence[object]  # exact rationals: Fraction, int or python-flint fmpq (cdd reads them exactly)

_INSTALL_HINT = (
    "mirrorlib.groundtruth needs pycddlib (≥ 3.0.2) built with exact GMP arithmetic: "
    'pip install "mirrorlib[groundtruth]" (on Debian/Ubuntu first: apt-get install libcdd-dev libgmp-dev)'
)


def require_cdd() -> tuple[ModuleType, ModuleType]:
    """``(cdd, cdd.gmp)``, or an ``ImportError`` that says how to install them.

    Examples
    --------
    >>> cdd, gmp = require_cdd()
    >>> hasattr(gmp, 'linprog_from_array')
    True
    """
    try:
        import cdd
        import cdd.gmp
    except ImportError as error:  # pragma: no cover - exercised only without pycddlib
        raise ImportError(f"{_INSTALL_HINT} ({error})") from error
    return cdd, cdd.gmp


@dataclass(frozen=True)
class LPResult:
    """Outcome of :func:`maximise`: ``status`` is ``"optimal"``, ``"unbounded"``, ``"infeasible"`` or
    ``"dual_infeasible"`` (cdd proved the dual infeasible: the program is unbounded if it is
    feasible); ``value`` and ``point`` are exact and set only when optimal.

    Examples
    --------
    >>> maximise((0, 1), [(1, -1), (0, 1)], 1).status
    'optimal'
    >>> maximise((0, 1), [(0, 1)], 1).status  # θ ≥ 0 only: unbounded
    'dual_infeasible'
    """

    status: str
    value: Fraction | None = None
    point: tuple[Fraction, ...] | None = None


def maximise(objective: Form, constraints: Sequence[Form], dimension: int) -> LPResult:
    """Exactly maximise ``objective(θ)`` over ``{θ ∈ ℝ^d : f(θ) ≥ 0 for f in constraints}`` (cdd dual simplex).

    Examples
    --------
    Maximise θ subject to ``1 − θ ≥ 0`` and ``θ ≥ 0``:

    >>> result = maximise((0, 1), [(1, -1), (0, 1)], 1)
    >>> result.status, result.value, result.point
    ('optimal', Fraction(1, 1), (Fraction(1, 1),))
    """
    cdd, gmp = require_cdd()
    rows = [list(form) for form in constraints] or [[Fraction(0)] * (dimension + 1)]
    program = gmp.linprog_from_array([*rows, list(objective)], obj_type=cdd.LPObjType.MAX)
    gmp.linprog_solve(program)
    status = program.status
    if status == cdd.LPStatusType.OPTIMAL:
        point = tuple(Fraction(value) for value in program.primal_solution)
        return LPResult("optimal", Fraction(program.obj_value), point)
    if status == cdd.LPStatusType.UNBOUNDED:
        return LPResult("unbounded")
    if status in (cdd.LPStatusType.DUAL_INCONSISTENT, cdd.LPStatusType.STRUC_DUAL_INCONSISTENT):
        return LPResult("dual_infeasible")
    if status in (cdd.LPStatusType.INCONSISTENT, cdd.LPStatusType.STRUC_INCONSISTENT):
        return LPResult("infeasible")
    raise RuntimeError(f"cdd could not decide the linear program (status {status!r})")


def strictly_interior_point(constraints: Sequence[Form], dimension: int) -> tuple[Fraction, ...] | None:
    """A point θ with ``f(θ) > 0`` for every form, or ``None`` when there is none.

    The polyhedron ``{f ≥ 0}`` is full-dimensional iff such a point exists. Exact LP in
    ``(θ, t)``: maximise ``t`` subject to ``f(θ) − t ≥ 0`` and ``1 − t ≥ 0``; the interior is
    non-empty iff the optimum is positive, and then the optimal θ is strictly interior.

    Examples
    --------
    >>> strictly_interior_point([(1, -1), (0, 1)], 1) is not None
    True
    >>> strictly_interior_point([(0, -1), (0, 1)], 1) is None
    True
    """
    one, zero = Fraction(1), Fraction(0)
    lifted = [(*form, -one) for form in constraints]
    lifted.append((one, *([zero] * dimension), -one))
    objective = (zero, *([zero] * dimension), one)
    result = maximise(objective, lifted, dimension + 1)
    if result.status != "optimal" or result.value is None or result.value <= 0:
        return None
    assert result.point is not None
    return result.point[:dimension]


def minimal_face_points(constraints: Sequence[Form], dimension: int) -> list[tuple[Fraction, ...]]:
    """One exact point on every minimal face of the non-empty polyhedron ``{f ≥ 0}``.

    For a pointed polyhedron these are its vertices. With a lineality space cdd reports one
    point per minimal face (a translate of the lineality space); any point of it will do for
    maximising a functional that is constant along the lineality directions.

    cdd treats a homogeneous H-representation (all constants 0) as a cone and omits its apex
    from the generators; the redundant row ``1 ≥ 0`` is appended so that the apex is listed.

    Examples
    --------
    >>> sorted(minimal_face_points([(1, -1), (0, 1)], 1))
    [(Fraction(0, 1),), (Fraction(1, 1),)]
    """
    cdd, gmp = require_cdd()
    one, zero = Fraction(1), Fraction(0)
    rows = [list(form) for form in constraints] + [[one] + [zero] * dimension]
    matrix = gmp.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY)
    generators = gmp.copy_generators(gmp.polyhedron_from_matrix(matrix))
    points = []
    for index, row in enumerate(generators.array):
        if index in generators.lin_set or row[0] == 0:
            continue  # lines and rays
        scale = Fraction(row[0])
        points.append(tuple(Fraction(entry) / scale for entry in row[1:]))
    if not points:
        raise RuntimeError("cdd returned no point for a non-empty polyhedron; please report this")
    return points
