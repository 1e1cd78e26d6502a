"""Per-section timings of a page run, printed to stderr when ``SCIMAP_TIMING`` is set (geo.config)."""

from __future__ import annotations

import sys
import time

from geo import config


class Marks:
    """Seconds since the run started, by section name."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: list[tuple[str, float]] = []

    def __call__(self, name: str) -> None:
        """Record that the run reached ``name``."""
        self.marks.append((name, time.perf_counter() - self.start))

    def report(self) -> None:
        """Print the marks as ``timing name=12ms …`` when timing is switched on."""
        if config.settings().timing:
            print("timing " + " ".join(f"{n}={t * 1000:.0f}ms" for n, t in self.marks), file=sys.stderr)
