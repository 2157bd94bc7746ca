"""Progress of long computations: log records of the ``mirrorlib`` logger, shown by rich.

Long steps of the library (working-set rounds of the matrix-free Lasso, column-generation
rounds, group-Lasso rounds, the unit oracle's candidates, the layers of large distinct library
builds, the comparisons of :mod:`mirrorlib.autoregressive`) emit ``INFO`` records on the
``mirrorlib`` logger (:data:`LOGGER`), so a Python user controls them with
:mod:`logging` as usual and nothing is printed by default. The command line turns them on with
:func:`show_progress` (``--quiet`` turns them off): on a terminal every record, with the time;
when stderr is redirected, at most one plain line every :data:`REDIRECTED_SECONDS` seconds, so
logs of long runs show progress without flooding and short runs print nothing.

Examples
--------
>>> import logging
>>> with show_progress(False):
...     LOGGER.info("not shown")
>>> LOGGER.level == logging.NOTSET
True
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["LOGGER", "REDIRECTED_SECONDS", "show_progress"]

REDIRECTED_SECONDS = 10.0
"""Interval of the plain progress lines when stderr is not a terminal."""

LOGGER = logging.getLogger("mirrorlib")
"""The logger every long-running step of mirrorlib reports to (``INFO``: one record per round)."""


class _Throttle(logging.Filter):
    """Pass a record only when ``seconds`` have passed since the last one passed (or the start)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.last = time.monotonic()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.last < self.seconds:
            return False
        self.last = now
        return True


@contextmanager
def show_progress(enabled: bool = True) -> Iterator[None]:
    """Show ``mirrorlib``'s progress records on stderr (rich, with elapsed time) inside the block.

    Parameters
    ----------
    enabled : bool
        False shows nothing (the command line's ``--quiet``).

    Examples
    --------
    >>> with show_progress(True):
    ...     LOGGER.info("round 1: gap 1e-3")  # printed on stderr
    >>> LOGGER.handlers
    []
    """
    if not enabled:
        yield
        return
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_path=False, show_level=False, log_time_format="[%X]")
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("mirrorlib: %(message)s"))
        handler.addFilter(_Throttle(REDIRECTED_SECONDS))
    previous_level, previous_propagate = LOGGER.level, LOGGER.propagate
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(previous_level)
        LOGGER.propagate = previous_propagate
