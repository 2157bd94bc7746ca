"""Sweeps on a Dask cluster give the same reports as local runs, and cluster problems are one-line errors."""

import json
import sys

import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed", reason="the distributed extra is part of [dev]")

from mirrorlib.cli import app
from mirrorlib.verify import run_claim
from mirrorlib.verify import distributed as dask_sweeps
from mirrorlib.verify.distributed import ClusterError, cluster_pool

runner = CliRunner()


def _without_time(report) -> dict:
    record = report.as_json()
    record.pop("seconds")
    return record


@pytest.fixture(scope="module")
def two_workers():
    with cluster_pool("local", workers=2) as pool:
        yield pool


@pytest.mark.parametrize(
    ("claim", "status"),
    [("two-layer-library", "holds"), ("deep-narrow-abs-library", "FAILS"), ("sign-dictionary-product-rule", "FAILS")],
)
def test_cluster_reports_equal_local_reports(two_workers, claim, status) -> None:
    local = run_claim(claim, trials=30, seed=7)
    remote = run_claim(claim, trials=30, seed=7, pool=two_workers)
    assert remote.status == status
    assert _without_time(remote) == _without_time(local)


def test_cluster_pool_reports_its_worker_threads(two_workers) -> None:
    assert two_workers.slots == 2


def test_pool_and_workers_are_exclusive(two_workers) -> None:
    with pytest.raises(ValueError, match="not both"):
        run_claim("two-layer-library", trials=2, workers=2, pool=two_workers)


def test_cli_local_scheduler_matches_the_local_run() -> None:
    options = ["verify", "deep-narrow-abs-library", "--trials", "12", "--seed", "2", "--format", "json", "--quiet"]
    local = runner.invoke(app, options)
    remote = runner.invoke(app, [*options, "--scheduler", "local", "--workers", "2"])
    assert local.exit_code == remote.exit_code == 1, remote.output
    records = [json.loads(result.stdout) for result in (local, remote)]
    for record in records:
        record[0].pop("seconds")
    assert records[0] == records[1]


def test_unreachable_scheduler_is_a_usage_error(monkeypatch) -> None:
    monkeypatch.setattr(dask_sweeps, "CONNECT_SECONDS", 1)
    result = runner.invoke(app, ["verify", "two-layer-library", "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --scheduler: cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'")
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_workers_with_a_remote_scheduler_is_refused() -> None:
    result = runner.invoke(app, ["verify", "two-layer-library", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"])
    assert result.exit_code == 2 and "--workers" in result.stderr and "dask worker" in result.stderr


def test_missing_extra_names_the_install_command(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ClusterError, match=r'pip install "mirrorlib\[distributed\]"'):
        with cluster_pool("local"):
            pass


class _FakeClient:
    """A connected client whose workers report ``versions``."""

    def __init__(self, versions: dict[str, str]) -> None:
        self.versions = versions

    def wait_for_workers(self, n_workers: int, timeout: float) -> None:
        if not self.versions:
            raise TimeoutError

    def run(self, function):
        return dict(self.versions)

    def nthreads(self) -> dict[str, int]:
        return {address: 2 for address in self.versions}


def test_workers_must_run_the_same_mirrorlib_version() -> None:
    import mirrorlib

    same = {"tcp://a:1": mirrorlib.__version__, "tcp://b:1": mirrorlib.__version__}
    assert dask_sweeps._check_workers(_FakeClient(same), "tcp://s:8786") == 4
    with pytest.raises(ClusterError, match="worker tcp://b:1 runs mirrorlib 0.0.1"):
        dask_sweeps._check_workers(_FakeClient({**same, "tcp://b:1": "0.0.1"}), "tcp://s:8786")
    with pytest.raises(ClusterError, match="has no worker"):
        dask_sweeps._check_workers(_FakeClient({}), "tcp://s:8786")
