"""Criterion weights from judgements: AHP pairwise comparisons and rank orders.

Pure numpy, so profiles (and the QGIS plugin) derive weights without scipy.

* :func:`ahp_weights` — Saaty's analytic hierarchy process: the principal
  eigenvector of a reciprocal pairwise comparison matrix, its consistency
  ratio, and the pair of criteria that is judged least consistently.
* :func:`rank_sum_weights`, :func:`rank_order_centroid_weights` — weights
  from a ranking alone (most important first).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Saaty's random consistency index RI(n): the mean consistency index of
# random reciprocal matrices of size n (Saaty 1980, The Analytic Hierarchy
# Process, McGraw-Hill; the table reproduced in Saaty 1990, EJOR 48:9-26).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
                11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59}
# Saaty's rule: a consistency ratio above 0.1 means the judgements should be revised.
MAX_CONSISTENCY_RATIO = 0.1
RECIPROCAL_TOLERANCE = 0.01  # a_ij * a_ji may differ from 1 by this much (0.33 for 1/3)


class AhpResult(NamedTuple):
    """Weights derived from a pairwise comparison matrix.

    Attributes
    ----------
    weights : ndarray
        Principal eigenvector, normalised to sum to 1.
    lambda_max : float
        Principal eigenvalue (``n`` for a perfectly consistent matrix).
    consistency_index : float
        ``(lambda_max - n) / (n - 1)``.
    consistency_ratio : float
        ``consistency_index / RANDOM_INDEX[n]`` (0 for ``n <= 2``).
    worst_pair : tuple of int or None
        ``(i, j)`` with the largest ``|ln(a_ij * w_j / w_i)|``: the judgement
        that departs most from the ratio the weights imply.
    worst_pair_implied : float
        ``w_i / w_j``, the ratio the derived weights imply for that pair.
    """

    weights: np.ndarray
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    worst_pair: tuple[int, int] | None
    worst_pair_implied: float


def check_comparison_matrix(matrix: np.ndarray) -> str | None:
    """Why ``matrix`` is not a positive reciprocal comparison matrix, or ``None`` when it is."""
    a = np.asarray(matrix, np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        return f"must be a square matrix, got shape {a.shape}"
    if not np.isfinite(a).all() or (a <= 0).any():
        return "every entry must be a positive number"
    if not np.allclose(np.diag(a), 1.0):
        return "the diagonal must be 1 (a criterion is as important as itself)"
    product = a * a.T
    bad = np.argwhere(np.abs(product - 1.0) > RECIPROCAL_TOLERANCE)
    if bad.size:
        i, j = bad[0]
        return (f"entry [{i}][{j}] = {a[i, j]:g} and [{j}][{i}] = {a[j, i]:g} are not reciprocal "
                f"(their product must be 1)")
    if a.shape[0] > max(RANDOM_INDEX):
        return f"AHP supports at most {max(RANDOM_INDEX)} criteria (Saaty's random index table); use rank weights"
    return None


def ahp_weights(matrix: np.ndarray) -> AhpResult:
    """Weights, consistency ratio and least consistent pair of a comparison matrix.

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        ``a[i, j]`` says how much more important criterion ``i`` is than
        ``j`` on Saaty's 1–9 scale; ``a[j, i] = 1 / a[i, j]``.

    Returns
    -------
    AhpResult

    Raises
    ------
    ValueError
        When the matrix is not a positive reciprocal matrix (see
        :func:`check_comparison_matrix`).

    Examples
    --------
    >>> r = ahp_weights(np.array([[1, 3], [1 / 3, 1]]))
    >>> r.weights.round(3).tolist(), r.consistency_ratio
    ([0.75, 0.25], 0.0)
    """
    problem = check_comparison_matrix(matrix)
    if problem:
        raise ValueError(problem)
    a = np.asarray(matrix, np.float64)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))  # Perron root of a positive matrix: real and largest
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lam = float(values[k].real)
    ci = max(lam - n, 0.0) / (n - 1) if n > 1 else 0.0
    cr = ci / RANDOM_INDEX[n] if RANDOM_INDEX[n] > 0 else 0.0
    worst, implied = None, float("nan")
    if n > 1:
        deviation = np.abs(np.log(a * w[None, :] / w[:, None]))
        iu = np.triu_indices(n, 1)
        m = int(np.argmax(deviation[iu]))
        worst = (int(iu[0][m]), int(iu[1][m]))
        implied = float(w[worst[0]] / w[worst[1]])
    return AhpResult(w, lam, ci, cr, worst, implied)


def rank_sum_weights(n: int) -> np.ndarray:
    """Rank-sum weights for ``n`` ranked criteria: ``w_r = (n - r + 1) / Σ`` (rank 1 = most important).

    Examples
    --------
    >>> rank_sum_weights(3).round(4).tolist()
    [0.5, 0.3333, 0.1667]
    """
    r = np.arange(1, n + 1, dtype=np.float64)
    w = n - r + 1
    return w / w.sum()


def rank_order_centroid_weights(n: int) -> np.ndarray:
    """Rank-order-centroid (ROC) weights: ``w_r = (1/n) Σ_{k=r..n} 1/k`` (Barron & Barrett 1996).

    Examples
    --------
    >>> rank_order_centroid_weights(3).round(4).tolist()
    [0.6111, 0.2778, 0.1111]
    """
    inv = 1.0 / np.arange(1, n + 1, dtype=np.float64)
    return np.cumsum(inv[::-1])[::-1] / n
