"""The built-in profiles offered in drop-downs (without sitefinder installed: a hint instead)."""

from __future__ import annotations

DEFAULT_PROFILE = "smahus-integrated"
NOT_INSTALLED = "(sitefinder is not installed: see the help)"


def profile_options() -> list[str]:
    """Names of the built-in profiles; reading them needs the library but not numba."""
    try:
        from sitefinder.profiles import list_profiles
    except ImportError:
        return [NOT_INSTALLED]
    return list_profiles()
