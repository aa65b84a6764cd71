"""How much does the ranking depend on the weights?

Pure numpy on arrays (criterion scores, weights, which plots are eligible),
so the QGIS plugin can call it without geopandas. Criterion scores and
exclusions do not depend on the weights, so nothing is re-measured: only the
weighted sum and the ranking are recomputed.

* **One at a time (OAT)**: each weight is changed by −25 %, −10 %, +10 % and
  +25 % and the others are scaled so the weights still sum to 1 (their ratios
  unchanged): ``w'_j = w_j (1 + d)``, ``w'_k = w_k (1 − w'_j) / (1 − w_j)``.
* **Monte Carlo**: weight vectors drawn from a Dirichlet distribution with
  mean the profile's weights and concentration ``c`` (``alpha = c · w``; the
  standard deviation of a weight ``w`` is ``sqrt(w (1 − w) / (c + 1))``),
  from a seeded generator: the same seed gives the same result.

Ranks are competition ranks (1, 2, 2, 4) over the eligible plots, as in the
scored output. The sensitivity of the ranking to a criterion is the **mean
absolute rank change** of the eligible plots when its weight moves by ±25 %
(the mean over the two directions); the Spearman correlation with the base
ranking and the share of the base top N that stays in the top N are given
too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.aggregate import normalise_weights, rank_scores
from ..pipeline.scoring import ScoreTable  # numpy only: no geopandas
from ..progress import Reporter

OAT_CHANGES = (-0.25, -0.10, 0.10, 0.25)
DEFAULT_DRAWS = 1000
# Dirichlet concentration: with c = 100 a weight of 0.2 varies with a standard
# deviation of 0.04 (20 % of itself), about the ±25 % of the one-at-a-time test.
DEFAULT_CONCENTRATION = 100.0
DEFAULT_TOP_N = 10
# Per-plot rank percentiles need every draw's ranks in memory; above this many
# (plots × draws) only the streaming statistics (min, max, mean, top-N share) are kept.
PERCENTILE_BUDGET = 50_000_000


def weighted_scores(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``100 · scores @ w`` with ``w`` normalised: the 0–100 score of each plot."""
    return 100.0 * np.asarray(scores, np.float64) @ normalise_weights(weights)


def _ranks(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return rank_scores(weighted_scores(scores, weights))


def _rank_pair(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Competition ranks (1 = best, as :func:`~sitefinder.core.aggregate.rank_scores`) and
    average ranks (ties share their mean, for Spearman) of finite scores, from one sort."""
    n = score.shape[0]
    order = np.argsort(-score, kind="stable")
    s = -score[order]
    first = np.searchsorted(s, s, side="left")
    last = np.searchsorted(s, s, side="right")
    competition = np.empty(n, np.int64)
    competition[order] = first + 1
    average = np.empty(n)
    average[order] = (first + last + 1) / 2.0
    return competition, average


def _pearson(centred_a: np.ndarray, norm_a: float, b: np.ndarray) -> float:
    b = b - b.mean()
    denom = norm_a * np.sqrt((b * b).sum())
    return float((centred_a * b).sum() / denom) if denom > 0 else 1.0


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two rankings (Pearson on average ranks; ties handled).

    Examples
    --------
    >>> round(spearman(np.array([1, 2, 3, 4]), np.array([1, 3, 2, 4])), 6)
    0.8
    """
    ra = _rank_pair(-np.asarray(a, np.float64))[1]
    rb = _rank_pair(-np.asarray(b, np.float64))[1]
    ca = ra - ra.mean()
    return _pearson(ca, float(np.sqrt((ca * ca).sum())), rb)


def perturbed_weights(weights: np.ndarray, j: int, change: float) -> np.ndarray:
    """Weights with ``w_j`` scaled by ``1 + change`` and the others rescaled to keep the sum at 1.

    Examples
    --------
    >>> perturbed_weights(np.array([0.5, 0.3, 0.2]), 0, 0.1).round(4).tolist()
    [0.55, 0.27, 0.18]
    """
    w = normalise_weights(weights)
    new_j = min(w[j] * (1.0 + change), 1.0)
    out = w * ((1.0 - new_j) / (1.0 - w[j])) if w[j] < 1.0 else np.zeros_like(w)
    out[j] = new_j
    return out


@dataclass
class OneAtATime:
    """Result of :func:`one_at_a_time`.

    Attributes
    ----------
    changes : tuple of float
        The relative weight changes tried (e.g. −0.25 … +0.25).
    ranks : ndarray, shape (n_criteria, n_changes, n_eligible)
        Ranks of the eligible plots under each change.
    base_rank : ndarray, shape (n_eligible,)
    mean_abs_rank_change : ndarray, shape (n_criteria, n_changes)
    spearman : ndarray, shape (n_criteria, n_changes)
    top_n_kept : ndarray, shape (n_criteria, n_changes)
        Share of the base top N still in the top N.
    sensitivity : ndarray, shape (n_criteria,)
        Mean absolute rank change at ±25 % (mean of the two directions).
    """

    changes: tuple[float, ...]
    ranks: np.ndarray
    base_rank: np.ndarray
    mean_abs_rank_change: np.ndarray
    spearman: np.ndarray
    top_n_kept: np.ndarray
    sensitivity: np.ndarray


def _top_share(base_rank: np.ndarray, rank: np.ndarray, top_n: int) -> float:
    top = base_rank <= top_n
    return float((rank[top] <= top_n).mean()) if top.any() else 1.0


def one_at_a_time(scores: np.ndarray, weights: np.ndarray, top_n: int = DEFAULT_TOP_N,
                  changes: tuple[float, ...] = OAT_CHANGES) -> OneAtATime:
    """Change each weight by each of ``changes`` in turn and re-rank.

    Parameters
    ----------
    scores : ndarray, shape (n_eligible, n_criteria)
        Criterion scores (0–1) of the plots that are not excluded.
    weights : ndarray, shape (n_criteria,)
        The profile's weights (normalised here).
    top_n : int
        N for the "still in the top N" share.
    """
    scores = np.asarray(scores, np.float64)
    w = normalise_weights(weights)
    m = w.shape[0]
    base = _ranks(scores, w)
    ranks = np.empty((m, len(changes), scores.shape[0]), np.int64)
    mad = np.zeros((m, len(changes)))
    rho = np.ones((m, len(changes)))
    kept = np.ones((m, len(changes)))
    for j in range(m):
        for k, d in enumerate(changes):
            r = _ranks(scores, perturbed_weights(w, j, d)) if w[j] < 1.0 else base
            ranks[j, k] = r
            if r.size:
                mad[j, k] = np.abs(r - base).mean()
                rho[j, k] = spearman(base, r)
                kept[j, k] = _top_share(base, r, top_n)
    big = [k for k, d in enumerate(changes) if abs(abs(d) - max(abs(c) for c in changes)) < 1e-12]
    return OneAtATime(tuple(changes), ranks, base, mad, rho, kept, mad[:, big].mean(axis=1))


@dataclass
class MonteCarlo:
    """Result of :func:`monte_carlo`.

    Attributes
    ----------
    base_rank, rank_min, rank_max, rank_p05, rank_p95 : ndarray, shape (n_eligible,)
    rank_mean : ndarray
    p_top_n : ndarray
        Share of the draws in which the plot is in the top N.
    spearman : ndarray, shape (draws,)
        Rank correlation of each draw's ranking with the base ranking.
    weights : ndarray, shape (draws, n_criteria)
        The drawn weights.
    seed, concentration, top_n
    """

    base_rank: np.ndarray
    rank_min: np.ndarray
    rank_max: np.ndarray
    rank_p05: np.ndarray
    rank_p95: np.ndarray
    rank_mean: np.ndarray
    p_top_n: np.ndarray
    spearman: np.ndarray
    weights: np.ndarray
    seed: int
    concentration: float
    top_n: int


def dirichlet_weights(weights: np.ndarray, draws: int, concentration: float, seed: int) -> np.ndarray:
    """``draws`` weight vectors around ``weights`` (zero weights stay zero), from a seeded generator."""
    w = normalise_weights(weights)
    if concentration <= 0:
        raise ValueError("the concentration must be greater than 0")
    rng = np.random.default_rng(seed)
    out = np.zeros((draws, w.shape[0]))
    pos = w > 0
    out[:, pos] = rng.dirichlet(concentration * w[pos], size=draws)
    return out


def monte_carlo(scores: np.ndarray, weights: np.ndarray, *, draws: int = DEFAULT_DRAWS,
                concentration: float = DEFAULT_CONCENTRATION, seed: int = 0, top_n: int = DEFAULT_TOP_N,
                reporter: Reporter | None = None) -> MonteCarlo:
    """Re-rank the plots under ``draws`` random weight vectors around ``weights``.

    Deterministic for a given ``seed``. The 5th/95th rank percentiles are
    ``nan`` when plots × draws exceeds :data:`PERCENTILE_BUDGET` (they need
    every draw in memory); min, max, mean and the top-N share are always kept.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    reporter = reporter or Reporter()
    scores = np.asarray(scores, np.float64)
    n = scores.shape[0]
    base, base_avg = _rank_pair(weighted_scores(scores, weights))
    centred = base_avg - base_avg.mean()
    norm = float(np.sqrt((centred * centred).sum()))
    sample = dirichlet_weights(weights, draws, concentration, seed)
    keep = n * draws <= PERCENTILE_BUDGET
    all_ranks = np.empty((draws if keep else 0, n), np.int32)
    lo, hi = np.full(n, np.iinfo(np.int64).max), np.zeros(n, np.int64)
    total, in_top = np.zeros(n), np.zeros(n)
    rho = np.ones(draws)
    with reporter.step("Monte-Carlo weights", draws):
        for i in range(draws):
            reporter.check_cancelled()
            r, avg = _rank_pair(weighted_scores(scores, sample[i]))
            np.minimum(lo, r, out=lo)
            np.maximum(hi, r, out=hi)
            total += r
            in_top += r <= top_n
            if keep:
                all_ranks[i] = r
            rho[i] = _pearson(centred, norm, avg) if n > 1 else 1.0
            reporter.advance()
    if keep and n:
        p05, p95 = np.percentile(all_ranks, 5, axis=0), np.percentile(all_ranks, 95, axis=0)
    else:
        p05 = p95 = np.full(n, np.nan)
    return MonteCarlo(base, lo, hi, p05, p95, total / draws, in_top / draws, rho, sample, seed, concentration, top_n)


@dataclass
class Sensitivity:
    """Both analyses for one scored table, with the criterion keys and plot rows they refer to."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]
    weights: np.ndarray
    rows: np.ndarray  # row positions (in the scored table) of the eligible plots
    oat: OneAtATime
    mc: MonteCarlo


def analyse_sensitivity(table, *, draws: int = DEFAULT_DRAWS, concentration: float = DEFAULT_CONCENTRATION,
                        seed: int = 0, top_n: int = DEFAULT_TOP_N, reporter: Reporter | None = None) -> Sensitivity:
    """Run :func:`one_at_a_time` and :func:`monte_carlo` on scored plots.

    Parameters
    ----------
    table : ScoreTable or GeoDataFrame
        A :class:`~sitefinder.pipeline.ScoreTable`, or scored plots
        (:func:`sitefinder.score`, :func:`sitefinder.read_scored`) with every
        criterion's ``_score`` column.
    """
    if not isinstance(table, ScoreTable):
        from .scored import score_table  # geopandas only when given a GeoDataFrame

        table = score_table(table)
    profile = table.profile
    rows = np.flatnonzero(~table.columns["excluded"])
    scores = table.criterion_matrix("score")[rows]
    weights = np.array([c.weight.value for c in profile.criteria])
    oat = one_at_a_time(scores, weights, top_n)
    mc = monte_carlo(scores, weights, draws=draws, concentration=concentration, seed=seed, top_n=top_n,
                     reporter=reporter)
    return Sensitivity(profile.keys, tuple(c.label for c in profile.criteria), normalise_weights(weights), rows, oat, mc)


def criteria_summary(result: Sensitivity) -> list[dict]:
    """The one-at-a-time summary, one dict per criterion, most influential first (ties: profile order).

    Keys: ``criterion``, ``label``, ``weight``, ``rank change −25 %`` …
    ``+25 %`` (mean absolute rank change), ``sensitivity`` (mean at ±25 %),
    ``spearman ±25 %`` (the lower of the two) and ``top N kept ±25 %`` (the
    lower of the two).
    """
    oat = result.oat
    big = [k for k, d in enumerate(oat.changes) if abs(d) == max(abs(c) for c in oat.changes)]
    rows = []
    for j, key in enumerate(result.keys):
        row = {"criterion": key, "label": result.labels[j], "weight": float(result.weights[j])}
        for k, d in enumerate(oat.changes):
            row[f"rank change {d:+.0%}"] = float(oat.mean_abs_rank_change[j, k])
        row["sensitivity"] = float(oat.sensitivity[j])
        row["spearman ±25 %"] = float(oat.spearman[j, big].min())
        row[f"top {result.mc.top_n} kept ±25 %"] = float(oat.top_n_kept[j, big].min())
        rows.append(row)
    order = np.argsort(-oat.sensitivity, kind="stable")
    return [rows[j] for j in order]


def plot_order(result: Sensitivity) -> np.ndarray:
    """Positions (into ``result.rows``) of the eligible plots, best first: by base rank, then mean rank."""
    return np.lexsort((result.mc.rank_mean, result.mc.base_rank))


def criteria_frame(result: Sensitivity):
    """:func:`criteria_summary` as a DataFrame indexed by criterion key."""
    import pandas as pd

    return pd.DataFrame(criteria_summary(result)).set_index("criterion")


def plots_frame(result: Sensitivity, labels: np.ndarray):
    """Per eligible plot: base rank, Monte-Carlo rank range and the share of draws in the top N, best first.

    ``labels`` are the plot ids of every row of the scored table.
    """
    import pandas as pd

    mc = result.mc
    df = pd.DataFrame({
        "plot": np.asarray(labels, dtype=object)[result.rows],
        "rank": mc.base_rank, "rank_min": mc.rank_min, "rank_max": mc.rank_max,
        "rank_p05": mc.rank_p05, "rank_p95": mc.rank_p95, "rank_mean": mc.rank_mean,
        f"p_top_{mc.top_n}": mc.p_top_n,
    }, index=pd.Index(result.rows, name="row"))
    return df.iloc[plot_order(result)]
