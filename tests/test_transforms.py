"""Transforms, aggregation and ranking against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sitefinder.core.aggregate import points_lost, rank_scores, weighted_linear
from sitefinder.core.transforms import (
    TRANSFORMS, band, gaussian, linear_falling, linear_rising, logistic, saturation_point, step,
)

INF, NAN = np.inf, np.nan


def test_linear_falling():
    got = linear_falling(np.array([0, 200, 300, 600, 700, INF, NAN]), full=200, zero=600)
    np.testing.assert_allclose(got, [1, 1, 0.75, 0, 0, 0, NAN])


def test_linear_rising():
    got = linear_rising(np.array([-5, 50, 125, 300, 400, INF, NAN]), zero=50, full=300)
    np.testing.assert_allclose(got, [0, 0, 0.3, 1, 1, 1, NAN])


def test_logistic_both_directions():
    x = np.array([400.0, 450.0, INF, NAN])
    np.testing.assert_allclose(logistic(x, 400, 50), [0.5, 1 / (1 + math.e), 0.0, NAN])
    np.testing.assert_allclose(logistic(x, 400, 50, rising=True), [0.5, 1 / (1 + math.exp(-1)), 1.0, NAN])


def test_gaussian():
    np.testing.assert_allclose(gaussian(np.array([0, 100, 300, INF, NAN]), sigma=200, plateau=100),
                               [1, 1, math.exp(-0.5), 0, NAN])


def test_step_classes():
    got = step(np.array([50, 100, 499, 500, 9999, INF, NAN]), breaks=[100, 500], scores=[1.0, 0.6, 0.1])
    np.testing.assert_allclose(got, [1, 0.6, 0.6, 0.1, 0.1, 0.1, NAN])


def test_band_trapezoid():
    got = band(np.array([0, 20, 35, 50, 250, 425, 600, 800, INF, NAN]), 20, 50, 250, 600)
    np.testing.assert_allclose(got, [0, 0, 0.5, 1, 1, 0.5, 0, 0, 0, NAN])


def test_band_with_vertical_sides():
    np.testing.assert_allclose(band(np.array([9.0, 10.0, 11.0, 100.0]), 10, 10, 100, 100), [0, 0, 1, 0])


@pytest.mark.parametrize("kind,params", [
    ("linear_falling", {"full": 1, "zero": 1}), ("linear_rising", {"zero": 5, "full": 2}),
    ("band", {"too_close": 5, "ideal_min": 2, "ideal_max": 9, "too_far": 10}),
    ("step", {"breaks": [5, 1], "scores": [1, 0.5, 0]}), ("step", {"breaks": [5], "scores": [1]}),
    ("gaussian", {"sigma": 0}), ("logistic", {"midpoint": 0, "scale": -1}),
])
def test_bad_parameters_raise(kind, params):
    with pytest.raises(ValueError):
        TRANSFORMS[kind].function(np.zeros(1), **params)


@pytest.mark.parametrize("kind,params", [
    ("linear_falling", {"full": 100, "zero": 500}), ("linear_rising", {"zero": 10, "full": 90}),
    ("logistic", {"midpoint": 400, "scale": 50}), ("gaussian", {"sigma": 200, "plateau": 50}),
    ("step", {"breaks": [100, 500], "scores": [1, 0.5, 0]}),
    ("band", {"too_close": 10, "ideal_min": 30, "ideal_max": 100, "too_far": 300}),
])
def test_saturation_point_is_where_the_score_stops_changing(kind, params):
    sat = saturation_point(kind, params)
    f = TRANSFORMS[kind].function
    beyond = f(np.array([sat, sat * 1.5 + 1, INF]), **params)
    assert np.ptp(beyond) <= 1e-3


def test_weighted_linear_and_contributions_sum_to_score():
    scores = np.array([[1.0, 0.5, 0.0], [0.2, 0.2, 0.2], [1.0, 1.0, 1.0]])
    excluded = np.array([False, False, True])
    score, contrib = weighted_linear(scores, np.array([2.0, 1.0, 1.0]), excluded)
    # weights normalised to 0.5, 0.25, 0.25
    np.testing.assert_allclose(score[:2], [62.5, 20.0])
    np.testing.assert_allclose(contrib[0], [50.0, 12.5, 0.0])
    np.testing.assert_allclose(contrib[:2].sum(axis=1), score[:2])
    assert np.isnan(score[2]) and np.isnan(contrib[2]).all()
    np.testing.assert_allclose(points_lost(scores[:1], np.array([2.0, 1.0, 1.0])), [[0.0, 12.5, 25.0]])


def test_weights_must_be_sensible():
    for bad in ([0.0, 0.0], [-1.0, 2.0], [np.inf, 1.0]):
        with pytest.raises(ValueError):
            weighted_linear(np.ones((1, 2)), np.array(bad), np.array([False]))


def test_rank_competition_style_and_unranked():
    assert rank_scores(np.array([10.0, 90.0, NAN, 90.0, 50.0])).tolist() == [4, 1, 0, 1, 3]
    assert rank_scores(np.array([NAN, NAN])).tolist() == [0, 0]
