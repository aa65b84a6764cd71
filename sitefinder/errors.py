"""Errors a user can act on. Faces print their message as one line, no traceback."""

from __future__ import annotations


class SitefinderError(Exception):
    """Base class: the message says what is wrong and, where possible, what to do."""


class InputError(SitefinderError):
    """A plots, network or feature input cannot be used."""


class ProfileError(SitefinderError):
    """A profile is malformed; the message names the bad key."""


class Cancelled(SitefinderError):
    """The user cancelled a long run."""
