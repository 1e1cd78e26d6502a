"""The plan data the pages share: loaded once per server process through the store, derived tables
prepared before the pages need them, and the sector vocabulary of the filters."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

import streamlit as st

from geo import config, i18n
from geo.core.consistency import CheckResult
from geo.core.filter import sector_vocabulary
from geo.core.model import DataError, PlanData
from geo.io import open_store
from geo.io.store import LAYERS, StoreError
from geo.pipeline.validate import check_plans


@dataclass(frozen=True)
class AppData:
    """What every page reads: the plan data, the plans' own consistency checks, the sector vocabulary.

    Attributes
    ----------
    data : PlanData
    checks : list of CheckResult
        Table sums against the totals the plans state (the planning map's "about" tab).
    sector_en : dict of str to str
        Chinese → English names of the sectors and sector groups.
    groups : list of str
        The sector groups (shown first in the sector filter).
    sectors : list of str
        The sector filter's options: the groups, then the other sectors.
    versions : dict of str to str
        The store's version of each layer (``parcels``, ``zones``), read before the data: what a review of
        this data is based on, so a save in between is a conflict, never a silent overwrite.
    recovered : list of str
        What the store's recovery did before the data was read (an interrupted change finished or
        rolled back), in English (:func:`geo.i18n.message` translates); shown on the boundaries page.
    """

    data: PlanData
    checks: list[CheckResult]
    sector_en: dict[str, str]
    groups: list[str]
    sectors: list[str]
    versions: dict[str, str] = field(default_factory=dict)
    recovered: list[str] = field(default_factory=list)


@st.cache_resource(show_spinner=False)
def _load() -> AppData:
    store = open_store()
    try:  # recovery (an interrupted change finished or rolled back), the versions, then the data
        co = store.checkout()
        data, versions, recovered = co.data, co.versions, co.recovered
    except (StoreError, OSError) as e:  # a read-only store cannot be recovered here: say so, still load
        recovered = [str(e)]
        versions = {layer: store.version(layer) for layer in LAYERS}  # before the data: a save in between conflicts
        data = store.load()
    if config.settings().synthetic_parcels:  # district-scale demo and tests: add N synthetic cadastral parcels
        from geo.pipeline import synth
        data = synth.plan_data(config.settings().synthetic_parcels, 0, base=data)
    data.enriched, data.memberships, data.parcels_joined  # noqa: B018  (derive them once, before the freeze)
    _, checks = check_plans(data)
    sector_en, groups, sectors = sector_vocabulary(data.enriched)
    gc.freeze()  # the prepared frames live as long as the app: keep the collector from walking them (GC pauses
    # of ~0.1 s per rerun at 50,000 parcels)
    return AppData(data, checks, sector_en, groups, sectors, versions, recovered)


def app_data(lang: str) -> AppData:
    """The shared data; when it does not load, the errors are shown and the run stops.

    Parameters
    ----------
    lang : str
        Language of the error message.

    Returns
    -------
    AppData
    """
    try:
        config.use_secrets(dict(st.secrets))  # database_url in .streamlit/secrets.toml (the environment wins)
    except Exception:  # noqa: BLE001 — no secrets.toml (Streamlit raises its own error): the environment only
        config.use_secrets({})
    try:
        return _load()
    except DataError as e:
        st.error(i18n.t("data_errors", lang))
        st.code(str(e))
        st.stop()


def invalidate() -> None:
    """Drop the loaded data (the store changed behind it): the next run reads it again."""
    _load.clear()


def reload() -> None:
    """Drop the loaded data (after a store changed it) and run the page again."""
    _load.clear()
    st.rerun()
