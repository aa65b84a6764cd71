"""Render the source registry (``sources.toml``) as ``docs/sources.md``.

Run ``python -m sitefinder.profiles.sources_doc [OUTPUT]`` after editing the
registry or a built-in profile; the default output is ``docs/sources.md`` of
the source tree. A test checks the committed file equals the rendering, so
the document cannot drift from the registry.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import list_profiles, load_profile, sources
from .schema import ASSUMPTION, Profile

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


def source_uses(profile: Profile) -> list[tuple[str, str]]:
    """Every ``(dotted key, source)`` pair of a profile, in file order.

    Examples
    --------
    >>> ("criteria.transit.weight", "smahus-transit") in source_uses(load_profile("smahus-integrated"))
    True
    """
    uses: list[tuple[str, str]] = [("settings.max_snap_distance", profile.settings.max_snap_distance.source)]
    for c in profile.criteria:
        base = f"criteria.{c.key}"
        uses.append((f"{base}.weight", c.weight.source))
        uses.append((f"{base}.transform", c.transform.source))
        for name in ("cutoff", "radius", "k", "decay", "min_weight"):
            item = getattr(c, name)
            if item is not None:
                uses.append((f"{base}.{name}", item.source))
    for i, k in enumerate(profile.constraints):
        uses.append((f"constraints[{i}]", k.source))
    if profile.weighting.method != "direct":
        uses.append(("weights", profile.weighting.source))
    for name in ("units_per_site", "max_units", "cap_radius", "min_spacing"):
        item = getattr(profile.selection, name)
        if item is not None:
            uses.append((f"selection.{name}", item.source))
    return uses


def builtin_uses() -> dict[str, list[str]]:
    """Source id -> ``"profile: dotted key"`` for every cited (non-assumption) source in the built-ins."""
    used: dict[str, list[str]] = {}
    for name in list_profiles():
        for key, src in source_uses(load_profile(name)):
            if src != ASSUMPTION:
                used.setdefault(src, []).append(f"{name}: {key}")
    return used


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


_INTRO = """\
# Sources

Every number in a sitefinder profile — a weight, a transform parameter, a
radius, a cut-off, a constraint value — carries a `source`. The source is
either an id from the registry below or the word `"assumption"`.

- **A source id** points to a short verbatim quote from one of the reports
  the profiles are built on, with the line range where it stands in the plain
  text of the report. The quote is Norwegian, as in the report; *supports*
  says in English what it justifies.
- **`"assumption"`** means no report gives that number: it is a judgement by
  the profile authors, realistic for walking distances in Norwegian towns and
  in Oslo, and the first thing to change when you know your municipality
  better. The reports give almost no metre thresholds, so most distances are
  assumptions. [criteria.md](criteria.md) lists which defaults are.

Two softer uses of a source, both spelled out in each criterion's
`description` and in [criteria.md](criteria.md):

- A **weight** that cites a source: the quote supports the criterion's
  *relative importance* (e.g. "bred enighet" → the highest weight). The
  reports give no numeric weights; the number itself is a judgement
  calibrated on that ranking.
- A distance **converted** from minutes of walking at an assumed 80 m/min
  (e.g. "5 minutter å gå" → 400 m). A transform has one `source` for its whole
  curve; when it cites a quote, the quote anchors one parameter and the
  description names the parameters that are assumptions.

## How to cite in a profile

```toml
weight = { value = 3, source = "smahus-transit" }
transform = { kind = "linear_falling", full = 400, zero = 1200, source = "smahus-shop-five-minutes" }
radius = { value = 800, source = "assumption" }
```

Loading fails with the key named (e.g. `criteria.transit.weight.source:
unknown source ...`) when an id is not in this registry. To cite something
else — your municipality's plan, a local survey — add it to your own profile
file and cite its id:

```toml
[sources.our-housing-plan]
report = "Boligsosial handlingsplan 2024–2027"
year = 2024
quote = "..."
where = "p. 12"
supports = "..."
```

*Where* gives the report's file prefix and line range, e.g. `002:1663–1664`
is lines 1663–1664 of `002_*.txt`, the plain-text copy of the report used to
build this registry (kept outside the repository, in `../shared/seeds/`; the
tests check that every quote stands there verbatim). This page is generated
from `sitefinder/profiles/sources.toml` by
`python -m sitefinder.profiles.sources_doc`; edit the TOML, not this page.
"""


def render_sources_markdown(sources: dict, used_by: dict[str, list[str]] | None = None) -> str:
    """The Markdown of ``docs/sources.md`` for a source registry.

    Parameters
    ----------
    sources : dict
        Source id -> entry with ``report, publisher, year, quote, where, supports``
        (as returned by :func:`sitefinder.profiles.sources`).
    used_by : dict, optional
        Source id -> list of places citing it; by default the built-in profiles are scanned.
    """
    if used_by is None:
        used_by = builtin_uses()
    reports: dict[str, list[str]] = {}
    for sid, entry in sources.items():
        reports.setdefault(entry.get("report", "(no report given)"), []).append(sid)

    out = [_INTRO]
    out.append("## Reports\n")
    out.append("| file | report | publisher | year | entries |")
    out.append("|---|---|---|---|---|")
    for report, ids in reports.items():
        first = sources[ids[0]]
        prefix = str(first.get("where", "")).split(":")[0]
        out.append(
            f"| `{_cell(prefix)}` | {_cell(report)} | {_cell(first.get('publisher', ''))} "
            f"| {_cell(first.get('year', ''))} | {len(ids)} |"
        )
    out.append("")
    out.append("## Overview\n")
    out.append("| id | where | supports |")
    out.append("|---|---|---|")
    for ids in reports.values():
        for sid in ids:
            e = sources[sid]
            out.append(f"| [`{sid}`](#{sid}) | {_cell(e.get('where', ''))} | {_cell(e.get('supports', ''))} |")
    out.append("")
    for report, ids in reports.items():
        first = sources[ids[0]]
        out.append(f"## {report}\n")
        out.append(f"{first.get('publisher', '')}, {first.get('year', '')}.\n")
        for sid in ids:
            e = sources[sid]
            out.append(f"### {sid}\n")
            out.append(f"> «{' '.join(str(e.get('quote', '')).split())}»\n")
            out.append(f"- **Where:** {e.get('where', '')}")
            out.append(f"- **Supports:** {' '.join(str(e.get('supports', '')).split())}")
            places = used_by.get(sid, [])
            if places:
                out.append("- **Used by:** " + "; ".join(f"`{p}`" for p in places))
            else:
                out.append("- **Used by:** no built-in profile")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_sources_markdown(sources()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
