"""Scoring profiles: built-in TOML files, user files, and the source registry.

>>> from sitefinder.profiles import load_profile, list_profiles
>>> "coworking" in list_profiles()
True
>>> load_profile("coworking").name
'coworking'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11 inside older QGIS builds
    import tomli as tomllib  # type: ignore[no-redef]

from ..errors import ProfileError
from .schema import ASSUMPTION, Constraint, Criterion, Profile, Sourced, TransformSpec, validate_profile

BUILTIN_DIR = Path(__file__).parent / "builtin"
SOURCES_FILE = Path(__file__).parent / "sources.toml"

__all__ = [
    "ASSUMPTION", "Constraint", "Criterion", "Profile", "Sourced", "TransformSpec",
    "list_profiles", "load_profile", "profile_text", "sources",
]


@lru_cache(maxsize=1)
def sources() -> dict[str, dict]:
    """The source registry: id -> ``{report, year, quote, where, ...}`` (rendered in ``docs/sources.md``)."""
    with open(SOURCES_FILE, "rb") as fh:
        return tomllib.load(fh)


def list_profiles() -> list[str]:
    """Names of the built-in profiles."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def _resolve(name_or_path: str | Path) -> tuple[Path, str]:
    text = str(name_or_path)
    if text in list_profiles():
        return BUILTIN_DIR / f"{text}.toml", text
    path = Path(text).expanduser()
    if path.suffix.lower() == ".toml" or path.exists():
        if not path.is_file():
            raise ProfileError(f"profile file not found: {path}")
        return path, path.name
    raise ProfileError(
        f"unknown profile {text!r}: built-in profiles are {', '.join(list_profiles())}, or give a path to a .toml file"
    )


def profile_text(name_or_path: str | Path) -> str:
    """The TOML text of a profile, ready to copy and edit."""
    path, _ = _resolve(name_or_path)
    return path.read_text(encoding="utf-8")


def load_profile(profile: str | Path | Profile) -> Profile:
    """Load and validate a profile by built-in name or TOML path.

    Raises
    ------
    ProfileError
        Unknown name, missing file, malformed TOML, or a bad key (named in the message).
    """
    if isinstance(profile, Profile):
        return profile
    path, origin = _resolve(profile)
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {origin} is not valid TOML: {exc}") from None
    return validate_profile(data, origin=origin, known_sources=sources(), text=text)


def loads_profile(text: str, origin: str = "<string>") -> Profile:
    """Validate a profile given as TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {origin} is not valid TOML: {exc}") from None
    return validate_profile(data, origin=origin, known_sources=sources(), text=text)
