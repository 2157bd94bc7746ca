"""Ground truth: every feature a sign/threshold unit can produce on the data, enumerated exactly.

A unit's feature ``σ(p_out(x))`` is a function of ``x``, so it is determined by its *pattern*
``v_j = 1[p_out(d_j) ≥ 0]`` on the distinct sorted data ``d_0 < … < d_{n−1}`` (duplicated ``x`` get
identical entries). Patterns are handled as bitmasks (bit ``j`` ↔ ``d_j``). The enumeration uses
no closed form, only these exact facts:

1. **Layer 1** (a neuron ``σ(w x + b)``): 0-homogeneity lets ``w ∈ {−1, 0, 1}``; the pattern only
   depends on which cell of the line, cut by the pre-activation values ``w d_j``, contains ``−b``:
   one representative bias between consecutive distinct values plus one beyond each end.
2. **Layers above**: a neuron sees its inputs only through their bits, so its pattern is
   ``f(rows)`` for a linear threshold function ``f`` of the input bits — every LTF, with real
   weights (:mod:`mirrorlib.signnets.threshold_functions`; ``±1`` weights alone would miss
   functions from fan-in 3 on).
3. **Reductions** (each loses nothing, since LTFs may ignore, complement or permute inputs and
   absorb constants in the bias): constant inputs and repeated inputs are dropped, an input is
   taken up to complement (canonical: bit 0 clear), and only input *sets* of the largest possible
   size ``min(m, #available)`` are tried (a smaller set is a subset of one of them).

Tree, widths ``m_1..m_{L−2}``: ``V_1`` from (1) and ``V_{l+1} = ∪ LTF_{m_l}(C)`` over input sets
``C ⊂ canon(V_l)``; once ``V_l`` holds all ``2^n`` patterns it stays complete (pass-through).
Rectangular: the state of layer ``l`` is the set of its neurons' (canonical, non-constant)
patterns, ``|state| = min(m_l, #available)``; layer-1 states are sets of steps, the states of
layer ``l + 1`` are sets of patterns in ``LTF(state)``, the output is ``∪_states LTF(state)``.

Every pattern keeps a *witness* from which :meth:`GroundTruth.unit_for` rebuilds a concrete unit
(weights, biases, amplitudes 1) producing it; the tests re-evaluate witnesses exactly.

Cost and practicality. Exponential but bounded: at most ``2^{n−1}`` canonical patterns per layer,
``C(·, m)`` input sets of ``F_m`` LTFs each (``F = 4, 14, 104, 1882`` for ``m = 1..4``). Measured on
one core (sign; threshold is the same computation): tree ``(2, 2)``/depth 4/``n = 6`` 0.002 s,
tree ``(3, 3)``/depth 4/``n = 8`` 0.8 s, tree ``(3, 3, 3)``/depth 5/``n = 8`` 0.8 s, tree
``(2, 3, 3)``/depth 5/``n = 8`` 5.5 s (2.7·10⁸ work units, above the default limit), rectangular
``(3, 3, 3)``/depth 5/``n = 9`` 0.13 s. Practical: ``n ≤ 8`` distinct points with fan-ins ``≤ 3``;
a fan-in of 4 over many input patterns only for ``n ≤ 5`` (tree ``(4, 4)``, ``n = 6``: 3.1·10⁸ work units).
``work_limit`` bounds ``input sets × F × n`` (≈ 4·10⁷ per second) and raises ``ValueError``
before a computation that would exceed it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple, Union

import numpy as np

from mirrorlib.functions.activations import Activation
from mirrorlib.data import Dataset, as_dataset
from mirrorlib.signnets.construction import constant_neuron
from mirrorlib.signnets.networks import Neuron, SignNetSpec, SignUnit, sign_net_spec
from mirrorlib.signnets.switching import mask_to_pattern, pattern_to_mask, switch_gaps
from mirrorlib.signnets.threshold_functions import MAX_FAN_IN, ThresholdFunctionTable, threshold_functions

__all__ = ["GroundTruth", "ground_truth", "DEFAULT_WORK_LIMIT"]

DEFAULT_WORK_LIMIT = 200_000_000  # input sets × LTFs × points: a few seconds of numpy work
MAX_GROUND_TRUTH_POINTS = 62  # patterns are int64 bitmasks


class FirstLayerWitness(NamedTuple):
    """``σ(weight·x + bias)``."""

    weight: int
    bias: Fraction


class TreeWitness(NamedTuple):
    """``1[Σ weights_i t_i + offset ≥ 0]`` of the children's bits (missing children: constant)."""

    weights: tuple[int, ...]
    offset: int
    children: tuple[Witness, ...]


@dataclass(frozen=True, eq=False)
class RectangularState:
    """Patterns of one rectangular layer; ``rules[i]`` is the LTF ``(weights over the parent's
    patterns, offset)`` producing ``patterns[i]``; layer 1 has ``leaves`` instead."""

    patterns: tuple[int, ...]
    parent: RectangularState | None
    rules: tuple[tuple[tuple[int, ...], int], ...] = ()
    leaves: tuple[FirstLayerWitness, ...] = ()


class RectangularWitness(NamedTuple):
    """The output neuron ``1[Σ weights_i t_i + offset ≥ 0]`` over ``state``'s patterns."""

    state: RectangularState
    weights: tuple[int, ...]
    offset: int


Witness = Union[FirstLayerWitness, TreeWitness, RectangularWitness]


@dataclass(frozen=True)
class GroundTruth:
    """All patterns a unit of ``spec`` produces on the distinct sorted ``points``, with witnesses.

    Examples
    --------
    >>> truth = ground_truth([0, 1, 2, 3], 'threshold', 'tree', (2,), 3)
    >>> len(truth.witnesses), truth.points
    (14, (Fraction(0, 1), Fraction(1, 1), Fraction(2, 1), Fraction(3, 1)))
    """

    spec: SignNetSpec
    dataset: Dataset
    points: tuple[Fraction, ...]
    witnesses: dict[int, Witness] = field(repr=False)

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def masks(self) -> frozenset[int]:
        return frozenset(self.witnesses)

    def __len__(self) -> int:
        return len(self.witnesses)

    def __contains__(self, pattern: Sequence[int]) -> bool:
        return pattern_to_mask(pattern) in self.witnesses

    def patterns(self) -> Iterator[tuple[int, ...]]:
        for mask in sorted(self.witnesses):
            yield mask_to_pattern(mask, self.n_points)

    @property
    def max_switches(self) -> int:
        """The largest number of switches among the produced patterns."""
        return max(len(switch_gaps(pattern)) for pattern in self.patterns())

    def unit_for(self, pattern: Sequence[int]) -> SignUnit:
        """A concrete unit (all amplitudes 1) whose feature on ``points`` is ``pattern``."""
        mask = pattern_to_mask(pattern)
        if mask not in self.witnesses:
            raise ValueError(f"no unit of the {self.spec.describe()} produces the pattern {tuple(pattern)}")
        witness = self.witnesses[mask]
        if isinstance(witness, RectangularWitness):
            layers = _rectangular_unit_layers(self.spec, witness)
        else:
            layers = _tree_unit_layers(self.spec, witness, self.spec.depth)
        return SignUnit(self.spec, tuple(tuple(layer) for layer in layers))


def ground_truth(
    X: object,
    activation: Activation | str = "sign",
    architecture: str = "tree",
    widths: object = (),
    depth: int = 2,
    *,
    work_limit: int = DEFAULT_WORK_LIMIT,
) -> GroundTruth:
    """Enumerate exactly every pattern a unit of the architecture produces on ``X`` (module docstring).

    Raises ``ValueError`` for invalid arguments (see :func:`~mirrorlib.signnets.networks.sign_net_spec`),
    empty data, more than 62 distinct points, a fan-in above the LTF table's limit, or when the
    enumeration would exceed ``work_limit``.

    Parameters
    ----------
    X : sequence of rationals, str or Dataset
        The data.
    activation : ``"sign"`` or ``"threshold"``
    architecture : ``"tree"`` or ``"rectangular"``
    widths : sequence of int
        Hidden widths ``m_1, …, m_{L−2}``.
    depth : int
        ``L ≥ 2``.
    work_limit : int
        Refuse enumerations above this much work (estimated first).

    Returns
    -------
    GroundTruth

    Examples
    --------
    >>> truth = ground_truth([0, 1, 2, 3], 'sign', 'tree', (), 2)
    >>> len(truth.witnesses)
    8
    """
    spec = sign_net_spec(activation, architecture, widths, depth)  # type: ignore[arg-type]
    dataset = as_dataset(X, name="X")  # type: ignore[arg-type]
    points = dataset.distinct_x
    if len(points) > MAX_GROUND_TRUTH_POINTS:
        raise ValueError(f"X has {len(points)} distinct points; the ground truth handles at most {MAX_GROUND_TRUTH_POINTS}")
    if spec.widths and max(spec.widths) > MAX_FAN_IN:
        raise ValueError(f"widths above {MAX_FAN_IN} are out of reach of the exact ground truth, got {spec.widths}")
    n = len(points)
    first = _first_layer(points)
    if spec.depth == 2:
        witnesses: dict[int, Witness] = dict(first)
    elif spec.architecture == "tree":
        level: dict[int, Witness] = dict(first)
        for fan_in in spec.widths:
            level = _tree_level(level, fan_in, n, work_limit)
        witnesses = level
    else:
        states = _initial_states(first, spec.widths[0], n, work_limit)
        for fan_out in spec.widths[1:]:
            states = _next_states(states, fan_out, n, work_limit)
        witnesses = dict(_rectangular_outputs(states, n, work_limit))
    return GroundTruth(spec=spec, dataset=dataset, points=points, witnesses=witnesses)


# --------------------------------------------------------------------------- enumeration
def _first_layer(points: Sequence[Fraction]) -> dict[int, FirstLayerWitness]:
    """Patterns of ``σ(w x + b)``: ``w ∈ {0, 1, −1}``, one bias per cell of the pre-activation line."""
    found: dict[int, FirstLayerWitness] = {}
    for weight in (0, 1, -1):
        values = sorted({weight * point for point in points})
        biases = [-values[0] + 1] + [-(a + b) / 2 for a, b in zip(values, values[1:])] + [-values[-1] - 1]
        for bias in biases:
            mask = pattern_to_mask([1 if weight * point + bias >= 0 else 0 for point in points])
            found.setdefault(mask, FirstLayerWitness(weight, bias))
    return found


def _canonical_inputs(masks: object, n: int) -> list[int]:
    """Non-constant patterns with bit 0 clear (one per complementary pair), sorted."""
    full = (1 << n) - 1
    return sorted({mask if not mask & 1 else mask ^ full for mask in masks} - {0})  # type: ignore[attr-defined]


def _apply_ltfs(inputs: np.ndarray, n: int, table: ThresholdFunctionTable) -> np.ndarray:
    """``out[p, f]`` = pattern of LTF ``f`` applied to the input patterns ``inputs[p, :]``."""
    positions = np.arange(n, dtype=np.int64)
    bits = (inputs[:, :, None] >> positions[None, None, :]) & 1  # (P, k, n)
    rows = (bits << np.arange(inputs.shape[1], dtype=np.int64)[None, :, None]).sum(axis=1)  # (P, n)
    outputs = table.truth_tables[:, rows].astype(np.int64)  # (F, P, n)
    return (outputs << positions).sum(axis=2).T  # (P, F)


def _input_sets(candidates: Sequence[int], size: int, chunk: int) -> Iterator[np.ndarray]:
    combos = itertools.combinations(candidates, size)
    while True:
        block = list(itertools.islice(combos, chunk))
        if not block:
            return
        yield np.array(block, dtype=np.int64).reshape(len(block), size)


def _check_work(input_sets: int, table: ThresholdFunctionTable, n: int, work_limit: int) -> None:
    work = input_sets * len(table) * n
    if work > work_limit:
        raise ValueError(
            f"exact ground truth too large: {input_sets} input sets × {len(table)} threshold functions × {n} points "
            f"= {work} > work_limit={work_limit}; use fewer distinct points or smaller widths"
        )


def _chunk_size(table: ThresholdFunctionTable, n: int) -> int:
    return max(1, 4_000_000 // (len(table) * max(n, 1)))


def _tree_level(level: dict[int, Witness], fan_in: int, n: int, work_limit: int) -> dict[int, Witness]:
    """``V_{l+1}`` from ``V_l`` for a tree neuron with ``fan_in`` children."""
    if len(level) == 1 << n:  # complete: the identity LTF passes every pattern through
        return {mask: TreeWitness((1,), -1, (witness,)) for mask, witness in level.items()}
    candidates = _canonical_inputs(level, n)
    size = min(fan_in, len(candidates))
    table = threshold_functions(size)
    _check_work(math.comb(len(candidates), size), table, n, work_limit)
    found: dict[int, Witness] = {}
    for inputs in _input_sets(candidates, size, _chunk_size(table, n)):
        outputs = _apply_ltfs(inputs, n, table)
        for mask, flat in zip(*np.unique(outputs.ravel(), return_index=True)):
            if int(mask) not in found:
                p, f = divmod(int(flat), len(table))
                found[int(mask)] = TreeWitness(
                    tuple(int(w) for w in table.weights[f]),
                    int(table.offsets[f]),
                    tuple(level[int(child)] for child in inputs[p]),
                )
    return found


def _initial_states(first: dict[int, FirstLayerWitness], width: int, n: int, work_limit: int) -> list[RectangularState]:
    candidates = _canonical_inputs(first, n)
    size = min(width, len(candidates))
    _check_work(math.comb(len(candidates), size), threshold_functions(size), n, work_limit)
    return [
        RectangularState(patterns=combo, parent=None, leaves=tuple(first[mask] for mask in combo))
        for combo in itertools.combinations(candidates, size)
    ]


def _state_outputs(states: list[RectangularState], n: int, work_limit: int) -> Iterator[tuple[RectangularState, np.ndarray, ThresholdFunctionTable]]:
    """``(state, patterns of every LTF of the state's patterns, table)``, batched by state size."""
    by_size: dict[int, list[RectangularState]] = {}
    for state in states:
        by_size.setdefault(len(state.patterns), []).append(state)
    for size, group in by_size.items():
        table = threshold_functions(size)
        _check_work(len(group), table, n, work_limit)
        chunk = _chunk_size(table, n)
        for start in range(0, len(group), chunk):
            batch = group[start : start + chunk]
            inputs = np.array([state.patterns for state in batch], dtype=np.int64).reshape(len(batch), size)
            for state, outputs in zip(batch, _apply_ltfs(inputs, n, table)):
                yield state, outputs, table


def _next_states(states: list[RectangularState], width: int, n: int, work_limit: int) -> list[RectangularState]:
    """States of the next rectangular layer (``width`` neurons), deduplicated by pattern set."""
    full = (1 << n) - 1
    seen: dict[tuple[int, ...], RectangularState] = {}
    for state, outputs, table in _state_outputs(states, n, work_limit):
        rule_of: dict[int, int] = {}
        for f, mask in enumerate(outputs.tolist()):
            if mask & 1 == 0 and mask != 0 and mask != full:
                rule_of.setdefault(mask, f)
        available = sorted(rule_of)
        size = min(width, len(available))
        _check_work(math.comb(len(available), size), table, n, work_limit)
        for combo in itertools.combinations(available, size):
            if combo not in seen:
                rules = tuple(
                    (tuple(int(w) for w in table.weights[rule_of[mask]]), int(table.offsets[rule_of[mask]])) for mask in combo
                )
                seen[combo] = RectangularState(patterns=combo, parent=state, rules=rules)
    return list(seen.values())


def _rectangular_outputs(states: list[RectangularState], n: int, work_limit: int) -> dict[int, RectangularWitness]:
    found: dict[int, RectangularWitness] = {}
    for state, outputs, table in _state_outputs(states, n, work_limit):
        for f, mask in enumerate(outputs.tolist()):
            if mask not in found:
                found[mask] = RectangularWitness(state, tuple(int(w) for w in table.weights[f]), int(table.offsets[f]))
    return found


# --------------------------------------------------------------------------- witnesses → units
def _ltf_neuron(spec: SignNetSpec, weights: Sequence[int], offset: int, fan_in: int) -> Neuron:
    """A neuron whose bit is ``1[Σ w_i t_i + c ≥ 0]`` of its inputs' bits (inputs with amplitude 1).

    Sign inputs are ``o_i = 2t_i − 1``: weights ``w_i/2`` and bias ``c + Σ w_i/2``; threshold inputs
    are ``o_i = t_i``: weights ``w_i`` and bias ``c``. Missing inputs (padding) get weight 0.
    """
    padded = list(weights) + [0] * (fan_in - len(weights))
    if spec.activation.name == "sign":
        halves = tuple(Fraction(w, 2) for w in padded)
        return Neuron(halves, Fraction(offset) + sum(halves, Fraction(0)))
    return Neuron(tuple(Fraction(w) for w in padded), Fraction(offset))


def _constant_tree(spec: SignNetSpec, depth: int) -> list[list[Neuron]]:
    """A depth-``depth`` subtree of constant-0 neurons (a padding child)."""
    if depth == 2:
        return [[constant_neuron(1, 0)]]
    fan_in = spec.widths[depth - 3]
    child = _constant_tree(spec, depth - 1)
    return [layer * fan_in for layer in child] + [[constant_neuron(fan_in, 0)]]


def _tree_unit_layers(spec: SignNetSpec, witness: Witness, depth: int) -> list[list[Neuron]]:
    if depth == 2:
        assert isinstance(witness, FirstLayerWitness)
        return [[Neuron((Fraction(witness.weight),), witness.bias)]]
    assert isinstance(witness, TreeWitness)
    fan_in = spec.widths[depth - 3]
    children = [_tree_unit_layers(spec, child, depth - 1) for child in witness.children]
    children += [_constant_tree(spec, depth - 1) for _ in range(fan_in - len(children))]
    layers = [[unit_neuron for child in children for unit_neuron in child[level]] for level in range(depth - 2)]
    layers.append([_ltf_neuron(spec, witness.weights, witness.offset, fan_in)])
    return layers


def _rectangular_unit_layers(spec: SignNetSpec, witness: RectangularWitness) -> list[list[Neuron]]:
    chain = [witness.state]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)  # type: ignore[arg-type]
    chain.reverse()
    first = chain[0]
    layers = [
        [Neuron((Fraction(leaf.weight),), leaf.bias) for leaf in first.leaves]
        + [constant_neuron(1, 0)] * (spec.widths[0] - len(first.leaves))
    ]
    for layer_index, state in enumerate(chain[1:], start=1):
        fan_in = spec.widths[layer_index - 1]
        neurons = [_ltf_neuron(spec, weights, offset, fan_in) for weights, offset in state.rules]
        layers.append(neurons + [constant_neuron(fan_in, 0)] * (spec.widths[layer_index] - len(neurons)))
    layers.append([_ltf_neuron(spec, witness.weights, witness.offset, spec.widths[-1])])
    return layers
