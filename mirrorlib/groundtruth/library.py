"""The ground-truth library: unit features at all cell vertices, exactly (theory §3).

For data X, a positively homogeneous σ and an architecture with fixed weights, let
``θ ↦ u(X; θ) ∈ Q^N`` be the bias-to-feature map (continuous, piecewise affine;
:mod:`mirrorlib.groundtruth.cells`). For every λ with ``1ᵀλ = 0``::

    sup_θ λᵀu(X; θ) = max { λᵀu(X; θ_v) : θ_v a vertex of a cell }.

Proof. On a cell C the map is affine, ``u(X; θ) = Mθ + m``, so ``λᵀu`` is linear on C. All
weights have magnitude 1 and σ is Lipschitz with constant ``K = max(|a|, |b|)``, so every unit
is ``K^{L−1}·w``-Lipschitz in x (w the largest row sum of |W|) *uniformly in θ*; hence
``u(x_i; θ) − u(x_1; θ)`` is bounded on all of ℝ^d. Along a ray or line ``θ + tr`` of C the
vector ``u(X) = Mθ + m + tMr`` must then keep ``Mr − (Mr)_1 1 = 0``, i.e. ``Mr ∈ span{1}`` and
``λᵀMr = 0``. So ``λᵀu`` is bounded above on C and constant along its lineality space; a linear
function bounded above on a polyhedron attains its maximum on a minimal face, and is constant
on it here. Cells cover ℝ^d, so the supremum over θ is a maximum over the finitely many
minimal-face points. The same holds for ``−λ``, hence for ``|λᵀu|``. For the architectures of
:mod:`mirrorlib.groundtruth.architectures` and a non-linear σ (a ≠ b) every cell is even pointed
(the constraint matrix is block lower-triangular with a non-zero coefficient on each neuron's own
bias) and the points are vertices; for σ linear there is one cell per pattern, all of ℝ^d. The recession directions add no feature: the linear feature ``x`` of the closed-form
libraries equals, modulo constants, the vertex feature ``σ(x − x_1)`` (θ = −x_1, every
pre-activation ≥ 0), so it is already in the ground truth; no ``x`` column is added, which
would overstate the library when ``max(|a|, |b|) < 1``.

The finite set of vertex features (union over weight sign patterns, exactly deduplicated) is the
GROUND-TRUTH library; every vector keeps its provenance (weights, vertex biases, the unit).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mirrorlib.functions.activations import Activation, get_activation, relu
from mirrorlib.data import Dataset, as_dataset
from mirrorlib.numbers.exact import to_rational
from mirrorlib.groundtruth.architectures import Architecture, LayeredUnit, make_architecture
from mirrorlib.groundtruth.cells import enumerate_cells
from mirrorlib.units import NarrowUnit

__all__ = ["Provenance", "GroundTruthEntry", "GroundTruthLibrary", "ground_truth_library", "resolve_activation", "resolve_patterns"]


@dataclass(frozen=True)
class Provenance:
    """A unit producing a ground-truth vector: weight pattern, vertex biases θ and the unit itself.

    Examples
    --------
    >>> provenance = ground_truth_library([0, 1, 3], 'relu', 2).entries[1].provenance[0]
    >>> provenance.pattern, provenance.parameters
    ((Fraction(1, 1),), (Fraction(-1, 1),))
    """

    pattern: tuple[Fraction, ...]
    parameters: tuple[Fraction, ...]
    unit: LayeredUnit

    @property
    def narrow_unit(self) -> NarrowUnit | None:
        """The :class:`~mirrorlib.units.NarrowUnit` for chains (None for wide units)."""
        return self.unit.as_narrow_unit()


@dataclass(frozen=True)
class GroundTruthEntry:
    """One distinct ground-truth vector ``u(X)`` (sorted data order) and every vertex unit giving it.

    Examples
    --------
    >>> entry = ground_truth_library([0, 1, 3], 'relu', 2).entries[1]
    >>> entry.vector, len(entry.provenance) >= 1
    ((Fraction(0, 1), Fraction(0, 1), Fraction(2, 1)), True)
    """

    vector: tuple[Fraction, ...]
    provenance: tuple[Provenance, ...]

    @property
    def unit(self) -> LayeredUnit:
        """The first unit (lexicographically smallest weight pattern, then DFS order) producing it."""
        return self.provenance[0].unit

    @property
    def narrow_unit(self) -> NarrowUnit | None:
        return self.provenance[0].narrow_unit


@dataclass(frozen=True)
class GroundTruthLibrary:
    """The exact vertex-feature library of one architecture (see module docstring).

    Attributes
    ----------
    entries : tuple[GroundTruthEntry, ...]
        Distinct vectors, sorted lexicographically, each with its provenance.
    n_patterns : int
        Weight patterns enumerated.
    n_cells : int
        Full-dimensional cells, summed over the weight patterns.
    n_vertices : int
        Distinct (pattern, vertex θ) pairs, summed over the weight patterns.

    Examples
    --------
    >>> truth = ground_truth_library([0, 1, 3], 'relu', 2)
    >>> len(truth.entries), truth.entries[1].vector
    (5, (Fraction(0, 1), Fraction(0, 1), Fraction(2, 1)))
    """

    activation: Activation
    architecture: Architecture
    dataset: Dataset
    entries: tuple[GroundTruthEntry, ...]
    n_patterns: int
    n_cells: int
    n_vertices: int

    @property
    def depth(self) -> int:
        return self.architecture.depth

    @property
    def vectors(self) -> tuple[tuple[Fraction, ...], ...]:
        """The distinct ground-truth feature vectors, each in sorted-data order."""
        return tuple(entry.vector for entry in self.entries)

    @property
    def units(self) -> tuple[LayeredUnit, ...]:
        """One unit per vector (aligned with :attr:`vectors`)."""
        return tuple(entry.unit for entry in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def matrix(self, exact: bool = False, *, order: str = "original") -> np.ndarray:
        """The N × M matrix of ground-truth columns, rows in the caller's (``"original"``) or
        ascending (``"sorted"``) data order; float64, or Fractions with ``exact=True``."""
        if order not in ("original", "sorted"):
            raise ValueError(f"order must be 'original' or 'sorted', got {order!r}")
        columns = np.empty((len(self.entries), self.dataset.n_samples), dtype=object)
        for index, vector in enumerate(self.vectors):
            columns[index, :] = vector
        if order == "original":
            columns = columns[:, np.argsort(np.array(self.dataset.order, dtype=np.int64))]
        matrix = columns.T
        return matrix.copy() if exact else matrix.astype(np.float64)

    def distinct_modulo_constants(self) -> tuple[tuple[Fraction, ...], ...]:
        """The vectors modulo span{1}, as the representatives ``g − g_1·1`` (sorted, deduplicated)."""
        return tuple(sorted({_modulo_constants(vector) for vector in self.vectors}))

    @property
    def counts(self) -> dict[str, int]:
        return {
            "patterns": self.n_patterns,
            "cells": self.n_cells,
            "vertices": self.n_vertices,
            "distinct_vectors": len(self.entries),
            "distinct_modulo_constants": len(self.distinct_modulo_constants()),
        }


def _modulo_constants(vector: Sequence[Fraction]) -> tuple[Fraction, ...]:
    return tuple(value - vector[0] for value in vector)


def resolve_activation(activation: Activation | str | object, architecture: str) -> Activation:
    """The scalar positively homogeneous σ to enumerate with; ``ValueError`` otherwise.

    The symmetrised ReLU (two channels per neuron) is the ``"symmetrised"`` architecture with σ = ReLU.

    Examples
    --------
    >>> resolve_activation('abs', 'narrow').name
    'abs'
    """
    sigma = get_activation(activation)
    if not sigma.is_scalar:
        if sigma.name != "symmetrised_relu" or architecture != "symmetrised":
            raise ValueError(
                f"activation {sigma.name} emits two channels per neuron; use activation='relu' with "
                "architecture='symmetrised' (a width-2 ReLU layer with tied opposite weights and a shared bias)"
            )
        sigma = relu()
    problem = sigma.homogeneity_problem()
    if problem is not None:
        raise ValueError(
            f"activation {sigma.name} is outside the scope of the ground-truth enumeration: {problem}. "
            "Only for positively homogeneous σ (σ(ct) = cσ(t), c > 0) does the rescaling lemma (theory §1) "
            "reduce every unit to weights ±1 with unit cost, which is what makes the bias-space cell "
            "enumeration the supremum over all units."
        )
    return sigma


def resolve_patterns(
    signs: Iterable[object] | None, architecture: Architecture, sigma: Activation
) -> list[tuple[Fraction, ...]]:
    """Weight patterns: all ±1 patterns (up to the even-σ symmetry) for ``None``; else one pattern
    (a flat sequence of numbers) or an iterable of patterns, each of length ``n_weights``.

    Examples
    --------
    >>> from mirrorlib.groundtruth.architectures import make_architecture
    >>> from mirrorlib.functions.activations import get_activation
    >>> resolve_patterns(None, make_architecture('narrow', 3), get_activation('relu'))
    [(Fraction(1, 1), Fraction(1, 1)), (Fraction(1, 1), Fraction(-1, 1)), (Fraction(-1, 1), Fraction(1, 1)), (Fraction(-1, 1), Fraction(-1, 1))]
    """
    if signs is None:
        return architecture.sign_patterns(sigma)
    items = list(signs)
    if not items:
        raise ValueError("signs is empty; pass None for all sign patterns")
    nested = all(isinstance(item, (list, tuple, np.ndarray)) for item in items)
    patterns = [tuple(item) for item in items] if nested else [tuple(items)]
    result = []
    for pattern in patterns:
        if len(pattern) != architecture.n_weights:
            raise ValueError(
                f"signs: each weight pattern of architecture {architecture.name!r} at depth {architecture.depth} "
                f"needs {architecture.n_weights} entries (layer order), got {len(pattern)}: {pattern!r}"
            )
        exact = tuple(to_rational(value, name="signs") for value in pattern)
        if any(value == 0 for value in exact):
            raise ValueError(f"signs: weights must be non-zero, got {pattern!r}")
        result.append(exact)
    return list(dict.fromkeys(result))


def _pattern_vertices(
    architecture: Architecture, sigma: Activation, distinct_x: Sequence[Fraction], pattern: tuple[Fraction, ...]
) -> tuple[int, dict[tuple[Fraction, ...], tuple[Fraction, ...]]]:
    """``(number of cells, {vertex θ: u at the distinct data values})`` for one weight pattern.

    u is continuous, so a vertex shared by several cells gets the same feature from each cell's
    affine map; it is evaluated in the first cell that lists it.
    """
    vertices: dict[tuple[Fraction, ...], tuple[Fraction, ...]] = {}
    n_cells = 0
    cells = enumerate_cells(
        distinct_x, sigma.slopes, architecture.weights(pattern), architecture.bias_forms(), architecture.n_parameters
    )
    for cell in cells:
        n_cells += 1
        for theta in cell.points():
            if theta not in vertices:
                vertices[theta] = cell.feature_at(theta)
    return n_cells, vertices


def ground_truth_library(
    X: Iterable[object] | str | Dataset,
    activation: Activation | str = "relu",
    depth: int = 2,
    *,
    architecture: str = "narrow",
    signs: Iterable[object] | None = None,
    wide_layer: int = 1,
    method: str = "oracle",
) -> GroundTruthLibrary:
    """The exact ground-truth library (theory §3) of an architecture on data ``X``.

    Parameters
    ----------
    X : data (exact; floats are converted exactly).
    activation : a positively homogeneous scalar σ (relu, abs, leaky_relu(a), linear, custom),
        or ``symmetrised_relu`` with ``architecture="symmetrised"``.
    depth : ``L ≥ 2`` (``≥ 3`` for the wide architectures).
    architecture : ``"narrow"``, ``"width2"`` or ``"symmetrised"`` (see
        :mod:`mirrorlib.groundtruth.architectures`; the wide ones fix every weight to ±1, a
        slice that lower-bounds the supremum over width-2 units).
    signs : ``None`` for every ±1 weight pattern (for even σ such as |t| the first incoming
        weight of each neuron is fixed to +1, an exact symmetry), or one weight pattern / an
        iterable of patterns in layer order (any non-zero rationals).
    wide_layer : 1-based hidden layer of width 2 for the wide architectures.
    method : ``"oracle"`` (default) enumerates the cell vertices directly as linear maps of the
        data (:func:`mirrorlib.groundtruth.oracle.vertex_points`, polynomial in N for fixed depth;
        integer weight patterns and a non-linear σ, otherwise the pattern goes to cdd);
        ``"cdd"`` walks the cells depth-first with an exact LP per
        branch (pycddlib; exponential, kept as the independent reference). Both give the same
        vertices (tested exactly on random instances); ``n_cells`` is counted by ``"cdd"`` only
        (0 with ``"oracle"``).

    Raises
    ------
    ValueError
        empty/NaN/inf ``X``, ``depth`` too small, unknown ``architecture``, a bad ``signs`` or
        ``wide_layer``, or an activation outside the theorem's scope (not positively homogeneous).
    ImportError
        when pycddlib is missing (``pip install "mirrorlib[groundtruth]"``).

    Examples
    --------
    >>> lib = ground_truth_library([0, 2, 3, 5], "abs", 3)
    >>> len(lib), lib.counts["vertices"]
    (16, 22)
    """
    dataset = as_dataset(X)
    spec = make_architecture(architecture, depth, wide_layer=wide_layer)
    sigma = resolve_activation(activation, architecture)
    patterns = resolve_patterns(signs, spec, sigma)
    distinct_x = dataset.distinct_x
    position = {value: index for index, value in enumerate(distinct_x)}
    expand = [position[value] for value in dataset.x]
    grouped: dict[tuple[Fraction, ...], list[Provenance]] = {}
    n_cells = n_vertices = 0
    if method not in ("oracle", "cdd"):
        raise ValueError(f"method must be 'oracle' or 'cdd', got {method!r}")
    for pattern in sorted(patterns):
        if method == "oracle" and sigma.slopes[0] != sigma.slopes[1] and all(w.denominator == 1 for w in pattern):
            from mirrorlib.groundtruth.oracle import vertex_points

            cells, vertices = 0, vertex_points(spec, sigma, pattern, distinct_x)
        else:
            cells, vertices = _pattern_vertices(spec, sigma, distinct_x, pattern)
        n_cells += cells
        n_vertices += len(vertices)
        for theta, values in vertices.items():
            vector = tuple(values[index] for index in expand)
            grouped.setdefault(vector, []).append(Provenance(pattern, theta, spec.unit(sigma, pattern, theta)))
    entries = tuple(GroundTruthEntry(vector, tuple(grouped[vector])) for vector in sorted(grouped))
    return GroundTruthLibrary(sigma, spec, dataset, entries, len(patterns), n_cells, n_vertices)
