"""Rasters with GDAL's own Python bindings (``osgeo``, shipped with QGIS): DEM in, GeoTIFF surface out.

The QGIS plugin's twin of :mod:`sitefinder.adapters.raster` (rasterio, which
QGIS does not have). Same rules: a DEM in the working projection with
another axis order (Kartverket's DTM10 stored as EPSG:3045 for plots in
EPSG:25833) is used as it is — GDAL gives raster coordinates easting first
— after checking that corners map onto themselves to the millimetre; any
other CRS is warped (bilinear) onto the grid GDAL suggests, as rasterio's
``calculate_default_transform`` does. Surfaces are written as the same
Cloud-Optimised GeoTIFF (256 × 256 tiles, DEFLATE, averaged overviews,
band descriptions and tags).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..core.terrain import GridGeometry
from ..errors import InputError
from ..pipeline.inputs import RasterArrays
from ..progress import Reporter
from .atomic import atomic_path

# Overview factors for surfaces: down to a few hundred cells across.
MIN_OVERVIEW_SIZE = 256


# Cells read around the plots' bounds: the slope of a cell needs its neighbours.
WINDOW_MARGIN_CELLS = 2


def dem_window(origin_x: float, cell_x: float, origin_y: float, cell_y: float, width: int, height: int,
               bounds: tuple[float, float, float, float] | None) -> tuple[int, int, int, int] | None:
    """The block of a raster ``(col, row, ncols, nrows)`` that covers ``bounds`` plus a margin of cells.

    ``origin``/``cell`` are the geotransform's corner and signed cell sizes
    (``cell_y`` negative for a north-up grid). Without ``bounds`` the whole
    raster; ``None`` when the raster does not reach ``bounds``.

    Examples
    --------
    >>> dem_window(0.0, 10.0, 1000.0, -10.0, 100, 100, (205.0, 395.0, 251.0, 601.0))
    (18, 37, 10, 26)
    """
    if bounds is None or not all(np.isfinite(bounds)):
        return (0, 0, width, height)
    x0, y0, x1, y1 = bounds
    cols = sorted(((x0 - origin_x) / cell_x, (x1 - origin_x) / cell_x))
    rows = sorted(((y0 - origin_y) / cell_y, (y1 - origin_y) / cell_y))
    c0 = max(int(np.floor(cols[0])) - WINDOW_MARGIN_CELLS, 0)
    c1 = min(int(np.ceil(cols[1])) + WINDOW_MARGIN_CELLS, width)
    r0 = max(int(np.floor(rows[0])) - WINDOW_MARGIN_CELLS, 0)
    r1 = min(int(np.ceil(rows[1])) + WINDOW_MARGIN_CELLS, height)
    if c1 <= c0 or r1 <= r0:
        return None
    return (c0, r0, c1 - c0, r1 - r0)


def not_covering(name: str, dem_bounds, bounds) -> InputError:
    """The error for a terrain model that does not reach the plots (or the surface's area)."""
    x0, y0, x1, y1 = dem_bounds
    px0, py0, px1, py1 = bounds
    return InputError(
        f"the terrain model {name} covers none of the plots: it spans x {x0:.0f}–{x1:.0f}, y {y0:.0f}–{y1:.0f}, "
        f"the plots x {px0:.0f}–{px1:.0f}, y {py0:.0f}–{py1:.0f} (same CRS); give the DEM tile of the plots' area")


@contextmanager
def gdal_exceptions():
    """GDAL errors as ``RuntimeError`` inside the block, the caller's setting restored after it
    (``gdal.ExceptionMgr`` needs GDAL 3.7; Debian 12's QGIS has 3.6)."""
    from osgeo import gdal

    before = gdal.GetUseExceptions()
    gdal.UseExceptions()
    try:
        yield
    finally:
        if not before:
            gdal.DontUseExceptions()


def _srs(wkt: str):
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)  # x = easting, whatever the CRS's axis order
    return srs


def same_plane_gdal(a_wkt: str, b_wkt: str, bounds: tuple[float, float, float, float]) -> bool:
    """Whether easting/northing in ``a`` are the same numbers in ``b`` over ``bounds`` (to the millimetre).

    The GDAL version of :func:`sitefinder.adapters.crs.same_plane`.
    """
    from osgeo import osr

    a, b = _srs(a_wkt), _srs(b_wkt)
    if a.IsSame(b):
        return True
    if not (a.IsProjected() and b.IsProjected()):
        return False
    x0, y0, x1, y1 = bounds
    corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1), ((x0 + x1) / 2, (y0 + y1) / 2)]
    try:
        moved = osr.CoordinateTransformation(a, b).TransformPoints(corners)
    except RuntimeError:
        return False
    return max(max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(moved, corners)) < 1e-3


def _read_band(ds, window: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Band 1 (or a ``(col, row, ncols, nrows)`` block of it) as float64 with ``nan`` where the dataset's mask
    says nodata (as rasterio's masked read)."""
    from osgeo import gdal

    band = ds.GetRasterBand(1)
    block = window or (0, 0, ds.RasterXSize, ds.RasterYSize)
    z = band.ReadAsArray(*block).astype(np.float64)
    if not band.GetMaskFlags() & gdal.GMF_ALL_VALID:
        z[band.GetMaskBand().ReadAsArray(*block) == 0] = np.nan
    return z


def read_dem_gdal(path: str | Path, crs_wkt: str, reporter: Reporter | None = None,
                  bounds: tuple[float, float, float, float] | None = None) -> RasterArrays:
    """A single-band terrain model as :class:`RasterArrays` in the CRS ``crs_wkt`` (metres).

    With ``bounds`` (the plots' or the area's, in ``crs_wkt``) only the cells
    around them are read from a DEM in the working projection, so a national
    mosaic works as well as a tile; a DEM warped from another CRS is read whole.

    Raises
    ------
    InputError
        A missing or unreadable file, a raster without CRS, a rotated grid, a
        DEM that does not reach ``bounds``.
    """
    from osgeo import gdal

    reporter = reporter or Reporter()
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"terrain model (DEM) not found: {path}")
    with gdal_exceptions():
        try:
            ds = gdal.Open(str(path))
        except RuntimeError as exc:
            raise InputError(f"terrain model {path.name}: cannot read it: {str(exc).splitlines()[0]}") from None
        srs = ds.GetSpatialRef()
        if srs is None:
            raise InputError(f"terrain model {path.name} has no CRS; assign one (e.g. EPSG:25833) and try again")
        t = ds.GetGeoTransform()
        if t[2] != 0 or t[4] != 0:
            raise InputError(f"terrain model {path.name} is rotated; warp it to a north-up grid first")
        plot_bounds = bounds
        corners = (t[0], t[3] + t[5] * ds.RasterYSize, t[0] + t[1] * ds.RasterXSize, t[3])
        dem_bounds = (min(corners[0], corners[2]), min(corners[1], corners[3]), max(corners[0], corners[2]),
                      max(corners[1], corners[3]))
        window = None
        if same_plane_gdal(srs.ExportToWkt(), crs_wkt, dem_bounds):
            window = dem_window(t[0], t[1], t[3], t[5], ds.RasterXSize, ds.RasterYSize, plot_bounds)
            if window is None:
                raise not_covering(path.name, dem_bounds, plot_bounds)
            t = (t[0] + window[0] * t[1], t[1], 0.0, t[3] + window[1] * t[5], 0.0, t[5])
        else:
            ds = gdal.Warp("", ds, format="MEM", dstSRS=crs_wkt, resampleAlg="bilinear", outputType=gdal.GDT_Float64,
                           dstNodata=float("nan"))
            t = ds.GetGeoTransform()
            reporter.warn(f"terrain model {path.name} reprojected from {srs.GetName()} to {_srs(crs_wkt).GetName()} "
                          "(bilinear)")
        z = _read_band(ds, window)
    top, dy = float(t[3]), float(-t[5])
    if dy < 0:  # south-up grid (row 0 in the south): flip to north-up
        z = z[::-1]
        top, dy = top - dy * z.shape[0], -dy
    grid = GridGeometry(float(t[0]), top, float(t[1]), dy, int(z.shape[1]), int(z.shape[0]))
    return RasterArrays(z, grid, origin=path.name)


def write_geotiff_gdal(path: str | Path, bands: np.ndarray, descriptions: list[str], grid: GridGeometry,
                       crs_wkt: str, nodata: float, tags: dict[str, str] | None = None) -> Path:
    """Write float bands as a Cloud-Optimised GeoTIFF, atomically (as :func:`~.raster.write_geotiff`).

    Parameters
    ----------
    bands : ndarray, shape (n_bands, ny, nx)
        Values, with ``nodata`` where there is no value.
    descriptions : list of str
        One per band (shown as band names in QGIS).
    grid : GridGeometry
        Outer corner of cell (0, 0) and cell sizes, in ``crs_wkt``.
    tags : dict, optional
        Dataset metadata (profile, attribution …).
    """
    from osgeo import gdal

    path = Path(path)
    n_bands, ny, nx = bands.shape
    with gdal_exceptions():
        mem = gdal.GetDriverByName("MEM").Create("", nx, ny, n_bands, gdal.GDT_Float32)
        mem.SetGeoTransform((grid.left, grid.dx, 0.0, grid.top, 0.0, -grid.dy))
        mem.SetProjection(crs_wkt)
        for i, text in enumerate(descriptions, start=1):
            band = mem.GetRasterBand(i)
            band.WriteArray(bands[i - 1].astype(np.float32))
            band.SetNoDataValue(nodata)
            band.SetDescription(text)
        if tags:
            mem.SetMetadata({k: str(v) for k, v in tags.items()})
        options = ["COMPRESS=DEFLATE", "PREDICTOR=3", "BLOCKSIZE=256",
                   f"OVERVIEWS={'AUTO' if max(nx, ny) > MIN_OVERVIEW_SIZE else 'NONE'}", "OVERVIEW_RESAMPLING=AVERAGE"]
        with atomic_path(path) as tmp:
            out = gdal.GetDriverByName("COG").CreateCopy(str(tmp), mem, options=options)
            out.FlushCache()
            out = None  # close before the rename
    return path
