"""The exact unit oracle against the cdd cell enumeration (the independent reference)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirrorlib import library
from mirrorlib.functions.activations import get_activation
from mirrorlib.groundtruth import ground_truth_library
from mirrorlib.groundtruth.architectures import make_architecture
from mirrorlib.groundtruth.library import _pattern_vertices, resolve_activation, resolve_patterns
from mirrorlib.groundtruth.oracle import oracle_size, unit_oracle, vertex_points

CASES_PER_FAMILY = 55  # 4 families: 220 random instances


def _instance(rng: random.Random, family: str) -> tuple[list[Fraction], list[Fraction], str, int, str]:
    if family == "wide":
        n, architecture, depth = rng.randint(2, 4), rng.choice(["width2", "symmetrised"]), 3
    else:
        n, architecture = rng.randint(2, 5), "narrow"
        depth = {"narrow-2-3": rng.choice([2, 3]), "narrow-4": 4, "duplicates": rng.choice([2, 3, 4])}[family]
        n = min(n, 4) if depth == 4 else n
    X = [Fraction(rng.randint(-12, 12), rng.choice([1, 2, 3])) for _ in range(n)]
    if family == "duplicates":
        X.append(X[rng.randrange(n)])
    lam = [Fraction(rng.randint(-6, 6), rng.choice([1, 1, 2])) for _ in X]
    mean = sum(lam) / len(lam)
    lam = [value - mean for value in lam]
    activation = "relu" if architecture == "symmetrised" else rng.choice(["relu", "abs", "leaky_relu(1/3)", "leaky_relu(-2)"])
    return X, lam, activation, depth, architecture


@pytest.mark.parametrize("family", ["narrow-2-3", "narrow-4", "wide", "duplicates"])
def test_oracle_and_vertices_equal_cdd_reference(family: str) -> None:
    rng = random.Random(f"oracle-{family}")
    for _ in range(CASES_PER_FAMILY):
        X, lam, activation, depth, architecture = _instance(rng, family)
        reference = ground_truth_library(X, activation, depth, architecture=architecture, method="cdd")
        lam_sorted = [lam[i] for i in reference.dataset.order]
        truth = max(abs(sum(l * v for l, v in zip(lam_sorted, entry.vector))) for entry in reference.entries)
        result = unit_oracle(X, lam, activation, depth, architecture=architecture)
        assert result.value == truth, (X, lam, activation, depth, architecture)
        # the maximising unit reproduces the value when evaluated directly, in the caller's order
        direct = [result.unit(x) for x in X]
        assert tuple(direct) == result.vector
        assert abs(sum(l * u for l, u in zip(lam, direct))) == truth
        # the same vertex set, pattern by pattern
        spec = make_architecture(architecture, depth)
        sigma = resolve_activation(activation, architecture)
        for pattern in resolve_patterns(None, spec, sigma):
            _, by_cdd = _pattern_vertices(spec, sigma, reference.dataset.distinct_x, pattern)
            assert vertex_points(spec, sigma, pattern, reference.dataset.distinct_x) == by_cdd
        assert ground_truth_library(X, activation, depth, architecture=architecture).vectors == reference.vectors


def test_oracle_finds_the_midpoint_unit_the_abs_closed_form_misses() -> None:
    X = [0, 2, 3, 5]
    lam = [Fraction(-1, 1), Fraction(2, 1), Fraction(-2, 1), Fraction(1, 1)]
    closed = library(X, "abs", 3).matrix(exact=True)
    best_column = max(abs(sum(l * closed[i, j] for i, l in enumerate(lam))) for j in range(closed.shape[1]))
    result = unit_oracle(X, lam, "abs", 3)
    assert result.value > best_column
    assert abs(result.signed_value) == result.value


@given(
    X=st.lists(st.integers(-20, 20), min_size=2, max_size=7, unique=True),
    weights=st.lists(st.integers(-5, 5), min_size=7, max_size=7),
    case=st.sampled_from([("relu", 2), ("abs", 2), ("leaky_relu(1/2)", 2), ("relu", 3), ("abs", 3)]),
)
def test_oracle_dominates_every_closed_form_column(X, weights, case) -> None:
    activation, depth = case
    lam = [Fraction(w) for w in weights[: len(X)]]
    lam = [v - sum(lam) / len(lam) for v in lam]
    columns = library(X, activation, depth).matrix(exact=True)
    best = max(abs(sum(l * columns[i, j] for i, l in enumerate(lam))) for j in range(columns.shape[1]))
    assert unit_oracle(X, lam, activation, depth).value >= best


def test_oracle_of_relu_depth_two_is_the_best_ramp_exactly() -> None:
    X = [Fraction(v) for v in (0, 1, 3, 4, 9)]
    lam = [Fraction(v) for v in (3, -1, -4, 1, 1)]
    ramps = [[max(s * (x - k), 0) for x in X] for k in X for s in (1, -1)]
    expected = max(abs(sum(l * v for l, v in zip(lam, ramp))) for ramp in ramps)
    assert unit_oracle(X, lam, "relu", 2).value == expected


def test_zero_dual_vector_gives_zero() -> None:
    assert unit_oracle([0, 1, 1, 2], [0, 1, -1, 0], "relu", 3).value == 0


def test_oracle_size_counts_the_candidates() -> None:
    # ReLU depth 3: for each sign pattern and layer-1 kink one swept point; abs: kinks + midpoints
    for n in (3, 10, 40):
        assert oracle_size(n, "relu", 2) == 2
        assert oracle_size(n, "relu", 3) == 8 * n
        assert oracle_size(n, "abs", 3) == n * n + n


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lam": [1, 1, 1]}, "1ᵀλ = 0"),
        ({"lam": [1, -1]}, "lam has 2 entries"),
        ({"activation": "linear"}, "linear"),
        ({"activation": "max(0, x) - max(0, x - 1)"}, "outside the scope"),
        ({"depth": 1}, "depth"),
        ({"architecture": "wide"}, "architecture"),
        ({"max_candidates": 1, "depth": 3}, "max_candidates"),
        ({"max_candidates": 0}, "max_candidates"),
        ({"order": "backwards"}, "order"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, message: str) -> None:
    arguments = {"X": [0, 1, 2], "lam": [1, -2, 1], "activation": "relu", "depth": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        unit_oracle(**arguments)


def test_breakpoints_are_explained_by_reflection_trees() -> None:
    result = unit_oracle([0, 2, 3, 5], [-1, 2, -2, 1], "abs", 3)
    trees = result.breakpoint_trees(max_nesting=2)
    assert set(trees) == set(result.breakpoints)
    assert get_activation("abs").name in result.describe()


def test_deep_architectures_are_refused_before_any_work() -> None:
    with pytest.raises(ValueError, match="depth ≤ 5"):
        oracle_size(10, "relu", 6)
    with pytest.raises(ValueError, match="depth"):
        unit_oracle([0, 1, 2], [1, -2, 1], "abs", 12)


def test_library_builds_refuse_above_the_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from mirrorlib import ConvexNet

    with pytest.raises(ValueError, match="depth ≤ 5"):
        ConvexNet("relu", 10, 0.1).fit([0, 1, 2, 3], [0, 1, 0, 1])
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(16 * 1024**2))
    with pytest.raises(ValueError, match="building the distinct library would hold.*MIRRORLIB_MAX_BYTES"):  # measured peak: 32 MB
        library(list(range(200)), "relu", 4).distinct()
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", "1000")
    with pytest.raises(ValueError, match=r"limit 1,000 bytes"):
        library([0, 1, 2, 3], "relu", 3).matrix()
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", "lots")
    with pytest.raises(ValueError, match="whole number of bytes"):
        library([0, 1, 2, 3], "relu", 3).matrix()


def _near_tie_instance(rng: random.Random) -> tuple[list[Fraction], list[Fraction], str, int, str]:
    """Small integer data and λ, then every λ_j moved by a multiple of 2⁻⁷⁰: the scaled integers no
    longer fit in int64, and many units tie up to far less than float64 resolves."""
    X, lam, activation, depth, architecture = _instance(rng, rng.choice(["narrow-2-3", "narrow-4", "wide"]))
    if not any(lam):  # λ far from 0 in units of 2⁻⁷⁰, so that its scaled integers are large
        lam[0], lam[-1] = Fraction(1), Fraction(-1)
    lam = [value + Fraction((j + 1) ** 2 * rng.choice([-1, 1]), 2**70) for j, value in enumerate(lam)]
    mean = sum(lam) / len(lam)
    return X, [value - mean for value in lam], activation, depth, architecture


@pytest.mark.parametrize("seed", range(40))
def test_float_shortlist_keeps_the_exact_first_maximiser(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the oracle needs Python integers it evaluates every candidate in float64 first and
    only the near-best ones exactly; the value and the maximising unit are those of evaluating
    every candidate exactly."""
    import mirrorlib.groundtruth.oracle as oracle

    X, lam, activation, depth, architecture = _near_tie_instance(random.Random(seed))
    shortlisted = []
    real_shortlist = oracle._float_shortlist
    monkeypatch.setattr(oracle, "_float_shortlist", lambda *args: shortlisted.append(real_shortlist(*args)) or shortlisted[-1])
    fast = unit_oracle(X, lam, activation, depth, architecture=architecture)
    assert shortlisted and shortlisted[0] is not None  # the Python-integer path ran, through the shortlist
    monkeypatch.setattr(oracle, "_float_shortlist", lambda *args: None)
    every = unit_oracle(X, lam, activation, depth, architecture=architecture)
    assert (fast.value, fast.signed_value, fast.vector) == (every.value, every.signed_value, every.vector)
    assert fast.unit.describe() == every.unit.describe()


@pytest.mark.parametrize("scale", [Fraction(1, 2**1070), Fraction(2**400)])
def test_values_float64_cannot_round_relatively_are_evaluated_exactly(scale: Fraction, monkeypatch: pytest.MonkeyPatch) -> None:
    """λ near float64's subnormals (or data near its overflow) would break the relative rounding
    the shortlist's error bound counts on (a bound that underflows to 0, or inf − inf): such
    calls skip the shortlist and evaluate every candidate exactly."""
    import mirrorlib.groundtruth.oracle as oracle

    X, lam, activation, depth, architecture = _near_tie_instance(random.Random(3))
    if scale > 1:
        X = [value * scale for value in X]
    else:
        lam = [value * scale for value in lam]
    shortlisted = []
    real_shortlist = oracle._float_shortlist
    monkeypatch.setattr(oracle, "_float_shortlist", lambda *args: shortlisted.append(real_shortlist(*args)) or shortlisted[-1])
    result = unit_oracle(X, lam, activation, depth, architecture=architecture)
    assert shortlisted == [None]
    monkeypatch.setattr(oracle, "_float_shortlist", lambda *args: None)
    assert unit_oracle(X, lam, activation, depth, architecture=architecture).value == result.value


@pytest.mark.parametrize("depth", [2, 3, 4])
@pytest.mark.parametrize(("base", "left"), [("relu", 0), ("abs", -1)])
@pytest.mark.parametrize("factor", [Fraction(2), Fraction(1, 3), Fraction(5, 2)])
def test_scaling_sigma_scales_the_oracle_by_its_power(depth, base, left, factor):
    """σ = c·relu (or c·abs): every unit of depth L is c^{L−1} times a unit of relu (abs) with
    rescaled biases, so sup |λᵀu| scales by c^{L−1} exactly (also the one-pass ReLU/abs branches)."""
    from mirrorlib.functions.activations import pwl_activation

    X, lam = [0, 1, 3, 4, 7], [1, -2, 3, -1, -1]
    scaled = pwl_activation([0], [0], left_slope=left * factor, right_slope=factor)
    assert unit_oracle(X, lam, scaled, depth).value == factor ** (depth - 1) * unit_oracle(X, lam, base, depth).value


@pytest.mark.parametrize("seed", range(36))
def test_runners_up_are_genuine_units_with_exact_values(seed: int) -> None:
    """Each runner-up's unit gives its vector and its value exactly; none beats the maximum; they
    come largest first; no two of them (nor one and the maximiser) differ by a constant; asking
    for them changes nothing else. Every third instance takes the float64 shortlist path."""
    rng = random.Random(seed)
    X, lam, activation, depth, architecture = (
        _near_tie_instance(rng) if seed % 3 == 0 else _instance(rng, rng.choice(["narrow-2-3", "narrow-4", "duplicates"]))
    )
    plain = unit_oracle(X, lam, activation, depth, architecture=architecture)
    result = unit_oracle(X, lam, activation, depth, architecture=architecture, runners_up=4)
    assert (result.value, result.vector, result.unit.describe()) == (plain.value, plain.vector, plain.unit.describe())
    assert plain.runners_up == () and len(result.runners_up) <= 4
    values = [other.value for other in result.runners_up]
    assert values == sorted(values, reverse=True) and all(value <= result.value for value in values)
    for other in result.runners_up:
        assert other.vector == tuple(other.unit(Fraction(x)) for x in X)
        assert other.signed_value == sum(l * u for l, u in zip(lam, other.vector)) and other.value == abs(other.signed_value)
    vectors = [result.vector, *(other.vector for other in result.runners_up)]
    assert len({tuple(v - vector[0] for v in vector) for vector in vectors}) == len(vectors)


def test_runners_up_come_from_several_maps_and_are_bounded() -> None:
    """abs at depth 4 has 21 vertex maps: many distinct runners-up, never more than asked for
    (fewer when the leaders' columns coincide up to a constant)."""
    X, lam = [0, 1, 3, 4, 6, 7, 9], [1, -2, 1, 3, -1, -2, 0]
    found = [len(unit_oracle(X, lam, "abs", 4, runners_up=k).runners_up) for k in (1, 3, 8, 20)]
    assert all(0 < size <= k for size, k in zip(found, (1, 3, 8, 20))) and found[-1] >= 10
    with pytest.raises(ValueError, match="runners_up must be an integer ≥ 0"):
        unit_oracle(X, lam, "abs", 4, runners_up=-1)
    with pytest.raises(ValueError, match="runners_up must be at most 1,000, got 1,000,000,000"):
        unit_oracle(X, lam, "abs", 4, runners_up=10**9)


@pytest.mark.parametrize("seed", range(24))
def test_leaders_do_not_depend_on_how_candidates_are_blocked(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The candidates are evaluated a block at a time and each map keeps its leaders across blocks
    (only values above its current last leader enter): one candidate per block and the default
    blocks give the same maximiser and the same runners-up, earliest first among equal values
    (small integer data and λ tie often). Every third instance takes the float64 shortlist path,
    where the maximiser is exact and must agree; its runners-up are ranked by float64 values,
    whose last bits may depend on the block (a BLAS product), so near ties may swap there."""
    import mirrorlib.groundtruth.oracle as oracle

    rng = random.Random(seed)
    shortlist = seed % 3 == 0
    X, lam, activation, depth, architecture = (
        _near_tie_instance(rng) if shortlist else _instance(rng, rng.choice(["narrow-2-3", "narrow-4", "duplicates"]))
    )

    def leaders() -> list[str]:
        result = unit_oracle(X, lam, activation, depth, architecture=architecture, runners_up=5)
        return [f"{found.signed_value} {found.unit.describe()}" for found in (result, *result.runners_up)][: 1 if shortlist else None]

    blocked = leaders()
    monkeypatch.setattr(oracle, "_CHUNK_ENTRIES", 1)
    assert leaders() == blocked
