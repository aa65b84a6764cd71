"""``sitefinder profiles``: list built-in profiles or print one as TOML."""

from __future__ import annotations

import argparse
import sys

from ..errors import SitefinderError


def register(sub) -> None:
    p = sub.add_parser("profiles", help="list built-in profiles or print one as TOML")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("name", nargs="?", help="profile name (for show)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..profiles import list_profiles, load_profile, profile_text

    if args.action == "show":
        if not args.name:
            raise SitefinderError("sitefinder profiles show needs a profile name, e.g. sitefinder profiles show coworking")
        load_profile(args.name)  # validate first: never print a broken profile as if it were fine
        sys.stdout.write(profile_text(args.name))
        return 0
    for name in list_profiles():
        p = load_profile(name)
        print(f"{name:<20} {p.title}")
        print(f"{'':<20} criteria: {', '.join(p.keys)}")
    print("\nShow one as editable TOML: sitefinder profiles show NAME > my-profile.toml")
    return 0

