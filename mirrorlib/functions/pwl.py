"""Exact piecewise-linear functions of one real variable.

A :class:`PWL` ``f`` is stored in canonical form by

* breakpoints ``b_1 < … < b_k`` (exact rationals),
* ``k + 1`` affine pieces ``f(t) = m_i t + c_i`` on the open intervals
  ``(b_i, b_{i+1})`` with ``b_0 = −∞`` and ``b_{k+1} = +∞`` (so both unbounded pieces are explicit),
* the value ``f(b_i)`` at each breakpoint, stored separately so that jumps (sign, threshold)
  are represented exactly, including which side the value at the jump belongs to.

Canonical form means no breakpoint is redundant: at every ``b_i`` the two neighbouring pieces
differ, or the stored value differs from them. Two PWL functions are therefore equal as
functions on ℝ iff their canonical data are equal, and ``==`` is exact equality of functions.

Everything is closed under the operations neural networks need: ``+``, ``−``, scalar ``×``,
affine maps of input and output, and composition ``σ ∘ f`` with a PWL activation ``σ``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from mirrorlib.numbers.exact import format_rational, to_rational, to_rational_vector

if TYPE_CHECKING:
    import sympy

__all__ = ["PWL"]

Affine = tuple[Fraction, Fraction]  # (slope, intercept)


@dataclass(frozen=True, eq=False)
class PWL:
    """A piecewise-linear function ℝ → ℝ with exact rational data (see module docstring).

    Build one with :meth:`affine`, :meth:`continuous`, :meth:`from_pieces` or
    :meth:`from_sympy`; the raw constructor validates and canonicalises its arguments.

    Examples
    --------
    >>> from fractions import Fraction
    >>> relu = PWL.continuous([0], [0], left_slope=0, right_slope=1)
    >>> f = relu.compose(PWL.affine(-1, 3))          # relu(3 − t)
    >>> f(Fraction(1)), f(5)
    (Fraction(2, 1), Fraction(0, 1))
    >>> f.breakpoints
    (Fraction(3, 1),)
    """

    breakpoints: tuple[Fraction, ...]
    slopes: tuple[Fraction, ...]
    intercepts: tuple[Fraction, ...]
    values: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        k = len(self.breakpoints)
        if len(self.slopes) != k + 1 or len(self.intercepts) != k + 1 or len(self.values) != k:
            raise ValueError(
                "a PWL with k breakpoints needs k+1 slopes, k+1 intercepts and k values; got "
                f"{k}, {len(self.slopes)}, {len(self.intercepts)}, {len(self.values)}"
            )
        if any(left >= right for left, right in zip(self.breakpoints, self.breakpoints[1:])):
            raise ValueError(f"breakpoints must be strictly increasing, got {self.breakpoints}")
        canonical = _drop_redundant_breakpoints(self.breakpoints, self.slopes, self.intercepts, self.values)
        for field_name, field_value in zip(("breakpoints", "slopes", "intercepts", "values"), canonical):
            object.__setattr__(self, field_name, field_value)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_slopes(cls, breakpoints: Sequence[object], slopes: Sequence[object], *, value_at_first: object = 0) -> PWL:
        """The continuous PWL with breakpoints ``b_1 < … < b_k``, slopes ``m_0, …, m_k`` on the
        ``k + 1`` pieces, and ``f(b_1) = value_at_first`` (``f(0) = value_at_first`` when k = 0)."""
        bps = to_rational_vector(breakpoints, name="breakpoints") if len(breakpoints) else ()
        ms = to_rational_vector(slopes, name="slopes")
        if len(ms) != len(bps) + 1:
            raise ValueError(f"need len(slopes) == len(breakpoints) + 1, got {len(ms)} slopes for {len(bps)} breakpoints")
        start = to_rational(value_at_first, name="value_at_first")
        if not bps:
            return cls.affine(ms[0], start)
        values = [start]
        for (left, right), slope in zip(zip(bps, bps[1:]), ms[1:-1]):
            values.append(values[-1] + slope * (right - left))
        return cls.continuous(bps, values, left_slope=ms[0], right_slope=ms[-1])

    @classmethod
    def from_pieces(
        cls,
        breakpoints: Sequence[object],
        slopes: Sequence[object],
        intercepts: Sequence[object],
        values: Sequence[object] | None = None,
    ) -> PWL:
        """Build from raw data: pieces ``m_i t + c_i``; ``values`` at the breakpoints default to
        the right-hand piece's value (right-continuous)."""
        bps = tuple(to_rational(b, name="breakpoints") for b in breakpoints)
        ms = tuple(to_rational(m, name="slopes") for m in slopes)
        cs = tuple(to_rational(c, name="intercepts") for c in intercepts)
        if values is None:
            if len(ms) != len(bps) + 1 or len(cs) != len(bps) + 1:
                raise ValueError("need len(slopes) == len(intercepts) == len(breakpoints) + 1")
            vals = tuple(ms[i + 1] * b + cs[i + 1] for i, b in enumerate(bps))
        else:
            vals = tuple(to_rational(v, name="values") for v in values)
        return cls(bps, ms, cs, vals)

    @classmethod
    def affine(cls, slope: object = 1, intercept: object = 0) -> PWL:
        """The affine function ``t ↦ slope·t + intercept`` (no breakpoints)."""
        return cls((), (to_rational(slope, name="slope"),), (to_rational(intercept, name="intercept"),), ())

    @classmethod
    def constant(cls, value: object) -> PWL:
        """The constant function ``t ↦ value``."""
        return cls.affine(0, value)

    @classmethod
    def continuous(
        cls,
        breakpoints: Sequence[object],
        values: Sequence[object],
        *,
        left_slope: object,
        right_slope: object,
    ) -> PWL:
        """The continuous PWL interpolating ``(b_i, v_i)`` with the given slopes on the two
        unbounded pieces. Breakpoints must be strictly increasing."""
        bps = to_rational_vector(breakpoints, name="breakpoints") if len(breakpoints) else ()
        vals = to_rational_vector(values, name="values") if len(values) else ()
        if len(bps) != len(vals):
            raise ValueError(f"breakpoints and values must have equal length, got {len(bps)} and {len(vals)}")
        if not bps:
            raise ValueError("continuous() needs at least one breakpoint; use PWL.affine for an affine function")
        m_left = to_rational(left_slope, name="left_slope")
        m_right = to_rational(right_slope, name="right_slope")
        slopes = [m_left]
        intercepts = [vals[0] - m_left * bps[0]]
        for (b0, v0), (b1, v1) in zip(zip(bps, vals), zip(bps[1:], vals[1:])):
            if b1 <= b0:
                raise ValueError(f"breakpoints must be strictly increasing, got {bps}")
            slope = (v1 - v0) / (b1 - b0)
            slopes.append(slope)
            intercepts.append(v0 - slope * b0)
        slopes.append(m_right)
        intercepts.append(vals[-1] - m_right * bps[-1])
        return cls(bps, tuple(slopes), tuple(intercepts), vals)

    # ------------------------------------------------------------------ evaluation
    def piece_index(self, t: Fraction) -> int:
        """Index ``i`` of the open piece containing ``t`` (``t`` must not be a breakpoint)."""
        return bisect.bisect_right(self.breakpoints, t)

    def __call__(self, t: object) -> Fraction:
        """Exact value ``f(t)``; at a breakpoint this is the stored value (jumps included)."""
        point = to_rational(t, name="t")
        index = bisect.bisect_left(self.breakpoints, point)
        if index < len(self.breakpoints) and self.breakpoints[index] == point:
            return self.values[index]
        return self.slopes[index] * point + self.intercepts[index]

    def restrict(self, points: Iterable[object]) -> tuple[Fraction, ...]:
        """Exact values at the given points, e.g. the feature column ``f(X)``: the same values
        as ``f(t)`` at each point, computed on integers over one common denominator.

        With the points ``t = n/D`` (``D`` the least common denominator), ``b_j ≤ t`` exactly
        when ``⌈b_j D⌉ ≤ n``, and on piece ``i`` the value ``m_i t + c_i`` is ``(n·m_i E/D + c_i E)/E``
        for ``E`` a common multiple of every ``D·den(m_i)``, ``den(c_i)`` and ``den(f(b_j))``:
        a few passes over integer arrays, and one normalised Fraction per point at the end,
        instead of several Fraction operations per point.

        Examples
        --------
        >>> relu = PWL.continuous([0], [0], left_slope=0, right_slope=1)
        >>> relu.compose(PWL.affine(-1, 3)).restrict([1, "7/2", 3, "-1/3"])
        (Fraction(2, 1), Fraction(0, 1), Fraction(0, 1), Fraction(10, 3))
        >>> step = PWL.from_pieces(["1/3"], [0, 0], [-1, 1], values=[0])  # a jump at 1/3, valued 0 there
        >>> step.restrict([0, "1/3", 1]) == tuple(step(t) for t in [0, "1/3", 1]) == (-1, 0, 1)
        True
        """
        rationals = [to_rational(point, name="points") for point in points]
        if not rationals:
            return ()
        common = math.lcm(*(value.denominator for value in rationals))
        numerators = np.array([value.numerator * (common // value.denominator) for value in rationals], dtype=object)
        scale = math.lcm(
            *(common * slope.denominator for slope in self.slopes),
            *(intercept.denominator for intercept in self.intercepts),
            *(value.denominator for value in self.values),
        )
        piece = np.zeros(numerators.size, dtype=np.int64)
        for breakpoint in self.breakpoints:
            piece += numerators >= -((-breakpoint.numerator * common) // breakpoint.denominator)  # ⌈b D⌉ ≤ n
        scaled = np.empty(numerators.size, dtype=object)
        for index, (slope, intercept) in enumerate(self.pieces):
            on_piece = piece == index
            factor = slope.numerator * (scale // (common * slope.denominator))
            scaled[on_piece] = numerators[on_piece] * factor + intercept.numerator * (scale // intercept.denominator)
        for breakpoint, value in zip(self.breakpoints, self.values):
            if (breakpoint.numerator * common) % breakpoint.denominator == 0:  # b D is an integer: some n may equal it
                scaled[numerators == breakpoint.numerator * common // breakpoint.denominator] = value.numerator * (scale // value.denominator)
        return tuple(Fraction(int(value), scale) for value in scaled)

    def evaluate(self, t: np.ndarray | Sequence[float] | float) -> np.ndarray:
        """Vectorised float64 evaluation (values at breakpoints included, jumps honoured)."""
        grid = np.asarray(t, dtype=np.float64)
        bps, slopes, intercepts, values = self.float_arrays()
        index = np.searchsorted(bps, grid, side="right")
        result = slopes[index] * grid + intercepts[index]
        if bps.size:
            at_left = np.searchsorted(bps, grid, side="left")
            on_breakpoint = (at_left < bps.size) & (bps[np.minimum(at_left, bps.size - 1)] == grid)
            result = np.where(on_breakpoint, values[np.minimum(at_left, bps.size - 1)], result)
        return result

    def float_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(breakpoints, slopes, intercepts, values)`` as float64 arrays."""
        return (
            np.array([float(b) for b in self.breakpoints], dtype=np.float64),
            np.array([float(m) for m in self.slopes], dtype=np.float64),
            np.array([float(c) for c in self.intercepts], dtype=np.float64),
            np.array([float(v) for v in self.values], dtype=np.float64),
        )

    # ------------------------------------------------------------------ properties
    @property
    def pieces(self) -> tuple[Affine, ...]:
        """``(slope, intercept)`` of each of the ``k + 1`` pieces, left to right."""
        return tuple(zip(self.slopes, self.intercepts))

    @property
    def is_continuous(self) -> bool:
        """True iff ``f`` has no jump: at each breakpoint both pieces meet the stored value."""
        return all(
            self.slopes[i] * b + self.intercepts[i] == value == self.slopes[i + 1] * b + self.intercepts[i + 1]
            for i, (b, value) in enumerate(zip(self.breakpoints, self.values))
        )

    @property
    def jumps(self) -> tuple[Fraction, ...]:
        """Breakpoints at which ``f`` is discontinuous."""
        return tuple(
            b
            for i, (b, value) in enumerate(zip(self.breakpoints, self.values))
            if not (self.slopes[i] * b + self.intercepts[i] == value == self.slopes[i + 1] * b + self.intercepts[i + 1])
        )

    def left_limit(self, t: Fraction) -> Fraction:
        """``lim_{s↑t} f(s)``."""
        index = bisect.bisect_left(self.breakpoints, t)
        return self.slopes[index] * t + self.intercepts[index]

    def right_limit(self, t: Fraction) -> Fraction:
        """``lim_{s↓t} f(s)``."""
        index = bisect.bisect_right(self.breakpoints, t)
        return self.slopes[index] * t + self.intercepts[index]

    # ------------------------------------------------------------------ algebra
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PWL):
            return NotImplemented
        return (self.breakpoints, self.slopes, self.intercepts, self.values) == (
            other.breakpoints,
            other.slopes,
            other.intercepts,
            other.values,
        )

    def __hash__(self) -> int:
        return hash((self.breakpoints, self.slopes, self.intercepts, self.values))

    def _pointwise(self, other: PWL, combine_slope, combine_value) -> PWL:  # type: ignore[no-untyped-def]
        merged = tuple(sorted(set(self.breakpoints) | set(other.breakpoints)))
        slopes, intercepts = [], []
        for sample in _interval_samples(merged):
            (m1, c1), (m2, c2) = self.pieces[self.piece_index(sample)], other.pieces[other.piece_index(sample)]
            slopes.append(combine_slope(m1, m2))
            intercepts.append(combine_value(c1, c2))
        values = tuple(combine_value(self(b), other(b)) for b in merged)
        return PWL(merged, tuple(slopes), tuple(intercepts), values)

    def __add__(self, other: PWL | object) -> PWL:
        other_pwl = other if isinstance(other, PWL) else PWL.constant(other)
        return self._pointwise(other_pwl, lambda a, b: a + b, lambda a, b: a + b)

    __radd__ = __add__

    def __neg__(self) -> PWL:
        return self.scale_output(-1)

    def __sub__(self, other: PWL | object) -> PWL:
        other_pwl = other if isinstance(other, PWL) else PWL.constant(other)
        return self + (-other_pwl)

    def __rsub__(self, other: object) -> PWL:
        return (-self) + other

    def __mul__(self, scalar: object) -> PWL:
        if isinstance(scalar, PWL):
            raise TypeError("the product of two PWL functions is not piecewise linear; multiply by a number")
        return self.scale_output(scalar)

    __rmul__ = __mul__

    def scale_output(self, factor: object) -> PWL:
        """``t ↦ factor · f(t)``."""
        a = to_rational(factor, name="factor")
        return PWL(
            self.breakpoints,
            tuple(a * m for m in self.slopes),
            tuple(a * c for c in self.intercepts),
            tuple(a * v for v in self.values),
        )

    def affine_output(self, scale: object = 1, shift: object = 0) -> PWL:
        """``t ↦ scale · f(t) + shift``."""
        return self.scale_output(scale) + to_rational(shift, name="shift")

    def affine_input(self, scale: object = 1, shift: object = 0) -> PWL:
        """``t ↦ f(scale · t + shift)``; a negative scale mirrors the function."""
        a = to_rational(scale, name="scale")
        c = to_rational(shift, name="shift")
        if a == 0:
            return PWL.constant(self(c))
        bps = [(b - c) / a for b in self.breakpoints]
        pieces = [(m * a, m * c + k) for m, k in self.pieces]
        values = list(self.values)
        if a < 0:
            bps.reverse()
            pieces.reverse()
            values.reverse()
        return PWL(tuple(bps), tuple(m for m, _ in pieces), tuple(k for _, k in pieces), tuple(values))

    def compose(self, inner: PWL) -> PWL:
        """The composition ``self ∘ inner``: ``t ↦ self(inner(t))``, exactly.

        Breakpoints of the result are among the breakpoints of ``inner`` and the preimages,
        under each affine piece of ``inner``, of the breakpoints of ``self``. On a piece where
        ``inner`` is constant and equal to a breakpoint of ``self`` the result takes the
        stored (jump) value of ``self`` there.
        """
        candidates = set(inner.breakpoints)
        for (left, right), (m, c) in zip(_intervals(inner.breakpoints), inner.pieces):
            if m == 0:
                continue
            for b in self.breakpoints:
                preimage = (b - c) / m
                if (left is None or preimage > left) and (right is None or preimage < right):
                    candidates.add(preimage)
        merged = tuple(sorted(candidates))
        slopes, intercepts = [], []
        for sample in _interval_samples(merged):
            m, c = inner.pieces[inner.piece_index(sample)]
            if m == 0:
                slopes.append(Fraction(0))
                intercepts.append(self(c))
            else:
                outer_m, outer_c = self.pieces[self.piece_index(m * sample + c)]
                slopes.append(outer_m * m)
                intercepts.append(outer_m * c + outer_c)
        values = tuple(self(inner(b)) for b in merged)
        return PWL(merged, tuple(slopes), tuple(intercepts), values)

    # ------------------------------------------------------------------ sympy bridge
    def to_sympy(self, symbol: sympy.Symbol | None = None) -> sympy.Expr:
        """A sympy ``Piecewise`` equal to ``f`` (with ``Eq`` branches only at jumps)."""
        import sympy

        t = symbol if symbol is not None else sympy.Symbol("x", real=True)
        if not self.breakpoints:
            return sympy.Rational(self.slopes[0]) * t + sympy.Rational(self.intercepts[0])
        jumps = set(self.jumps)
        branches = []
        for i, b in enumerate(self.breakpoints):
            piece = sympy.Rational(self.slopes[i]) * t + sympy.Rational(self.intercepts[i])
            if b in jumps:
                branches.append((piece, t < sympy.Rational(b)))
                branches.append((sympy.Rational(self.values[i]), sympy.Eq(t, sympy.Rational(b))))
            else:
                branches.append((piece, t <= sympy.Rational(b)))
        branches.append((sympy.Rational(self.slopes[-1]) * t + sympy.Rational(self.intercepts[-1]), True))
        return sympy.Piecewise(*branches)

    @classmethod
    def from_sympy(cls, expression: sympy.Expr | str, symbol: sympy.Symbol | None = None) -> PWL:
        """Convert a piecewise-linear sympy expression of one variable.

        Supported: rational constants, the variable, ``+``, products with constants,
        ``Abs``, ``Max``, ``Min``, ``Heaviside`` (value at 0 as sympy defines it, ½, unless
        given), ``sign`` (sympy's ``sign(0) = 0``) and ``Piecewise`` with conditions that
        compare the variable to constants. Raises ``ValueError`` for anything that is not
        piecewise linear (``x**2``, ``exp``, products of non-constant terms, …).
        """
        from mirrorlib.functions._sympy_pwl import pwl_from_sympy

        return pwl_from_sympy(expression, symbol)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        if not self.breakpoints:
            return f"PWL({_affine_text(self.slopes[0], self.intercepts[0])})"
        parts = [f"{_affine_text(*self.pieces[0])} for t<{format_rational(self.breakpoints[0])}"]
        for i, b in enumerate(self.breakpoints):
            if b in self.jumps:
                parts.append(f"{format_rational(self.values[i])} at t={format_rational(b)}")
            upper = self.breakpoints[i + 1] if i + 1 < len(self.breakpoints) else None
            where = f"t>{format_rational(b)}" if upper is None else f"{format_rational(b)}<t<{format_rational(upper)}"
            parts.append(f"{_affine_text(*self.pieces[i + 1])} for {where}")
        return "PWL(" + "; ".join(parts) + ")"


def _affine_text(slope: Fraction, intercept: Fraction) -> str:
    if slope == 0:
        return format_rational(intercept)
    text = "t" if slope == 1 else "-t" if slope == -1 else f"{format_rational(slope)}*t"
    if intercept:
        text += f" {'+' if intercept > 0 else '-'} {format_rational(abs(intercept))}"
    return text


def _intervals(breakpoints: Sequence[Fraction]) -> list[tuple[Fraction | None, Fraction | None]]:
    """The ``k + 1`` open intervals cut out by ``k`` sorted breakpoints (``None`` = ±∞)."""
    edges: list[Fraction | None] = [None, *breakpoints, None]
    return list(zip(edges[:-1], edges[1:]))


def _interval_samples(breakpoints: Sequence[Fraction]) -> list[Fraction]:
    """One interior point of each open interval between sorted breakpoints."""
    if not breakpoints:
        return [Fraction(0)]
    samples = [breakpoints[0] - 1]
    samples.extend((left + right) / 2 for left, right in zip(breakpoints, breakpoints[1:]))
    samples.append(breakpoints[-1] + 1)
    return samples


def _drop_redundant_breakpoints(
    breakpoints: Sequence[Fraction],
    slopes: Sequence[Fraction],
    intercepts: Sequence[Fraction],
    values: Sequence[Fraction],
) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...], tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Merge collinear neighbours: drop ``b_i`` when both pieces agree and pass through ``f(b_i)``."""
    kept_bps: list[Fraction] = []
    kept_values: list[Fraction] = []
    kept_slopes = [slopes[0]]
    kept_intercepts = [intercepts[0]]
    for i, b in enumerate(breakpoints):
        right_piece = (slopes[i + 1], intercepts[i + 1])
        left_piece = (kept_slopes[-1], kept_intercepts[-1])
        if right_piece == left_piece and left_piece[0] * b + left_piece[1] == values[i]:
            continue
        kept_bps.append(b)
        kept_values.append(values[i])
        kept_slopes.append(right_piece[0])
        kept_intercepts.append(right_piece[1])
    return tuple(kept_bps), tuple(kept_slopes), tuple(kept_intercepts), tuple(kept_values)
