"""The OSM category table and walking-network rules (TOML data), and tag matching.

Pure Python (no geopandas, no pyosmium): the pyosmium reader
(:mod:`sitefinder.adapters.osm`) and the GDAL reader used inside QGIS
(:mod:`sitefinder.adapters.osm_gdal`) apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ImportError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]

from ..errors import InputError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CATEGORIES_FILE = DATA_DIR / "osm_categories.toml"
NETWORK_FILE = DATA_DIR / "osm_network.toml"
KINDS = ("place", "area", "line")
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

TagRule = dict[str, "frozenset[str] | None"]  # None = any value


def _rules(value, where: str) -> list[TagRule]:
    if not isinstance(value, list) or not all(isinstance(t, dict) and t for t in value):
        raise InputError(f"{where}: must be a list of non-empty tag tables, e.g. [{{ amenity = \"cafe\" }}]")
    rules = []
    for table in value:
        rule: TagRule = {}
        for key, v in table.items():
            if v == "*":
                rule[key] = None
            elif isinstance(v, str):
                rule[key] = frozenset([v])
            elif isinstance(v, list) and all(isinstance(s, str) for s in v):
                rule[key] = frozenset(v)
            else:
                raise InputError(f"{where}.{key}: must be a string, a list of strings or \"*\"")
        rules.append(rule)
    return rules


def matches(tags, rules: list[TagRule]) -> bool:
    """True when ``tags`` (a mapping with ``get``) satisfy all tags of any rule."""
    for rule in rules:
        for key, values in rule.items():
            v = tags.get(key)
            if v is None or (values is not None and v not in values):
                break
        else:
            return True
    return False


@dataclass(frozen=True)
class Category:
    """One feature category: which OSM objects belong to it."""

    name: str
    label: str
    kind: str
    match: list[TagRule]
    exclude: list[TagRule]

    def accepts(self, tags) -> bool:
        return matches(tags, self.match) and not matches(tags, self.exclude)


def load_categories(source: str | Path | None = None) -> dict[str, Category]:
    """Read a category table (default: the built-in ``osm_categories.toml``)."""
    path = Path(source) if source is not None else CATEGORIES_FILE
    if not path.is_file():
        raise InputError(f"category table not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"category table {path.name} is not valid TOML: {exc}") from None
    out = {}
    for name, table in data.items():
        where = f"{path.name}: {name}"
        if not isinstance(table, dict):
            raise InputError(f"{where}: must be a table")
        unknown = set(table) - {"label", "kind", "match", "exclude"}
        if unknown:
            raise InputError(f"{where}.{sorted(unknown)[0]}: unknown key (expected label, kind, match, exclude)")
        kind = table.get("kind", "place")
        if kind not in KINDS:
            raise InputError(f"{where}.kind: must be one of {', '.join(KINDS)}, got {kind!r}")
        out[name] = Category(
            name=name,
            label=str(table.get("label", name)),
            kind=kind,
            match=_rules(table.get("match"), f"{where}.match"),
            exclude=_rules(table.get("exclude", []), f"{where}.exclude") if table.get("exclude") else [],
        )
    return out


@dataclass(frozen=True)
class NetworkRules:
    """Which ways are walkable."""

    exclude_highway: frozenset[str]
    exclude: list[TagRule]
    allow: list[TagRule]

    def walkable(self, tags) -> bool:
        hw = tags.get("highway")
        if hw is None or hw in self.exclude_highway:
            return False
        return not matches(tags, self.exclude) or matches(tags, self.allow)


def load_network_rules(path: Path = NETWORK_FILE) -> NetworkRules:
    """Read the walking-network rules."""
    walk = tomllib.loads(path.read_text(encoding="utf-8"))["walk"]
    return NetworkRules(
        exclude_highway=frozenset(walk.get("exclude_highway", [])),
        exclude=_rules(walk.get("exclude", []), "walk.exclude") if walk.get("exclude") else [],
        allow=_rules(walk.get("allow", []), "walk.allow") if walk.get("allow") else [],
    )


class CategoryIndex:
    """Finds the categories an object may belong to from its tag keys, without trying every category."""

    def __init__(self, categories: list[Category]):
        self._by_key: dict[str, list[Category]] = {}
        for c in categories:
            for rule in c.match:
                # A rule can only match when its first key is present.
                first = next(iter(rule))
                bucket = self._by_key.setdefault(first, [])
                if c not in bucket:
                    bucket.append(c)

    def matching(self, tags) -> list[Category]:
        """Categories accepting ``tags`` (an osmium TagList or a mapping)."""
        found: list[Category] = []
        for key, cats in self._by_key.items():
            if key in tags:  # a C++ lookup on osmium tag lists: cheaper than iterating the tags
                for c in cats:
                    if c not in found and c.accepts(tags):
                        found.append(c)
        return found


def check_osm_path(path: Path) -> None:
    """Fail with one line when ``path`` is missing or does not look like an OSM file."""
    if not path.exists():
        raise InputError(f"OSM file not found: {path}")
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise InputError(f"{path} does not look like an OpenStreetMap file (expected .osm.pbf or .osm)")


def rule_keys(categories: dict[str, Category], rules: NetworkRules) -> set[str]:
    """Every tag key the category table and the walking rules read (match, exclude and allow)."""
    keys = {"highway", "name"}
    for c in categories.values():
        for rule in c.match + c.exclude:
            keys.update(rule)
    for rule in rules.exclude + rules.allow:
        keys.update(rule)
    return keys


def tag_keys(categories: dict[str, Category]) -> set[str]:
    """Every tag key any category matches on (used to pre-filter OSM objects)."""
    keys = {"highway"}
    for c in categories.values():
        for rule in c.match:
            keys.update(rule)
    return keys
