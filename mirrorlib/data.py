"""Training data on the real line: validation, exact conversion and sorting.

theory §1: inputs ``x ∈ Q^N`` are kept exact and sorted ascending internally
(``x_(1) ≤ … ≤ x_(N)``); :attr:`Dataset.order` maps sorted positions back to the caller's
indices so that every output can be reported in the caller's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TypeVar

import numpy as np

from mirrorlib.numbers.exact import to_rational_vector

__all__ = ["Dataset", "as_dataset", "as_labels"]

T = TypeVar("T")


@dataclass(frozen=True)
class Dataset:
    """Exact, sorted 1-D training inputs.

    Attributes
    ----------
    x : tuple[Fraction, ...]
        The inputs sorted ascending (duplicates kept: they are legal, theory §1).
    order : tuple[int, ...]
        ``x[k] == original[order[k]]``: the caller's index of the k-th smallest input.

    Examples
    --------
    >>> data = as_dataset([2, 0, 1])
    >>> data.n_samples, data.to_original_order(data.x)
    (3, [Fraction(2, 1), Fraction(0, 1), Fraction(1, 1)])
    """

    x: tuple[Fraction, ...]
    order: tuple[int, ...]

    def __hash__(self) -> int:
        """Hashed once: data sets key caches (a unit's values on the data), and hashing ``N``
        Fractions costs about a microsecond each."""
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.x, self.order))

    @property
    def n_samples(self) -> int:
        return len(self.x)

    @cached_property
    def distinct_x(self) -> tuple[Fraction, ...]:
        """The distinct input values, ascending."""
        return tuple(sorted(set(self.x)))

    @cached_property
    def _distinct_position(self) -> tuple[int, ...]:
        """For each sorted sample, the position of its value in :attr:`distinct_x`."""
        position = {value: index for index, value in enumerate(self.distinct_x)}
        return tuple(position[value] for value in self.x)

    def on_samples(self, at_points: Sequence[T]) -> tuple[T, ...]:
        """Values given once per distinct input (in :attr:`distinct_x` order), repeated at every
        sorted sample with that input.

        Examples
        --------
        >>> as_dataset([2, 0, 2]).on_samples(["at 0", "at 2"])
        ('at 0', 'at 2', 'at 2')
        """
        return tuple(at_points[index] for index in self._distinct_position)

    def as_float(self) -> np.ndarray:
        """The sorted inputs as a float64 array."""
        return np.array([float(value) for value in self.x], dtype=np.float64)

    def to_original_order(self, sorted_values: Sequence[object]) -> list[object]:
        """Reorder a per-sample sequence given in sorted order back to the caller's order."""
        original: list[object] = [None] * len(self.x)
        for sorted_position, caller_index in enumerate(self.order):
            original[caller_index] = sorted_values[sorted_position]
        return original


def as_dataset(X: Iterable[object] | str | Dataset, *, name: str = "X") -> Dataset:
    """Validate and sort 1-D inputs exactly.

    ``X`` may be any sequence of numbers accepted by :func:`mirrorlib.numbers.exact.to_rational`, a
    1-D numpy array, or a comma-separated string ``"0,1,3,7"``. Raises ``ValueError`` naming
    ``name`` for empty, NaN or infinite inputs and for 2-D arrays with more than one column.

    Parameters
    ----------
    X : sequence of rationals, 1-D array or str
        The inputs ``x_1 … x_N``.
    name : str
        What the caller calls ``X`` in error messages.

    Returns
    -------
    Dataset
        The exact values sorted, with the permutation back to the caller's order.

    Examples
    --------
    >>> data = as_dataset('3,0,1/2')
    >>> data.x, data.order
    ((Fraction(0, 1), Fraction(1, 2), Fraction(3, 1)), (1, 2, 0))
    """
    if isinstance(X, Dataset):
        return X
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        elif X.ndim != 1:
            raise ValueError(
                f"{name} must be one-dimensional (N scalar inputs), got an array of shape {X.shape}; "
                "mirrorlib studies networks on 1-D data"
            )
        X = X.tolist()
    values = to_rational_vector(X, name=name)
    order = tuple(sorted(range(len(values)), key=lambda index: (values[index], index)))
    return Dataset(x=tuple(values[index] for index in order), order=order)


def as_labels(y: Iterable[object] | str, dataset: Dataset, *, name: str = "y") -> tuple[Fraction, ...]:
    """Validate labels against ``dataset`` and return them exactly, in the dataset's sorted order.

    Raises ``ValueError`` naming ``name`` when the length differs from the number of inputs.

    Parameters
    ----------
    y : sequence of rationals or str
        One label per input, in the caller's order.
    dataset : Dataset
        The inputs the labels belong to.
    name : str
        What the caller calls ``y`` in error messages.

    Returns
    -------
    tuple of Fraction
        The labels in the dataset's sorted order.

    Examples
    --------
    >>> as_labels([30, 0, 5], as_dataset([3, 0, '1/2']))
    (Fraction(0, 1), Fraction(5, 1), Fraction(30, 1))
    """
    if isinstance(y, np.ndarray):
        if y.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {y.shape}")
        y = y.tolist()
    labels = to_rational_vector(y, name=name)
    if len(labels) != dataset.n_samples:
        raise ValueError(
            f"{name} has {len(labels)} labels but X has {dataset.n_samples} inputs; "
            "give exactly one label per input"
        )
    return tuple(labels[index] for index in dataset.order)
