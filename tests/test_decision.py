"""Decision support: explain, compare, sensitivity (hand-computed OAT), top sites (constructed cases)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

import sitefinder
from sitefinder.decision.sensitivity import dirichlet_weights, monte_carlo, one_at_a_time, perturbed_weights
from sitefinder.decision.topsites import select_sites
from sitefinder.errors import InputError

from .test_scoring import CRS, PROFILE, P, box, line, scene  # noqa: F401  (scene is a fixture)


def street_scene(tmp_path):
    """The hand-computed scene of test_scoring with eight plots along the main street (p0 … p7)."""
    network = gpd.GeoDataFrame(geometry=[line((0, 0), (500, 0), (1000, 0)), line((500, 0), (500, 300))], crs=CRS)
    features = {
        "bus_stop": gpd.GeoDataFrame({"name": ["Torget"]}, geometry=[P(100, 10)], crs=CRS),
        "grocery": gpd.GeoDataFrame({"name": ["Butikken"]}, geometry=[P(500, 310)], crs=CRS),
        "park": gpd.GeoDataFrame({"name": ["Parken"]}, geometry=[box(700, 20, 800, 120)], crs=CRS),
        "industrial_area": gpd.GeoDataFrame({"name": ["Verket"]}, geometry=[box(900, -200, 1000, -100)], crs=CRS),
    }
    plots = gpd.GeoDataFrame({"plot_id": [f"p{i}" for i in range(8)]},
                             geometry=[box(50 + i * 110, 5, 90 + i * 110, 45) for i in range(8)], crs=CRS)
    profile = tmp_path / "hand.toml"
    profile.write_text(PROFILE)
    return plots, network, features, profile


@pytest.fixture()
def scored(tmp_path):
    plots, network, features, profile = street_scene(tmp_path)
    return sitefinder.score(plots, profile, network=network, features=features)


# --------------------------------------------------------------------------- explain / compare


def test_explanation_contributions_sum_to_the_score(scored):
    assert (~scored["excluded"]).sum() == 5
    for pid in scored.loc[~scored["excluded"], "plot_id"]:
        table = sitefinder.explain(scored, pid)
        assert table["contribution"].sum() == pytest.approx(table.attrs["score"])
        assert table["weight"].sum() == pytest.approx(1.0)
        assert (table["contribution"] <= table["max_points"] + 1e-9).all()


def test_explanation_values_curves_and_sources(scored):
    t = sitefinder.explain(scored, "p2")
    # p2 spans x 270..310, its gate at (290, 5): 5 m snap + 190 m along the street + 10 m to the stop.
    assert t.loc["bus", "raw_value"] == pytest.approx(205.0)
    assert t.loc["bus", "raw"] == "205 m"
    assert t.loc["bus", "score"] == pytest.approx(395 / 500)
    assert t.loc["bus", "weight"] == pytest.approx(0.5)
    assert t.loc["bus", "contribution"] == pytest.approx(100 * 0.5 * 395 / 500)
    assert t.loc["bus", "curve"] == "1 up to 100 m, 0 from 600 m (linear)"
    assert t.loc["bus", "weight_source"] == "assumption"
    text = sitefinder.decision.format_explanation(t)
    assert "Score" in text and "[assumption]" in text


def test_excluded_plot_explains_why(scene):  # noqa: F811
    plots, network, features, profile = scene
    scored = sitefinder.score(plots, profile, network=network, features=features)
    t = sitefinder.explain(scored, "P6", id_column="plot_name")  # inside the industrial area
    assert t.attrs["excluded"] and "inside industrial area" in t.attrs["exclusion_reason"]
    assert t["contribution"].isna().all()
    assert "EXCLUDED" in sitefinder.decision.format_explanation(t)


def test_explain_withholds_sensitive_criteria_unless_asked(scored):
    t = sitefinder.explain(scored, "p2", sensitive=("park",))
    assert t.loc["park", "withheld"] and np.isnan(t.loc["park", "raw_value"]) and t.loc["park", "raw"] == "withheld"
    park = scored.loc[2, "park_value"]
    assert f"{park:.0f} m" not in sitefinder.decision.format_explanation(t)
    full = sitefinder.explain(scored, "p2", sensitive=("park",), include_sensitive=True)
    assert full.loc["park", "raw_value"] == pytest.approx(park)


def test_explain_and_compare_redact_exclusion_reasons_naming_a_sensitive_layer(scene):  # noqa: F811
    plots, network, features, profile = scene
    scored = sitefinder.score(plots, profile, network=network, features=features)
    # P6 is excluded for lying inside the industrial area: treat that layer as sensitive.
    t = sitefinder.explain(scored, "P6", id_column="plot_name", sensitive=("industrial_area",))
    assert "industrial" not in t.attrs["exclusion_reason"].lower()
    assert "withheld" in t.attrs["exclusion_reason"]
    c = sitefinder.compare(scored, ["P0", "P6"], id_column="plot_name", sensitive=("industrial_area",))
    assert "industrial" not in c.attrs["excluded"]["P6"].lower()
    full = sitefinder.explain(scored, "P6", id_column="plot_name", sensitive=("industrial_area",),
                              include_sensitive=True)
    assert "inside industrial area" in full.attrs["exclusion_reason"]


def test_unknown_or_ambiguous_plot_is_a_clear_error(scored):
    with pytest.raises(InputError, match="no plot with plot_id 'p9'"):
        sitefinder.explain(scored, "p9")
    with pytest.raises(InputError, match="no column 'nope'"):
        sitefinder.explain(scored, "p0", id_column="nope")
    with pytest.raises(InputError, match="2 plots have owner"):
        sitefinder.explain(scored.assign(owner=list("aabcdefg")), "a", id_column="owner")


def test_compare_side_by_side_and_chart(scored, tmp_path):
    table = sitefinder.compare(scored, ["p1", "p2", "p7"])
    assert table.loc["Bus stop", ("p2", "value")] == "205 m"
    for p in ("p1", "p2"):
        pts = table[(p, "points")]
        assert pts.iloc[:-1].sum() == pytest.approx(pts.loc["score"])
    assert np.isnan(table.loc["score", ("p7", "points")]) and table.attrs["excluded"]["p7"]
    text = sitefinder.decision.format_comparison(table)
    assert "p7: excluded" in text and "Grocery" in text
    png = sitefinder.decision.compare_chart(table, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match="at least two"):
        sitefinder.compare(scored, ["p0"])


# --------------------------------------------------------------------------- sensitivity

# Three plots, three criteria, weights 0.5 / 0.3 / 0.2. Base scores: A 50, B 40, C 39 -> ranks 1, 2, 3.
OAT_SCORES = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.4, 0.5, 0.2]])
OAT_WEIGHTS = np.array([0.5, 0.3, 0.2])
# Ranks of (A, B, C) for changes -25 %, -10 %, +10 %, +25 % of each weight, the others rescaled, by hand:
# transit -25 %: w = (.375, .375, .25): A 37.5, B 50, C 38.75 -> (3, 1, 2)
#         -10 %: w = (.45, .33, .22):   A 45, B 44, C 38.9 -> (1, 2, 3)
#         +10 %: w = (.55, .27, .18):   A 55, B 36, C 39.1 -> (1, 3, 2)
#         +25 %: w = (.625, .225, .15): A 62.5, B 30, C 39.25 -> (1, 3, 2)
# c1 -25 %: w = (.5536, .225, .2214): A 55.4, B 33.6, C 37.8 -> (1, 3, 2); -10 %: A 52.1, B 37.4, C 38.5 -> (1, 3, 2)
#    +10 %: w = (.4786, .33, .1914): A 47.9, B 42.6, C 39.5 -> (1, 2, 3); +25 %: A 44.6, B 46.4, C 40.2 -> (2, 1, 3)
# c2 -25 %: w = (.53125, .31875, .15): A 53.1, B 39.4, C 40.2 -> (1, 3, 2); the other three keep (1, 2, 3).
OAT_EXPECTED = {
    0: [(3, 1, 2), (1, 2, 3), (1, 3, 2), (1, 3, 2)],
    1: [(1, 3, 2), (1, 3, 2), (1, 2, 3), (2, 1, 3)],
    2: [(1, 3, 2), (1, 2, 3), (1, 2, 3), (1, 2, 3)],
}


def test_perturbed_weights_keep_the_others_ratios():
    w = perturbed_weights(OAT_WEIGHTS, 0, -0.25)
    assert w.tolist() == pytest.approx([0.375, 0.375, 0.25])
    assert w.sum() == pytest.approx(1.0)


def test_one_at_a_time_matches_hand_computed_three_plot_case():
    oat = one_at_a_time(OAT_SCORES, OAT_WEIGHTS, top_n=1)
    assert oat.base_rank.tolist() == [1, 2, 3]
    for j, expected in OAT_EXPECTED.items():
        assert [tuple(r) for r in oat.ranks[j].tolist()] == expected, j
    # Mean absolute rank change, and the sensitivity (mean at ±25 %): transit 1.0 > c1 2/3 > c2 1/3.
    assert oat.mean_abs_rank_change[0].tolist() == pytest.approx([4 / 3, 0, 2 / 3, 2 / 3])
    assert oat.sensitivity.tolist() == pytest.approx([1.0, 2 / 3, 1 / 3])
    # Top 1 kept: A loses first place only at transit -25 % and c1 +25 %.
    assert oat.top_n_kept[0].tolist() == [0, 1, 1, 1] and oat.top_n_kept[1].tolist() == [1, 1, 1, 0]


def test_monte_carlo_is_reproducible_with_a_seed():
    rng = np.random.default_rng(7)
    scores = rng.random((60, 4))
    w = np.array([3.0, 2.0, 1.0, 0.0])
    a = monte_carlo(scores, w, draws=300, seed=42, top_n=5)
    b = monte_carlo(scores, w, draws=300, seed=42, top_n=5)
    c = monte_carlo(scores, w, draws=300, seed=43, top_n=5)
    for name in ("rank_min", "rank_max", "rank_p05", "rank_p95", "rank_mean", "p_top_n", "spearman", "weights"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.weights, c.weights)
    assert (a.rank_min <= a.base_rank).all() and (a.base_rank <= a.rank_max).all()
    assert a.p_top_n.sum() == pytest.approx(5.0, abs=0.5)  # about N plots in the top N each draw (ties aside)
    assert (a.weights[:, 3] == 0).all()  # a zero weight stays zero


def test_spearman_with_ties_matches_scipy():
    from scipy.stats import spearmanr

    from sitefinder.decision.sensitivity import spearman

    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 20, 300).astype(float), rng.integers(0, 20, 300).astype(float)
    assert spearman(a, b) == pytest.approx(spearmanr(a, b).statistic)
    assert spearman(a, a + 0.5 * b) == pytest.approx(spearmanr(a, a + 0.5 * b).statistic)


def test_monte_carlo_spearman_matches_scipy_per_draw():
    from scipy.stats import spearmanr

    from sitefinder.decision.sensitivity import weighted_scores

    rng = np.random.default_rng(2)
    scores, w = rng.random((80, 3)).round(1), np.array([0.5, 0.3, 0.2])  # rounded: ties
    mc = monte_carlo(scores, w, draws=5, seed=9)
    base = weighted_scores(scores, w)
    for i in range(5):
        assert mc.spearman[i] == pytest.approx(spearmanr(base, weighted_scores(scores, mc.weights[i])).statistic)


def test_dirichlet_draws_centre_on_the_profile_weights():
    w = np.array([0.5, 0.3, 0.2])
    draws = dirichlet_weights(w, 4000, 100.0, seed=1)
    assert draws.sum(axis=1) == pytest.approx(np.ones(4000))
    assert draws.mean(axis=0) == pytest.approx(w, abs=0.005)
    # sd of a Dirichlet component: sqrt(w (1 - w) / (c + 1)).
    assert draws.std(axis=0) == pytest.approx(np.sqrt(w * (1 - w) / 101), rel=0.1)


def test_sensitivity_on_a_scored_table(scored):
    from sitefinder.decision.scored import score_table
    from sitefinder.decision.sensitivity import criteria_frame

    result = sitefinder.analyse_sensitivity(scored, draws=50, seed=3, top_n=2)
    same = sitefinder.analyse_sensitivity(score_table(scored), draws=50, seed=3, top_n=2)
    assert np.array_equal(result.mc.p_top_n, same.mc.p_top_n)
    assert result.rows.tolist() == np.flatnonzero(~scored["excluded"]).tolist()
    assert result.oat.base_rank.tolist() == scored["rank"].dropna().astype(int).tolist()
    frame = criteria_frame(result)
    assert sorted(frame.index) == ["bus", "grocery", "park"]
    assert frame["sensitivity"].is_monotonic_decreasing


# --------------------------------------------------------------------------- top sites

def test_spacing_greedy_on_a_line():
    x = np.arange(8) * 100.0
    score = np.array([90, 85, 80, 70, 60, 50, 40, 30.0])
    r = select_sites(x, np.zeros(8), score, 3, min_spacing=150)
    assert r.chosen.tolist() == [0, 2, 4]
    assert r.reason[1].startswith("too close: 100 m from chosen site 1")
    assert r.reason[5] == ""  # never looked at: three sites were found first


def test_cap_counts_existing_units():
    # Existing 3 units 10 m from plot 0: with 2 units per site and at most 4 within 50 m, plot 0 is out.
    x = np.array([0.0, 100.0, 130.0, 160.0])
    score = np.array([90.0, 80.0, 70.0, 60.0])
    r = select_sites(x, np.zeros(4), score, 3, units_per_site=2, max_units=4, cap_radius=50,
                     existing_x=np.array([0.0]), existing_y=np.array([10.0]), existing_units=np.array([3.0]))
    assert r.reason[0].startswith("cap: 5 units within 50 m of this plot") and r.cap_from_existing[0]
    # plot 1 chosen (2 units); plot 2 is 30 m away: 2 + 2 = 4 allowed; plot 3 is 30 m from plot 2 and 60 m
    # from plot 1: 4 units within 50 m of site 2 already, so it would make 6 there.
    assert r.chosen.tolist() == [1, 2]
    assert r.reason[3] == "cap: 6 units within 50 m of chosen site 2 (at most 4)"
    assert r.units_near[[1, 2]].tolist() == [4.0, 4.0]


def _violations(x, y, chosen, cand, spacing, units, cap, radius, ex, ey, eu):
    """Independent check: would adding ``cand`` to ``chosen`` break a rule? (brute force)"""
    sites = chosen + [cand]
    if any(np.hypot(x[cand] - x[c], y[cand] - y[c]) < spacing for c in chosen):
        return True
    for s in sites:
        n = sum(units for c in sites if np.hypot(x[s] - x[c], y[s] - y[c]) <= radius)
        n += sum(u for a, b, u in zip(ex, ey, eu) if np.hypot(x[s] - a, y[s] - b) <= radius)
        if n > cap:
            return True
    return False


def test_greedy_rules_hold_on_random_cases():
    rng = np.random.default_rng(11)
    for _ in range(5):
        n = 120
        x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
        score = rng.uniform(0, 100, n)
        score[rng.random(n) < 0.1] = np.nan  # excluded plots are never chosen
        ex, ey = rng.uniform(0, 2000, 15), rng.uniform(0, 2000, 15)
        eu = rng.integers(1, 4, 15).astype(float)
        r = select_sites(x, y, score, 12, min_spacing=200, units_per_site=2, max_units=4, cap_radius=300,
                         existing_x=ex, existing_y=ey, existing_units=eu)
        chosen = r.chosen.tolist()
        assert not np.isnan(score[chosen]).any()
        for k in range(len(chosen)):  # each choice was allowed given the earlier ones
            assert not _violations(x, y, chosen[:k], chosen[k], 200, 2, 4, 300, ex, ey, eu)
        for i in r.considered:  # each plot passed over broke a rule given the sites chosen before it
            if i not in chosen:
                before = [c for c in chosen if score[c] > score[i] or (score[c] == score[i] and c < i)]
                assert _violations(x, y, before, int(i), 200, 2, 4, 300, ex, ey, eu)
        # greedy order: best first
        assert np.all(np.diff(score[chosen]) <= 0)


def test_top_sites_from_a_scored_layer_hides_existing_units(tmp_path):
    plots = gpd.GeoDataFrame({"plot_id": ["a", "b", "c"], "score": [90.0, 80.0, 70.0], "rank": [1, 2, 3],
                              "excluded": [False, False, False], "exclusion_reason": ["", "", ""]},
                             geometry=[P(0, 0), P(400, 0), P(800, 0)], crs=CRS)
    plots.attrs["sitefinder"] = {"profile": "smahus-integrated"}
    existing = gpd.GeoDataFrame({"units": [4]}, geometry=[P(10, 10)], crs=CRS)
    sites = sitefinder.top_sites(plots, 2, existing=existing, existing_units_column="units")
    # smahus-integrated [selection]: 2 units per site, at most 4 within 250 m, 500 m apart.
    assert sites.chosen["plot"].tolist() == ["b"]  # a: cap (4 existing + 2); c: 400 m from b
    assert "units_within_cap" not in sites.chosen.columns
    reasons = dict(zip(sites.skipped["plot"], sites.skipped["reason"]))
    assert reasons["a"].endswith("(details withheld)") and "4" not in reasons["a"]
    assert reasons["c"].startswith("too close: 400 m")
    assert sites.rules["max_units"] == (4.0, "smahus-four-co-located")
    full = sitefinder.top_sites(plots, 2, existing=existing, existing_units_column="units", include_sensitive=True)
    assert full.skipped.iloc[0]["reason"].startswith("cap: 6 units")


def test_numerical_parts_import_without_geopandas_or_pandas():
    """The QGIS plugin calls sensitivity, explanation, the report's HTML, site selection, AHP and GTFS counting
    with arrays, where geopandas, pandas and matplotlib may be missing."""
    import subprocess
    import sys

    code = ("import sys; import sitefinder.decision.sensitivity, sitefinder.decision.topsites, "
            "sitefinder.core.weights, sitefinder.profiles, sitefinder.decision.explanation, "
            "sitefinder.decision.columns, sitefinder.decision.report_html, sitefinder.adapters.gtfs_departures; "
            "print(sorted(m for m in ('geopandas', 'pandas', 'shapely', 'matplotlib', 'pyproj') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
