"""Parsing helpers shared by commands."""

from __future__ import annotations

from ..errors import SitefinderError


def pairs(values: list[str] | None, what: str, example: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise SitefinderError(f"{what} must look like {example}, got {item!r}")
        out[key.strip()] = value.strip()
    return out



def weight_overrides(values: list[str] | None) -> dict[str, float]:
    out = {}
    for key, value in pairs(values, "--weight", "transit=5").items():
        try:
            out[key] = float(value)
        except ValueError:
            raise SitefinderError(f"--weight {key}={value}: the weight must be a number") from None
    return out

