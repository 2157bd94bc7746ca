"""A float dictionary that grows by columns: the centred columns ``Ã``, column means and norms.

The float solver (:func:`mirrorlib.lasso.solve_lasso`) and the float certificate
(:func:`mirrorlib.lasso.float_certificate.certify_lasso_float`) work on the centred columns
``ã_j = a_j − ā_j 1`` (eliminating the intercept ξ): ``A = Ã + 1āᵀ``, so nothing else of ``A``
is needed. Column generation (:mod:`mirrorlib.column_generation`) solves the same Lasso again
after appending a few columns; a :class:`FloatDictionary` keeps ``Ã`` with spare capacity, so
that appending ``k`` columns writes ``O(Nk)`` numbers instead of the whole ``N × M`` matrix and
its centred copy again (at ``M`` = 249,003 columns on 500 points, 1 GB each).

Examples
--------
>>> import numpy as np
>>> first = FloatDictionary.of(np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0]]), spare=4)
>>> grown = first.appended(np.array([[1.0], [0.0], [2.0]]))
>>> grown.shape, grown.means.tolist(), first.shape
((3, 3), [2.0, 2.0, 1.0], (3, 2))
>>> grown.centred[:, 2].tolist()
[0.0, -1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["FloatDictionary", "float_matrix"]


def float_matrix(A: object, name: str = "A") -> np.ndarray:
    """``A`` as a 2-D, non-empty, finite float64 array, or a one-line ``ValueError``/``TypeError``
    naming ``name`` and the fix.

    Examples
    --------
    >>> float_matrix([[1, 2], [3, 4]]).dtype
    dtype('float64')
    >>> float_matrix([1, 2])
    Traceback (most recent call last):
    ...
    ValueError: A must be two-dimensional (N data points × M features), got shape (2,)
    """
    try:
        array = np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a 2-D array of real numbers ({error})") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (N data points × M features), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); give at least one row and one column")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or inf; remove or replace those entries")
    return array


@dataclass
class _Storage:
    """The buffers a chain of :class:`FloatDictionary` objects shares: columns ``[0, filled)`` are
    written and never change; later columns are spare."""

    centred: np.ndarray  # N × capacity, Fortran order
    means: np.ndarray
    norms: np.ndarray
    filled: int = 0

    @classmethod
    def empty(cls, n_rows: int, capacity: int) -> _Storage:
        """Buffers for ``capacity`` columns, refused (``MemoryLimitExceeded``, one line) when the
        centred columns would exceed :func:`~mirrorlib.libraries.library.memory_limit`."""
        from mirrorlib.libraries.library import MemoryLimitExceeded, format_bytes, memory_limit

        needed = 8 * n_rows * capacity
        if needed > memory_limit():
            raise MemoryLimitExceeded(
                f"the float dictionary would hold {capacity:,} columns on {n_rows} points, {format_bytes(needed)} "
                f"(limit {format_bytes(memory_limit())}); give fewer columns or a smaller spare, or raise the limit with MIRRORLIB_MAX_BYTES"
            )
        return cls(np.empty((n_rows, capacity), order="F"), np.empty(capacity), np.empty(capacity))


def _spare_columns(n_columns: int, spare: int | None) -> int:
    """Spare capacity to allocate: ``spare``, or by default ``max(256, M // 64)`` (1.6 % of ``M``)."""
    if spare is None:
        return max(256, n_columns // 64)
    if isinstance(spare, bool) or not isinstance(spare, (int, np.integer)) or spare < 0:
        raise ValueError(f"spare must be a whole number of columns ≥ 0, or None for the default; got {spare!r}")
    return int(spare)


def _centre_into(storage: _Storage, columns: np.ndarray, start: int) -> None:
    """Write ``columns`` (N × k) at position ``start`` of ``storage``: means, centred columns, norms
    (``columns`` may be the very block they are written to); the storage is then filled up to them."""
    stop = start + columns.shape[1]
    means = columns.mean(axis=0)
    centred = storage.centred[:, start:stop]
    np.subtract(columns, means, out=centred)
    storage.means[start:stop] = means
    storage.norms[start:stop] = np.sqrt(np.einsum("ij,ij->j", centred, centred))  # no N × k temporary
    storage.filled = stop


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class FloatDictionary:
    """The columns ``A`` (``N × M``, float64) of a Lasso as the float solver and certificate read
    them: ``Ã`` (columns centred, Fortran order), the column means ``ā`` and the norms ``‖ã_j‖``.

    Build one with :meth:`of`; :meth:`appended` returns a larger dictionary and leaves this one
    as it was. Appending to the newest dictionary of a chain writes only the new columns while
    spare capacity lasts; appending to an older one copies (both stay valid). All arrays are
    read-only views.

    Attributes
    ----------
    centred : ndarray (N, M)
        ``Ã = A − 1āᵀ``.
    means, norms : ndarray (M,)
        ``ā_j`` and ``‖ã_j‖₂``.

    Examples
    --------
    >>> import numpy as np
    >>> d = FloatDictionary.of(np.array([[1.0], [3.0]]))
    >>> d.centred.tolist(), d.means.tolist(), d.norms.tolist()
    ([[-1.0], [1.0]], [2.0], [1.4142135623730951])
    """

    _storage: _Storage
    n_columns: int

    @classmethod
    def of(cls, A: object, *, spare: int | None = 0) -> FloatDictionary:
        """The dictionary of the columns of ``A`` (validated by :func:`float_matrix`); ``A``
        itself is not kept.

        Parameters
        ----------
        A : array-like (N, M)
            The columns.
        spare : int or None
            Columns of spare capacity for :meth:`appended`; ``None``: ``max(256, M // 64)``.

        Returns
        -------
        FloatDictionary
        """
        columns = float_matrix(A)
        n_rows, n_columns = columns.shape
        storage = _Storage.empty(n_rows, n_columns + _spare_columns(n_columns, spare))
        _centre_into(storage, columns, 0)
        return cls(storage, n_columns)

    @classmethod
    def written(cls, shape: tuple[int, int], write: Callable[[np.ndarray], object], *, spare: int | None = 0) -> FloatDictionary:
        """The dictionary of the ``N × M`` columns that ``write(out)`` writes into the array
        ``out``, centred where they are written: no second ``N × M`` array is formed.

        Parameters
        ----------
        shape : (int, int)
            ``(N, M)``.
        write : callable
            Fills its argument, a float64 ``N × M`` array (Fortran order), e.g.
            ``lambda out: library.matrix(out=out)``.
        spare : int or None
            As in :meth:`of`.

        Returns
        -------
        FloatDictionary

        Examples
        --------
        >>> import numpy as np
        >>> d = FloatDictionary.written((2, 1), lambda out: np.copyto(out, [[1.0], [3.0]]))
        >>> d.centred.tolist(), d.means.tolist()
        ([[-1.0], [1.0]], [2.0])
        """
        n_rows, n_columns = shape
        storage = _Storage.empty(n_rows, n_columns + _spare_columns(n_columns, spare))
        columns = storage.centred[:, :n_columns]
        write(columns)
        if not np.isfinite(columns).all():
            raise ValueError("the written columns contain NaN or inf; the dictionary needs finite numbers")
        _centre_into(storage, columns, 0)
        return cls(storage, n_columns)

    @property
    def shape(self) -> tuple[int, int]:
        return self._storage.centred.shape[0], self.n_columns

    @property
    def centred(self) -> np.ndarray:
        return _read_only(self._storage.centred[:, : self.n_columns])

    @property
    def means(self) -> np.ndarray:
        return _read_only(self._storage.means[: self.n_columns])

    @property
    def norms(self) -> np.ndarray:
        return _read_only(self._storage.norms[: self.n_columns])

    def appended(self, columns: object) -> FloatDictionary:
        """This dictionary with ``columns`` (``N × k``) after its own.

        Writes ``k`` columns into the shared buffers when this is the newest dictionary of its
        chain and they have room; otherwise copies into new buffers with spare capacity
        ``max(256, M // 64)``.

        Examples
        --------
        >>> import numpy as np
        >>> d = FloatDictionary.of(np.eye(2), spare=1)
        >>> a, b = d.appended(np.ones((2, 1))), d.appended(np.array([[0.0], [2.0]]))
        >>> a.means.tolist(), b.means.tolist()
        ([0.5, 0.5, 1.0], [0.5, 0.5, 1.0])
        >>> a.centred[:, 2].tolist(), b.centred[:, 2].tolist()
        ([0.0, 0.0], [-1.0, 1.0])
        """
        new = np.asfortranarray(float_matrix(columns, "columns"))
        n_rows, k = new.shape
        if n_rows != self.shape[0]:
            raise ValueError(f"columns has {n_rows} rows but the dictionary has {self.shape[0]}; give one value per data point")
        storage, stop = self._storage, self.n_columns + k
        if storage.filled != self.n_columns or stop > storage.centred.shape[1]:
            storage = self._copied(stop + _spare_columns(stop, None))
        _centre_into(storage, new, self.n_columns)
        return FloatDictionary(storage, stop)

    def _copied(self, capacity: int) -> _Storage:
        """New buffers of ``capacity`` columns holding this dictionary's columns."""
        n_rows, n_columns = self.shape
        storage = _Storage.empty(n_rows, capacity)
        storage.centred[:, :n_columns] = self.centred
        storage.means[:n_columns], storage.norms[:n_columns] = self.means, self.norms
        storage.filled = n_columns
        return storage
