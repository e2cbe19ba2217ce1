"""Progress of long work (a sweep's runs, a run's weeks): a bar on a terminal, log lines
elsewhere.

On a terminal, :class:`Progress` draws a tqdm bar whose rate and ETA are the average pace
measured since the start (``smoothing=0``: with several workers, runs finish in bursts, and a
moving average would swing). Anywhere else — a batch job, a cluster log, a pipe — it logs one
line (logger ``mergesim.progress``, level INFO) per :data:`LOG_SECONDS` or per
:data:`LOG_STEP` of the work, whichever comes first, and one at the end, with the ETA from the
same measured pace.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from tqdm import tqdm

log = logging.getLogger("mergesim.progress")

#: Seconds between progress lines on a non-terminal (at most).
LOG_SECONDS = 60.0
#: Share of the work between progress lines on a non-terminal (at most).
LOG_STEP = 0.05


def hms(seconds: float) -> str:
    """Seconds as ``m:ss`` or ``h:mm:ss`` ("?" if not finite)."""
    if not math.isfinite(seconds):
        return "?"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Progress over ``total`` units of work (runs, weeks).

    Args:
        total: Units to do.
        enabled: True: a bar; False: nothing; None (default): a bar when ``stream`` is a
            terminal, else log lines.
        stream: Where the bar goes (default stderr).
        unit: What is counted ("runs", "weeks").
        desc: A short label in front of the bar and the lines.
        clock: Monotonic seconds (tests pass a fake clock).
    """

    def __init__(
        self,
        total: int,
        *,
        enabled: bool | None = None,
        stream: IO[str] | None = None,
        unit: str = "runs",
        desc: str = "",
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total, self.unit, self.desc, self.clock = max(int(total), 0), unit, desc, clock
        self.stream = stream or sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            self.mode = "bar" if isatty is not None and isatty() else "log"
        else:
            self.mode = "bar" if enabled else "off"
        if self.total == 0:
            self.mode = "off"
        self.done = self.failed = 0
        self.t0 = self._last_t = clock()
        self._last_done = 0
        self._bar: Any = None
        if self.mode == "bar":
            self._bar = tqdm(
                total=self.total,
                file=self.stream,
                unit=f" {unit}",
                desc=desc or None,
                smoothing=0.0,
                dynamic_ncols=True,
                leave=True,
            )

    def eta(self) -> float:
        """Seconds left at the measured pace (NaN before the first unit finishes)."""
        if not self.done:
            return math.nan
        return (self.clock() - self.t0) / self.done * (self.total - self.done)

    def line(self) -> str:
        """``"12/40 runs (30 %), 1 failed, 2:03 elapsed, ETA 4:41"``."""
        pct = 100.0 * self.done / self.total if self.total else 100.0
        fail = f", {self.failed} failed" if self.failed else ""
        head = f"{self.desc}: " if self.desc else ""
        return (
            f"{head}{self.done}/{self.total} {self.unit} ({pct:.0f} %){fail}, "
            f"{hms(self.clock() - self.t0)} elapsed, ETA {hms(self.eta())}"
        )

    def update(self, n: int = 1, *, failed: bool = False) -> None:
        """Count ``n`` finished units (``failed``: one of them failed)."""
        self.done = min(self.done + n, self.total)
        self.failed += int(failed)
        if self.mode == "bar":
            if failed:
                self._bar.set_postfix_str(f"{self.failed} failed", refresh=False)
            self._bar.update(n)
        elif self.mode == "log":
            now = self.clock()
            step = max(1, math.ceil(LOG_STEP * self.total))
            if (
                self.done == self.total
                or self.done - self._last_done >= step
                or now - self._last_t >= LOG_SECONDS
            ):
                log.info(self.line())
                self._last_t, self._last_done = now, self.done

    def close(self) -> None:
        """End the bar (a log line is already written at the end)."""
        if self.mode == "bar" and self._bar is not None:
            self._bar.close()
            self._bar = None
