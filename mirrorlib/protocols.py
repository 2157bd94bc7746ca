"""The shapes every family of units plugs into: a unit, a feature library and a trained network.

The pipeline ``X → library → Lasso → network → certificate`` is written once against these
protocols. A family of units (deep narrow homogeneous units, wider layered units, sign/threshold
trees and rectangular nets, two-layer networks on ``d``-dimensional data) provides

* a :class:`Unit`: one network of the architecture with a single output, evaluated exactly;
* a :class:`FeatureLibrary`: the dictionary ``A`` of its unit features on the data, which columns
  carry the ℓ1 penalty, each column's provenance, and the balanced network of a Lasso point
  ``(z, ξ)`` over it (``f = ξ + Σ_i z_i a_i`` with penalty ``β‖z‖₁``);
* a :class:`TrainedNetwork`: predictions and the weight-decay training objective, which for the
  rebuilt network equals the Lasso objective.

:func:`mirrorlib.lasso.fit.fit_lasso`, :func:`mirrorlib.column_generation.fit_certified` and
:class:`mirrorlib.estimator.ConvexNet` solve, certify and rebuild through these members. Growing
a library by column generation also needs ``with_features`` (homogeneous libraries,
:class:`mirrorlib.libraries.Library`); sign/threshold libraries are complete by construction and
are not grown. Two-layer networks on ``d``-dimensional data solve a group Lasso over activation
patterns instead (:mod:`mirrorlib.multidim`); their networks are :class:`TrainedNetwork` too.

Examples
--------
>>> from mirrorlib.libraries import library
>>> from mirrorlib.signnets import sign_library
>>> isinstance(library([0, 1, 3], 'relu', 3), FeatureLibrary), isinstance(sign_library([0, 1, 3]), FeatureLibrary)
(True, True)
>>> network = library([0, 1, 3], 'relu', 2).network([0, 2, 0, 0, 0, 0, 0], 0)
>>> isinstance(network, TrainedNetwork), network.predict([0.0, 3.0])
(True, array([0., 4.]))
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from mirrorlib.data import Dataset

if TYPE_CHECKING:
    from mirrorlib.numbers.linalg import ExactMatrix

__all__ = ["FeatureLibrary", "TrainedNetwork", "Unit"]


@runtime_checkable
class Unit(Protocol):
    """One unit ``u(x)`` of an architecture (all its weights and biases fixed, exact).

    Every column of a :class:`FeatureLibrary` carries the unit that produces it
    (``library.feature(i).unit``, with ``column = u(X) + offset``).

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> unit = library([0, 1, 3], 'relu', 3).feature(5).unit
    >>> isinstance(unit, Unit), unit.describe(), unit(2), unit.function.breakpoints
    (True, 'relu(-relu(x) + 3)', Fraction(1, 1), (Fraction(0, 1), Fraction(3, 1)))
    """

    def __call__(self, x: object) -> Any:
        """``u(x)`` exactly."""
        ...

    @property
    def function(self) -> Any:
        """``u`` as an exact piecewise-linear function of ``x`` (:class:`~mirrorlib.functions.pwl.PWL`)."""
        ...

    def describe(self) -> str:
        """The unit as a formula."""
        ...


@runtime_checkable
class TrainedNetwork(Protocol):
    """A network ``f`` with its training objective ``J = ½‖f(X) − y‖² + β·(weight penalty)``.

    Examples
    --------
    >>> from mirrorlib.multidim.network import TwoLayerNetwork
    >>> network = TwoLayerNetwork(np.array([[1.0, 0.0]]), np.array([0.0]), np.array([1.0]), 0.0)
    >>> isinstance(network, TrainedNetwork), network.predict(np.array([[2.0, 5.0]]))
    (True, array([2.]))
    """

    def predict(self, X: Any) -> np.ndarray:
        """``f`` at new inputs, float64."""
        ...

    def training_objective(self, X: Any, y: Any, beta: Any) -> Any:
        """``J`` on the data ``(X, y)`` at weight decay ``β``."""
        ...


@runtime_checkable
class FeatureLibrary(Protocol):
    """A dictionary of unit features on a data set, with provenance and the map back to networks.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 3], 'abs', 2)
    >>> lib.matrix(exact=True).shape, bool(lib.penalised.all()), lib.distinct().n_features
    ((3, 7), True, 3)
    """

    dataset: Dataset

    @property
    def penalised(self) -> np.ndarray:
        """Boolean mask: which columns carry the ℓ1 penalty (the others are free, e.g. a skip ``x``)."""
        ...

    @property
    def n_features(self) -> int:
        """The number of columns ``M``."""
        ...

    def matrix(self, exact: bool = False, *, order: str = "original", out: np.ndarray | None = None) -> np.ndarray:
        """``A`` (``N × M``): float64, or Fractions with ``exact=True``; rows in the caller's order.
        A float matrix is written into ``out`` when given (checked by :func:`matrix_out`) and
        ``out`` is returned."""
        ...

    def exact_values(self, index: int) -> list[Fraction]:
        """Column ``index`` at the sorted data, exactly (``matrix(exact=True, order="sorted")[:, index]``)."""
        ...

    def exact_columns(self, indices: Sequence[int]) -> ExactMatrix:
        """Columns ``indices`` at the sorted data as an ``N × len(indices)`` exact matrix (the
        columns :meth:`exact_values` gives, built from integers where the family has them)."""
        ...

    def exact_matrix(self) -> ExactMatrix:
        """``A`` for the exact solvers, rows in the caller's order (the same numbers as
        ``matrix(exact=True)``, built from integers where the family has them)."""
        ...

    @property
    def n_naive(self) -> int:
        """Columns the closed form generates before deduplication (as its formula counts them)."""
        ...

    def feature(self, index: int) -> Any:
        """Column ``index`` with its provenance: ``.unit`` (a :class:`Unit`), ``.offset`` and
        ``.penalised``, the column being ``unit(X) + offset``."""
        ...

    def distinct(self) -> FeatureLibrary:
        """The library without duplicated columns."""
        ...

    def network(self, z: Sequence[object], xi: object) -> TrainedNetwork:
        """The balanced network of the Lasso point ``(z, ξ)``: its training objective equals
        ``½‖A z + ξ1 − y‖² + β Σ_{i penalised} |z_i|``."""
        ...


def matrix_out(out: object, shape: tuple[int, int], exact: bool) -> np.ndarray:
    """The ``out`` argument of :meth:`FeatureLibrary.matrix`, checked: a writeable float64 array of
    the matrix's ``shape`` (any memory layout, e.g. the leading columns of a larger buffer), and
    only for the float matrix; a one-line ``ValueError`` naming ``out`` otherwise.

    Examples
    --------
    >>> buffer = np.empty((3, 10), order="F")
    >>> matrix_out(buffer[:, :7], (3, 7), exact=False).shape
    (3, 7)
    >>> matrix_out(buffer, (3, 7), exact=False)
    Traceback (most recent call last):
    ...
    ValueError: out has shape (3, 10) but the matrix is (3, 7); give a writeable float64 array of that shape
    """
    if exact:
        raise ValueError("out is for the float matrix only; call matrix(exact=True) without out")
    if not isinstance(out, np.ndarray) or out.dtype != np.float64 or out.shape != shape or not out.flags.writeable:
        described = f"shape {out.shape}" if isinstance(out, np.ndarray) else f"type {type(out).__name__}"
        raise ValueError(f"out has {described} but the matrix is {shape}; give a writeable float64 array of that shape")
    return out
