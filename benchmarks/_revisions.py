"""An older git revision checked out in a temporary worktree, so a benchmark can time it in the
same run as the current checkout (``--baseline REV``)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def checked_out(revision: str) -> Iterator[Path]:
    """The root of a temporary worktree at ``revision`` (removed afterwards); put it first on
    ``PYTHONPATH`` to import that revision's ``mirrorlib``."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), revision], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], check=True)
