"""Write results atomically: a temporary file next to the target, then a rename.

A crash or a bad input never leaves a half-written output file behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from .atomic import atomic_path

# Run metadata (profile, weights, data, what was withheld) travels with the output:
# as layer metadata in GeoPackage/FlatGeobuf, as schema metadata in GeoParquet,
# and in a sidecar file "<output>.sitefinder.json" for GeoJSON and CSV.
METADATA_KEY = "sitefinder"
SIDECAR_SUFFIX = ".sitefinder.json"
EMBEDDED_METADATA = ("GPKG", "FlatGeobuf", "parquet")

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
    metadata = gdf.attrs.get(METADATA_KEY)
    if fmt == "parquet":
        gdf.to_parquet(path)  # geopandas (>= 1.0) stores .attrs, the metadata with it, in the schema
    elif fmt == "csv":
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        df["geometry_wkt"] = gdf.geometry.to_wkt().to_numpy()
        df.to_csv(path, index=False)
    else:
        kwargs = {"layer": layer} if fmt == "GPKG" and layer else {}
        if fmt == "FlatGeobuf":
            kwargs["layer_options"] = {"SPATIAL_INDEX": "NO"}  # an index would reorder the rows
        if metadata is not None and fmt in EMBEDDED_METADATA:
            kwargs["layer_metadata"] = {METADATA_KEY: json.dumps(metadata, ensure_ascii=False)}
        _for_gdal(gdf).to_file(path, driver=fmt, engine="pyogrio", **kwargs)


def write_layers(layers: dict[str, gpd.GeoDataFrame], path: str | Path, metadata: dict | None = None) -> Path:
    """Write one or more layers to ``path`` atomically (several layers need GeoPackage).

    The run metadata (JSON-serialisable) — ``metadata``, else the first
    layer's ``.attrs["sitefinder"]`` (set by :func:`sitefinder.score`) — is
    stored with the layers; read it back with :func:`read_metadata`.

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
                if metadata is not None:
                    gdf = gdf.copy(deep=False)
                    gdf.attrs = {METADATA_KEY: metadata}
                _write(gdf, tmp, name, fmt)
        metadata = metadata if metadata is not None else next(iter(layers.values())).attrs.get(METADATA_KEY)
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if metadata is not None and fmt not in EMBEDDED_METADATA:
            with atomic_path(sidecar) as tmp:
                tmp.write_text(json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8")
        elif sidecar.exists():  # left by an earlier run: it would describe the wrong data
            sidecar.unlink()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot write {path}: {str(exc).splitlines()[0]}") from None
    return path


def write_result(gdf: gpd.GeoDataFrame, path: str | Path, layer: str | None = None,
                 metadata: dict | None = None) -> Path:
    """Write a scored layer; the format follows the extension (.gpkg, .parquet, .csv, .geojson, .fgb)."""
    path = Path(path)
    return write_layers({layer or path.stem: gdf}, path, metadata)


def read_metadata(path: str | Path, layer: str | None = None) -> dict | None:
    """The run metadata written with :func:`write_layers`, or ``None`` when the file has none."""
    path = Path(path)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    text = None
    if sidecar.is_file():
        text = sidecar.read_text(encoding="utf-8")
    elif path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        attrs = (pq.read_schema(path).metadata or {}).get(b"PANDAS_ATTRS")
        return json.loads(attrs).get(METADATA_KEY) if attrs else None
    elif FORMATS.get(path.suffix.lower()) in EMBEDDED_METADATA:
        import pyogrio

        text = (pyogrio.read_info(path, layer=layer).get("layer_metadata") or {}).get(METADATA_KEY)
    return json.loads(text) if text else None
