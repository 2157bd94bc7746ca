"""The documentation builds (mkdocs + mkdocstrings, warnings are errors) from every public docstring."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocstrings", reason="the docs extra is part of [dev]")

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict(tmp_path):
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, env=environment, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lasso_page = (tmp_path / "site" / "api" / "lasso" / "index.html").read_text()
    assert "solve_lasso_exact" in lasso_page and "optimal_set" in lasso_page


def test_every_module_is_in_the_api_reference():
    pages = "\n".join(path.read_text() for path in (ROOT / "docs" / "api").glob("*.md"))
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "mirrorlib").rglob("*.py")
        if not path.name.startswith("_")
    }
    missing = {module for module in modules if f"::: {module}\n" not in pages and module != "mirrorlib.cli"}
    assert not missing, f"add these modules to docs/api/: {sorted(missing)}"
