"""Value functions: turn a raw criterion value (metres, a count) into a 0–1 score.

Every transform takes an array and returns an array of the same shape.
``nan`` (missing) stays ``nan``; ``+inf`` (nothing found within the search
cut-off) maps to the transform's limit, e.g. 0 for a falling curve and 1 for
a rising one.

Each transform also knows its *saturation point*: the value beyond which the
score no longer changes (or changes by less than 1e-3). Searches use it as
their default cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def linear_falling(x: np.ndarray, full: float, zero: float) -> np.ndarray:
    """1 at or below ``full``, 0 at or beyond ``zero``, linear in between.

    Examples
    --------
    >>> linear_falling(np.array([100.0, 300.0, 900.0, np.inf]), full=200, zero=600).tolist()
    [1.0, 0.75, 0.0, 0.0]
    """
    x = np.asarray(x, np.float64)
    if zero <= full:
        raise ValueError("linear_falling needs full < zero")
    return np.clip((zero - x) / (zero - full), 0.0, 1.0)


def linear_rising(x: np.ndarray, zero: float, full: float) -> np.ndarray:
    """0 at or below ``zero``, 1 at or beyond ``full``, linear in between.

    Examples
    --------
    >>> linear_rising(np.array([0.0, 5.0, 20.0, np.inf]), zero=0, full=10).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    x = np.asarray(x, np.float64)
    if full <= zero:
        raise ValueError("linear_rising needs zero < full")
    return np.clip((x - zero) / (full - zero), 0.0, 1.0)


def logistic(x: np.ndarray, midpoint: float, scale: float, rising: bool = False) -> np.ndarray:
    """S-curve through 0.5 at ``midpoint``; ``scale`` (> 0) sets its width.

    Falling: ``1 / (1 + exp((x - midpoint) / scale))``; rising mirrors it.

    Examples
    --------
    >>> logistic(np.array([400.0]), midpoint=400, scale=50).tolist()
    [0.5]
    """
    x = np.asarray(x, np.float64)
    if scale <= 0:
        raise ValueError("logistic needs scale > 0")
    z = (x - midpoint) / scale
    with np.errstate(over="ignore", invalid="ignore"):
        return 1.0 / (1.0 + np.exp(-z if rising else z))


def gaussian(x: np.ndarray, sigma: float, plateau: float = 0.0) -> np.ndarray:
    """Gaussian decay: 1 up to ``plateau``, then ``exp(-(x - plateau)^2 / (2 sigma^2))``.

    Examples
    --------
    >>> round(float(gaussian(np.array([300.0]), sigma=200, plateau=100)[0]), 6)
    0.606531
    """
    x = np.asarray(x, np.float64)
    if sigma <= 0:
        raise ValueError("gaussian needs sigma > 0")
    over = np.maximum(x - plateau, 0.0)
    with np.errstate(invalid="ignore"):
        return np.exp(-(over * over) / (2.0 * sigma * sigma))


def step(x: np.ndarray, breaks: list[float], scores: list[float]) -> np.ndarray:
    """Step classes: ``scores[i]`` for ``breaks[i-1] <= x < breaks[i]``.

    ``scores`` has one entry more than ``breaks``: the first applies below
    ``breaks[0]``, the last at or above ``breaks[-1]``.

    Examples
    --------
    >>> step(np.array([50.0, 250.0, 2000.0]), breaks=[100, 500], scores=[1.0, 0.5, 0.0]).tolist()
    [1.0, 0.5, 0.0]
    """
    x = np.asarray(x, np.float64)
    b = np.asarray(breaks, np.float64)
    s = np.asarray(scores, np.float64)
    if s.shape[0] != b.shape[0] + 1:
        raise ValueError("step needs one more score than breaks")
    if np.any(np.diff(b) <= 0):
        raise ValueError("step breaks must increase")
    idx = np.searchsorted(b, np.nan_to_num(x, nan=0.0), side="right")
    return np.where(np.isnan(x), np.nan, s[idx])


def band(x: np.ndarray, too_close: float, ideal_min: float, ideal_max: float, too_far: float) -> np.ndarray:
    """Trapezoid: 0 at or below ``too_close``, rising to 1 at ``ideal_min``,
    1 up to ``ideal_max``, falling to 0 at ``too_far`` and beyond.

    Examples
    --------
    >>> band(np.array([10.0, 30.0, 100.0, 350.0, 1000.0]), 10, 50, 200, 500).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    x = np.asarray(x, np.float64)
    if not (too_close <= ideal_min <= ideal_max <= too_far) or too_close == too_far:
        raise ValueError("band needs too_close <= ideal_min <= ideal_max <= too_far")
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = np.where(x >= ideal_min, 1.0, (x - too_close) / (ideal_min - too_close) if ideal_min > too_close else 0.0)
        fall = np.where(x <= ideal_max, 1.0, (too_far - x) / (too_far - ideal_max) if too_far > ideal_max else 0.0)
    out = np.clip(np.minimum(rise, fall), 0.0, 1.0)
    out = np.where(x <= too_close, 0.0, out)
    out = np.where(x >= too_far, 0.0, out)
    return np.where(np.isnan(x), np.nan, out)


@dataclass(frozen=True)
class TransformKind:
    """A transform, its parameter names and where it saturates."""

    function: Callable[..., np.ndarray]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    saturation: Callable[[dict], float]
    description: str


TRANSFORMS: dict[str, TransformKind] = {
    "linear_falling": TransformKind(
        linear_falling, ("full", "zero"), (), lambda p: p["zero"],
        "1 up to `full`, falling linearly to 0 at `zero`"),
    "linear_rising": TransformKind(
        linear_rising, ("zero", "full"), (), lambda p: p["full"],
        "0 up to `zero`, rising linearly to 1 at `full`"),
    "logistic": TransformKind(
        logistic, ("midpoint", "scale"), ("rising",), lambda p: p["midpoint"] + 7.0 * p["scale"],
        "S-curve through 0.5 at `midpoint`, width `scale`; falling unless `rising = true`"),
    "gaussian": TransformKind(
        gaussian, ("sigma",), ("plateau",), lambda p: p.get("plateau", 0.0) + 3.72 * p["sigma"],
        "1 up to `plateau`, then gaussian decay with `sigma`"),
    "step": TransformKind(
        step, ("breaks", "scores"), (), lambda p: float(p["breaks"][-1]),
        "classes: `scores[i]` between `breaks[i-1]` and `breaks[i]`"),
    "band": TransformKind(
        band, ("too_close", "ideal_min", "ideal_max", "too_far"), (), lambda p: p["too_far"],
        "trapezoid: 0 when too close, 1 in the ideal band, 0 when too far"),
}


def apply_transform(kind: str, x: np.ndarray, params: dict) -> np.ndarray:
    """Apply the transform ``kind`` with ``params`` to ``x``."""
    spec = TRANSFORMS[kind]
    return spec.function(x, **params)


def saturation_point(kind: str, params: dict) -> float:
    """Value beyond which the transform's score no longer changes (within 1e-3)."""
    return float(TRANSFORMS[kind].saturation(params))
