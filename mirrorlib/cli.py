"""The ``mirrorlib`` command line (typer).

Every command prints exact rationals as ``p/q``; ``--format json`` gives the same content for
machines. Data are given as comma-separated rationals, ``--data 0,1/2,3``, or read from a file,
``--data @x.txt`` (numbers separated by commas, spaces or line breaks); data points are named
``x0, x1, …`` in the order given.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from mirrorlib.progress import show_progress

app = typer.Typer(
    help="Exact Lasso dictionaries ('libraries of mirrors') for neural networks on 1-D data.",
    no_args_is_help=True,
    add_completion=False,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class TreeFormat(str, Enum):
    text = "text"
    json = "json"
    dot = "dot"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _require(condition: bool, message: str) -> None:
    """A usage error with ``message`` unless ``condition`` holds."""
    if not condition:
        _fail(message)


def _values_or_file(param: typer.CallbackParam, value: Optional[str]) -> Optional[str]:
    """The option's comma-separated numbers; ``@path``: those of the text file at ``path``
    (separated by commas, spaces or line breaks, read exactly as written)."""
    if value is None or not value.startswith("@"):
        return value
    option, path = param.opts[0], value[1:]
    try:
        items = Path(path).read_text().replace(",", " ").split()
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{option}: cannot read {path!r} ({getattr(error, 'strerror', None) or error}); give a text file of numbers after @")
    _require(bool(items), f"{option}: {path!r} holds no numbers; give a text file of numbers separated by commas, spaces or line breaks")
    return ",".join(items)


VALUES_HELP = "comma-separated rationals, or @file for a text file of them"


def _run(work: Any, *, quiet: bool = True) -> Any:
    """``work()`` with progress on stderr unless ``quiet``; a refusal (``ValueError``) or a missing
    extra (``ImportError``) becomes a one-line usage error."""
    try:
        with show_progress(not quiet):
            return work()
    except (ImportError, ValueError) as error:
        _fail(str(error))


@app.command("library")
def library_command(
    data: str = typer.Option(..., "--data", help=f"Training inputs, {VALUES_HELP}, e.g. 0,1,3,7", callback=_values_or_file),
    activation: str = typer.Option("relu", "--activation", help="relu, abs, leaky_relu(1/10), linear, sign, threshold, …"),
    depth: int = typer.Option(2, "--depth", help="Number of layers L ≥ 2"),
    architecture: str = typer.Option("narrow", "--architecture", help="narrow or skip (sign/threshold: tree or rectangular)"),
    widths: Optional[str] = typer.Option(None, "--widths", help="Hidden widths for sign/threshold tree/rectangular nets, e.g. 2,2"),
    variant: Optional[str] = typer.Option(None, "--variant", help="Deep ReLU: paper (default; the paper code's columns, 2^L·N^(L−1) at L ≥ 4) or all-reflections (a_1 over every reflection, a superset)"),
    reflection_nesting: Optional[int] = typer.Option(None, "--reflection-nesting", help="Deep ReLU, all-reflections variant: nesting of a_1 reflections"),
    show_all: bool = typer.Option(False, "--all", metavar="", help="List every generated column, duplicates included"),
    count_only: bool = typer.Option(False, "--count-only", metavar="", help="Print only the counts"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    quiet: bool = typer.Option(False, "--quiet", metavar="", help="No progress lines on stderr (the layers of large builds)"),
) -> None:
    """Print the exact closed-form library (dictionary) for an activation and architecture."""
    from mirrorlib.functions.activations import get_activation
    from mirrorlib.report.text import library_report

    if show_all and count_only:
        _fail("--all and --count-only contradict each other: --count-only prints no columns; choose one")
    try:
        sigma_name = get_activation(activation).name
    except ValueError as error:
        _fail(f"--activation: {error}")
    if reflection_nesting is not None and sigma_name != "relu":
        _fail(f"--reflection-nesting applies to deep ReLU libraries only, not {sigma_name}; drop it")
    if variant is not None and sigma_name != "relu":
        _fail(f"--variant applies to deep ReLU libraries only, not {sigma_name}; drop it")

    try:
        with show_progress(not quiet):
            report = library_report(
                data,
                activation=activation,
                depth=depth,
                architecture=architecture,
                widths=widths,
                reflection_nesting=reflection_nesting,
                variant=variant,
                show_all=show_all,
                count_only=count_only,
            )
            text = json.dumps(report.as_json(), indent=2) if output_format is OutputFormat.json else report.as_text()
    except (ValueError, TypeError) as error:
        _fail(str(error))
    typer.echo(text)


@app.command("reflections")
def reflections_command(
    data: str = typer.Option(..., "--data", help=f"Data points, {VALUES_HELP}", callback=_values_or_file),
    depth: Optional[int] = typer.Option(None, "--depth", help="Network depth L: trees of nesting ≤ L − 2"),
    nesting: Optional[int] = typer.Option(None, "--nesting", help="Maximum nesting of R (overrides --depth)"),
    output_format: TreeFormat = typer.Option(TreeFormat.text, "--format", help="text, json or dot"),
) -> None:
    """Reflection trees R(a, b) = 2b − a over the data, with counts of trees vs distinct values."""
    from mirrorlib.report.text import reflections_report

    if nesting is None and depth is None:
        _fail("give --depth (network depth L ≥ 2) or --nesting (≥ 0)")
    if nesting is None and depth is not None and depth < 2:
        _fail(f"--depth must be ≥ 2 (a network with one hidden layer and the output layer), got {depth}")
    if nesting is not None and nesting < 0:
        _fail(f"--nesting must be ≥ 0, got {nesting}")
    max_nesting = nesting if nesting is not None else depth - 2  # type: ignore[operator]
    try:
        report = reflections_report(data, max_nesting)
    except (ValueError, TypeError) as error:
        _fail(str(error))
    if output_format is TreeFormat.json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    elif output_format is TreeFormat.dot:
        typer.echo(report.as_dot())
    else:
        typer.echo(report.as_text())


class LibraryMode(str, Enum):
    complete = "complete"
    closed_form = "closed-form"


class Solver(str, Enum):
    auto = "auto"
    dense = "dense"
    working_set = "working-set"


@app.command("fit")
def fit_command(
    data: str = typer.Option(..., "--data", help=f"Training inputs x, {VALUES_HELP}", callback=_values_or_file),
    labels: str = typer.Option(..., "--labels", help=f"Labels y, {VALUES_HELP}", callback=_values_or_file),
    activation: str = typer.Option("relu", "--activation", help="relu, abs, leaky_relu(1/10), linear, …"),
    depth: int = typer.Option(2, "--depth", help="Number of layers L ≥ 2"),
    beta: str = typer.Option(..., "--beta", help="Weight decay β > 0 (e.g. 1/1000), or 0+ for the β → 0⁺ limit (--exact)"),
    exact: bool = typer.Option(False, "--exact", metavar="", help="Exact rational homotopy and exact KKT certificate"),
    architecture: str = typer.Option("narrow", "--architecture", help="narrow or skip (sign/threshold: tree or rectangular)"),
    widths: Optional[str] = typer.Option(None, "--widths", help="Hidden widths for sign/threshold tree/rectangular nets, e.g. 2,2"),
    reflection_nesting: Optional[int] = typer.Option(None, "--reflection-nesting", help="Deep ReLU: nesting of a_1 reflections"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    plot: Optional[str] = typer.Option(None, "--plot", help="Write a PNG of data, fitted network and features"),
    library_mode: LibraryMode = typer.Option(
        LibraryMode.complete, "--library", help="complete: add oracle units until no network of the architecture is better; closed-form: the paper's library only"
    ),
    solver: Solver = typer.Option(
        Solver.auto, "--solver", help="Float fits: dense (the distinct library), working-set (matrix-free over all closed-form columns) or auto (by size)"
    ),
    all_optima: bool = typer.Option(False, "--all-optima", metavar="", help="List every optimum (vertices of the optimal set, exact, each with its network) and the minimum-ℓ2 one"),
    quiet: bool = typer.Option(False, "--quiet", metavar="", help="No progress lines on stderr (solver and column-generation rounds)"),
) -> None:
    """Solve the Lasso, print the optimal z (with provenance), ξ, both certificates (the Lasso over the
    library, and the network among ALL networks of the architecture) and the rebuilt network.

    Exit code 1 when either certificate fails."""
    from mirrorlib.report.text import fit_report

    _check_plot_option(plot)
    try:
        with show_progress(not quiet):
            report = fit_report(
                data,
                labels,
                activation=activation,
                depth=depth,
                beta=beta,
                exact=exact,
                architecture=architecture,
                widths=widths,
                reflection_nesting=reflection_nesting,
                library=library_mode.value,
                solver=solver.value,
                all_optima=all_optima,
            )
            if all_optima:
                report.optimal_set  # noqa: B018 - compute now, so a refusal is a usage error
    except ImportError as error:
        _fail(f"--all-optima: {error}")
    except (ValueError, TypeError) as error:
        _fail(str(error))
    typer.echo(json.dumps(report.as_json(), indent=2) if output_format is OutputFormat.json else report.as_text())
    if plot is not None:
        from mirrorlib.report.plotting import plot_fit

        typer.echo(f"plot written to {plot_fit(report.model, report.X, report.y, plot)}", err=True)
    certificate = report.model.certificate_
    if not certificate.is_optimal or certificate.training_optimal is False:
        raise typer.Exit(code=1)


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("verify")
def verify_command(
    claim: Optional[str] = typer.Argument(None, help="Claim name (see --list), or 'all'"),
    list_claims: bool = typer.Option(False, "--list", metavar="", help="List every claim with its statement"),
    trials: int = typer.Option(100, "--trials", min=1, help="Random instances per claim"),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed ≥ 0; trial i uses default_rng(\\[seed, i])"),
    max_n: Optional[int] = typer.Option(None, "--max-n", min=1, help="Largest number of data points drawn"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Local processes (e.g. 2 for two cores; with --scheduler local: Dask workers, default one per core); results do not depend on it"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run trials on a Dask cluster: a scheduler address (tcp://host:8786) or 'local'; same results as a local run"),
    save: Optional[str] = typer.Option(None, "--save", help="Directory to save smallest counterexamples as JSON"),
    replay_file: Optional[str] = typer.Option(None, "--replay", help="Re-run a saved counterexample JSON"),
    output_format: ReportFormat = typer.Option(ReportFormat.text, "--format", help="text, json or markdown"),
    quiet: bool = typer.Option(False, "--quiet", metavar="", help="No progress on stderr (a bar on a terminal, else a line every 10 s)"),
) -> None:
    """Check the paper's claims on random exact instances; print exact counterexamples.

    Exit code 0 when every selected claim holds, 1 when one fails, 2 for a usage error."""
    from mirrorlib.verify import all_claims, run_claim
    from mirrorlib.verify.report import reports_as_json, reports_as_markdown, reports_as_text
    from mirrorlib.verify.distributed import ClusterError
    from mirrorlib.verify.runner import largest_max_n, replay, save_counterexample

    if list_claims:
        if claim is not None:
            _fail(f"--list shows every claim and takes no claim name (got {claim!r}); run `mirrorlib verify {claim}` to check it")
        for known in all_claims():
            typer.echo(f"{known.name:<40} [{known.reference}] {known.statement} (--max-n ≤ {largest_max_n(known)})")
        return
    if replay_file is not None:
        try:
            outcome = replay(replay_file)
        except ValueError as error:
            _fail(f"--replay: {error}")
        typer.echo(_replay_text(replay_file, outcome, output_format))
        raise typer.Exit(code=0 if outcome.passed else 1)
    if claim is None:
        _fail("name a claim (see `mirrorlib verify --list`) or 'all'")
    if save is not None:
        _check_writable_directory(save, "--save")
    try:
        selected = all_claims() if claim == "all" else [next(c for c in all_claims() if c.name == claim)]
    except StopIteration:
        _fail(f"unknown claim {claim!r}; see `mirrorlib verify --list`")
    too_large = [c for c in selected if max_n is not None and max_n > largest_max_n(c)]
    if too_large:
        ceilings = ", ".join(f"{c.name} ≤ {largest_max_n(c)}" for c in too_large)
        _fail(f"--max-n {max_n} is more points than these exact checks handle in useful time ({ceilings}); lower --max-n")
    try:
        with _trial_pool(scheduler, workers) as pool:
            reports = [
                run_claim(c, trials=trials, seed=seed, max_n=max_n, workers=1 if pool else workers or 1, pool=pool, progress=not quiet)
                for c in selected
            ]
    except ClusterError as error:
        _fail(f"--scheduler: {error}")
    except ValueError as error:
        _fail(str(error))
    render = {ReportFormat.text: reports_as_text, ReportFormat.json: reports_as_json, ReportFormat.markdown: reports_as_markdown}
    typer.echo(render[output_format](reports))
    if save is not None:
        for report in reports:
            if report.smallest is not None:
                typer.echo(f"saved: {save_counterexample(report.smallest, save)}", err=True)
    if any(report.status.lower() == "fails" for report in reports):
        raise typer.Exit(code=1)


@app.command("paper")
def paper_command(
    name: Optional[str] = typer.Argument(None, help="Figure: opt, zshape, bounce or fig2 (see --list)"),
    list_figures: bool = typer.Option(False, "--list", metavar="", help="List the paper's figures this command reproduces"),
    out: str = typer.Option("figures", "--out", help="Directory for NAME.png, NAME.svg and NAME.json"),
    full: bool = typer.Option(False, "--full", metavar="", help="Adam for the paper's epoch counts (default: short runs)"),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of Adam's random units"),
    quiet: bool = typer.Option(False, "--quiet", metavar="", help="No progress lines on stderr"),
) -> None:
    """Reproduce one of the paper's figures on its own data: Lasso fits (exact) and Adam fits, every
    breakpoint explained as a reflection tree; writes PNG, SVG and JSON."""
    from mirrorlib.report.paper import FIGURES, figure_record, write_figure

    if list_figures:
        if name is not None:
            _fail(f"--list takes no figure name (got {name!r}); run `mirrorlib paper {name}`")
        for key, spec in FIGURES.items():
            typer.echo(f"{key:<8} [{spec.figure}] {spec.description}")
        return
    if name is None:
        _fail("name a figure (see `mirrorlib paper --list`)")
    if name not in FIGURES:
        _fail(f"unknown figure {name!r}; choose one of {', '.join(FIGURES)}")
    _check_writable_directory(out, "--out")
    from importlib.util import find_spec

    if find_spec("matplotlib") is None:
        _fail('--out: drawing needs matplotlib: pip install "mirrorlib[plot]"')
    report = (lambda text: None) if quiet else (lambda text: typer.echo(text, err=True))
    record = figure_record(name, full=full, seed=seed, progress=report)
    for path in write_figure(record, out):
        typer.echo(f"wrote {path}")


@app.command("ar")
def ar_command(
    dataset: str = typer.Option("sunspots", "--dataset", help="A real series shipped with statsmodels: sunspots or nile"),
    depth: int = typer.Option(3, "--depth", min=2, help="Number of layers L ≥ 2 of f"),
    beta: float = typer.Option(10.0, "--beta", help="Weight decay β > 0, in the units of the series"),
    train_fraction: float = typer.Option(0.8, "--train-fraction", help="Chronological split: the first part trains"),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the non-convex baseline's random starts"),
    plot: Optional[str] = typer.Option(None, "--plot", help="Write the series and the three models' one-step predictions (.png/.svg/.pdf)"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    quiet: bool = typer.Option(False, "--quiet", metavar="", help="No progress lines on stderr"),
) -> None:
    """Fit x_t = f(x_(t−1)) as a convex (Lasso-trained, certified) network on a real series and
    compare one-step-ahead errors with AR(1) and the same network trained by L-BFGS."""
    from mirrorlib.autoregressive import SERIES, compare_on_series, load_series

    if dataset not in SERIES:
        _fail(f"--dataset: unknown series {dataset!r}; choose one of {', '.join(SERIES)}")
    _require(beta > 0, f"--beta must be > 0, got {beta}")
    _require(0 < train_fraction < 1, f"--train-fraction must be in (0, 1), got {train_fraction}")
    _check_plot_option(plot)
    try:
        series = load_series(dataset)
    except ImportError as error:
        _fail(f"--dataset: {error}")
    result = _run(lambda: compare_on_series(series, name=dataset, depth=depth, beta=beta, train_fraction=train_fraction, seed=seed), quiet=quiet)
    typer.echo(json.dumps(result.as_json(), indent=2) if output_format is OutputFormat.json else result.as_text())
    if plot is not None:
        from mirrorlib.report.plotting import plot_series_comparison

        plot_series_comparison(result).savefig(plot, dpi=120)
        typer.echo(f"wrote {plot}", err=True)


landscape_app = typer.Typer(help="Two-layer networks on d-dimensional data: certified convex fits and trained networks.", no_args_is_help=True)
app.add_typer(landscape_app, name="landscape")


def _load_arrays(path: str, option: str, names: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Arrays ``names`` (and those of ``optional`` the file has) from an ``.npz`` file, or a usage
    error naming ``option``."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [name for name in names if name not in archive.files]
            if missing:
                _fail(f"{option}: {path} has no array {', '.join(missing)} (it has {', '.join(archive.files) or 'none'})")
            present = [*names, *(name for name in optional if name in archive.files)]
            return {name: np.asarray(archive[name], dtype=np.float64) for name in present}
    except (OSError, ValueError) as error:
        _fail(f"{option}: cannot read {path} as an .npz file ({error})")
    raise AssertionError  # unreachable: _fail exits


def _data_option(path: str) -> tuple[Any, Any]:
    arrays = _load_arrays(path, "--data", ("X", "y"))
    X, y = arrays["X"], arrays["y"]
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.size:
        _fail(f"--data: X must be (N, d) and y (N,), got {X.shape} and {y.shape}")
    return X, y


@landscape_app.command("fit")
def landscape_fit_command(
    data: str = typer.Option(..., "--data", help="An .npz file with arrays X (N, d) and y (N,)"),
    beta: float = typer.Option(..., "--beta", help="Weight decay β > 0"),
    activation: str = typer.Option("relu", "--activation", help="relu (cone-constrained) or gated"),
    tol: float = typer.Option(1e-6, "--tol", help="Relative duality gap for the verdict"),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, help="Use this many random neurons' patterns instead of all patterns, then bound what they miss"),
    search: bool = typer.Option(False, "--search", metavar="", help="No pattern list: each round a branch and bound over every neuron supplies the violating patterns (larger N in low d)"),
    plot: Optional[str] = typer.Option(None, "--plot", help="Write the network's output surface (2-D data only)"),
    exact_check: bool = typer.Option(False, "--exact-check", metavar="", help="Re-check the network in exact rational arithmetic (multidim.exact_check); its verdict decides the exit code"),
    quiet: bool = typer.Option(False, "--quiet", metavar="", help="No progress lines on stderr"),
) -> None:
    """Solve the group Lasso over all activation patterns (or a sample, or patterns found by the
    neuron search), rebuild the network and certify it over every pattern (float64; exactly with
    --exact-check). With --sample a second line bounds, over every network, what the sample
    misses (information: the exit code follows the certificate of what was fitted). Exit code 1
    when the certificate fails."""
    from mirrorlib.multidim.group_lasso import ACTIVATIONS, fit_group_lasso
    from mirrorlib.multidim.neuron_search import every_neuron_certificate, fit_with_neuron_search
    from mirrorlib.multidim.patterns import activation_patterns
    from mirrorlib.multidim.sampling import MAX_SAMPLED_NEURONS, sampled_patterns

    X, y = _data_option(data)
    _require(activation in ACTIVATIONS, f"--activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    _require(beta > 0, f"--beta must be > 0, got {beta}")
    _require(0 < tol < 1, f"--tol must be in (0, 1), got {tol}")
    if sample is not None:
        _require(sample <= MAX_SAMPLED_NEURONS, f"--sample must be at most {MAX_SAMPLED_NEURONS:,}, got {sample:,}")
    _require(not (search and sample is not None), "--search and --sample exclude each other: the search needs no sample")
    _require(not (search and exact_check), "--exact-check re-checks over a pattern list; --search has none (drop one of them)")
    _check_plot_option(plot)
    if search:
        fit = _run(lambda: fit_with_neuron_search(X, y, beta, activation=activation, tol=tol), quiet=quiet)
    else:
        patterns = _run(lambda: sampled_patterns(X, sample) if sample else activation_patterns(X), quiet=quiet)
        fit = _run(lambda: fit_group_lasso(X, y, beta, activation=activation, patterns=patterns, tol=tol), quiet=quiet)
    network = fit.network()
    typer.echo(f"{fit.activation} network with {network.width} neurons from {fit.masks.shape[0]} patterns; objective {fit.objective:.12g}")
    typer.echo(f"network training objective {network.training_objective(X, y, beta):.12g}")
    typer.echo(fit.certificate.summary())
    verdict = fit.certificate.is_optimal
    if sample is not None:
        over_all, _ = _run(lambda: every_neuron_certificate(fit), quiet=quiet)
        typer.echo(f"what the sample misses: {over_all.summary()}")
    if exact_check:
        from mirrorlib.multidim.exact_check import exact_gap_bound

        exact = _run(lambda: exact_gap_bound(fit, patterns, tol=tol), quiet=quiet)
        typer.echo(exact.summary())
        verdict = exact.is_optimal
    if plot is not None:
        from mirrorlib.report.plotting import plot_surface

        try:
            plot_surface(fit).savefig(plot, dpi=120)
        except ValueError as error:
            _fail(f"--plot: {error}")
        typer.echo(f"wrote {plot}", err=True)
    if not verdict:
        raise typer.Exit(code=1)


@landscape_app.command("check")
def landscape_check_command(
    weights: str = typer.Argument(..., help="An .npz file with W (m, d), b (m,), alpha (m,) and optionally xi"),
    data: str = typer.Option(..., "--data", help="An .npz file with arrays X (N, d) and y (N,)"),
    beta: float = typer.Option(..., "--beta", help="Weight decay β > 0 the network was trained with"),
    tol: float = typer.Option(1e-6, "--tol", help="Relative tolerance of both verdicts"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
) -> None:
    """Where a trained ReLU network stands: (a) optimal for the convex program over its own
    activation patterns, (b) optimal among all networks (certificate over every pattern).
    Exit code 0 when (b) holds, 1 otherwise."""
    from mirrorlib.multidim.network import TwoLayerNetwork
    from mirrorlib.multidim.stationary import check_trained_network

    X, y = _data_option(data)
    arrays = _load_arrays(weights, "WEIGHTS", ("W", "b", "alpha"), optional=("xi",))
    W, b, alpha, xi = arrays["W"], arrays["b"], arrays["alpha"], float(arrays.get("xi", 0.0))
    if W.ndim != 2 or b.shape != (W.shape[0],) or alpha.shape != (W.shape[0],):
        _fail(f"WEIGHTS: W must be (m, d), b and alpha (m,), got {W.shape}, {b.shape}, {alpha.shape}")
    if W.shape[1] != X.shape[1]:
        _fail(f"WEIGHTS: W has d = {W.shape[1]} columns but X has {X.shape[1]}")
    _require(beta > 0, f"--beta must be > 0, got {beta}")
    report = _run(lambda: check_trained_network(TwoLayerNetwork(W, b, alpha, xi), X, y, beta, tol=tol))
    typer.echo(json.dumps(report.as_json(), indent=2) if output_format is OutputFormat.json else report.as_text())
    if not report.globally_optimal:
        raise typer.Exit(code=1)


plot_app = typer.Typer(help="Draw libraries and reflection trees (matplotlib; no graphviz needed).", no_args_is_help=True)
app.add_typer(plot_app, name="plot")


@plot_app.command("library")
def plot_library_command(
    data: str = typer.Option(..., "--data", help=f"Training inputs, {VALUES_HELP}", callback=_values_or_file),
    activation: str = typer.Option("relu", "--activation", help="relu, abs, leaky_relu(1/10), …"),
    depth: int = typer.Option(2, "--depth", help="Number of layers L ≥ 2"),
    out: str = typer.Option(..., "--out", help="Image file: .png, .svg or .pdf"),
    max_features: int = typer.Option(12, "--max-features", min=1, help="Draw at most this many distinct features"),
) -> None:
    """Features of the distinct closed-form library, breakpoints coloured by what they are
    (data point, reflection, reflection of a reflection), as the paper's Figure 1."""
    from mirrorlib.libraries import library
    from mirrorlib.report.plotting import plot_library

    _save_drawing(out, lambda: plot_library(library(data, activation, depth).distinct(), max_features=max_features))


@plot_app.command("reflections")
def plot_reflections_command(
    data: str = typer.Option(..., "--data", help=f"Data points, {VALUES_HELP}", callback=_values_or_file),
    nesting: int = typer.Option(1, "--nesting", min=0, help="Largest nesting of the trees drawn"),
    out: str = typer.Option(..., "--out", help="Image file: .png, .svg or .pdf"),
) -> None:
    """Reflection trees over the data as a graph (networkx + matplotlib)."""
    from mirrorlib.data import as_dataset
    from mirrorlib.report.plotting import plot_reflections

    _save_drawing(out, lambda: plot_reflections(as_dataset(data, name="--data"), nesting))


def _check_plot_option(plot: Optional[str]) -> None:
    """Usage error for a ``--plot`` path that cannot be written (before any work starts)."""
    if plot is None:
        return
    from mirrorlib.report.plotting import check_plot_path

    try:
        check_plot_path(plot)
    except ValueError as error:
        _fail(f"--plot: {error}")


def _save_drawing(out: str, draw: Any) -> None:
    """Check ``--out``, draw (errors as usage errors naming the option), save, say where."""
    from mirrorlib.report.plotting import check_plot_path

    try:
        path = check_plot_path(out)
    except ValueError as error:
        _fail(f"--out: {error}")
    try:
        figure = draw()
    except ImportError as error:
        _fail(f"--out: {error}")
    except (ValueError, TypeError) as error:
        _fail(str(error))
    figure.savefig(path, dpi=120)
    typer.echo(f"wrote {path}")


def _trial_pool(scheduler: Optional[str], workers: Optional[int]):
    """The Dask cluster of ``--scheduler``, or no pool (trials run here)."""
    from contextlib import nullcontext

    if scheduler is None:
        return nullcontext(None)
    if scheduler != "local" and workers is not None:
        _fail("--workers: a remote cluster's workers are started by `dask worker`; drop --workers or use --scheduler local")
    from mirrorlib.verify.distributed import cluster_pool

    return cluster_pool(scheduler, workers)


def _replay_text(path: str, outcome: object, output_format: "ReportFormat") -> str:
    """The replayed outcome in the chosen format: verdict and, if it still fails, the exact witness."""
    passed = getattr(outcome, "passed")
    counterexample = getattr(outcome, "counterexample")
    record = {"file": path, "passed": passed, "counterexample": None if counterexample is None else counterexample.as_json()}
    if output_format is ReportFormat.json:
        return json.dumps(record, indent=2, default=str)
    verdict = "passes now (the saved counterexample no longer fails)" if passed else "still fails"
    lines = [f"{path}: {verdict}"]
    if counterexample is not None:
        lines.append(f"claim: {counterexample.claim}")
        lines.extend(f"  {key}: {value}" for key, value in counterexample.instance.items())
        lines.extend(f"  {key}: {value}" for key, value in counterexample.witness.items())
    if output_format is ReportFormat.markdown:
        return "\n".join(["```", *lines, "```"])
    return "\n".join(lines)


def _check_writable_directory(path: str, option: str) -> None:
    """Usage error (exit 2) unless ``path`` is, or can be made, a writable directory."""
    from pathlib import Path

    target = Path(path)
    if target.exists() and not target.is_dir():
        _fail(f"{option}: {path!r} exists and is not a directory; give a directory for the JSON files")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"{option}: cannot create directory {path!r} ({error.strerror}); give a writable directory")


if __name__ == "__main__":  # pragma: no cover
    app()
