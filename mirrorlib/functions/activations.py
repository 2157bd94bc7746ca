"""Piecewise-linear activations σ and their homogeneity (theory §1).

Every activation is an exact :class:`~mirrorlib.functions.pwl.PWL` with a name. Two properties decide
which theorems apply:

* **positively homogeneous** (σ(ct) = cσ(t) for c > 0): exactly the functions
  ``σ(t) = a·t (t < 0), b·t (t ≥ 0)`` — ReLU (a=0, b=1), leaky ReLU (a, 1), |t| (−1, 1),
  linear (1, 1). The rescaling lemma (AM–GM) reduces the weight-decay penalty of a unit to
  ``β|α ∏ w_l|``, so inner weights may be fixed to signs ``s_l ∈ {−1, +1}``; the Lasso
  libraries of :mod:`mirrorlib.libraries.closed_form` require this property.
* **0-homogeneous** (σ(ct) = σ(t) for c > 0): sign and threshold. Inner weights do not change
  the output; the paper uses amplitude parametrisation σ(t) = s·sign(t) with trainable
  penalised amplitude s.

Conventions at jumps (the paper's, chosen so features are ±1 / 0-1 vectors):
``sign(t) = +1 for t ≥ 0, −1 for t < 0`` and ``threshold(t) = 1[t ≥ 0]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from mirrorlib.numbers.exact import format_rational, to_rational
from mirrorlib.functions.pwl import PWL

__all__ = [
    "Activation",
    "relu",
    "leaky_relu",
    "absolute",
    "linear",
    "symmetrised_relu",
    "sign",
    "threshold",
    "pwl_activation",
    "get_activation",
    "ACTIVATION_NAMES",
]


@dataclass(frozen=True)
class Activation:
    """A named PWL activation.

    Attributes
    ----------
    name : str
        Canonical name, e.g. ``"relu"`` or ``"leaky_relu(1/10)"``.
    function : PWL
        σ itself, exact.
    channels : tuple[PWL, ...]
        What one neuron of a layer hands to the next layer. ``(σ,)`` for ordinary activations;
        the symmetrised ReLU emits two channels ``(relu(t), relu(−t))`` that the next layer
        weighs independently (a width-2 ReLU layer with tied, opposite input weights).

    Examples
    --------
    >>> sigma = get_activation('leaky_relu(1/4)')
    >>> sigma.name, sigma.is_positively_homogeneous, sigma.function(-4)
    ('leaky_relu(1/4)', True, Fraction(-1, 1))
    """

    name: str
    function: PWL
    channels: tuple[PWL, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.channels:
            object.__setattr__(self, "channels", (self.function,))

    def __call__(self, argument: PWL | object) -> PWL | Fraction:
        """σ(t) exactly for a number ``t``; the composition σ∘f for a PWL ``f``."""
        if isinstance(argument, PWL):
            return self.function.compose(argument)
        return self.function(argument)

    @property
    def is_positively_homogeneous(self) -> bool:
        """σ(ct) = cσ(t) for all c > 0 and all channels (σ = a·t on t<0, b·t on t≥0)."""
        return all(_homogeneous_slopes(channel) is not None for channel in self.channels)

    @property
    def is_zero_homogeneous(self) -> bool:
        """σ(ct) = σ(t) for all c > 0 (sign, threshold and constants)."""
        return all(
            set(channel.breakpoints) <= {Fraction(0)} and all(m == 0 for m in channel.slopes)
            for channel in self.channels
        )

    @property
    def is_scalar(self) -> bool:
        """True unless a neuron emits several channels (symmetrised ReLU)."""
        return len(self.channels) == 1

    @property
    def slopes(self) -> tuple[Fraction, Fraction]:
        """``(a, b)`` with σ(t) = a·t for t < 0 and b·t for t ≥ 0 (homogeneous scalar σ only)."""
        pair = _homogeneous_slopes(self.function)
        if pair is None or not self.is_scalar:
            raise ValueError(f"activation {self.name} is not a positively homogeneous scalar activation")
        return pair

    def homogeneity_problem(self) -> str | None:
        """Why the rescaling lemma does not apply (None when σ is positively homogeneous)."""
        if self.is_positively_homogeneous:
            return None
        for channel in self.channels:
            if set(channel.breakpoints) - {Fraction(0)}:
                kinks = ", ".join(format_rational(b) for b in channel.breakpoints if b != 0)
                return f"{self.name} has breakpoints away from 0 (at {kinks}), so σ(ct) ≠ cσ(t)"
            if any(c != 0 for c in channel.intercepts) or not channel.is_continuous:
                return f"{self.name} does not vanish at 0 or jumps there, so σ(ct) ≠ cσ(t)"
        return f"{self.name} is not positively homogeneous"

    def require_positively_homogeneous(self, purpose: str) -> None:
        """Raise ``ValueError`` explaining why ``purpose`` needs a homogeneous activation."""
        problem = self.homogeneity_problem()
        if problem is not None:
            raise ValueError(
                f"{purpose} requires a positively homogeneous activation (theory §1 rescaling lemma): "
                f"{problem}. Non-homogeneous activations are outside the paper's theorems."
            )

    def __repr__(self) -> str:
        return f"Activation({self.name}: {self.function!r})"


def _homogeneous_slopes(function: PWL) -> tuple[Fraction, Fraction] | None:
    if set(function.breakpoints) - {Fraction(0)} or any(c != 0 for c in function.intercepts):
        return None
    if function.breakpoints and function.values[0] != 0:
        return None
    return function.slopes[0], function.slopes[-1]


def _kink_at_zero(left_slope: Fraction, right_slope: Fraction) -> PWL:
    return PWL.continuous([0], [0], left_slope=left_slope, right_slope=right_slope)


def relu() -> Activation:
    """``relu(t) = max(t, 0)``.

    Examples
    --------
    >>> relu()(Fraction(-2)), relu()(Fraction(3, 2)), relu().slopes
    (Fraction(0, 1), Fraction(3, 2), (Fraction(0, 1), Fraction(1, 1)))
    """
    return Activation("relu", _kink_at_zero(Fraction(0), Fraction(1)))


def leaky_relu(negative_slope: object = Fraction(1, 100)) -> Activation:
    """``t ↦ t`` for t ≥ 0 and ``a·t`` for t < 0, with rational leak ``a`` (default 1/100).

    Parameters
    ----------
    negative_slope : rational
        The leak ``a``.

    Returns
    -------
    Activation

    Examples
    --------
    >>> leaky_relu('1/10')(Fraction(-5))
    Fraction(-1, 2)
    """
    a = to_rational(negative_slope, name="negative_slope")
    return Activation(f"leaky_relu({format_rational(a)})", _kink_at_zero(a, Fraction(1)))


def absolute() -> Activation:
    """``|t|``.

    Examples
    --------
    >>> absolute()(Fraction(-3)), absolute().is_positively_homogeneous
    (Fraction(3, 1), True)
    """
    return Activation("abs", _kink_at_zero(Fraction(-1), Fraction(1)))


def linear() -> Activation:
    """The identity ``t ↦ t``.

    Examples
    --------
    >>> linear()(Fraction(-3))
    Fraction(-3, 1)
    """
    return Activation("linear", PWL.affine(1, 0))


def symmetrised_relu() -> Activation:
    """Symmetrised ReLU: a neuron emits ``relu(t)`` and ``relu(−t)``, weighed independently
    by the next layer — a width-2 ReLU layer whose two neurons share the bias and have opposite
    input weights. With equal next-layer weights it acts as ``|t|``, with opposite ones as ``t``.
    Its ``function`` (used when a single channel is needed) is ``relu``.

    Examples
    --------
    >>> sigma = symmetrised_relu()
    >>> sigma.name, len(sigma.channels)
    ('symmetrised_relu', 2)
    """
    ramp = _kink_at_zero(Fraction(0), Fraction(1))
    return Activation("symmetrised_relu", ramp, channels=(ramp, ramp.affine_input(-1)))


def sign() -> Activation:
    """``sign(t) = +1 for t ≥ 0, −1 for t < 0`` (the paper's convention: ±1 features).

    Examples
    --------
    >>> sign()(Fraction(-1, 2)), sign()(Fraction(0)), sign()(Fraction(2))
    (Fraction(-1, 1), Fraction(1, 1), Fraction(1, 1))
    """
    step = PWL((Fraction(0),), (Fraction(0), Fraction(0)), (Fraction(-1), Fraction(1)), (Fraction(1),))
    return Activation("sign", step)


def threshold() -> Activation:
    """``threshold(t) = 1[t ≥ 0]``.

    Examples
    --------
    >>> threshold()(Fraction(-1)), threshold()(Fraction(0))
    (Fraction(0, 1), Fraction(1, 1))
    """
    step = PWL((Fraction(0),), (Fraction(0), Fraction(0)), (Fraction(0), Fraction(1)), (Fraction(1),))
    return Activation("threshold", step)


def pwl_activation(
    breakpoints: Sequence[object],
    values: Sequence[object] | None = None,
    *,
    left_slope: object = None,
    right_slope: object = None,
    slopes: Sequence[object] | None = None,
    value_at_first: object = 0,
    name: str = "custom",
) -> Activation:
    """A user-defined continuous PWL activation, from rational data in either form:

    * ``values`` ``σ(b_i)`` at the breakpoints plus ``left_slope`` and ``right_slope``; or
    * ``slopes`` ``m_0, …, m_k`` of the ``k + 1`` pieces plus ``σ(b_1) = value_at_first``.

    For discontinuous activations build the :class:`PWL` directly and wrap it:
    ``Activation("my_step", PWL(...))``; for a sympy expression use :func:`get_activation`.

    Parameters
    ----------
    breakpoints : sequence of rationals
        ``b_1 < … < b_k``.
    values : sequence of rationals, optional
        ``σ(b_i)``.
    left_slope, right_slope : rational, optional
        Slopes left of ``b_1`` and right of ``b_k`` (with ``values``).
    slopes : sequence of rationals, optional
        ``m_0, …, m_k`` (instead of ``values``).
    value_at_first : rational
        ``σ(b_1)`` (with ``slopes``).
    name : str

    Returns
    -------
    Activation

    Examples
    --------
    >>> sigma = pwl_activation([0, 1], [0, 1], left_slope=0, right_slope=0)
    >>> sigma.function(Fraction(1, 2)), sigma.function(5)
    (Fraction(1, 2), Fraction(1, 1))
    """
    if slopes is not None:
        if values is not None:
            raise ValueError("give either values (with left_slope/right_slope) or slopes, not both")
        return Activation(name, PWL.from_slopes(breakpoints, slopes, value_at_first=value_at_first))
    if values is None or left_slope is None or right_slope is None:
        raise ValueError("pwl_activation needs values, left_slope and right_slope (or slopes=...)")
    return Activation(name, PWL.continuous(breakpoints, values, left_slope=left_slope, right_slope=right_slope))


_FACTORIES = {
    "relu": relu,
    "abs": absolute,
    "absolute": absolute,
    "linear": linear,
    "identity": linear,
    "sign": sign,
    "threshold": threshold,
    "step": threshold,
    "symmetrised_relu": symmetrised_relu,
    "symmetrized_relu": symmetrised_relu,
    "srelu": symmetrised_relu,
}
ACTIVATION_NAMES: tuple[str, ...] = ("relu", "leaky_relu(a)", "abs", "linear", "symmetrised_relu", "sign", "threshold")

_LEAKY = re.compile(r"^leaky[_-]?relu(?:\s*[(:=]\s*([^)]+?)\s*\)?)?$")


def get_activation(spec: Activation | PWL | str | object) -> Activation:
    """Resolve an activation from a name, a PWL, a sympy expression or an :class:`Activation`.

    Names: ``relu``, ``leaky_relu`` (leak 1/100) or ``leaky_relu(1/10)`` / ``leaky-relu:0.1``,
    ``abs``, ``linear``, ``symmetrised_relu``, ``sign``, ``threshold``. Any other string is
    parsed by sympy as an expression in one variable, e.g. ``"Max(x, 0) - Max(x - 1, 0)"``.

    Raises ``ValueError`` naming the argument and listing the known names.

    Parameters
    ----------
    spec : str, PWL, sympy expression or Activation

    Returns
    -------
    Activation

    Examples
    --------
    >>> get_activation('leaky_relu(1/4)').slopes
    (Fraction(1, 4), Fraction(1, 1))
    >>> get_activation('abs').name
    'abs'
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, PWL):
        return Activation("custom", spec)
    if isinstance(spec, str):
        key = spec.strip().lower().replace(" ", "")
        if key in _FACTORIES:
            return _FACTORIES[key]()
        leaky = _LEAKY.match(key)
        if leaky:
            return leaky_relu(leaky.group(1)) if leaky.group(1) else leaky_relu()
    unknown = (
        f"activation {spec!r} is unknown: use one of {', '.join(ACTIVATION_NAMES)} "
        "or a piecewise-linear sympy expression in the variable x (or t), e.g. 'Max(x, 0)'"
    )
    try:
        import sympy

        expression = sympy.sympify(spec)
        if isinstance(spec, str) and not {str(s) for s in expression.free_symbols} <= {"x", "t"}:
            raise ValueError("names other than x or t")
        function = PWL.from_sympy(expression)
    except ValueError as error:  # our own reasons (names other than x, not piecewise linear, …)
        raise ValueError(f"{unknown} [{error}]") from None
    except Exception:  # sympy's internal errors on text it cannot read as a PWL expression
        raise ValueError(f"{unknown} [{spec!r} is not a piecewise-linear expression in x]") from None
    return Activation(str(spec), function)
