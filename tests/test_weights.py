"""Weights from judgements: AHP against Saaty's published worked example, rank-sum and ROC by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sitefinder.core.weights import ahp_weights, rank_order_centroid_weights, rank_sum_weights
from sitefinder.errors import ProfileError
from sitefinder.profiles import loads_profile

# Saaty, T. L. (1990). "How to make a decision: The analytic hierarchy process."
# European Journal of Operational Research 48(1), 9-26. The house-buying example:
# pairwise comparisons of the eight criteria (size of house, transportation,
# neighbourhood, age, yard, modern facilities, general condition, financing)
# with the published priorities, lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
SAATY_1990_HOUSE = np.array([
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
])
SAATY_1990_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
# Same paper: the three houses A, B, C compared on "size of house":
# priorities 0.754, 0.181, 0.065; lambda_max = 3.136, C.I. = 0.068, C.R. = 0.117.
SAATY_1990_SIZE = np.array([[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]])


def test_ahp_reproduces_saaty_1990_house_example():
    r = ahp_weights(SAATY_1990_HOUSE)
    assert r.weights.round(3).tolist() == SAATY_1990_PRIORITIES
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert r.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert r.consistency_ratio == pytest.approx(0.169, abs=5e-4)


def test_ahp_reproduces_saaty_1990_size_of_house_comparison():
    r = ahp_weights(SAATY_1990_SIZE)
    assert r.weights.round(3).tolist() == [0.754, 0.181, 0.065]
    assert r.lambda_max == pytest.approx(3.136, abs=5e-4)
    assert r.consistency_ratio == pytest.approx(0.117, abs=5e-4)


def test_ahp_consistent_matrix_gives_its_ratios_back():
    w = np.array([0.5, 0.3, 0.15, 0.05])
    r = ahp_weights(w[:, None] / w[None, :])
    assert r.weights == pytest.approx(w)
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-9)


def test_worst_pair_is_the_largest_log_deviation_from_the_published_priorities():
    # Independent of our eigen-solver: deviations computed from Saaty's printed priorities.
    p = np.array(SAATY_1990_PRIORITIES)
    dev = np.abs(np.log(SAATY_1990_HOUSE * p[None, :] / p[:, None]))
    i, j = np.unravel_index(np.argmax(np.triu(dev, 1)), dev.shape)
    assert ahp_weights(SAATY_1990_HOUSE).worst_pair == (i, j)


def test_rank_sum_and_roc_by_hand():
    assert rank_sum_weights(4).tolist() == pytest.approx([0.4, 0.3, 0.2, 0.1])
    # ROC (Barron & Barrett 1996): w1 = (1 + 1/2 + 1/3)/3, w2 = (1/2 + 1/3)/3, w3 = (1/3)/3.
    assert rank_order_centroid_weights(3).tolist() == pytest.approx([11 / 18, 5 / 18, 2 / 18])


CRITERIA = "".join(f"""
[criteria.{k}]
label = "{k}"
measure = "plot_area"
transform = {{ kind = "linear_rising", zero = 0, full = 1000, source = "assumption" }}
""" for k in ("transit", "shop", "nature"))


def _profile(weights: str, criteria: str = CRITERIA):
    return loads_profile('[profile]\nname = "ahp"\n' + weights + criteria, origin="ahp.toml")


def test_profile_with_ahp_matrix_derives_weights_and_keeps_the_matrix():
    p = _profile("""
[weights]
method = "ahp"
criteria = ["transit", "shop", "nature"]
matrix = [[1, 5, 4], ["1/5", 1, "1/3"], [0.25, 3, 1]]
source = "assumption"
""")
    expected = ahp_weights(np.array([[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]])).weights
    assert [c.weight.value for c in p.criteria] == pytest.approx(expected)
    assert p.weighting.method == "ahp" and p.weighting.consistency_ratio < 0.1
    assert all(c.weight.source == "assumption" for c in p.criteria)


def test_profile_refuses_inconsistent_ahp_naming_the_worst_pair():
    keys = ["size", "transport", "neighbourhood", "age", "yard", "facilities", "condition", "financing"]
    criteria = "".join(f"""
[criteria.{k}]
label = "{k}"
measure = "plot_area"
transform = {{ kind = "linear_rising", zero = 0, full = 1000, source = "assumption" }}
""" for k in keys)
    rows = ", ".join("[" + ", ".join(f"{v:.6f}" for v in row) + "]" for row in SAATY_1990_HOUSE)
    i, j = ahp_weights(SAATY_1990_HOUSE).worst_pair
    with pytest.raises(ProfileError, match=rf"weights.matrix: consistency ratio 0.169 is above 0.1.*"
                                           rf"{keys[i]} vs {keys[j]}"):
        _profile(f'[weights]\nmethod = "ahp"\ncriteria = {keys!r}\nmatrix = [{rows}]\nsource = "assumption"\n'
                 .replace("'", '"'), criteria)


@pytest.mark.parametrize("weights, message", [
    ('method = "roc"\nranking = ["transit", "shop"]\nsource = "assumption"', "weights.ranking: must name every "
     "criterion exactly once; it misses nature"),
    ('method = "roc"\nranking = ["transit", "shop", "park"]\nsource = "assumption"', "unknown criterion 'park'"),
    ('method = "ahp"\ncriteria = ["transit", "shop", "nature"]\nmatrix = [[1, 3, 1], [3, 1, 1], [1, 1, 1]]\n'
     'source = "assumption"', "not reciprocal"),
    ('method = "ahp"\ncriteria = ["transit", "shop", "nature"]\nmatrix = [[1, "x", 1], [1, 1, 1], [1, 1, 1]]\n'
     'source = "assumption"', r"weights.matrix\[0\]\[1\]: must be a number or a fraction"),
    ('method = "vote"', "weights.method: must be one of"),
])
def test_bad_weights_tables_name_the_key(weights, message):
    with pytest.raises(ProfileError, match=message):
        _profile("[weights]\n" + weights + "\n")


def test_weight_and_derived_weights_cannot_both_be_given():
    criteria = CRITERIA.replace('label = "shop"', 'label = "shop"\nweight = { value = 2, source = "assumption" }')
    with pytest.raises(ProfileError, match="criteria.shop.weight: the \\[weights\\] table derives every weight"):
        _profile('[weights]\nmethod = "rank_sum"\nranking = ["shop", "transit", "nature"]\nsource = "assumption"\n',
                 criteria)


def test_rank_weights_in_a_profile_follow_the_ranking():
    p = _profile('[weights]\nmethod = "rank_sum"\nranking = ["nature", "transit", "shop"]\nsource = "assumption"\n')
    assert {c.key: round(c.weight.value, 4) for c in p.criteria} == {"nature": 0.5, "transit": 0.3333, "shop": 0.1667}
