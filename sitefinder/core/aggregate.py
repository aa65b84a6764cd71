"""Combine criterion scores into a 0–100 score, its explanation and a rank."""

from __future__ import annotations

import numpy as np


def normalise_weights(weights: np.ndarray) -> np.ndarray:
    """Weights scaled to sum to 1 (all must be >= 0 and at least one > 0)."""
    w = np.asarray(weights, np.float64)
    if w.ndim != 1 or w.size == 0 or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return w / w.sum()


def weighted_linear(scores: np.ndarray, weights: np.ndarray, excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted linear combination.

    Parameters
    ----------
    scores : ndarray, shape (n_plots, n_criteria)
        Criterion scores in 0–1 (``nan`` only for excluded plots).
    weights : ndarray, shape (n_criteria,)
        Raw weights; normalised here.
    excluded : ndarray of bool, shape (n_plots,)

    Returns
    -------
    score : ndarray, shape (n_plots,)
        0–100; ``nan`` for excluded plots.
    contribution : ndarray, shape (n_plots, n_criteria)
        Points each criterion adds; rows sum to ``score``.

    Examples
    --------
    >>> s, c = weighted_linear(np.array([[1.0, 0.5]]), np.array([3.0, 1.0]), np.array([False]))
    >>> s.tolist(), c.tolist()
    ([87.5], [[75.0, 12.5]])
    """
    w = normalise_weights(weights)
    scores = np.asarray(scores, np.float64)
    contribution = 100.0 * scores * w[None, :]
    contribution[excluded] = np.nan
    score = contribution.sum(axis=1)
    score[excluded] = np.nan
    return score, contribution


def points_lost(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Points below the maximum each criterion costs: ``100 * w * (1 - score)``."""
    w = normalise_weights(weights)
    return 100.0 * (1.0 - np.asarray(scores, np.float64)) * w[None, :]


def rank_scores(score: np.ndarray) -> np.ndarray:
    """Rank 1 = best; ties share the best rank; ``nan`` scores get rank 0 (unranked).

    Examples
    --------
    >>> rank_scores(np.array([50.0, np.nan, 70.0, 50.0])).tolist()
    [2, 0, 1, 2]
    """
    score = np.asarray(score, np.float64)
    rank = np.zeros(score.shape[0], np.int64)
    ok = np.flatnonzero(~np.isnan(score))
    if ok.size:
        s = score[ok]
        order = np.argsort(-s, kind="stable")
        sorted_s = s[order]
        # Competition ranking: position of the first equal score + 1.
        first = np.searchsorted(-sorted_s, -sorted_s, side="left")
        r = np.empty(ok.size, np.int64)
        r[order] = first + 1
        rank[ok] = r
    return rank
