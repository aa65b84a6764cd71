"""Write results atomically: a temporary file next to the target, then a rename.

A crash or a bad input never leaves a half-written output file behind.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from .atomic import atomic_path

FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".fgb": "FlatGeobuf",
           ".shp": "ESRI Shapefile", ".parquet": "parquet", ".csv": "csv"}


def check_output_path(path: str | Path) -> Path:
    """Validate the output path before any work is done (extension and folder)."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"cannot write {path.name}: unknown output format {suffix or '(no extension)'}; "
            f"use one of {', '.join(sorted(FORMATS))}"
        )
    if suffix == ".shp":
        raise InputError("Shapefile output would truncate column names; write .gpkg, .parquet, .geojson or .csv")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    return path


def _for_gdal(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nullable integers and objects in forms every GDAL driver writes."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if isinstance(out[col].dtype, pd.Int64Dtype):
            continue
        if out[col].dtype == object:
            sample = out[col].dropna()
            if len(sample) and not all(isinstance(v, str) for v in sample.head(100)):
                out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def _write(gdf: gpd.GeoDataFrame, path: Path, layer: str | None, fmt: str) -> None:
    if fmt == "parquet":
        gdf.to_parquet(path)
    elif fmt == "csv":
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        df["geometry_wkt"] = gdf.geometry.to_wkt().to_numpy()
        df.to_csv(path, index=False)
    else:
        kwargs = {"layer": layer} if fmt == "GPKG" and layer else {}
        if fmt == "FlatGeobuf":
            kwargs["layer_options"] = {"SPATIAL_INDEX": "NO"}  # an index would reorder the rows
        _for_gdal(gdf).to_file(path, driver=fmt, engine="pyogrio", **kwargs)


def write_layers(layers: dict[str, gpd.GeoDataFrame], path: str | Path) -> Path:
    """Write one or more layers to ``path`` atomically (several layers need GeoPackage).

    Returns
    -------
    Path
        The written file.
    """
    path = check_output_path(path)
    fmt = FORMATS[path.suffix.lower()]
    if len(layers) > 1 and fmt != "GPKG":
        raise InputError(f"{path.name}: several layers need a GeoPackage (.gpkg)")
    try:
        with atomic_path(path) as tmp:
            for name, gdf in layers.items():
                _write(gdf, tmp, name, fmt)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot write {path}: {str(exc).splitlines()[0]}") from None
    return path


def write_result(gdf: gpd.GeoDataFrame, path: str | Path, layer: str | None = None) -> Path:
    """Write a scored layer; the format follows the extension (.gpkg, .parquet, .csv, .geojson, .fgb)."""
    path = Path(path)
    return write_layers({layer or path.stem: gdf}, path)
