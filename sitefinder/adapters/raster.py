"""Rasters with rasterio: a terrain model (DEM) in, suitability surfaces out.

The DEM is read into the working CRS. A DEM stored in the same projection
with another axis order — Kartverket's DTM10 as EPSG:3045, "ETRS89 / UTM
zone 33N (N-E)", for plots in EPSG:25833 — is used as it is: GDAL hands
raster coordinates over easting first whatever the CRS's axis order, so the
numbers are already right (checked, not assumed: see
:func:`sitefinder.adapters.crs.same_plane`). A DEM in any other CRS is
reprojected (bilinear), with a warning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pyproj import CRS

from ..core.terrain import GridGeometry
from ..errors import InputError
from ..pipeline.inputs import RasterArrays
from ..progress import Reporter
from .crs import same_plane
from .output import atomic_path
from .raster_gdal import MIN_OVERVIEW_SIZE, dem_window, not_covering


def read_dem(path: str | Path, crs: CRS, reporter: Reporter | None = None,
             bounds: tuple[float, float, float, float] | None = None) -> RasterArrays:
    """A single-band terrain model as :class:`RasterArrays` in ``crs`` (metres).

    With ``bounds`` (the plots' or the area's, in ``crs``) only the cells
    around them are read from a DEM in the working projection, so a national
    mosaic (e.g. a VRT of every DTM10 tile) works as well as a tile; a DEM
    warped from another CRS is read whole.

    Raises
    ------
    InputError
        A missing or unreadable file, a raster without CRS, a rotated grid, a
        DEM that does not reach ``bounds``.
    """
    import rasterio
    from rasterio.errors import RasterioError
    from affine import Affine
    from rasterio.windows import Window

    reporter = reporter or Reporter()
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"terrain model (DEM) not found: {path}")
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise InputError(f"terrain model {path.name} has no CRS; assign one (e.g. EPSG:25833) and try again")
            t = src.transform
            if t.b != 0 or t.d != 0:
                raise InputError(f"terrain model {path.name} is rotated; warp it to a north-up grid first")
            dem_crs = CRS.from_user_input(src.crs.to_wkt())
            if same_plane(dem_crs, crs, tuple(src.bounds)):
                window = dem_window(t.c, t.a, t.f, t.e, src.width, src.height, bounds)
                if window is None:
                    raise not_covering(path.name, tuple(src.bounds), bounds)
                z = src.read(1, masked=True, window=Window(*window)).astype(np.float64).filled(np.nan)
                col, row = window[:2]  # the block's corner, as the GDAL twin computes it
                transform = Affine(t.a, 0.0, t.c + col * t.a, 0.0, t.e, t.f + row * t.e)
            else:
                z, transform = _warp(src, crs)
                reporter.warn(f"terrain model {path.name} reprojected from {dem_crs.name} to {crs.name} (bilinear)")
    except RasterioError as exc:
        raise InputError(f"terrain model {path.name}: cannot read it: {str(exc).splitlines()[0]}") from None
    top, dy = float(transform.f), float(-transform.e)
    if dy < 0:  # south-up grid (row 0 in the south): flip to north-up
        z = z[::-1]
        top, dy = top - dy * z.shape[0], -dy
    grid = GridGeometry(float(transform.c), top, float(transform.a), dy, int(z.shape[1]), int(z.shape[0]))
    return RasterArrays(z, grid, origin=path.name)


def _warp(src, crs: CRS):
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    transform, width, height = calculate_default_transform(src.crs, crs.to_wkt(), src.width, src.height, *src.bounds)
    z = np.full((height, width), np.nan)
    reproject(source=src.read(1, masked=True).astype(np.float64).filled(np.nan), destination=z,
              src_transform=src.transform, src_crs=src.crs, dst_transform=transform, dst_crs=crs.to_wkt(),
              src_nodata=np.nan, dst_nodata=np.nan, resampling=Resampling.bilinear)
    return z, transform


def write_geotiff(path: str | Path, bands: np.ndarray, descriptions: list[str], grid: GridGeometry, crs: CRS,
                  nodata: float, tags: dict[str, str] | None = None) -> Path:
    """Write float bands as a Cloud-Optimised GeoTIFF, atomically.

    Internal 256 × 256 tiles, DEFLATE compression, internal overviews
    (averaged) and a description per band.

    Parameters
    ----------
    bands : ndarray, shape (n_bands, ny, nx)
        Values, with ``nodata`` where there is no value.
    descriptions : list of str
        One per band (shown as band names in QGIS).
    grid : GridGeometry
        Outer corner of cell (0, 0) and cell sizes, in ``crs``.
    tags : dict, optional
        Dataset metadata (profile, attribution …).
    """
    from affine import Affine
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as rio_copy

    path = Path(path)
    n_bands, ny, nx = bands.shape
    profile = dict(driver="GTiff", width=nx, height=ny, count=n_bands, dtype="float32", nodata=nodata,
                   crs=crs.to_wkt(), transform=Affine(grid.dx, 0.0, grid.left, 0.0, -grid.dy, grid.top))
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(bands.astype(np.float32))
            for i, text in enumerate(descriptions, start=1):
                dst.set_band_description(i, text)
            if tags:
                dst.update_tags(**tags)
        with atomic_path(path) as tmp:
            with mem.open() as src:
                rio_copy(src, str(tmp), driver="COG", COMPRESS="DEFLATE", PREDICTOR="3", BLOCKSIZE="256",
                         OVERVIEWS="AUTO" if max(nx, ny) > MIN_OVERVIEW_SIZE else "NONE",
                         OVERVIEW_RESAMPLING="AVERAGE")
    return path
