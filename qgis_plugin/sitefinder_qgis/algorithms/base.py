"""What every sitefinder algorithm shares: dependency check, error translation, progress."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingFeedback
from qgis.PyQt.QtGui import QIcon

from ..dependencies import DOCS, missing_dependencies

ICON = Path(__file__).resolve().parent.parent / "icon.svg"


class SitefinderAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses set ``NAME``, ``DISPLAY_NAME``, ``GROUP`` and ``HELP``.

    They must not import sitefinder at module level (the plugin loads without
    it); :meth:`processAlgorithm` implementations call :meth:`require_library`
    first and run their work inside :meth:`translated_errors`.
    """

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = "Scoring"
    HELP = ""

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.DISPLAY_NAME

    def group(self) -> str:
        return self.GROUP

    def groupId(self) -> str:  # noqa: N802 (QGIS's name)
        return self.GROUP.lower().replace(" ", "_")

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        """The algorithm's help followed by every parameter's help (shown beside the dialog)."""
        params = "".join(f"<dt><b>{p.description()}</b></dt><dd>{p.help()}</dd>" for p in self.parameterDefinitions())
        return f"{self.HELP}<h3>Parameters</h3><dl>{params}</dl>"

    def helpUrl(self) -> str:  # noqa: N802 (QGIS's name)
        return DOCS

    def createInstance(self):  # noqa: N802 (QGIS's name)
        return type(self)()

    def canExecute(self):  # noqa: N802 (QGIS's name)
        """The dialog and toolbox refuse to run, with the install instructions, when the library is missing."""
        problem = missing_dependencies()
        return (problem is None, problem or "")

    def checkParameterValues(self, parameters, context):  # noqa: N802 (QGIS's name)
        problem = missing_dependencies()
        if problem is not None:
            return False, problem
        return super().checkParameterValues(parameters, context)

    @staticmethod
    def require_library() -> None:
        """Raise the install instructions as a :class:`QgsProcessingException` when sitefinder cannot run."""
        problem = missing_dependencies()
        if problem is not None:
            raise QgsProcessingException(problem)

    @staticmethod
    @contextmanager
    def translated_errors():
        """sitefinder's errors (bad input, bad profile, cancel) become one-line Processing errors."""
        from sitefinder.errors import Cancelled, SitefinderError

        try:
            yield
        except Cancelled:
            raise QgsProcessingException("sitefinder: cancelled by the user; no output was written") from None
        except SitefinderError as exc:
            raise QgsProcessingException(f"sitefinder: {exc}") from None


def help_text(parameter, text: str):
    """Attach ``text`` as the parameter's help and return the parameter (for one-line definitions)."""
    parameter.setHelp(text)
    return parameter


class FeedbackReporter:
    """Builds a sitefinder reporter that drives a Processing feedback object.

    Work is split into phases (``phase(start, end)``, in percent of the whole
    run); within a phase the library's steps move the bar from ``start`` to
    ``end`` and name the step. Warnings go to the log, cancel is polled.
    """

    def __init__(self, feedback: QgsProcessingFeedback | None):
        from sitefinder.progress import CallbackReporter

        self.feedback = feedback or QgsProcessingFeedback()
        self._span = (0.0, 100.0)
        self._label = ""
        self.reporter = CallbackReporter(on_progress=self._progress, cancelled=self.feedback.isCanceled,
                                         on_warning=self.feedback.pushWarning)

    def phase(self, start: float, end: float) -> None:
        """Map the following steps onto ``start``–``end`` percent of the bar."""
        self._span = (start, end)
        self.feedback.setProgress(start)

    def _progress(self, label: str, fraction: float) -> None:
        if label != self._label:
            self._label = label
            self.feedback.setProgressText(label)
        start, end = self._span
        self.feedback.setProgress(start + (end - start) * fraction)
