"""Run claim sweeps on a Dask distributed cluster.

Trials are deterministic in ``(seed, index)`` (see :mod:`mirrorlib.verify.runner`), so a sweep
sent to a cluster returns the same report as a local run with the same seed: only ``seconds``
differs. Chunks of trials are submitted to the cluster through its ``concurrent.futures``
interface and read back in order.

Needs the ``distributed`` extra (``pip install "mirrorlib[distributed]"``) here and on every
worker machine, with the same mirrorlib version.

Examples
--------
>>> from mirrorlib.verify.distributed import TrialPool, cluster_pool
>>> from mirrorlib.verify import run_claim
>>> with cluster_pool("local", workers=2) as pool:          # doctest: +SKIP
...     report = run_claim("two-layer-library", trials=40, seed=3, pool=pool)
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
import io
import os

__all__ = ["TrialPool", "ClusterError", "cluster_pool", "CONNECT_SECONDS"]

CONNECT_SECONDS = 10
"""How long to wait for a scheduler and its first worker before giving up."""


class ClusterError(ValueError):
    """A Dask cluster cannot run the sweep (extra missing, unreachable, no worker, wrong version).

    Examples
    --------
    >>> try:
    ...     with cluster_pool('tcp://10.0.0.5:8786', workers=2):
    ...         pass
    ... except ClusterError as error:
    ...     print(error)
    workers applies to 'local' only: a remote cluster's workers are started by `dask worker`
    """


@dataclass(frozen=True)
class TrialPool:
    """Where trials run: any ``concurrent.futures.Executor`` and how many trials it runs at once.

    Parameters
    ----------
    executor : concurrent.futures.Executor
        Runs ``mirrorlib.verify.runner`` chunks; its futures must have ``result()``.
    slots : int
        Trials running at the same time (worker processes or threads); sets how many chunks
        are kept pending.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as executor:
    ...     pool = TrialPool(executor, slots=2)
    >>> pool.slots
    2
    """

    executor: Executor
    slots: int


def _worker_version() -> str:
    """The mirrorlib version a worker imports (run on every worker when connecting)."""
    import mirrorlib

    return mirrorlib.__version__


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            'a Dask scheduler needs the distributed extra: pip install "mirrorlib[distributed]"'
        ) from None
    return distributed


def _check_workers(client, scheduler: str) -> int:
    """Number of worker threads, after checking every worker imports this mirrorlib version."""
    import mirrorlib

    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError:
        raise ClusterError(
            f"scheduler {scheduler!r} has no worker after {CONNECT_SECONDS} s; start one with `dask worker {scheduler}`"
        ) from None
    try:
        versions = client.run(_worker_version)
    except Exception as error:  # a worker without mirrorlib cannot unpickle the probe
        raise ClusterError(
            f"a worker of {scheduler!r} cannot import mirrorlib ({type(error).__name__}: {error}); "
            f'install the same version ({mirrorlib.__version__}) on every worker: pip install "mirrorlib[distributed]"'
        ) from None
    wrong = {address: version for address, version in versions.items() if version != mirrorlib.__version__}
    if wrong:
        address, version = next(iter(wrong.items()))
        raise ClusterError(
            f"worker {address} runs mirrorlib {version}, this machine {mirrorlib.__version__}; "
            "install the same version everywhere (results would not be comparable)"
        )
    return sum(client.nthreads().values())


def _connect(distributed, scheduler: str, workers: int | None):
    """A client on ``scheduler`` (an address) or on a new local cluster (``"local"``)."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ClusterError(f"workers must be a whole number ≥ 1 (local worker processes), got {workers!r}; omit it for one per core")
    if scheduler == "local":
        n_workers = workers or os.cpu_count() or 1
        # Dask logs its own start-up banner on stderr; keep the sweep's output clean.
        with redirect_stderr(io.StringIO()):
            cluster = distributed.LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
        return distributed.Client(cluster), cluster
    if workers is not None:
        raise ClusterError(
            "workers applies to 'local' only: a remote cluster's workers are started by `dask worker`"
        )
    try:
        return distributed.Client(scheduler, timeout=CONNECT_SECONDS), None
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterError(
            f"cannot reach a Dask scheduler at {scheduler!r} ({error}); give its address "
            "(e.g. tcp://10.0.0.5:8786, printed by `dask scheduler`) or 'local'"
        ) from None


@contextmanager
def cluster_pool(scheduler: str, workers: int | None = None) -> Iterator[TrialPool]:
    """Open a Dask cluster as a :class:`TrialPool`; close it (and a local cluster) on exit.

    Parameters
    ----------
    scheduler : str
        ``"local"`` starts a ``LocalCluster`` of ``workers`` single-threaded processes; any
        other value is the address of a running ``dask scheduler`` (``tcp://host:8786``).
    workers : int, optional
        Local workers (default: the number of cores). Must be omitted for a remote scheduler,
        whose workers are started by ``dask worker``.

    Yields
    ------
    TrialPool
        The cluster's executor and its number of worker threads.

    Raises
    ------
    ValueError
        One line naming the problem: extra not installed, scheduler unreachable, no worker,
        or a worker without this mirrorlib version.

    Examples
    --------
    >>> try:
    ...     with cluster_pool('local', workers=0):
    ...         pass
    ... except ClusterError as error:
    ...     print(error)
    workers must be a whole number ≥ 1 (local worker processes), got 0; omit it for one per core
    """
    distributed = _import_distributed()
    client, cluster = _connect(distributed, scheduler, workers)
    try:
        slots = _check_workers(client, scheduler)
        yield TrialPool(client.get_executor(pure=False), slots=slots)
    finally:
        with redirect_stderr(io.StringIO()):
            client.close()
            if cluster is not None:
                cluster.close()
