"""Build the zip that QGIS's plugin manager installs ("Install from ZIP"): ``make plugin``.

The zip holds the plugin folder only (``sitefinder_qgis/``); the sitefinder
library and numba are installed into QGIS's Python separately (docs/qgis.md).
Standard library only.

Usage: ``python qgis_plugin/tools/build_zip.py [OUT_DIR]`` (default ``dist``).
"""

from __future__ import annotations

import configparser
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "qgis_plugin" / "sitefinder_qgis"
SKIP = {"__pycache__", ".pytest_cache"}


def plugin_version() -> str:
    """The plugin's version, which must be the library's (one release, two faces)."""
    meta = configparser.ConfigParser()
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    library = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    if library is None or library.group(1) != version:
        sys.exit(f"metadata.txt version {version} differs from pyproject.toml's {library and library.group(1)}")
    return version


def build(out_dir: Path) -> Path:
    """Write ``sitefinder_qgis-<version>.zip`` into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"sitefinder_qgis-{plugin_version()}.zip"
    files = sorted(p for p in PLUGIN.rglob("*") if p.is_file() and not SKIP & set(p.relative_to(PLUGIN).parts)
                   and p.suffix not in (".pyc", ".nbi", ".nbc"))
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, Path("sitefinder_qgis") / path.relative_to(PLUGIN))
    tmp.replace(target)  # atomic: never a half-written zip
    return target


if __name__ == "__main__":
    zip_path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist")
    print(f"wrote {zip_path} ({zip_path.stat().st_size // 1024} KiB): install it in QGIS with "
          "Plugins > Manage and Install Plugins > Install from ZIP")
