"""Progress, warnings and cancellation, shared by every face.

The pipeline and adapters talk to a :class:`Reporter`; the CLI shows tqdm
bars, the QGIS plugin forwards to its feedback object, the Python API stays
quiet unless asked. Nothing here imports beyond the standard library.
"""

from __future__ import annotations

import sys
from typing import Callable

from .errors import Cancelled


class Reporter:
    """Silent reporter: collects warnings, never cancels. Subclass to show progress."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def start(self, label: str, total: int | None = None) -> None:
        """Begin a step; ``total`` units of work if known."""

    def advance(self, n: int = 1) -> None:
        """Report ``n`` more units done."""

    def finish(self) -> None:
        """End the current step."""

    def warn(self, message: str) -> None:
        """Record a warning a user should see (kept in :attr:`warnings`)."""
        self.warnings.append(message)

    def is_cancelled(self) -> bool:
        return False

    def check_cancelled(self) -> None:
        """Raise :class:`~sitefinder.errors.Cancelled` if the user asked to stop."""
        if self.is_cancelled():
            raise Cancelled("cancelled by the user")

    def step(self, label: str, total: int | None = None) -> "_Step":
        """Context manager: ``with reporter.step("snapping", n): ...``."""
        return _Step(self, label, total)


class _Step:
    def __init__(self, reporter: Reporter, label: str, total: int | None) -> None:
        self.reporter, self.label, self.total = reporter, label, total

    def __enter__(self) -> Reporter:
        self.reporter.check_cancelled()
        self.reporter.start(self.label, self.total)
        return self.reporter

    def __exit__(self, *exc) -> None:
        self.reporter.finish()
        if exc[0] is None:
            self.reporter.check_cancelled()


class TqdmReporter(Reporter):
    """Progress bars on stderr (used by the CLI and ``score(..., progress=True)``).

    When stderr is not a terminal (a log file, CI), each step prints one line
    when it ends instead of redrawing a bar.
    """

    def __init__(self, stream=None) -> None:
        super().__init__()
        self._bar = None
        self._stream = stream or sys.stderr
        self._plain = not getattr(self._stream, "isatty", lambda: False)()
        self._plain_step: tuple[str, float] | None = None

    def start(self, label: str, total: int | None = None) -> None:
        from tqdm.auto import tqdm

        self.finish()
        if self._plain:
            import time

            self._plain_step = (label, time.perf_counter())
            return
        self._bar = tqdm(total=total, desc=label, file=self._stream, leave=True, dynamic_ncols=True,
                         bar_format="{desc:<34} {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}]"
                         if total else "{desc:<34} [{elapsed}]")

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        if self._plain_step is not None:
            import time

            label, t0 = self._plain_step
            print(f"{label} ... done ({time.perf_counter() - t0:.1f} s)", file=self._stream)
            self._plain_step = None
        if self._bar is not None:
            if self._bar.total:
                self._bar.update(self._bar.total - self._bar.n)
            self._bar.close()
            self._bar = None

    def warn(self, message: str) -> None:
        super().warn(message)
        self.finish()
        print(f"sitefinder: warning: {message}", file=self._stream)


class CallbackReporter(Reporter):
    """Forwards progress to ``on_progress(label, fraction)`` and polls ``cancelled()``."""

    def __init__(
        self,
        on_progress: Callable[[str, float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self._on_progress = on_progress
        self._cancelled = cancelled
        self._on_warning = on_warning
        self._label = ""
        self._total = None
        self._done = 0

    def start(self, label: str, total: int | None = None) -> None:
        self._label, self._total, self._done = label, total, 0
        if self._on_progress:
            self._on_progress(label, 0.0)

    def advance(self, n: int = 1) -> None:
        self._done += n
        if self._on_progress and self._total:
            self._on_progress(self._label, min(self._done / self._total, 1.0))

    def finish(self) -> None:
        if self._on_progress and self._label:
            self._on_progress(self._label, 1.0)

    def warn(self, message: str) -> None:
        super().warn(message)
        if self._on_warning:
            self._on_warning(message)

    def is_cancelled(self) -> bool:
        return bool(self._cancelled and self._cancelled())
