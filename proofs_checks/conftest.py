"""Collect every claim module of proofs_checks/ (their test functions) under pytest."""

from pathlib import Path

import pytest


def pytest_collect_file(parent, file_path: Path):
    if parent.session.isinitpath(file_path):
        return None  # a file named on the command line is collected by pytest itself
    if file_path.suffix == ".py" and not file_path.name.startswith(("_", "conftest")):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
