"""Units realising every switching pattern with ``≤ K`` switches (the lower bound of the closed form).

Notation: distinct sorted data ``d_0 < … < d_{n−1}``, target pattern ``v ∈ {0,1}^n`` with switch
gaps ``g_1 < … < g_k`` (:mod:`mirrorlib.signnets.switching`); every neuron below has amplitude 1,
so its output is ``σ(p)`` and its *bit* is ``1[p ≥ 0]``.

* **Depth 2** (``k ≤ 1``): ``σ(0·x ± 1)`` for a constant; for a switch at gap ``g`` the threshold
  ``t = (d_g + d_{g+1})/2`` (never a data point) and ``σ(x − t)`` (rising) or ``σ(−x + t)`` (falling).
* **Splitting**: write ``v_j = v_0 + Σ_{g < j} Δ_g`` with jumps ``Δ_g = v_{g+1} − v_g ∈ {±1}``, which
  alternate in sign. Cut the switches into consecutive blocks ``B_1, …, B_m`` and let child ``i``
  start at ``c_i`` = the bit before its first switch (0 for an empty block) and toggle at the
  gaps of ``B_i``; its jumps are those of ``v`` in ``B_i``, so it is a pattern with ``|B_i|``
  switches and ``Σ_i child_i = Σ_i c_i − v_0 + v``.
* **Combining**: with weights 1 the parent's pre-activation ``S_j + b``, ``S_j = Σ_i σ(child_i)(d_j)``,
  is strictly increasing in ``v_j`` (``σ`` of a bit is ``2·bit − 1`` or ``bit``), so
  ``b = −(max_{v_j=0} S_j + min_{v_j=1} S_j)/2`` gives the parent bit ``v_j`` exactly.
* **Tree**, depth ``L``: the output neuron has ``m_{L−2}`` children, each a depth-``(L−1)`` tree
  handling a block of at most ``∏_{l<L−2} m_l`` switches: recursively ``k ≤ ∏ m_l`` switches.
* **Rectangular**, depth ``L ≥ 3``: layer 1 holds one step per switch (``k ≤ m_1``; unused neurons
  constant), every layer-2 neuron combines all of them into ``v``, and every neuron of the
  layers above passes its first input through (weights ``(1, 0, …, 0)``).

Every construction is checked by exact evaluation (``tests/test_signnets.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from mirrorlib.signnets.networks import Neuron, SignNetSpec, SignUnit
from mirrorlib.signnets.switching import switch_bound, switch_gaps

__all__ = ["realising_unit", "split_switches", "first_layer_neuron", "combining_neuron", "constant_neuron"]

Pattern = tuple[int, ...]


def realising_unit(spec: SignNetSpec, points: Sequence[Fraction], pattern: Sequence[int]) -> SignUnit:
    """A unit of ``spec`` whose feature on the distinct sorted ``points`` is ``pattern`` (bits).

    Raises ``ValueError`` when the pattern has more switches than the architecture's bound ``K``.

    Examples
    --------
    >>> from mirrorlib.signnets.networks import SignNetSpec
    >>> from mirrorlib.functions.activations import get_activation
    >>> spec = SignNetSpec(get_activation('threshold'), 'tree', (2,), 3)
    >>> points = [Fraction(v) for v in range(5)]
    >>> unit = realising_unit(spec, points, (1, 0, 0, 1, 1))
    >>> unit.feature_values(points)
    (Fraction(1, 1), Fraction(0, 1), Fraction(0, 1), Fraction(1, 1), Fraction(1, 1))
    """
    target = tuple(int(bit) for bit in pattern)
    if len(target) != len(points):
        raise ValueError(f"pattern has {len(target)} entries but there are {len(points)} distinct points")
    bound = switch_bound(spec.architecture, spec.widths, spec.depth)
    if len(switch_gaps(target)) > bound:
        raise ValueError(f"pattern {target} has {len(switch_gaps(target))} switches; a {spec.describe()} has at most {bound}")
    if spec.architecture == "tree":
        layers = _tree_layers(spec, points, target, spec.depth)
    else:
        layers = _rectangular_layers(spec, points, target)
    return SignUnit(spec, tuple(tuple(layer) for layer in layers))


def split_switches(pattern: Pattern, n_blocks: int, block_size: int) -> list[Pattern]:
    """Children patterns: consecutive blocks of at most ``block_size`` switches (see module docstring).

    Examples
    --------
    >>> split_switches((0, 1, 0, 1, 0), 2, 2)
    [(0, 1, 0, 0, 0), (0, 0, 0, 1, 0)]
    """
    gaps = switch_gaps(pattern)
    if len(gaps) > n_blocks * block_size:
        raise ValueError(f"{len(gaps)} switches do not fit into {n_blocks} blocks of {block_size}")
    children = []
    for block_index in range(n_blocks):
        block = set(gaps[block_index * block_size : (block_index + 1) * block_size])
        bit = pattern[min(block)] if block else 0
        child = []
        for j in range(len(pattern)):
            child.append(bit)
            if j in block:
                bit ^= 1
        children.append(tuple(child))
    return children


def first_layer_neuron(points: Sequence[Fraction], pattern: Pattern) -> Neuron:
    """``σ(w x + b)`` with ``w ∈ {−1, 0, 1}`` realising a pattern with at most one switch.

    Examples
    --------
    >>> first_layer_neuron([Fraction(0), Fraction(1), Fraction(2)], (0, 0, 1))
    Neuron(weights=(Fraction(1, 1),), bias=Fraction(-3, 2), amplitude=Fraction(1, 1))
    """
    gaps = switch_gaps(pattern)
    if not gaps:
        return constant_neuron(1, pattern[0] if pattern else 0)
    if len(gaps) > 1:
        raise ValueError(f"a single neuron σ(w x + b) switches at most once, pattern {pattern} has {len(gaps)}")
    g = gaps[0]
    threshold = (points[g] + points[g + 1]) / 2
    rising = pattern[g] == 0
    return Neuron((Fraction(1 if rising else -1),), -threshold if rising else threshold)


def constant_neuron(fan_in: int, bit: int) -> Neuron:
    """Zero weights and bias ``+1`` (bit 1) or ``−1`` (bit 0).

    Examples
    --------
    >>> constant_neuron(2, 1)
    Neuron(weights=(Fraction(0, 1), Fraction(0, 1)), bias=Fraction(1, 1), amplitude=Fraction(1, 1))
    """
    return Neuron((Fraction(0),) * fan_in, Fraction(1 if bit else -1))


def combining_neuron(
    spec: SignNetSpec, inputs: Sequence[Pattern], weights: Sequence[int], pattern: Pattern
) -> Neuron:
    """Weights ``weights`` on inputs whose bits are ``inputs`` and the separating bias for ``pattern``.

    Raises ``RuntimeError`` if the weighted sum does not separate the target bits (a broken
    construction, never expected).

    Examples
    --------
    >>> from mirrorlib.signnets.networks import SignNetSpec
    >>> from mirrorlib.functions.activations import get_activation
    >>> spec = SignNetSpec(get_activation('threshold'), 'tree', (2,), 3)
    >>> combining_neuron(spec, [(1, 1, 0), (0, 1, 1)], [1, 1], (0, 1, 0))
    Neuron(weights=(Fraction(1, 1), Fraction(1, 1)), bias=Fraction(-3, 2), amplitude=Fraction(1, 1))
    """
    sums = [sum((w * spec.native(child[j]) for w, child in zip(weights, inputs)), Fraction(0)) for j in range(len(pattern))]
    zeros = [s for s, bit in zip(sums, pattern) if bit == 0]
    ones = [s for s, bit in zip(sums, pattern) if bit == 1]
    if zeros and ones:
        if max(zeros) >= min(ones):
            raise RuntimeError(f"inputs {inputs} with weights {weights} do not separate pattern {pattern}")
        bias = -(max(zeros) + min(ones)) / 2
    elif ones:
        bias = -min(ones)
    else:
        bias = -max(zeros) - 1
    return Neuron(tuple(Fraction(w) for w in weights), bias)


def _merge_levels(children_layers: list[list[list[Neuron]]]) -> list[list[Neuron]]:
    """Concatenate the children's layers level by level (child 0's neurons first)."""
    return [[unit_neuron for child in children_layers for unit_neuron in child[level]] for level in range(len(children_layers[0]))]


def _tree_layers(spec: SignNetSpec, points: Sequence[Fraction], pattern: Pattern, depth: int) -> list[list[Neuron]]:
    """Layers (bottom first) of a depth-``depth`` tree whose output bits are ``pattern``."""
    if depth == 2:
        return [[first_layer_neuron(points, pattern)]]
    branching = spec.widths[depth - 3]
    block_size = math.prod(spec.widths[: depth - 3])
    children = split_switches(pattern, branching, block_size)
    layers = _merge_levels([_tree_layers(spec, points, child, depth - 1) for child in children])
    layers.append([combining_neuron(spec, children, [1] * branching, pattern)])
    return layers


def _rectangular_layers(spec: SignNetSpec, points: Sequence[Fraction], pattern: Pattern) -> list[list[Neuron]]:
    """Layer 1: one step per switch; layer 2: combine into ``pattern``; above: pass through."""
    if spec.depth == 2:
        return [[first_layer_neuron(points, pattern)]]
    steps = split_switches(pattern, spec.widths[0], 1)
    layers = [[first_layer_neuron(points, step) for step in steps]]
    sizes = spec.layer_sizes
    combine = combining_neuron(spec, steps, [1] * len(steps), pattern)
    layers.append([combine] * sizes[1])
    for layer_index in range(2, spec.depth - 1):
        fan_in = sizes[layer_index - 1]
        passing = combining_neuron(spec, [pattern] * fan_in, [1] + [0] * (fan_in - 1), pattern)
        layers.append([passing] * sizes[layer_index])
    return layers
