"""Collect every claim module of proofs_checks/ (their test functions) under pytest."""

from pathlib import Path

import pytest


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".py" and not file_path.name.startswith(("_", "conftest")):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
