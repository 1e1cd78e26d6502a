"""The plan catalogue: which plans and which map layers exist, read from the data, never from constants.

The plans are the rows of ``data/sources.csv`` (one per source document, with its id, text file and
titles); the layers are the records of ``layers/manifest.json``, which ``python -m geo build`` writes
from the curated places and ``data/src/layers.csv`` (titles, colours, default visibility). A new plan
is therefore added by data alone: its row in ``sources.csv``, its text under ``data/plans/``, its
``data/src/<DOC>_*.csv`` tables and its layers' rows in ``data/src/layers.csv``; then ``build``.

:class:`Catalogue` is built from tables already loaded (``PlanData.catalogue``), so it reads no files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from geo import i18n

PLAN_FIELDS = ("source_doc", "seed_file", "title_zh", "title_en", "issuer_zh", "doc_number", "date_issued",
               "period", "kind")
"""Columns of ``data/sources.csv``; the first four are required."""


@dataclass(frozen=True)
class Plan:
    """One source document (a plan, an action plan, an implementation plan).

    Attributes
    ----------
    source_doc : str
        The id every table row cites in its ``source_doc`` column (``HTS``, ``STI``, …).
    seed_file : str
        The plan's text, relative to the data folder (quotes are checked against it).
    title_zh, title_en : str
        The plan's title as printed, and its translation.
    issuer_zh, doc_number, date_issued, period, kind : str
        As printed ("" when the plan does not say).
    """

    source_doc: str
    seed_file: str
    title_zh: str
    title_en: str
    issuer_zh: str = ""
    doc_number: str = ""
    date_issued: str = ""
    period: str = ""
    kind: str = ""

    def title(self, lang: str) -> str:
        """The title in a language.

        Parameters
        ----------
        lang : {"zh", "en"}

        Returns
        -------
        str
        """
        return getattr(self, i18n.col("title", lang))


@dataclass(frozen=True)
class Layer:
    """One map layer of the manifest.

    Attributes
    ----------
    layer_id : str
        The id zones carry in their ``layer_id`` column (a layout id, ``<doc>_places``, ``towns`` …).
    title_zh, title_en : str
        Legend titles.
    kind : str
        ``zones``, ``line``, ``boundaries`` or ``poi``.
    file : str
        GeoJSON file name in the layers folder.
    style : dict
        ``color``, ``weight``, ``fill_opacity``, ``dash_array``.
    source_docs : tuple of str
        The plans whose rows the layer holds.
    feature_count : int or None
        Features in the file (None: not counted).
    shown : bool
        Drawn when the planner's map opens (a layer of a plan's scattered carriers starts hidden).
    context : bool
        Drawn under the promoter's ranking as context.
    """

    layer_id: str
    title_zh: str
    title_en: str
    kind: str
    file: str
    style: Mapping = field(default_factory=dict)
    source_docs: tuple[str, ...] = ()
    feature_count: int | None = None
    shown: bool = True
    context: bool = False

    def title(self, lang: str) -> str:
        """The legend title in a language.

        Parameters
        ----------
        lang : {"zh", "en"}

        Returns
        -------
        str
        """
        return getattr(self, i18n.col("title", lang))

    @classmethod
    def from_record(cls, rec: Mapping) -> Layer:
        """A layer from its manifest record.

        Parameters
        ----------
        rec : Mapping
            One entry of ``manifest["layers"]``.

        Returns
        -------
        Layer
        """
        return cls(layer_id=rec["layer_id"], title_zh=rec["title_zh"], title_en=rec["title_en"], kind=rec["kind"],
                   file=rec["file"], style=dict(rec.get("default_style") or {}),
                   source_docs=tuple(rec.get("source_docs") or ()), feature_count=rec.get("feature_count"),
                   shown=bool(rec.get("shown", True)), context=bool(rec.get("context", False)))


@dataclass(frozen=True)
class Catalogue:
    """The plans and layers of one data folder.

    Attributes
    ----------
    plans : tuple of Plan
        In the order of ``data/sources.csv``.
    layers : tuple of Layer
        In the order of the manifest.
    """

    plans: tuple[Plan, ...]
    layers: tuple[Layer, ...]

    @classmethod
    def from_tables(cls, sources: pd.DataFrame, manifest: Mapping) -> Catalogue:
        """Build the catalogue from the loaded ``sources.csv`` table and manifest.

        Parameters
        ----------
        sources : pandas.DataFrame
            One row per plan (columns :data:`PLAN_FIELDS`; missing optional columns read as "").
        manifest : Mapping
            The parsed ``layers/manifest.json`` (a ``layers`` list).

        Returns
        -------
        Catalogue
        """
        plans = []
        for rec in sources.to_dict("records"):
            values = {f: "" if pd.isna(rec.get(f, "")) else str(rec.get(f, "")) for f in PLAN_FIELDS}
            plans.append(Plan(**values))
        layers = tuple(Layer.from_record(r) for r in manifest.get("layers", []))
        return cls(tuple(plans), layers)

    @property
    def plan_ids(self) -> tuple[str, ...]:
        """The plans' ids (``source_doc``), in catalogue order."""
        return tuple(p.source_doc for p in self.plans)

    def plan(self, source_doc: str) -> Plan:
        """The plan with this id.

        Parameters
        ----------
        source_doc : str

        Returns
        -------
        Plan

        Raises
        ------
        KeyError
            When no row of ``data/sources.csv`` has this id.
        """
        for p in self.plans:
            if p.source_doc == source_doc:
                return p
        raise KeyError(f"plan {source_doc!r} is not in data/sources.csv (plans: {', '.join(self.plan_ids)})")

    def layer(self, layer_id: str) -> Layer:
        """The layer with this id.

        Parameters
        ----------
        layer_id : str

        Returns
        -------
        Layer

        Raises
        ------
        KeyError
            When the manifest has no such layer.
        """
        for layer in self.layers:
            if layer.layer_id == layer_id:
                return layer
        raise KeyError(f"layer {layer_id!r} is not in layers/manifest.json")

    def layers_of(self, source_doc: str) -> tuple[Layer, ...]:
        """The layers holding rows of a plan.

        Parameters
        ----------
        source_doc : str

        Returns
        -------
        tuple of Layer
        """
        return tuple(layer for layer in self.layers if source_doc in layer.source_docs)

    @property
    def hidden_layer_ids(self) -> frozenset[str]:
        """Layers not drawn when the planner's map opens (the user may switch them on)."""
        return frozenset(layer.layer_id for layer in self.layers if not layer.shown)

    @property
    def context_layer_ids(self) -> list[str]:
        """Layers drawn under the promoter's ranking, in manifest order."""
        return [layer.layer_id for layer in self.layers if layer.context]
