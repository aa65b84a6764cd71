"""Export profile: write a built-in profile to a TOML file the user can edit."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingOutputString, QgsProcessingParameterEnum, QgsProcessingParameterFileDestination,
)

from .base import SitefinderAlgorithm, help_text
from .profile_choice import DEFAULT_PROFILE, profile_options


class ExportProfile(SitefinderAlgorithm):
    NAME = "exportprofile"
    DISPLAY_NAME = "Export profile"
    GROUP = "Profiles"
    HELP = (
        "<p>Writes a built-in profile to a TOML file you can edit, then use with 'Score plots' (Profile file). "
        "Every weight and threshold in it carries its source: a Norwegian report (with the quote in "
        "docs/sources.md) or \"assumption\". The log lists the profile's criteria and weights.</p>"
    )

    PROFILE = "PROFILE"
    OUTPUT = "OUTPUT"
    CRITERIA = "CRITERIA"

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        names = profile_options()
        self.addParameter(help_text(QgsProcessingParameterEnum(
            self.PROFILE, "Profile", options=names, usesStaticStrings=True,
            defaultValue=DEFAULT_PROFILE if DEFAULT_PROFILE in names else names[0]),
            "The built-in profile to copy."))
        self.addParameter(help_text(QgsProcessingParameterFileDestination(
            self.OUTPUT, "Profile file", fileFilter="TOML profile (*.toml)"),
            "Where to write the profile (a .toml file). Edit it in any text editor; sitefinder checks it when "
            "you score with it and names any bad key."))
        self.addOutput(QgsProcessingOutputString(self.CRITERIA, "Criteria and weights"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self.require_library()
        with self.translated_errors():
            from sitefinder.adapters.atomic import atomic_path
            from sitefinder.errors import InputError
            from sitefinder.profiles import load_profile, profile_text

            name = self.parameterAsString(parameters, self.PROFILE, context)
            profile = load_profile(name)  # validate first: never write a broken profile as if it were fine
            path = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
            if path.suffix.lower() != ".toml":
                path = path.with_suffix(".toml")
            if not path.parent.is_dir():
                raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
            with atomic_path(path) as tmp:
                tmp.write_text(profile_text(name), encoding="utf-8")
            lines = [f"{profile.name}: {profile.title}"]
            lines += [f"  {c.key}: weight {c.weight.value:g} ({c.weight.source}) — {c.label}" for c in profile.criteria]
            summary = "\n".join(lines)
            feedback.pushInfo(summary)
            return {self.OUTPUT: str(path), self.CRITERIA: summary}
