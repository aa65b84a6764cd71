"""Built-in profiles, the source registry and its documents, and profile validation."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sitefinder.core.transforms import apply_transform
from sitefinder.errors import ProfileError
from sitefinder.profiles import BUILTIN_DIR, list_profiles, load_profile, loads_profile, profile_text, sources
from sitefinder.profiles.sources_doc import render_sources_markdown, source_uses

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
DOCS = REPO / "docs"
BUILTINS = ("coworking", "smahus-integrated", "smahus-shielded")
REGISTRY_KEYS = {"report", "publisher", "year", "quote", "where", "supports"}
WHERE = re.compile(r"^(\d{3}):(\d+)(?:[–-](\d+))?$")
DOC_QUOTE = re.compile(r"«([^»]+)»\s*\((\d{3}):(\d+)(?:[–-](\d+))?\)")


# --------------------------------------------------------------------------- helpers


def _seed_lines(prefix: str) -> list[str]:
    if not SEEDS.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the source reports are missing: expected {SEEDS} (../shared/seeds/ next to the repository)")
        pytest.skip(f"source reports not available at {SEEDS}")
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    assert len(files) == 1, f"expected one seed file {prefix}_*.txt in {SEEDS}, found {[f.name for f in files]}"
    return files[0].read_text(encoding="utf-8").splitlines()


def _variants(raw: str) -> set[str]:
    """The text with whitespace collapsed, line-break hyphenation both kept and joined, soft hyphens dropped."""
    raw = raw.replace("\u00ad", "")
    joined = re.sub(r"(\w)-[ \t]*\n\s*(?=\w)", r"\1", raw)
    kept = re.sub(r"(\w)-[ \t]*\n\s*(?=\w)", r"\1-", raw)
    return {" ".join(v.split()) for v in (raw, joined, kept)}


def _quote_in_seed(quote: str, prefix: str, first: int, last: int, slack: int = 2) -> bool:
    lines = _seed_lines(prefix)
    assert 1 <= first <= last <= len(lines), f"{prefix}:{first}–{last} is outside the file ({len(lines)} lines)"
    raw = "\n".join(lines[max(first - 1 - slack, 0): last + slack])
    q = " ".join(quote.replace("\u00ad", "").split())
    return any(q in v for v in _variants(raw))


def _raw_sources(node, path: str = "") -> list[tuple[str, str]]:
    """Every ``source`` value in a parsed TOML document, found by walking it (independent of the schema)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if key == "source":
                found.append((path, value))
            else:
                found.extend(_raw_sources(value, sub))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_raw_sources(value, f"{path}[{i}]"))
    return found


def _builtin_toml(name: str) -> dict:
    with open(BUILTIN_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _expect_error(text: str, *fragments: str) -> str:
    with pytest.raises(ProfileError) as info:
        loads_profile(text, origin="my.toml")
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, f"{old!r} not in the profile text"
    return text.replace(old, new, 1)


# --------------------------------------------------------------------------- built-ins


def test_list_profiles_gives_exactly_the_three_builtins():
    assert list_profiles() == sorted(BUILTINS)
    assert sorted(p.stem for p in BUILTIN_DIR.glob("*.toml")) == sorted(BUILTINS)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_and_is_named_after_its_file(name):
    profile = load_profile(name)
    assert profile.name == name == _builtin_toml(name)["profile"]["name"]
    assert profile.use_case == ("coworking" if name == "coworking" else "smahus")
    assert 6 <= len(profile.criteria) <= 10
    assert all(c.weight.value > 0 for c in profile.criteria)
    assert all(c.label and c.description for c in profile.criteria)
    assert profile.title and profile.description


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_categories_exist_in_the_osm_table(name):
    with open(REPO / "sitefinder" / "data" / "osm_categories.toml", "rb") as fh:
        known = set(tomllib.load(fh))
    assert load_profile(name).categories() <= known


def test_smahus_profiles_do_not_use_schools_or_kindergartens():
    for name in ("smahus-integrated", "smahus-shielded"):
        assert not load_profile(name).categories() & {"school", "kindergarten"}


@pytest.mark.parametrize("name", BUILTINS)
def test_copied_builtin_loads_from_a_path(name, tmp_path):
    path = tmp_path / "my.toml"
    path.write_text(profile_text(name).replace(f'name = "{name}"', 'name = "my-copy"', 1), encoding="utf-8")
    copy, original = load_profile(path), load_profile(name)
    assert copy.name == "my-copy"
    assert copy.criteria == original.criteria and copy.constraints == original.constraints
    assert load_profile(str(path)).criteria == original.criteria


def test_shielded_neighbours_penalise_too_close_and_too_far():
    crit = load_profile("smahus-shielded").criterion("neighbours")
    assert crit.metric == "euclidean" and crit.exclude_features_on_plot
    x = np.array([5.0, 20.0, 35.0, 100.0, 250.0, 425.0, 600.0, 2000.0, np.inf])
    got = apply_transform(crit.transform.kind, x, crit.transform.params)
    # hand-computed from the band 20 / 50 / 250 / 600
    np.testing.assert_allclose(got, [0, 0, 0.5, 1, 1, 0.5, 0, 0, 0])


def test_integrated_neighbours_count_ordinary_homes():
    crit = load_profile("smahus-integrated").criterion("neighbours")
    assert (crit.measure, crit.metric, crit.exclude_features_on_plot) == ("count", "euclidean", True)
    got = apply_transform(crit.transform.kind, np.array([0.0, 2, 11, 20, 80]), crit.transform.params)
    np.testing.assert_allclose(got, [0, 0, 0.5, 1, 1])


def test_smahus_transit_scores_the_quoted_two_minute_walk_fully():
    for name in ("smahus-integrated", "smahus-shielded"):
        crit = load_profile(name).criterion("transit")
        got = apply_transform(crit.transform.kind, np.array([160.0, 480.0, 800.0, np.inf]), crit.transform.params)
        np.testing.assert_allclose(got, [1, 0.5, 0, 0])
        assert crit.weight.value == max(c.weight.value for c in load_profile(name).criteria)


@pytest.mark.parametrize("name", BUILTINS)
def test_max_value_constraints_reach_no_farther_than_the_search(name):
    profile = load_profile(name)
    checked = 0
    for k in profile.constraints:
        if k.kind == "max_value":
            assert k.value <= profile.criterion(k.criterion).search_cutoff
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("name", BUILTINS)
def test_descriptions_admit_their_assumptions(name):
    """A criterion with any number sourced "assumption" says so in its description."""
    for c in load_profile(name).criteria:
        numbers = [c.transform.source] + [x.source for x in (c.cutoff, c.radius, c.k, c.decay) if x is not None]
        if "assumption" in numbers:
            assert "assumption" in c.description, c.key
        if c.transform.source != "assumption":  # a cited curve names what it converts or assumes
            assert "assumption" in c.description and re.search(r"\(00\d:\d+", c.description), c.key


# --------------------------------------------------------------------------- sources


@pytest.mark.parametrize("name", BUILTINS)
def test_every_source_in_a_builtin_is_registered(name):
    registry = sources()
    found = _raw_sources(_builtin_toml(name))
    assert len(found) >= 10
    unknown = [(path, src) for path, src in found if src != "assumption" and src not in registry]
    assert not unknown
    # the schema's view of the sources agrees with the raw file
    assert Counter(s for _, s in source_uses(load_profile(name))) == Counter(s for _, s in found)


def test_every_registry_entry_is_used_by_a_builtin():
    used = {src for name in BUILTINS for _, src in _raw_sources(_builtin_toml(name))}
    orphans = sorted(set(sources()) - used)
    assert not orphans, f"registry entries no built-in cites: {orphans}"


def test_registry_entries_are_complete():
    registry = sources()
    assert len(registry) >= 10
    for sid, entry in registry.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid), sid
        assert set(entry) == REGISTRY_KEYS, sid
        assert isinstance(entry["year"], int) and 2000 <= entry["year"] <= 2030, sid
        assert WHERE.match(entry["where"]), sid
        assert "\n" not in entry["quote"] and "  " not in entry["quote"], sid
        assert len(entry["quote"].split()) <= 25, sid
        assert entry["supports"].endswith("."), sid


@pytest.mark.parametrize("sid", sorted(sources()))
def test_registry_quote_stands_verbatim_where_it_says(sid):
    entry = sources()[sid]
    prefix, first, last = WHERE.match(entry["where"]).groups()
    assert _quote_in_seed(entry["quote"], prefix, int(first), int(last or first)), (
        f"{sid}: quote not found at {entry['where']} (±2 lines)"
    )


def test_quote_check_rejects_a_wrong_place_and_a_paraphrase():
    entry = sources()["smahus-transit"]
    assert not _quote_in_seed(entry["quote"], "002", 100, 110)
    assert not _quote_in_seed(entry["quote"].replace("bred enighet", "stor enighet"), "002", 1663, 1664)


def test_quote_check_tolerates_line_break_hyphenation():
    # 002:4–5 reads "moderniserings-" / "departementet"
    assert _quote_in_seed("Kommunal- og moderniseringsdepartementet, 2020", "002", 4, 5)


def test_missing_seeds_fail_on_ci_and_skip_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "SEEDS", tmp_path / "no-seeds")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="source reports are missing"):
        _seed_lines("002")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _seed_lines("002")


def test_criteria_doc_quotes_stand_verbatim():
    text = (DOCS / "criteria.md").read_text(encoding="utf-8")
    quotes = DOC_QUOTE.findall(text)
    assert len(quotes) >= 20
    assert text.count("«") == len(quotes), "every «quote» in criteria.md needs a (file:line) right after it"
    bad = [(q, f"{p}:{a}") for q, p, a, b in quotes if not _quote_in_seed(q, p, int(a), int(b or a))]
    assert not bad


# --------------------------------------------------------------------------- documents


def test_sources_doc_is_generated_from_the_registry():
    assert (DOCS / "sources.md").read_text(encoding="utf-8") == render_sources_markdown(sources()), (
        "docs/sources.md is stale: run python -m sitefinder.profiles.sources_doc"
    )


def test_render_sources_markdown_shows_every_field():
    registry = {
        "demo-entry": {
            "report": "Demo report", "publisher": "Demo publisher", "year": 2020,
            "quote": "en kort\n  setning | med strek", "where": "009:10–12", "supports": "Nothing real.",
        }
    }
    md = render_sources_markdown(registry, used_by={})
    assert "### demo-entry" in md
    assert "«en kort setning | med strek»" in md
    assert "| `009` | Demo report | Demo publisher | 2020 | 1 |" in md
    assert "| [`demo-entry`](#demo-entry) | 009:10–12 | Nothing real. |" in md
    assert "no built-in profile" in md
    assert '"assumption"' in md
    real = render_sources_markdown(sources())
    assert "`smahus-shielded: criteria.transit.weight`" in real


def test_criteria_doc_matches_the_profiles():
    text = (DOCS / "criteria.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S))
    for name in BUILTINS:
        section = sections[name]
        for c in load_profile(name).criteria:
            rows = [line for line in section.splitlines() if line.startswith(f"| `{c.key}` |")]
            assert len(rows) == 1, (name, c.key)
            cells = [cell.strip() for cell in rows[0].split("|")]
            assert f"{c.weight.value:g}" in cells, (name, c.key)
            assert c.transform.kind in rows[0]
            for param, value in c.transform.params.items():
                assert f"{param} {value:g}" in rows[0], (name, c.key, param)
            assert f"`{c.weight.source}`" in rows[0] or c.weight.source == "assumption"
    assert "method.md" in text
    assert "deliberately leave out" in text and "Schools and kindergartens are not used" in text


def test_profiles_doc_covers_every_measure_transform_and_constraint():
    from sitefinder.core.transforms import TRANSFORMS
    from sitefinder.profiles.schema import CONSTRAINT_KINDS, CRITERION_KEYS, DECAYS, MEASURES

    text = (DOCS / "profiles.md").read_text(encoding="utf-8")
    for word in (*MEASURES, *TRANSFORMS, *CONSTRAINT_KINDS, *CRITERION_KEYS, *DECAYS):
        assert f"`{word}`" in text, word
    for param in {p for spec in TRANSFORMS.values() for p in spec.required + spec.optional}:
        assert f"`{param}`" in text, param
    assert "sitefinder profiles show" in text and "method.md" in text
    # the full example in the document is a valid profile
    example = re.search(r"## A full small example\n+```toml\n(.*?)```", text, flags=re.S).group(1)
    profile = loads_profile(example, origin="docs example")
    assert profile.name == "my-smahus" and profile.keys == ("transit", "grocery", "neighbours")


# --------------------------------------------------------------------------- validation


@pytest.fixture(scope="module")
def integrated_text() -> str:
    return profile_text("smahus-integrated")


def test_unmutated_builtin_text_loads(integrated_text):
    assert loads_profile(integrated_text).name == "smahus-integrated"


def test_unknown_key_in_a_criterion_is_named(integrated_text):
    text = _replace_once(integrated_text, 'weight = { value = 3, source = "smahus-transit" }',
                         'wieght = { value = 3, source = "smahus-transit" }')
    _expect_error(text, "my.toml", "criteria.transit.wieght", "unknown key")


def test_missing_source_is_named(integrated_text):
    text = _replace_once(integrated_text, 'weight = { value = 2.5, source = "smahus-transit-and-shop" }',
                         "weight = { value = 2.5 }")
    _expect_error(text, "criteria.grocery.weight.source", "missing")


def test_unknown_source_id_is_named(integrated_text):
    text = _replace_once(integrated_text, 'source = "smahus-health"', 'source = "smahus-helth"')
    _expect_error(text, "criteria.health.weight.source", "unknown source 'smahus-helth'")


def test_unknown_constraint_source_is_named(integrated_text):
    text = _replace_once(integrated_text, 'source = "smahus-unit-size"', 'source = "husbanken-2030"')
    _expect_error(text, "constraints[0].source", "unknown source 'husbanken-2030'")


def test_non_numeric_transform_parameter_is_named(integrated_text):
    text = _replace_once(integrated_text, "full = 400, zero = 1200", 'full = 400, zero = "far"')
    _expect_error(text, "criteria.grocery.transform.zero", "must be a number", "'far'")


def test_unknown_transform_kind_is_named(integrated_text):
    text = _replace_once(integrated_text, 'kind = "linear_falling", full = 500, zero = 1500',
                         'kind = "linear_fall", full = 500, zero = 1500')
    _expect_error(text, "criteria.pharmacy.transform.kind", "linear_fall", "linear_falling")


def test_band_out_of_order_is_named():
    text = _replace_once(profile_text("smahus-shielded"), "too_close = 20, ideal_min = 50, ideal_max = 250, too_far = 600",
                         "too_close = 20, ideal_min = 300, ideal_max = 250, too_far = 600")
    _expect_error(text, "criteria.neighbours.transform", "band needs too_close <= ideal_min <= ideal_max <= too_far")


def test_max_value_beyond_the_cutoff_is_named(integrated_text):
    text = _replace_once(integrated_text, 'cutoff = { value = 1000, source = "assumption" }',
                         'cutoff = { value = 900, source = "assumption" }')
    _expect_error(text, "constraints[2].value", "beyond the search cut-off", "'transit' (900)")


def test_max_value_without_cutoff_uses_the_saturation_point(integrated_text):
    text = _replace_once(integrated_text, 'cutoff = { value = 1000, source = "assumption" }\n', "")
    _expect_error(text, "constraints[2].value", "'transit' (800)")


def test_malformed_toml_is_reported(integrated_text):
    text = _replace_once(integrated_text, 'label = "Pharmacy"', 'label = "Pharmacy')
    _expect_error(text, "my.toml", "not valid TOML", "line")


def test_unknown_builtin_name_lists_the_builtins():
    with pytest.raises(ProfileError) as info:
        load_profile("smahus-remote")
    message = str(info.value)
    assert "unknown profile 'smahus-remote'" in message
    assert all(name in message for name in BUILTINS)


def test_missing_profile_file_is_reported(tmp_path):
    with pytest.raises(ProfileError, match="profile file not found"):
        load_profile(tmp_path / "nope.toml")


# --------------------------------------------------------------------------- weight overrides


def test_with_weights_replaces_value_and_source():
    profile = load_profile("smahus-shielded")
    changed = profile.with_weights({"neighbours": 4, "trail": 0})
    assert changed.criterion("neighbours").weight.value == 4.0
    assert changed.criterion("neighbours").weight.source == "user override"
    assert changed.criterion("trail").weight.value == 0.0
    assert changed.criterion("trail").weight.source == "user override"
    assert changed.criterion("transit").weight == profile.criterion("transit").weight
    # the original is untouched
    assert profile.criterion("neighbours").weight.value == 2.5
    assert profile.criterion("neighbours").weight.source == "smahus-shielded-central"
    assert profile.with_weights({}) is profile


def test_with_weights_rejects_unknown_keys():
    with pytest.raises(ProfileError) as info:
        load_profile("coworking").with_weights({"cafés": 2})
    assert "'cafés'" in str(info.value) and "cafes" in str(info.value)


@pytest.mark.parametrize("bad", [-1, -0.5, float("nan"), True, "3"])
def test_with_weights_rejects_negative_and_non_numeric(bad):
    with pytest.raises(ProfileError) as info:
        load_profile("coworking").with_weights({"transit": bad})
    assert "'transit'" in str(info.value) and "non-negative" in str(info.value)


def test_with_weights_rejects_all_zero():
    profile = load_profile("coworking")
    with pytest.raises(ProfileError, match="every weight at zero"):
        profile.with_weights({key: 0 for key in profile.keys})
