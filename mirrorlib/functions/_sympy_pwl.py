"""Conversion of piecewise-linear sympy expressions to :class:`mirrorlib.functions.pwl.PWL`.

The translation is structural: ``Abs(e) = |·|∘e``, ``Max(a, b) = a + relu(b − a)``,
``Heaviside(e, h0) = H∘e``, ``sign(e) = sign∘e`` and ``Piecewise`` branch by branch, so every
supported expression maps to an exactly equal PWL function.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from mirrorlib.functions.pwl import PWL, _interval_samples

__all__ = ["pwl_from_sympy"]

_RELU = PWL.continuous([0], [0], left_slope=0, right_slope=1)
_ABS = PWL.continuous([0], [0], left_slope=-1, right_slope=1)
_SYMPY_SIGN = PWL((Fraction(0),), (Fraction(0), Fraction(0)), (Fraction(-1), Fraction(1)), (Fraction(0),))


def pwl_from_sympy(expression: sympy.Expr | str, symbol: sympy.Symbol | None = None) -> PWL:
    """Exact PWL equal to ``expression`` as a function of ``symbol`` (see PWL.from_sympy).

    Examples
    --------
    >>> pwl_from_sympy('Max(x, 0) - Max(x - 1, 0)').breakpoints
    (Fraction(0, 1), Fraction(1, 1))
    """
    expr = sympy.sympify(expression)
    free = sorted(expr.free_symbols, key=str)
    if symbol is None:
        if len(free) > 1:
            raise ValueError(f"expression has several variables {free}; pass symbol= to choose one")
        symbol = free[0] if free else sympy.Symbol("x", real=True)
    elif any(s != symbol for s in free):
        raise ValueError(f"expression depends on {free}, not only on {symbol}; substitute constants first")
    return _convert(expr, symbol)


def _rational(expr: sympy.Expr) -> Fraction:
    if not expr.is_Rational:
        raise ValueError(f"constant {expr} is not rational; mirrorlib's PWL functions are exact rational")
    return Fraction(int(expr.p), int(expr.q))


def _convert(expr: sympy.Expr, t: sympy.Symbol) -> PWL:
    if expr == t:
        return PWL.affine(1, 0)
    if not expr.has(t):
        return PWL.constant(_rational(sympy.nsimplify(expr)))
    if isinstance(expr, sympy.Add):
        total = PWL.constant(0)
        for term in expr.args:
            total = total + _convert(term, t)
        return total
    if isinstance(expr, sympy.Mul):
        constant_part, variable_part = expr.as_independent(t, as_Add=False)
        if isinstance(variable_part, sympy.Mul):
            raise ValueError(f"{expr} is a product of non-constant factors, which is not piecewise linear")
        return _convert(variable_part, t).scale_output(_rational(sympy.nsimplify(constant_part)))
    if isinstance(expr, sympy.Abs):
        return _ABS.compose(_convert(expr.args[0], t))
    if isinstance(expr, sympy.sign):
        return _SYMPY_SIGN.compose(_convert(expr.args[0], t))
    if isinstance(expr, sympy.Heaviside):
        at_zero = Fraction(1, 2) if len(expr.args) == 1 else _rational(expr.args[1])
        step = PWL((Fraction(0),), (Fraction(0), Fraction(0)), (Fraction(0), Fraction(1)), (at_zero,))
        return step.compose(_convert(expr.args[0], t))
    if isinstance(expr, (sympy.Max, sympy.Min)):
        return _fold_extremum(expr, t)
    if isinstance(expr, sympy.Piecewise):
        return _convert_piecewise(expr, t)
    raise ValueError(
        f"cannot convert {expr} to a piecewise-linear function: supported are +, constant ×, "
        "Abs, Max, Min, Heaviside, sign and Piecewise with conditions comparing the variable to constants"
    )


def _fold_extremum(expr: sympy.Expr, t: sympy.Symbol) -> PWL:
    arguments = [_convert(argument, t) for argument in expr.args]
    result = arguments[0]
    for other in arguments[1:]:
        # max(a, b) = a + relu(b − a);  min(a, b) = a − relu(a − b)
        if isinstance(expr, sympy.Max):
            result = result + _RELU.compose(other - result)
        else:
            result = result - _RELU.compose(result - other)
    return result


def _condition_constants(condition: sympy.Basic, t: sympy.Symbol) -> set[Fraction]:
    if condition in (sympy.true, sympy.false):
        return set()
    if isinstance(condition, (sympy.And, sympy.Or, sympy.Not)):
        constants: set[Fraction] = set()
        for argument in condition.args:
            constants |= _condition_constants(argument, t)
        return constants
    if isinstance(condition, sympy.core.relational.Relational):
        solutions = sympy.solve(sympy.Eq(condition.lhs, condition.rhs), t)
        difference = _convert(condition.lhs - condition.rhs, t)
        if difference.breakpoints or difference.slopes[0] == 0:
            raise ValueError(f"Piecewise condition {condition} must compare the variable linearly to a constant")
        return {_rational(solution) for solution in solutions}
    raise ValueError(f"unsupported Piecewise condition {condition}")


def _convert_piecewise(expr: sympy.Piecewise, t: sympy.Symbol) -> PWL:
    cut_points: set[Fraction] = set()
    branches = []
    for branch_expr, condition in expr.args:
        cut_points |= _condition_constants(condition, t)
        branches.append((_convert(branch_expr, t), condition))
    candidates = set(cut_points)
    for branch, _ in branches:
        candidates |= set(branch.breakpoints)
    points = tuple(sorted(candidates))

    def chosen_branch(at: Fraction) -> PWL:
        for branch, condition in branches:
            if bool(condition.subs(t, sympy.Rational(at.numerator, at.denominator))):
                return branch
        raise ValueError(f"Piecewise {expr} is undefined at {at}; add a final (expr, True) branch")

    pieces = []
    for sample in _interval_samples(points):
        branch = chosen_branch(sample)
        pieces.append(branch.pieces[branch.piece_index(sample)])
    values = tuple(chosen_branch(point)(point) for point in points)
    return PWL(points, tuple(m for m, _ in pieces), tuple(c for _, c in pieces), values)
