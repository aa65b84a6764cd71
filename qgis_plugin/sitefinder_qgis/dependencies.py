"""Is the sitefinder library usable in this QGIS's Python? If not, say exactly what to install.

The plugin folder holds only the QGIS face. The library (pure Python) and
numba are installed into QGIS's own Python, next to the numpy QGIS ships;
geopandas and the other library dependencies are not needed inside QGIS.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)
MIN_NUMBA = (0, 59)
DOCS = "https://github.com/sitefinder/sitefinder/blob/main/docs/qgis.md"


def qgis_python() -> str:
    """Path of the Python interpreter behind this QGIS (``sys.executable`` is often QGIS itself)."""
    exe = Path(sys.executable)
    candidates = [exe] if exe.name.lower().startswith("python") else []
    candidates += [Path(sys.prefix) / "python.exe", exe.parent / "bin" / "python3",
                   Path(sys.prefix) / "bin" / "python3"]
    for path in candidates:
        if path.is_file():
            return str(path)
    return "python3"


def install_commands(python: str | None = None) -> str:
    """The pip commands that install what the plugin needs, pinning QGIS's numpy so pip never replaces it."""
    python = python or qgis_python()
    try:
        import numpy

        numpy_pin = f' "numpy=={numpy.__version__}"'
    except ImportError:
        numpy_pin = ""
    quoted = f'"{python}"' if " " in python else python
    # Linux distributions' QGIS runs the system Python: install for the user, past PEP 668's guard.
    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    user = " --user --break-system-packages" if sys.platform.startswith("linux") and not in_venv else ""
    return (f'{quoted} -m pip install{user} "numba>=0.59"{numpy_pin}\n'
            f"{quoted} -m pip install{user} --no-deps sitefinder")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def missing_dependencies() -> str | None:
    """``None`` when sitefinder can run here, else a message saying what to install and how.

    Examples
    --------
    >>> missing_dependencies() is None or "pip install" in missing_dependencies()
    True
    """
    if sys.version_info < MIN_PYTHON:
        return (f"sitefinder needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer, but this QGIS runs Python "
                f"{sys.version_info.major}.{sys.version_info.minor}. Use a QGIS build with a newer Python "
                f"(see {DOCS}).")
    problem = None
    try:
        numba = importlib.import_module("numba")
        if _version_tuple(numba.__version__) < MIN_NUMBA:
            problem = f"numba {numba.__version__} is too old (sitefinder needs numba >= 0.59)"
    except ImportError as exc:  # missing, or installed for another numpy
        problem = f"numba cannot be imported ({exc})"
    if problem is None:
        try:
            importlib.import_module("sitefinder.pipeline")
        except ImportError as exc:
            problem = f"the sitefinder library cannot be imported ({exc})"
    if problem is None:
        return None
    return (
        f"sitefinder cannot run: {problem}.\n"
        "Install the sitefinder library and numba into QGIS's own Python, then restart QGIS:\n"
        f"{install_commands()}\n"
        f"{_where_to_run()}\n"
        "Without sitefinder on PyPI, give the wheel built by 'make plugin' (dist/sitefinder-*.whl) or the "
        "folder of a sitefinder source copy instead of 'sitefinder'.\n"
        f"Step by step: {DOCS}"
    )


def _where_to_run() -> str:
    if sys.platform == "win32":
        return "Run these in the OSGeo4W Shell (Start menu), as administrator when QGIS is installed for all users."
    if sys.platform == "darwin":
        return "Run these in Terminal."
    return ("Run these in a terminal (--break-system-packages lets pip add to the system Python on Debian 12 and "
            "Ubuntu 23.04 or later; it never replaces QGIS's numpy, which is pinned).")
