"""Exact linear algebra over the rationals, backed by python-flint's ``fmpq_mat``.

Matrices in the public API are Fraction matrices given as a sequence of rows
(``A[i][j]`` is row ``i``, column ``j``); vectors are sequences of Fractions. Internally the
heavy lifting is done by FLINT (``flint.fmpq_mat`` / ``flint.fmpq``, a required dependency),
which is one to two orders of magnitude faster than :class:`fractions.Fraction` arithmetic in
Python.

Two layers are provided:

* Fraction-level functions (``as_rational_matrix``, ``matvec``, ``rmatvec``, ``solve``,
  ``rank``, ``rref``, ``nullspace``, ``column_basis``, ``least_squares``): exact, pure, and
  convenient.
* A backend layer for hot loops (:class:`ExactMatrix`, :func:`to_scalar`, :func:`to_fraction`,
  :func:`solve_scalars`): vectors are lists of *backend scalars* (``flint.fmpq``). Backend scalars support ``+ - * /``, comparisons with
  ``int`` and each other, ``abs`` and ``-``; convert at the boundary with
  :func:`to_scalar` / :func:`to_fraction`.
"""

from __future__ import annotations

import math

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from mirrorlib.numbers.exact import to_rational

import flint as _flint

__all__ = [
    "RationalMatrix",
    "Scalar",
    "ExactMatrix",
    "exact_matrix",
    "SingularMatrixError",
    "as_rational_matrix",
    "matvec",
    "rmatvec",
    "solve",
    "rank",
    "rref",
    "nullspace",
    "column_basis",
    "least_squares",
    "to_scalar",
    "to_fraction",
    "solve_scalars",
    "dot",
    "dots",
]

RationalMatrix = tuple[tuple[Fraction, ...], ...]
"""An exact matrix: a tuple of equally long rows of Fractions."""

Scalar = Any
"""A backend scalar: ``flint.fmpq`` when python-flint is available, else ``Fraction``."""


class SingularMatrixError(ValueError):
    """Raised by :func:`solve` when the square system matrix is singular.

    Examples
    --------
    >>> solve([[1, 1], [1, 1]], [1, 2])
    Traceback (most recent call last):
    ...
    mirrorlib.numbers.linalg.SingularMatrixError: solve: the matrix is singular
    """


# --------------------------------------------------------------------------------------
# Conversions
# --------------------------------------------------------------------------------------


def to_scalar(value: Fraction | int) -> Scalar:
    """Convert a Fraction (or int) to a backend scalar (``flint.fmpq``).

    Examples
    --------
    >>> to_scalar(Fraction(1, 3)) * 3 == to_scalar(1)
    True
    """
    if isinstance(value, int):
        return _flint.fmpq(value)
    return _flint.fmpq(value.numerator, value.denominator)


def to_fraction(value: Scalar) -> Fraction:
    """Convert a backend scalar (``fmpq``, ``Fraction`` or ``int``) to a Fraction.

    Examples
    --------
    >>> import flint
    >>> to_fraction(flint.fmpq(3, 4))
    Fraction(3, 4)
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(int(value.p), int(value.q))


def as_rational_matrix(A: object, *, name: str = "A") -> RationalMatrix:
    """Convert a 2-D array-like (rows of numbers, or a numpy array) to an exact matrix.

    Floats are converted exactly (``Fraction(0.1)`` is the binary value of 0.1); strings such
    as ``"3/4"`` are parsed by :func:`mirrorlib.numbers.exact.to_rational`.

    Raises
    ------
    TypeError
        if ``A`` is not a sequence of rows, or an entry is not a number (message names
        ``name`` and the entry position).
    ValueError
        if ``A`` is empty, ragged, not two-dimensional, or has NaN/inf entries.

    Examples
    --------
    >>> as_rational_matrix([[1, '1/2'], [0, 2]])
    ((Fraction(1, 1), Fraction(1, 2)), (Fraction(0, 1), Fraction(2, 1)))
    """
    fast = _numpy_to_rows(A, name=name)
    if fast is not None:
        return fast
    if isinstance(A, (str, bytes)) or not isinstance(A, Sequence) and not hasattr(A, "__iter__"):
        raise TypeError(f"{name} must be a 2-D array (a sequence of rows), got {type(A).__name__}")
    rows = list(A)  # type: ignore[call-overload]
    if not rows:
        raise ValueError(f"{name} is empty; give at least one row and one column")
    width: int | None = None
    out: list[tuple[Fraction, ...]] = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise ValueError(
                f"{name} must be two-dimensional (a sequence of rows); row {i} is {row!r}"
            )
        converted = tuple(to_rational(v, name=f"{name}[{i}][{j}]") for j, v in enumerate(row))
        if width is None:
            width = len(converted)
        elif len(converted) != width:
            raise ValueError(
                f"{name} is ragged: row 0 has {width} entries but row {i} has {len(converted)}; "
                "all rows must have the same length"
            )
        out.append(converted)
    if not width:
        raise ValueError(f"{name} has no columns; give at least one column")
    return tuple(out)


def _numpy_to_rows(A: object, *, name: str) -> RationalMatrix | None:
    """Fast exact conversion of a real numpy array; ``None`` if ``A`` is not one."""
    if type(A).__module__ != "numpy" or not hasattr(A, "dtype"):
        return None
    arr = np.asarray(A)
    if arr.dtype.kind not in "iuf":
        return None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); give at least one row and one column")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite; entry {name}[{bad[0]}][{bad[1]}] is {arr[bad]!r}")
    if arr.dtype.kind == "f":
        return tuple(tuple(Fraction(v) for v in row) for row in arr.astype(np.float64).tolist())
    return tuple(tuple(Fraction(int(v)) for v in row) for row in arr.tolist())


def _to_flint_mat(A: Sequence[Sequence[Fraction]]) -> Any:
    nrows = len(A)
    ncols = len(A[0]) if nrows else 0
    return _flint.fmpq_mat(nrows, ncols, [to_scalar(v) for row in A for v in row])


def _from_flint_mat(mat: Any) -> RationalMatrix:
    entries = [to_fraction(v) for v in mat.entries()]
    ncols = mat.ncols()
    return tuple(tuple(entries[i * ncols : (i + 1) * ncols]) for i in range(mat.nrows()))


# --------------------------------------------------------------------------------------
# Fraction-level API
# --------------------------------------------------------------------------------------


def matvec(A: Sequence[Sequence[Fraction]], v: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Exact product ``A v`` (``A`` given by rows).

    Examples
    --------
    >>> matvec([[Fraction(1), Fraction(2)], [Fraction(0), Fraction(1)]], [Fraction(1), Fraction(1, 2)])
    (Fraction(2, 1), Fraction(1, 2))
    """
    if A and len(A[0]) != len(v):
        raise ValueError(f"matvec: A has {len(A[0])} columns but v has {len(v)} entries")
    return tuple(sum((a * b for a, b in zip(row, v)), Fraction(0)) for row in A)


def rmatvec(A: Sequence[Sequence[Fraction]], v: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Exact product ``Aᵀ v`` (``A`` given by rows), i.e. the correlations ``a_jᵀ v``.

    Examples
    --------
    >>> rmatvec([[Fraction(1), Fraction(2)], [Fraction(0), Fraction(1)]], [Fraction(1), Fraction(1, 2)])
    (Fraction(1, 1), Fraction(5, 2))
    """
    if len(A) != len(v):
        raise ValueError(f"rmatvec: A has {len(A)} rows but v has {len(v)} entries")
    if not A:
        return ()
    return tuple(ExactMatrix(A).rmatvec_fractions(v))


def solve(A: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """The unique solution ``x`` of the square system ``A x = b``.

    Raises :class:`SingularMatrixError` (a ``ValueError``) if ``A`` is singular, and
    ``ValueError`` if the shapes do not match.

    Examples
    --------
    >>> solve([[Fraction(2), Fraction(1)], [Fraction(1), Fraction(3)]], [Fraction(1), Fraction(2)])
    (Fraction(1, 5), Fraction(3, 5))
    """
    n = len(A)
    if any(len(row) != n for row in A) or len(b) != n:
        raise ValueError(f"solve needs a square n×n matrix and n right-hand sides; got n={n}, len(b)={len(b)}")
    if n == 0:
        return ()
    try:
        x = _to_flint_mat(A).solve(_flint.fmpq_mat(n, 1, [to_scalar(v) for v in b]))
    except ZeroDivisionError:
        raise SingularMatrixError("solve: the matrix is singular") from None
    return tuple(to_fraction(v) for v in x.entries())


def rref(A: Sequence[Sequence[Fraction]]) -> tuple[RationalMatrix, tuple[int, ...]]:
    """Reduced row echelon form of ``A`` and its pivot columns (exact).

    Examples
    --------
    >>> rref([[Fraction(2), Fraction(4)], [Fraction(1), Fraction(3)]])
    (((Fraction(1, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(1, 1))), (0, 1))
    """
    if not A or not A[0]:
        return tuple(tuple(row) for row in A), ()
    mat, _ = _to_flint_mat(A).rref()
    reduced = _from_flint_mat(mat)
    return reduced, _pivot_columns(reduced)


def _pivot_columns(reduced: RationalMatrix) -> tuple[int, ...]:
    pivots = []
    for row in reduced:
        for j, v in enumerate(row):
            if v != 0:
                pivots.append(j)
                break
    return tuple(pivots)


def rank(A: Sequence[Sequence[Fraction]]) -> int:
    """Exact rank of ``A``.

    Examples
    --------
    >>> rank([[Fraction(1), Fraction(2)], [Fraction(2), Fraction(4)]])
    1
    """
    if not A or not A[0]:
        return 0
    return int(_to_flint_mat(A).rank())


def column_basis(A: Sequence[Sequence[Fraction]]) -> tuple[int, ...]:
    """Indices of a basis of the column space of ``A``: the first linearly independent columns
    in left-to-right order (the pivot columns of the RREF).

    Examples
    --------
    >>> column_basis([[Fraction(1), Fraction(2), Fraction(0)], [Fraction(2), Fraction(4), Fraction(1)]])
    (0, 2)
    """
    return rref(A)[1]


def nullspace(A: Sequence[Sequence[Fraction]]) -> tuple[tuple[Fraction, ...], ...]:
    """A basis of ``{v : A v = 0}`` (one vector per free column of the RREF of ``A``).

    Examples
    --------
    >>> nullspace([[Fraction(1), Fraction(1), Fraction(1)]])
    ((Fraction(-1, 1), Fraction(1, 1), Fraction(0, 1)), (Fraction(-1, 1), Fraction(0, 1), Fraction(1, 1)))
    """
    if not A:
        return ()
    ncols = len(A[0])
    reduced, pivots = rref(A)
    free = [j for j in range(ncols) if j not in set(pivots)]
    basis = []
    for f in free:
        v = [Fraction(0)] * ncols
        v[f] = Fraction(1)
        for row_index, p in enumerate(pivots):
            v[p] = -reduced[row_index][f]
        basis.append(tuple(v))
    return tuple(basis)


def least_squares(A: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """The minimum-Euclidean-norm least-squares solution ``x = A⁺ b`` (exact).

    1. The fit ``p = A_C w`` is the projection of ``b`` onto the column space, with ``C`` a
       column basis of ``A`` and ``(A_Cᵀ A_C) w = A_Cᵀ b`` (nonsingular).
    2. The minimum-norm ``x`` with ``A x = p`` lies in the row space: ``x = A_Rᵀ μ`` with ``R``
       a basis of the rows of ``A`` and ``(A_R A_Rᵀ) μ = p_R`` (nonsingular).

    Examples
    --------
    >>> least_squares([[Fraction(1)], [Fraction(1)]], [Fraction(0), Fraction(1)])
    (Fraction(1, 2),)
    """
    nrows = len(A)
    if nrows != len(b):
        raise ValueError(f"least_squares: A has {nrows} rows but b has {len(b)} entries")
    if not A or not A[0]:
        return tuple(Fraction(0) for _ in (A[0] if A else ()))
    ncols = len(A[0])
    cols = column_basis(A)
    if not cols:
        return tuple(Fraction(0) for _ in range(ncols))
    sub = [[row[j] for j in cols] for row in A]
    gram = [[sum((sub[k][i] * sub[k][j] for k in range(nrows)), Fraction(0)) for j in range(len(cols))] for i in range(len(cols))]
    rhs = [sum((sub[k][i] * b[k] for k in range(nrows)), Fraction(0)) for i in range(len(cols))]
    w = solve(gram, rhs)
    fit = [sum((sub[k][i] * w[i] for i in range(len(cols))), Fraction(0)) for k in range(nrows)]
    # Minimum-norm x with A x = fit: x = Aᵀ μ where (A Aᵀ) μ = fit, restricted to a basis of the
    # row space of A (rows of A that are independent) so the system is nonsingular.
    transposed = [list(col) for col in zip(*A)]
    rows = column_basis(transposed)
    A_r = [A[i] for i in rows]
    gram_rows = [[sum((p * q for p, q in zip(A_r[i], A_r[j])), Fraction(0)) for j in range(len(rows))] for i in range(len(rows))]
    mu = solve(gram_rows, [fit[i] for i in rows])
    return tuple(sum((A_r[i][j] * mu[i] for i in range(len(rows))), Fraction(0)) for j in range(ncols))


# --------------------------------------------------------------------------------------
# Backend layer (hot loops): lists of backend scalars
# --------------------------------------------------------------------------------------


class ExactMatrix:
    """An immutable exact ``N × M`` matrix for repeated products ``A v`` and ``Aᵀ v``.

    Stored as a ``flint.fmpq_mat`` (products run in C), or, when built from integers on a
    common denominator (:meth:`from_integer_columns`), as that integer matrix, the rational
    copies being formed only when a method needs them. Vectors passed to and returned by the
    methods are lists of backend scalars (see :func:`to_scalar`), except for the ``*_fractions``
    helpers.

    Examples
    --------
    >>> M = ExactMatrix([[Fraction(1), Fraction(2)], [Fraction(3), Fraction(4)]])
    >>> M.nrows, M.ncols, M.column(1)
    (2, 2, [2, 4])
    """

    __slots__ = ("nrows", "ncols", "_rational", "_rational_transpose", "_integer_transpose")

    def __init__(self, rows: Sequence[Sequence[Fraction]]) -> None:
        nrows = len(rows)
        ncols = len(rows[0]) if rows else 0
        self._set(nrows, ncols, [to_scalar(v) for row in rows for v in row])

    def _set(self, nrows: int, ncols: int, entries: list[Scalar]) -> None:
        """Initialise from row-major backend scalars."""
        self.nrows, self.ncols = nrows, ncols
        self._integer_transpose: tuple[object, int] | None = None
        self._rational = _flint.fmpq_mat(nrows, ncols, entries)
        self._rational_transpose = None

    @property
    def _mat(self) -> Any:
        """``A`` as an ``fmpq_mat`` (formed on first use)."""
        if self._rational is None:
            self._rational = self._matT.transpose()
        return self._rational

    @property
    def _matT(self) -> Any:
        """``Aᵀ`` as an ``fmpq_mat`` (formed on first use, from ``A`` or from ``K/D``)."""
        if self._rational_transpose is None:
            if self._rational is not None:
                self._rational_transpose = self._rational.transpose()
            else:
                transpose, denominator = self._integer_transpose  # type: ignore[misc]
                rational = _flint.fmpq_mat(transpose)
                self._rational_transpose = rational if denominator == 1 else rational * _flint.fmpq(1, denominator)
        return self._rational_transpose

    @classmethod
    def from_array(cls, array: Any, *, name: str = "A") -> ExactMatrix:
        """The matrix of a 2-D numpy array: integers, or an object array of ``int`` and
        ``Fraction`` entries (as :meth:`FeatureLibrary.matrix(exact=True)
        <mirrorlib.protocols.FeatureLibrary.matrix>` returns); other arrays go through
        :func:`as_rational_matrix`.

        The entries are put on their least common denominator ``D`` and stored once as the
        integer matrix ``D·A``, from which the rational products are formed in C: a Python
        step per entry only to read its numerator and denominator. Errors name ``name``.

        Examples
        --------
        >>> import numpy as np
        >>> M = ExactMatrix.from_array(np.array([[Fraction(1, 2), 1], [0, Fraction(-3, 4)]], dtype=object))
        >>> [str(v) for v in M.rmatvec([to_scalar(1), to_scalar(1)])]
        ['1/2', '1/4']
        >>> ExactMatrix.from_array(np.array([[0.5, 2.0]])).column(0)
        [1/2]
        """
        values = np.asarray(array)
        if values.ndim != 2 or values.size == 0 or values.dtype.kind not in "iuO":
            return cls(as_rational_matrix(array, name=name))
        if values.dtype.kind in "iu":
            return cls.from_integer_columns(values.T, 1)
        try:
            denominators = _DENOMINATOR(values)
        except TypeError:  # an entry that is neither int nor Fraction: convert each one
            return cls(as_rational_matrix(array, name=name))
        denominator = math.lcm(1, *set(denominators.ravel().tolist()))
        return cls.from_integer_columns(_SCALED_NUMERATOR(values.T, denominator), denominator)

    @classmethod
    def from_integer_columns(cls, columns: Any, denominator: int) -> ExactMatrix:
        """The ``N × M`` matrix whose column ``j`` is ``columns[j] / denominator``.

        Parameters
        ----------
        columns : numpy.ndarray
            (M, N) integers: fixed-width, or an object array of Python integers.
        denominator : int
            Positive.

        Examples
        --------
        >>> import numpy as np
        >>> M = ExactMatrix.from_integer_columns(np.array([[1, 2, 3], [0, 0, 4]]), 4)
        >>> M.nrows, M.ncols, M.column(1)
        (3, 2, [0, 0, 1])
        """
        if getattr(columns, "ndim", 0) != 2 or columns.dtype.kind not in "iuO" or not (isinstance(denominator, int) and denominator > 0):
            raise ValueError("from_integer_columns needs a 2-D integer array (M, N) and a positive int denominator")
        n_columns, n_rows = columns.shape
        return cls._from_integer_transpose(_flint.fmpz_mat(n_columns, n_rows, columns.ravel().tolist()), denominator)

    @classmethod
    def _from_integer_transpose(cls, transpose: Any, denominator: int) -> ExactMatrix:
        """The matrix ``Kᵀ/D`` for an ``fmpz_mat`` ``K`` (M × N)."""
        out = cls.__new__(cls)
        out.nrows, out.ncols = transpose.ncols(), transpose.nrows()
        out._rational, out._rational_transpose, out._integer_transpose = None, None, (transpose, denominator)
        if denominator.bit_length() > cls.MAX_DENOMINATOR_BITS:  # products keep to the rationals
            out._rational_transpose = out._matT
            out._integer_transpose = (None, 0)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its integer form ``(K, D)``, or as its rational entries when ``D`` is large.

        Examples
        --------
        >>> import pickle
        >>> M = ExactMatrix([[Fraction(1, 2), Fraction(3)]])
        >>> pickle.loads(pickle.dumps(M)).column(0)
        [1/2]
        """
        form = self._integer_form()
        if form is not None:
            transpose, denominator = form
            return (_integer_backed, (self.ncols, self.nrows, [int(v) for v in transpose.entries()], denominator))
        return (_rational_backed, (self.nrows, self.ncols, [(int(v.p), int(v.q)) for v in self._mat.entries()]))

    @classmethod
    def from_scalar_columns(cls, columns: Sequence[Sequence[Scalar]], nrows: int) -> ExactMatrix:
        """The ``nrows × len(columns)`` matrix whose ``j``-th column is ``columns[j]``."""
        ncols = len(columns)
        entries = [columns[j][i] for i in range(nrows) for j in range(ncols)]
        out = cls.__new__(cls)
        out._set(nrows, ncols, entries)
        return out

    def matvec(self, v: Sequence[Scalar]) -> list[Scalar]:
        """``A v`` as a list of backend scalars; a sparse ``v`` on an integer-backed matrix is
        multiplied by the integer rows of its non-zero entries only (``A v = (w_Sᵀ K_S)ᵀ/(D d)``
        for ``v_S = w_S/d``)."""
        support = [j for j, x in enumerate(v) if x != 0]
        integer_form = None if self._rational is not None else self._integer_form()
        if integer_form is None or 4 * len(support) > self.ncols:
            return list((self._mat * _flint.fmpq_mat(self.ncols, 1, list(v))).entries())
        if not support:
            return [_flint.fmpq(0)] * self.nrows
        transpose, denominator = integer_form
        nonzero = [v[j] for j in support]
        scale = _common_denominator(nonzero)
        weights = _flint.fmpz_mat(1, len(support), _numerators_over(nonzero, scale))
        rows = _flint.fmpz_mat(len(support), self.nrows, [transpose[j, i] for j in support for i in range(self.nrows)])
        return [_ratio(x, denominator * scale) for x in (weights * rows).entries()]

    def rmatvec(self, v: Sequence[Scalar]) -> list[Scalar]:
        """``Aᵀ v`` as a list of backend scalars."""
        return self.rmatvec_scaled(v).entries()

    def rmatvec_scaled(self, v: Sequence[Scalar]) -> ScaledVector:
        """``Aᵀ v`` as integers over one denominator; entries are made only when read.

        The product runs on integers: ``Aᵀ = K/D`` for an integer matrix ``K``
        (built once) and ``v = w/d``, so ``Aᵀv = (K w)/(D d)`` — several times faster than a
        product of rational matrices when ``A`` has a small common denominator.
        """
        integer_form = self._integer_form()
        if integer_form is None:
            return ScaledVector(list((self._matT * _flint.fmpq_mat(self.nrows, 1, list(v))).entries()), 1)
        transpose, denominator = integer_form
        scale = _common_denominator(v)
        numerators = _flint.fmpz_mat(self.nrows, 1, _numerators_over(v, scale))
        return ScaledVector((transpose * numerators).entries(), denominator * scale)

    MAX_DENOMINATOR_BITS = 128
    """Above this common denominator size :meth:`rmatvec` keeps the rational product."""

    def _integer_form(self) -> tuple[object, int] | None:
        """``(K, D)`` with ``Aᵀ = K/D`` (FLINT ``fmpz_mat``), or None for a large ``D``."""
        if self._integer_transpose is None:
            entries = self._matT.entries()
            denominator = _common_denominator(entries)
            if denominator.bit_length() > self.MAX_DENOMINATOR_BITS:
                self._integer_transpose = (None, 0)
            else:
                self._integer_transpose = (_flint.fmpz_mat(self.ncols, self.nrows, _numerators_over(entries, denominator)), denominator)
        return None if self._integer_transpose[0] is None else self._integer_transpose

    def rmatvec_fractions(self, v: Sequence[Fraction]) -> list[Fraction]:
        """``Aᵀ v`` for a Fraction vector, returned as Fractions."""
        return [to_fraction(x) for x in self.rmatvec([to_scalar(x) for x in v])]

    def column(self, j: int) -> list[Scalar]:
        """Column ``j`` as a list of backend scalars."""
        if self._rational_transpose is None and self._rational is None:
            transpose, denominator = self._integer_transpose  # type: ignore[misc]
            return [_ratio(transpose[j, i], denominator) for i in range(self.nrows)]
        return [self._matT[j, i] for i in range(self.nrows)]

    def columns(self) -> list[list[Scalar]]:
        """All columns, each as a list of backend scalars."""
        flat = self._matT.entries()
        n = self.nrows
        return [list(flat[j * n : (j + 1) * n]) for j in range(self.ncols)]

    def centre_columns(self) -> tuple[ExactMatrix, list[Scalar]]:
        """``(Ã, means)`` with ``Ã = A − 1·meansᵀ`` (every column minus its mean)."""
        n = self.nrows
        ones = _flint.fmpq_mat(1, n, [1] * n)
        means = (ones * self._mat) * _flint.fmpq(1, n)
        centred = self._mat - _flint.fmpq_mat(n, 1, [1] * n) * means
        out = ExactMatrix.__new__(ExactMatrix)
        out._set(n, self.ncols, centred.entries())
        return out, list(means.entries())

    def gram(self) -> list[list[Scalar]]:
        """The Gram matrix ``AᵀA`` (``M × M``) as nested lists of backend scalars."""
        flat = (self._matT * self._mat).entries()
        m = self.ncols
        return [list(flat[i * m : (i + 1) * m]) for i in range(m)]


def _integer_backed(n_columns: int, n_rows: int, entries: list[int], denominator: int) -> ExactMatrix:
    """Unpickle an :class:`ExactMatrix` stored as ``Kᵀ/D``."""
    return ExactMatrix._from_integer_transpose(_flint.fmpz_mat(n_columns, n_rows, entries), denominator)


def _rational_backed(nrows: int, ncols: int, pairs: list[tuple[int, int]]) -> ExactMatrix:
    """Unpickle an :class:`ExactMatrix` stored as its rational entries (row-major)."""
    out = ExactMatrix.__new__(ExactMatrix)
    out._set(nrows, ncols, [_flint.fmpq(p, q) for p, q in pairs])
    return out


def exact_matrix(A: object, *, name: str = "A") -> ExactMatrix:
    """``A`` as an :class:`ExactMatrix`: returned as it is when it is one, numpy arrays through
    :meth:`ExactMatrix.from_array`, anything else through :func:`as_rational_matrix` (whose
    errors name ``name``).

    Examples
    --------
    >>> exact_matrix([[1, '1/2']]).column(1)
    [1/2]
    """
    if isinstance(A, ExactMatrix):
        return A
    if type(A).__module__ == "numpy":
        return ExactMatrix.from_array(A, name=name)
    return ExactMatrix(as_rational_matrix(A, name=name))


class ScaledVector:
    """A vector ``numerators[j] / denominator`` (``denominator > 0``) whose entries are built on
    access, so a product with thousands of entries costs nothing for the entries never read.

    Examples
    --------
    >>> v = ScaledVector([3, -6, 2], 6)
    >>> str(v[0]), str(v.max_abs()), v.where_abs_equals(to_scalar(1))
    ('1/2', '1', [1])
    """

    __slots__ = ("numerators", "denominator")

    def __init__(self, numerators: Sequence[object], denominator: int) -> None:
        self.numerators = numerators
        self.denominator = denominator

    def __len__(self) -> int:
        return len(self.numerators)

    def __getitem__(self, index: int) -> Scalar:
        return _ratio(self.numerators[index], self.denominator)

    def entries(self) -> list[Scalar]:
        return [_ratio(n, self.denominator) for n in self.numerators]

    def sign(self, index: int) -> int:
        value = self.numerators[index]
        return (value > 0) - (value < 0)

    def max_abs(self) -> Scalar:
        return _ratio(max((abs(n) for n in self.numerators), default=0), self.denominator)

    def where_abs_equals(self, value: Scalar) -> list[int]:
        """Indices ``j`` with ``|v_j| = value``, compared as integers."""
        target = value * self.denominator
        if _denominator(target) != 1:
            return []  # integers never equal a non-integer
        whole = _numerator(target)
        return [j for j, n in enumerate(self.numerators) if n == whole or n == -whole]


def _exact_denominator(value: object) -> int:
    """The denominator of an ``int`` or ``Fraction`` entry (``TypeError`` for anything else)."""
    if type(value) is int:
        return 1
    if type(value) is Fraction:
        return value.denominator
    raise TypeError(f"not an int or Fraction: {value!r}")


_DENOMINATOR = np.frompyfunc(_exact_denominator, 1, 1)
_SCALED_NUMERATOR = np.frompyfunc(lambda value, denominator: value.numerator * (denominator // value.denominator), 2, 1)


def _common_denominator(values: Sequence[Scalar]) -> int:
    """The least common denominator of backend scalars."""
    return math.lcm(1, *{int(x.q) for x in values})


def _numerators_over(values: Sequence[Scalar], denominator: int) -> list[int]:
    """The integers ``x·denominator`` of backend scalars whose denominators divide ``denominator``."""
    return [int(x.p) * (denominator // int(x.q)) for x in values]


def _ratio(numerator: object, denominator: int) -> Scalar:
    return _flint.fmpq(numerator, denominator)


def _numerator(value: Scalar) -> object:
    return value.p


def _denominator(value: Scalar) -> int:
    return int(value.q)


def solve_scalars(matrix: Sequence[Sequence[Scalar]], rhs: Sequence[Scalar]) -> list[Scalar]:
    """Solve the square nonsingular system ``matrix · x = rhs`` over backend scalars.

    Raises :class:`SingularMatrixError` if the matrix is singular.

    Examples
    --------
    >>> solution = solve_scalars([[to_scalar(2), to_scalar(0)], [to_scalar(0), to_scalar(4)]], [to_scalar(1), to_scalar(1)])
    >>> [to_fraction(v) for v in solution]
    [Fraction(1, 2), Fraction(1, 4)]
    """
    n = len(matrix)
    if n == 0:
        return []
    try:
        x = _flint.fmpq_mat(n, n, [v for row in matrix for v in row]).solve(_flint.fmpq_mat(n, 1, list(rhs)))
    except ZeroDivisionError:
        raise SingularMatrixError("the matrix is singular") from None
    return list(x.entries())


def dots(vectors: Sequence[Sequence[Scalar]], v: Sequence[Scalar]) -> list[Scalar]:
    """Exact inner products ``[wᵀv for w in vectors]`` (one FLINT matrix product).

    Examples
    --------
    >>> [to_fraction(v) for v in dots([[to_scalar(1), to_scalar(2)], [to_scalar(0), to_scalar(1)]], [to_scalar(3), to_scalar(Fraction(1, 2))])]
    [Fraction(4, 1), Fraction(1, 2)]
    """
    if not vectors:
        return []
    stacked = _flint.fmpq_mat(len(vectors), len(v), [x for w in vectors for x in w])
    return list((stacked * _flint.fmpq_mat(len(v), 1, list(v))).entries())


def dot(u: Sequence[Scalar], v: Sequence[Scalar]) -> Scalar:
    """Exact inner product ``uᵀ v`` of two backend-scalar vectors.

    Examples
    --------
    >>> dot([to_scalar(Fraction(1, 2)), to_scalar(2)], [to_scalar(2), to_scalar(Fraction(1, 4))]) == to_scalar(Fraction(3, 2))
    True
    """
    total = to_scalar(0)
    for a, b in zip(u, v):
        total += a * b
    return total

