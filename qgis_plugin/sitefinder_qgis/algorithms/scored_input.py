"""The input every decision algorithm shares: a scored layer, its profile, plot ids and privacy."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing, QgsProcessingException, QgsProcessingParameterEnum, QgsProcessingParameterField,
    QgsProcessingParameterFile, QgsProcessingParameterVectorLayer,
)

from . import data_inputs as di
from .base import SitefinderAlgorithm, help_text
from .profile_choice import profile_options

INPUT = "INPUT"
ID_FIELD = "ID_FIELD"
RECORDED = "(recorded with the layer)"


def add_scored_parameters(alg, id_field: bool = True) -> None:
    """Scored layer, profile (recorded or chosen), profile file and, optionally, the plot id field."""
    alg.addParameter(help_text(QgsProcessingParameterVectorLayer(
        INPUT, "Scored plots", [QgsProcessing.TypeVectorAnyGeometry]),
        "A layer written by 'Score plots' (or by the sitefinder command line): the plots with their "
        "<i>c</i>_value, _score and _contribution columns, excluded, exclusion_reason, score and rank."))
    alg.addParameter(help_text(QgsProcessingParameterEnum(
        di.PROFILE, "Profile", options=[RECORDED, *profile_options()], usesStaticStrings=True,
        defaultValue=RECORDED),
        "The profile that scored the layer. Default: the one recorded with it by 'Score plots' (with its "
        "weight overrides); choose one only for a layer that records none."))
    alg.addParameter(help_text(QgsProcessingParameterFile(
        di.PROFILE_FILE, "Profile file (TOML, replaces the recorded profile)", extension="toml", optional=True),
        "The profile file the layer was scored with, for a layer that records no profile."))
    if id_field:
        alg.addParameter(help_text(QgsProcessingParameterField(
            ID_FIELD, "Plot id field", parentLayerParameterName=INPUT, optional=True),
            "The field holding plot ids. Default: plot_id or id when the layer has one, else the row number "
            "from 0 (as the command line counts)."))


def snapshot_scored(alg, parameters, context, feedback):
    """The scored layer's attributes and metadata (call from ``prepareAlgorithm``: the layer lives in the main
    thread), and the layer itself."""
    from ..scored_layer import read_scored_layer

    layer = alg.parameterAsVectorLayer(parameters, INPUT, context)
    if layer is None:
        raise QgsProcessingException(alg.invalidSourceError(parameters, INPUT))
    return read_scored_layer(layer, feedback), layer


def scored_profile(alg, parameters, context, scored):
    """The profile: a chosen file or built-in one, else the one recorded with the layer.

    Raises
    ------
    InputError
        When the layer records none and none was chosen.
    """
    from sitefinder.decision.columns import recorded_profile
    from sitefinder.errors import InputError

    chosen = alg.parameterAsFile(parameters, di.PROFILE_FILE, context) or None
    name = alg.parameterAsString(parameters, di.PROFILE, context)
    if chosen is None and name and name != RECORDED:
        chosen = name
    if chosen is None and not scored.meta.get("profile"):
        raise InputError("the scored layer does not record its profile (not written by 'Score plots'?): choose "
                         "the profile it was scored with")
    return recorded_profile(scored.meta, chosen)


def privacy(alg, parameters, context, profile, scored) -> tuple[tuple[str, ...], bool]:
    """The sensitive layers (profile, parameter, recorded with the layer) and whether to include them."""
    from sitefinder.decision.privacy import sensitive_layers

    layers = sensitive_layers(profile, di.sensitive_names(alg, parameters, context), scored.meta.get("sensitive", ()))
    return layers, alg.parameterAsBool(parameters, di.INCLUDE_SENSITIVE, context)


class ScoredLayerAlgorithm(SitefinderAlgorithm):
    """An algorithm on a scored layer: its attributes are read in ``prepareAlgorithm`` (the layer lives in the
    main thread), the work is done by :meth:`process_scored` in the algorithm's thread, errors translated."""

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self.require_library()
        with self.translated_errors():
            self._scored, layer = snapshot_scored(self, parameters, context, feedback)
            self.prepare_layer(layer)
        return True

    def prepare_layer(self, layer) -> None:
        """Hook for what else must be taken from the layer in the main thread."""

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        self.require_library()
        with self.translated_errors():
            return self.process_scored(parameters, context, feedback)

    def process_scored(self, parameters, context, feedback) -> dict:
        raise NotImplementedError
