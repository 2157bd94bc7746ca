"""``ConvexNet``: fit a neural network on 1-D data by solving its Lasso (scikit-learn style).

Data flow (theory §2–§3): ``X → library → Lasso → network → certificate``. ``fit`` builds the
closed-form library ``A`` for the activation and depth, solves

    min_{z, ξ} ½‖A z + ξ1 − y‖² + β‖z‖₁

exactly (rational homotopy, ``exact=True``) or in float64 (coordinate descent to a relative
duality gap ``tol``), certifies the solution (exact KKT, or the float duality gap), and rebuilds
the optimal network (weights ``±|z_i|^{1/L}``) whose training objective equals the Lasso optimum.

Unpenalised columns (the skip connection's ``x``, Lemma 3.1) are eliminated with ξ by
projecting ``A`` and ``y`` onto the orthogonal complement of ``span{1, x}``; their coefficients
are recovered by least squares, which keeps every KKT condition of the full problem.

Sign and threshold activations (0-homogeneous, theory §1 last bullet) take the same path with
the closed-form library of :mod:`mirrorlib.signnets` (tree or rectangular units with hidden
``widths``; ``"narrow"`` means width 1 in every hidden layer): its columns are the ±1 (0/1)
vectors with at most ``K`` switches, all penalised and distinct by construction, and the optimal
network is rebuilt with balanced amplitudes ``|α_i| = |s_i| = √|z_i|``
(:class:`~mirrorlib.signnets.network.SignNetwork`), whose training objective
``½‖f(X) − y‖² + (β/2)Σ(α_i² + s_i²)`` equals the Lasso optimum exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from mirrorlib.functions.activations import Activation, get_activation
from mirrorlib.data import Dataset, as_dataset, as_labels
from mirrorlib.numbers.exact import positive_beta, to_rational
from mirrorlib.groundtruth.oracle import DEFAULT_MAX_CANDIDATES
from mirrorlib.libraries import ARCHITECTURES, ColumnSelection, Library, MemoryLimitExceeded, generated_library, library
from mirrorlib.multidim.estimation import PATTERN_MODES
from mirrorlib.multidim.sampling import MAX_SAMPLED_NEURONS
from mirrorlib.optimality import FitCertificate
from mirrorlib.lasso.fit import fit_lasso

if TYPE_CHECKING:
    from mirrorlib.signnets.library import SignLibrary

__all__ = ["ConvexNet", "GROUP_LASSO_TOL", "LIBRARY_MODES"]

LIBRARY_MODES = ("complete", "closed-form")

GROUP_LASSO_TOL = 1e-6
"""The smallest relative duality gap asked of a fit on d-dimensional data."""



DENSE_AUTO_MAX_ENTRIES = 2**23
"""``ConvexNet(solver="auto")`` at depths 2 and 3 fits densely while the closed form's float
matrix would have at most this many entries (naive columns × points, 64 MB), and by the
matrix-free working set above. Measured on 2 cores (``benchmarks/bench_scale.py``, section 3,
certified fits from the data): dense 1.7× faster for ReLU depth 2 on 1,000 points (2 million
entries); the two within run-to-run spread for depth 2 on 3,000 points (18 million), ReLU depth 3
on 150 points (13.5 million) and abs depth 3 on 150 points (3.4 million); the working set 1.6×
faster for depth 2 on 5,000 points (50 million), 1.4× and 4× for ReLU depth 3 on 250 and 400
points (62.5 and 256 million) and 2.1× for abs depth 3 on 250 points (15.6 million)."""


def _dense_library_if_preferred(full: Library) -> Library | None:
    """The distinct closed form when ``solver="auto"`` fits it densely; ``None`` for the matrix-free
    working set (:func:`_working_set_selection`).

    A product costs about ``M_naive·log N`` matrix-free (:mod:`mirrorlib.libraries.operator`)
    and ``M_distinct·N`` dense, and the working set pays for its rounds. At depths 2 and 3 most
    naive columns are distinct, and the working set is preferred above
    :data:`DENSE_AUTO_MAX_ENTRIES` naive entries. From depth 4 on the naive count grows like
    ``N^{L−1}`` while most columns repeat (ReLU depth 4 on 100 points: 16 million naive columns,
    257,077 distinct; dense 2.2 s against 12.9 s), so the distinct library is always preferred.

    Dense needs the distinct build and its float matrix (one ``N × M`` array) to stay within
    :func:`~mirrorlib.libraries.library.memory_limit`; otherwise the working set is used. The
    limit decides whether dense is possible, never which way is faster.

    Examples
    --------
    >>> _dense_library_if_preferred(library(np.linspace(-1, 1, 100), "relu", 3)).n_features  # 40,001 × 100 entries
    9902
    >>> _dense_library_if_preferred(library(np.linspace(-1, 1, 130), "relu", 3)) is None  # 67,601 × 130 entries
    True
    """
    if full.depth < 4 and full.n_features * full.dataset.n_samples > DENSE_AUTO_MAX_ENTRIES:
        return None
    try:
        distinct = full.distinct(exact=False)
    except MemoryLimitExceeded:
        return None
    if distinct.matrix_fits_memory():
        return distinct
    full.recipe.forget_distinct()  # the working set does not need the rows: free them
    return None


def _working_set_selection(full: Library, y: Any, beta: float, tol: float) -> tuple[Library, list[float]]:
    """The closed-form columns a matrix-free working-set solve selects (the Lasso over all of
    them, never building the dictionary) and their coefficients; column generation continues
    from these, its first solve warm-started there."""
    from dataclasses import replace

    from mirrorlib.lasso.working_set import solve_lasso_operator
    from mirrorlib.libraries.operator import LibraryOperator

    labels = np.asarray([float(v) for v in y], dtype=np.float64)
    solution = solve_lasso_operator(LibraryOperator(full), labels, beta, tol=max(tol, 1e-12))
    selected = replace(full, selection=ColumnSelection(solution.support), selected_rows=full.recipe.integer_rows(solution.support))
    return selected, [float(v) for v in solution.values]


class ConvexNet(RegressorMixin, BaseEstimator):
    """A neural network trained through its convex Lasso (a scikit-learn regressor).

    ``X`` of shape ``(n,)`` or ``(n, 1)`` is 1-D data, the subject of the Lasso with reflection
    features; with ``exact=True`` its entries may be Fractions or strings such as ``"1/3"``.
    ``X`` of shape ``(n, d)`` with ``d ≥ 2`` is fitted as a two-layer ReLU network (``depth=2``,
    float64) through the group Lasso over activation patterns
    (:mod:`mirrorlib.multidim.group_lasso`), exact or sampled (``patterns``). The estimator passes
    :func:`sklearn.utils.estimator_checks.check_estimator` (:data:`EXPECTED_FAILED_CHECKS` lists
    the one check it declines, with the reason) and works in ``cross_val_score`` and
    ``GridSearchCV``.

    Parameters
    ----------
    activation : str or Activation
        ``relu``, ``abs``, ``leaky_relu(a)``, ``linear``, … (positively homogeneous),
        ``sign`` / ``threshold`` (0-homogeneous, :mod:`mirrorlib.signnets`), or
        ``symmetrised_relu`` (depth 2 or 3, float: a group Lasso, :mod:`mirrorlib.symmetrised`,
        fitted by column generation and certified exactly over every network of the architecture).
    depth : int
        ``L ≥ 2``.
    beta : float, Fraction, str or None
        The weight-decay strength β > 0 (``"1/1000"`` is exact); ``None`` with ``exact=True``
        gives the β → 0⁺ limit, the minimum-ℓ1 interpolating network.
    architecture : ``"narrow"``, ``"skip"``, ``"tree"`` or ``"rectangular"``
        Deep narrow units, or the 2-layer ReLU net with a skip connection (Lemma 3.1); for sign
        and threshold: ``"narrow"`` (width 1 in every hidden layer), ``"tree"`` or
        ``"rectangular"`` with hidden ``widths``.
    exact : bool
        Solve in rational arithmetic and certify by exact KKT (small problems), or in float64
        to a relative duality gap ``tol`` (large dictionaries).
    reflection_nesting : int, optional
        Passed to :func:`mirrorlib.libraries.library` (deep ReLU).
    tol : float
        Relative duality gap of the float solver; for X with ``d ≥ 2`` features at least
        :data:`GROUP_LASSO_TOL` (what the interior-point solver of the group Lasso reliably
        reaches; the certificate states the tolerance used).
    widths : str or sequence of int, optional
        Sign/threshold tree or rectangular units only: the ``L − 2`` hidden widths
        ``m_1, …, m_{L−2}`` counted from the input (``"2,2"``); not needed at depth 2.
    library : ``"complete"`` (default) or ``"closed-form"``
        ``"complete"``: column generation with the exact unit oracle
        (:mod:`mirrorlib.column_generation`) — start from the closed form (or from nothing where
        none exists, e.g. leaky ReLU at depth ≥ 3), add the unit that most violates
        ``|rᵀu(X)| ≤ β`` until none does; the fit then holds for ALL networks of the
        architecture. ``"closed-form"``: the Lasso over the closed-form library only; the
        network verdict is still computed and reported (it may be NOT OPTIMAL).
    max_oracle_candidates : int
        Refuse to run the oracle above this many candidate units
        (:func:`mirrorlib.groundtruth.oracle.oracle_size`); ``"complete"`` then raises,
        ``"closed-form"`` reports the network verdict as not checked.
    solver : ``"auto"`` (default), ``"dense"`` or ``"working-set"``
        Float fits of narrow closed forms: ``"working-set"`` never builds the dictionary — the
        Lasso over all closed-form columns is solved matrix-free
        (:func:`mirrorlib.lasso.working_set.solve_lasso_operator`), and column generation then
        starts from the columns it selected; ``"dense"`` builds the distinct library; ``"auto"``
        fits densely at depths 2 and 3 while the naive float matrix has at most
        :data:`DENSE_AUTO_MAX_ENTRIES` entries, and from depth 4 on (where most naive columns
        repeat) always, provided the distinct library and its float matrix fit the memory limit
        (:func:`mirrorlib.libraries.library.memory_limit`); otherwise the working set.
        ``solver_`` says which ran. Exact fits and ``architecture="skip"`` are always dense.
    patterns : ``"auto"`` (default), ``"exact"``, ``"search"`` or ``"sampled"``
        X with ``d ≥ 2`` features only: the group Lasso runs over every activation pattern of X
        (``"exact"``), over the patterns a branch and bound over every neuron supplies round by
        round (``"search"``, :mod:`mirrorlib.multidim.neuron_search`; no list, for larger N in low
        d) — both certify against all two-layer ReLU networks — or over the patterns of
        ``n_sampled_neurons`` Gaussian neurons (``"sampled"``; the network verdict then bounds what
        the sample misses by the same search: tight for d ≤ 3, valid but loose above). ``"auto"``:
        exact up to :data:`~mirrorlib.multidim.estimation.AUTO_EXACT_CANDIDATES` candidate cells,
        above it the search for d = 2 and a sample otherwise.
    n_sampled_neurons : int
        Neurons drawn for sampled patterns.
    random_state : int, RandomState or None
        Seed of the sampled patterns (an int gives the same patterns on every fit).

    Attributes (after ``fit``)
    --------------------------
    library_ : FeatureLibrary
        The deduplicated library the Lasso ran over (1-D data): a
        :class:`~mirrorlib.libraries.Library` or a :class:`~mirrorlib.signnets.library.SignLibrary`.
    patterns_ : ActivationPatterns or None
        The patterns the group Lasso ran over (``d ≥ 2``); ``None`` for the neuron search.
    group_lasso_ : GroupLassoFit
        The group-Lasso solution (``d ≥ 2``).
    coef_ : numpy.ndarray
        ``z`` (float64, one per column of ``library_``); ``coef_exact_`` holds Fractions when
        exact. For ``d ≥ 2``: the groups ``(v_D, w_D)``, shape ``(k, 2, d + 1)``.
    intercept_ : float
        ξ; ``intercept_exact_`` when exact.
    objective_ : Fraction or float
        The optimal value ``½‖A z + ξ1 − y‖² + β‖z‖₁``.
    certificate_ : FitCertificate
        ``certificate_.is_optimal``: the Lasso over ``library_`` is solved (exact KKT, or float
        duality gap); ``certificate_.training_optimal``: no network of the architecture has a
        lower training objective (:class:`~mirrorlib.optimality.TrainingCertificate` in
        ``certificate_.training``).
    solver_ : str
        How the Lasso was solved: ``"dense"`` (over the distinct library, exact or float),
        ``"working-set"`` (matrix-free over all closed-form columns, ``library_`` then holds the
        columns it selected and those column generation added) or ``"group-lasso"`` (``d ≥ 2``
        and symmetrised ReLU).
    added_features_ : tuple of Feature
        Columns that column generation added to the closed form.
    network_ : ParallelNetwork, SignNetwork or TwoLayerNetwork
        The rebuilt optimal network (``network_.training_objective(X, y, β)`` equals ``objective_``).

    Raises (in ``fit``)
    -------------------
    ValueError
        for bad data, labels or β, and for mismatched combinations: ``widths`` or
        ``"tree"``/``"rectangular"`` with a homogeneous activation, ``"skip"`` or
        ``reflection_nesting`` with sign/threshold, ``widths`` with ``"narrow"``, missing widths
        for a deep tree/rectangular unit; X with several features and anything but a float
        two-layer ReLU network.

    Examples
    --------
    >>> net = ConvexNet('relu', 2, '1/10', exact=True).fit([0, 1, 2, 4], [0, 1, 1, 3])
    >>> net.objective_, net.certificate_.is_optimal, net.certificate_.training_optimal
    (Fraction(13, 80), True, True)
    >>> net.predict([3.0])
    array([2.05])

    On 150 points the depth-3 closed form has 90,001 columns (13.5 million float entries, above
    :data:`DENSE_AUTO_MAX_ENTRIES`): ``solver="auto"`` solves the Lasso over all of them
    matrix-free and keeps the columns it selects:

    >>> x = np.linspace(-1, 1, 150)
    >>> deep = ConvexNet('relu', 3, 0.1).fit(x, np.sin(3 * x))
    >>> deep.solver_, deep.library_.n_naive, deep.library_.n_features < 100, deep.certificate_.training_optimal
    ('working-set', 90001, True, True)

    Data in the plane (d = 2), certified over all of its 14 activation patterns:

    >>> plane = ConvexNet(beta=0.01).fit([[0, 0], [1, 0], [0, 1], [1, 1]], [0.0, 1.0, 1.0, 0.0])
    >>> plane.patterns_.scope, plane.certificate_.training_optimal
    ('all 14 activation patterns (exact enumeration)', True)
    >>> bool(abs(plane.network_.training_objective(plane.group_lasso_.X, plane.group_lasso_.y, 0.01) - plane.objective_) < 1e-9)
    True
    """

    def __init__(
        self,
        activation: Any = "relu",
        depth: int = 2,
        beta: Any = 1e-3,
        *,
        architecture: str = "narrow",
        exact: bool = False,
        reflection_nesting: int | None = None,
        tol: float = 1e-10,
        widths: Any = None,
        library: str = "complete",
        max_oracle_candidates: int = DEFAULT_MAX_CANDIDATES,
        solver: str = "auto",
        patterns: str = "auto",
        n_sampled_neurons: int = 2000,
        random_state: Any = 0,
    ) -> None:
        self.activation = activation
        self.depth = depth
        self.beta = beta
        self.architecture = architecture
        self.exact = exact
        self.reflection_nesting = reflection_nesting
        self.tol = tol
        self.widths = widths
        self.library = library
        self.max_oracle_candidates = max_oracle_candidates
        self.solver = solver
        self.patterns = patterns
        self.n_sampled_neurons = n_sampled_neurons
        self.random_state = random_state

    _parameter_constraints: dict = {  # noqa: RUF012 - scikit-learn's convention
        "activation": [str, Activation],
        "depth": [Interval(Integral, 2, None, closed="left")],
        "beta": "no_validation",  # exact rationals, strings and None: checked exactly by _check_beta
        "architecture": [StrOptions({"narrow", "skip", "tree", "rectangular"})],
        "exact": ["boolean"],
        "reflection_nesting": [Interval(Integral, 0, None, closed="left"), None],
        "tol": [Interval(Real, 0, 1, closed="neither")],
        "widths": [str, "array-like", None],
        "library": [StrOptions(set(LIBRARY_MODES))],
        "max_oracle_candidates": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"auto", "dense", "working-set"})],
        "patterns": [StrOptions(set(PATTERN_MODES))],
        "n_sampled_neurons": [Interval(Integral, 1, MAX_SAMPLED_NEURONS, closed="both")],
        "random_state": ["random_state"],
    }

    def _check_beta(self) -> None:
        if self.beta is None:
            if not self.exact:
                raise ValueError("beta=None (the β → 0⁺ limit) needs exact=True")
            return
        positive_beta(self.beta)

    def fit(self, X: Any, y: Any) -> ConvexNet:
        """Build the library on ``X``, solve and certify the Lasso (growing the library by column
        generation with ``library="complete"``), rebuild the network and certify it."""
        from mirrorlib.column_generation import fit_certified, network_oracle

        self._validate_params()
        self._check_beta()
        X, y = self._validated_training_data(X, y)
        if self.n_features_in_ > 1:
            return self._fit_patterns(X, y)
        sigma = get_activation(self.activation)
        if not sigma.is_scalar:
            return self._fit_symmetrised(X, y)
        self._labels = list(y)
        dataset = as_dataset(X)
        as_labels(y, dataset)  # validates length and values before any heavy work
        if sigma.is_zero_homogeneous:
            start: Any = self._sign_library(sigma, dataset)
            self.solver_, warm_start = "dense", None
            oracle, scope = network_oracle(dataset, sigma, self.depth, "sign", max_switches=start.effective_switches)
        else:
            _reject_sign_only_arguments(self.architecture, self.widths)
            start, self.solver_, warm_start = self._homogeneous_library(sigma, dataset, y)
            oracle, scope = network_oracle(
                dataset, sigma, self.depth, self.architecture, max_candidates=self.max_oracle_candidates
            )
            if oracle is None and self.library == "complete":
                raise ValueError(
                    f"library='complete' needs the exact oracle, but {scope}; use library='closed-form' "
                    "(its network is then not certified) or raise max_oracle_candidates"
                )
        grow = self.library == "complete" and hasattr(start, "with_features")
        result = fit_certified(start, y, self.beta, fit_lasso, oracle, scope, exact=self.exact, tol=self.tol, grow=grow, warm_start=warm_start)
        self.library_ = result.library
        self.added_features_ = result.added
        fit = result.fit
        self.fit_ = fit
        self.certificate_ = FitCertificate(fit.certificate, result.training)
        self.objective_ = fit.objective
        self.coef_ = np.array([float(value) for value in fit.z])
        self.intercept_ = float(fit.xi)
        if self.exact:
            self.coef_exact_ = fit.z
            self.intercept_exact_ = fit.xi
        self.network_ = self.library_.network(fit.z, fit.xi)
        return self

    def _fit_patterns(self, X: np.ndarray, y: np.ndarray) -> ConvexNet:
        """X with ``d ≥ 2`` features: the two-layer ReLU network of the group Lasso over the
        patterns chosen by ``patterns`` (:mod:`mirrorlib.multidim.estimation`)."""
        from mirrorlib.multidim.estimation import choose_patterns, network_certificate
        from mirrorlib.multidim.group_lasso import fit_group_lasso
        from mirrorlib.multidim.neuron_search import fit_with_neuron_search

        _reject_for_several_features(self)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        self.patterns_ = choose_patterns(X, self.patterns, self.n_sampled_neurons, seed)
        beta, tol = float(to_rational(self.beta, name="beta")), max(self.tol, GROUP_LASSO_TOL)
        if self.patterns_ is None:
            fit = fit_with_neuron_search(X, y, beta, activation="relu", tol=tol)
        else:
            fit = fit_group_lasso(X, y, beta, activation="relu", patterns=self.patterns_, tol=tol)
        self.group_lasso_ = fit
        self.solver_ = "group-lasso"
        self.certificate_ = FitCertificate(fit.certificate, network_certificate(fit, self.patterns_))
        self.objective_ = fit.objective
        self.coef_ = fit.coefficients
        self.intercept_ = fit.intercept
        self.network_ = fit.network()
        return self

    def _fit_symmetrised(self, x: np.ndarray, y: np.ndarray) -> ConvexNet:
        """Symmetrised ReLU (depth 2 or 3): the group Lasso of :mod:`mirrorlib.symmetrised`, solved
        in float64 and certified exactly over every network of the architecture."""
        from mirrorlib.symmetrised.fit import fit_symmetrised, training_certificate

        _reject_for_symmetrised(self)
        fit = fit_symmetrised(x, np.asarray(y, dtype=np.float64), float(to_rational(self.beta, name="beta")), self.depth, tol=max(self.tol, GROUP_LASSO_TOL))
        self.group_lasso_ = fit
        self.solver_ = "group-lasso"
        self.certificate_ = FitCertificate(fit.certificate, training_certificate(fit))
        self.objective_ = fit.objective
        self.coef_ = fit.coefficients
        self.intercept_ = fit.intercept
        self.network_ = fit.network()
        return self

    @property
    def uniqueness_(self) -> str:
        """Whether the fitted optimum is the only one (computed on first access): ``"unique"`` /
        ``"not unique"`` for exact fits (decided exactly), ``"unique within tolerance"`` /
        ``"not unique"`` for float fits. See :meth:`optimal_set` for all of them."""
        self._require_fitted(one_d=True)
        return self.fit_.uniqueness

    def optimal_set(self, *, max_vertices: int = 200_000) -> Any:
        """Every optimum of the fitted Lasso (over ``library_``), exactly: a polytope of coefficient
        vectors with the same fit and ℓ1 norm (:class:`mirrorlib.lasso.landscape.OptimalSet`).

        The Lasso is solved again in exact arithmetic (float fits: their data read exactly).
        Its vertices map to networks with :meth:`network_of`.

        Examples
        --------
        >>> net = ConvexNet("relu", 2, "1/10", exact=True).fit([0, 1, 2, 4], [0, 1, 1, 3])
        >>> net.uniqueness_, net.optimal_set().dimension
        ('not unique', 1)
        """
        from mirrorlib.lasso.landscape import optimal_set

        self._require_fitted(one_d=True)
        if not self.library_.penalised.all():
            raise ValueError("optimal_set covers libraries whose columns are all penalised; architecture='skip' is not covered")
        labels = self.library_.dataset.to_original_order(as_labels(self._labels, self.library_.dataset))
        beta = None if self.beta is None else to_rational(self.beta, name="beta")
        return optimal_set(self.library_.matrix(exact=True).tolist(), list(labels), beta, max_vertices=max_vertices)

    def network_of(self, z: Sequence[Any], xi: Any) -> Any:
        """The balanced network of the Lasso point ``(z, ξ)`` over ``library_`` (e.g. a vertex of
        :meth:`optimal_set` with its :meth:`~mirrorlib.lasso.landscape.OptimalSet.intercept`)."""
        self._require_fitted(one_d=True)
        return self.library_.network(z, xi)

    def _validated_training_data(self, X: Any, y: Any) -> tuple[Any, Any]:
        """``(x, y)``: float arrays (float fits, through ``validate_data``; x 1-D, or ``(n, d)`` for
        ``d ≥ 2``) or the exact values as given (exact fits, X of shape ``(n,)`` or ``(n, 1)``)."""
        sized = not issparse(X) and hasattr(X, "__len__") and hasattr(y, "__len__") and not isinstance(y, str)
        if sized and len(X) != len(y):
            raise ValueError(f"y has {len(y)} labels but X has {len(X)} samples; give one label per data point")
        if not self.exact:
            try:
                X_checked, y_checked = validate_data(self, X, y, ensure_2d=False, y_numeric=True)
            except OverflowError:
                raise ValueError("X or y holds a value too large for float64; use exact=True or rescale the data") from None
            self.n_features_in_ = X_checked.shape[1] if X_checked.ndim == 2 else 1
            return (X_checked if self.n_features_in_ > 1 else _single_feature(X_checked)), y_checked
        values = np.asarray(X, dtype=object)
        if values.ndim == 2:
            values = _single_feature(values)
        elif values.ndim != 1:
            raise ValueError(f"X must be 1-D data of shape (n,) or (n, 1), got shape {values.shape}")
        self.n_features_in_ = 1
        return list(values), y

    def _homogeneous_library(self, sigma: Activation, dataset: Dataset, y: Any) -> tuple[Library, str, list[float] | None]:
        """The library the fit starts from, the solver it takes (``solver_``) and a warm start:
        the closed form (deduplicated, ``"dense"``), its working-set selection with the
        working set's coefficients (``"working-set"``), or an empty library for column generation
        where the paper gives no closed form (leaky ReLU or a custom σ at depth ≥ 3, ``"dense"``)."""
        try:
            full = library(dataset, sigma, self.depth, architecture=self.architecture, reflection_nesting=self.reflection_nesting)
        except ValueError as error:
            if self.library != "complete" or "no closed-form library" not in str(error):
                raise
            return generated_library(dataset, sigma, self.depth), "dense", None
        if not self._may_use_working_set(full):
            return full.distinct(exact=self.exact), "dense", None
        if self.solver == "auto":
            distinct = _dense_library_if_preferred(full)
            if distinct is not None:
                return distinct, "dense", None
        selected, warm_start = _working_set_selection(full, y, float(to_rational(self.beta, name="beta")), self.tol)
        return selected, "working-set", warm_start

    def _may_use_working_set(self, full: Library) -> bool:
        if self.exact or self.solver == "dense" or not full.recipe.penalise_linear:  # skip: an unpenalised column
            if self.solver == "working-set" and self.exact:
                raise ValueError("solver='working-set' is a float solver; use exact=False or solver='dense'")
            return False
        from mirrorlib.libraries.operator import MAX_COLUMNS

        return self.solver == "working-set" or full.n_features <= MAX_COLUMNS  # else the dense path refuses with the memory estimate

    def _sign_library(self, sigma: Activation, dataset: Dataset) -> SignLibrary:
        """The sign/threshold library (already distinct: one column per switching pattern)."""
        from mirrorlib.signnets import sign_library

        if self.reflection_nesting is not None:
            raise ValueError("reflection_nesting applies to deep ReLU libraries; sign/threshold features have no reflections")
        architecture, widths = _sign_architecture(self.architecture, self.widths, self.depth)
        return sign_library(dataset, sigma, architecture, widths, self.depth).distinct()

    def predict(self, X: Any) -> np.ndarray:
        """``f(x) = ξ + Σ_i z_i feature_i(x)`` at new inputs (float64), via the rebuilt network.

        ``X`` of shape ``(n,)`` or ``(n, 1)`` (``(n, d)`` for a model fitted on ``d`` features);
        NaN or infinite inputs raise ``ValueError``.
        """
        check_is_fitted(self, "network_")
        X_checked = validate_data(self, X, ensure_2d=self.n_features_in_ > 1, reset=False)
        return self.network_.predict(X_checked if self.n_features_in_ > 1 else _single_feature(X_checked))

    def selected_features(self) -> list[tuple[int, Any, Any]]:
        """``(column, z_i, feature)`` for every non-zero coefficient."""
        self._require_fitted(one_d=True)
        coefficients = self.coef_exact_ if self.exact else self.fit_.z
        return [(i, value, self.library_.feature(i)) for i, value in enumerate(coefficients) if value != 0]

    def _require_fitted(self, *, one_d: bool = False) -> None:
        check_is_fitted(self, "network_")
        if one_d and not get_activation(self.activation).is_scalar:
            raise ValueError("this method covers Lasso fits; a symmetrised-ReLU fit is a group Lasso: see group_lasso_")
        if one_d and self.n_features_in_ > 1:
            raise ValueError(
                "this method covers fits on 1-D data (a Lasso over one library); the model was fitted on "
                f"{self.n_features_in_} features: see group_lasso_ and patterns_"
            )


EXPECTED_FAILED_CHECKS = {
    "check_fit1d": "1-D X of shape (n,) is the natural input of a model of 1-D data, so it is accepted, not refused",
}
"""Checks of :func:`sklearn.utils.estimator_checks.check_estimator` that the mathematics forbids, with reasons."""


def _single_feature(X: np.ndarray) -> np.ndarray:
    """The one column of ``X`` (shape (n,) or (n, 1)); ValueError naming X otherwise (float fits
    send X with several features to the group Lasso before this, so only exact fits reach it)."""
    if X.ndim == 2:
        if X.shape[1] != 1:
            raise ValueError(
                f"X has {X.shape[1]} features; exact fits cover 1-D data (the group Lasso of d-dimensional data is "
                "solved in float64): use exact=False, or give X of shape (n,) or (n, 1)"
            )
        return X[:, 0]
    return X


def _reject_for_several_features(model: ConvexNet) -> None:
    """X with ``d ≥ 2`` features is fitted as a float two-layer ReLU network; ValueError naming
    the first parameter that asks for something else."""
    sigma = get_activation(model.activation)
    problems = [
        (model.depth != 2, f"depth={model.depth}: networks on d-dimensional data are fitted at depth 2; use depth=2"),
        (sigma.name != "relu", f"activation={sigma.name!r}: networks on d-dimensional data are fitted with ReLU; use activation='relu'"),
        (model.architecture != "narrow", f"architecture={model.architecture!r} applies to 1-D data; use architecture='narrow'"),
        (model.widths is not None, "widths apply to sign/threshold networks on 1-D data; drop widths"),
        (model.reflection_nesting is not None, "reflection_nesting applies to deep networks on 1-D data; drop it"),
    ]
    _raise_first(problems, f"X has {model.n_features_in_} features, but ")


def _reject_for_symmetrised(model: ConvexNet) -> None:
    """Symmetrised ReLU is fitted as a float deep narrow network of depth 2 or 3; ValueError naming
    the first parameter that asks for something else."""
    problems = [
        (model.exact, "exact=True: its group Lasso is solved in float64 (and certified exactly); use exact=False"),
        (model.depth not in (2, 3), f"depth={model.depth}: the exact oracle covers depths 2 and 3; use depth=2 or 3"),
        (model.architecture != "narrow", f"architecture={model.architecture!r}: symmetrised units are deep narrow; use architecture='narrow'"),
        (model.widths is not None, "widths apply to sign/threshold networks; drop widths"),
        (model.reflection_nesting is not None, "reflection_nesting applies to deep ReLU libraries; drop it"),
    ]
    _raise_first(problems, "activation='symmetrised_relu' with ")


def _raise_first(problems: list[tuple[bool, str]], prefix: str) -> None:
    """ValueError with the first message whose condition holds."""
    for failed, message in problems:
        if failed:
            raise ValueError(prefix + message)


def _sign_architecture(architecture: str, widths: Any, depth: int) -> tuple[str, Any]:
    """``(architecture, widths)`` of :func:`mirrorlib.signnets.sign_library` for a ConvexNet's
    sign/threshold settings: ``"narrow"`` is a tree of width 1 in all ``L − 2`` hidden layers
    (and takes no widths); ``"tree"``/``"rectangular"`` take the given widths (none at depth 2).

    Raises ``ValueError`` naming ``architecture`` (``"skip"`` or unknown) or ``widths``.
    """
    from mirrorlib.signnets import SIGN_ARCHITECTURES

    if architecture == "narrow":
        if widths is not None:
            raise ValueError(
                "widths apply to sign/threshold 'tree' or 'rectangular' architectures; a 'narrow' unit has width 1 "
                "in every hidden layer (drop widths, or choose architecture='tree'/'rectangular')"
            )
        depth_value = depth if isinstance(depth, int) and depth >= 2 else 2
        return "tree", (1,) * (depth_value - 2)
    if architecture == "skip":
        raise ValueError(
            "architecture 'skip' (Lemma 3.1, a ReLU net with a linear skip connection) does not apply to sign/threshold "
            "activations; use 'narrow', 'tree' or 'rectangular'"
        )
    if architecture not in SIGN_ARCHITECTURES:
        raise ValueError(
            f"architecture must be 'narrow' or one of {SIGN_ARCHITECTURES} for sign/threshold activations, got {architecture!r}"
        )
    if widths is None:
        if depth != 2:
            raise ValueError(
                f"widths: a depth-{depth} {architecture} unit needs its L − 2 hidden widths m_1, …, m_(L−2), e.g. widths='2,2'"
            )
        return architecture, ()
    return architecture, widths


def _reject_sign_only_arguments(architecture: str, widths: Any) -> None:
    """Homogeneous activations: no ``widths`` and no tree/rectangular architecture."""
    if widths is not None:
        raise ValueError(
            "widths apply to sign/threshold tree or rectangular architectures only; "
            f"homogeneous activations use architecture in {ARCHITECTURES} without widths"
        )
    if architecture in ("tree", "rectangular"):
        raise ValueError(
            f"architecture {architecture!r} is for sign/threshold activations; homogeneous activations use one of {ARCHITECTURES}"
        )

