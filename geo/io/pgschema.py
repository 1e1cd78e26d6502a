"""The PostGIS store's database: connecting, the schema (``scimap``), and its errors in words.

Tables (schema :data:`SCHEMA`):

- ``documents`` — the tables and the manifest as the files hold them (``data/projects.csv``,
  ``data/src/functional_areas.csv``, ``layers/manifest.json`` …), byte for byte;
- ``layer_files`` — each GeoJSON file of the store (``parcels.geojson`` and the layer files), its kind
  (``parcels``, ``zones``, ``reference``) and its FeatureCollection members other than the features;
- ``parcels``, ``zones``, ``reference_features`` — one row per feature: its place in its file (``ord``), the
  feature's JSON without its geometry (``json``: the text and key order kept), the geometry as
  ``geometry(Geometry, 4326)`` with a GiST index, the SRID of its own CGCS2000 Gauss–Krüger zone
  (:func:`geo.core.crs.own_zone`, for areas in the database) and, for parcels and zones, the row version: the
  number of the change that last wrote it (optimistic concurrency per feature);
- ``history`` — one row per change record (save or undo) in the order written, with the record's JSON
  exactly as the file store's ``history.jsonl`` line; written in the same transaction as the change;
- ``project_tiles`` — per project, what the parcel layer's vector tiles carry (names, sector group: the first of
  its groups), filled from ``data/projects.csv`` at each load (:mod:`geo.io.pgtiles`);
- ``meta`` — the schema version and the change number at which the data was last loaded.
"""

from __future__ import annotations

import psycopg

from geo.config import redact_url
from geo.io.store import StoreError

SCHEMA = "scimap"
SCHEMA_VERSION = "1"
CONNECT_TIMEOUT_S = 5

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS {SCHEMA}.change_seq;
CREATE TABLE IF NOT EXISTS {SCHEMA}.documents (name text PRIMARY KEY, content bytea NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.layer_files (
    file text PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('parcels', 'zones', 'reference')),
    ord integer NOT NULL, header json NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.parcels (
    fid bigserial PRIMARY KEY, ord bigint NOT NULL, parcel_id text, project_id text, feature json NOT NULL,
    geom geometry(Geometry, 4326), gk_srid integer, row_version bigint NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS parcels_geom_gist ON {SCHEMA}.parcels USING gist (geom);
CREATE INDEX IF NOT EXISTS parcels_project_id ON {SCHEMA}.parcels (project_id);
CREATE TABLE IF NOT EXISTS {SCHEMA}.zones (
    fid bigserial PRIMARY KEY, file text NOT NULL REFERENCES {SCHEMA}.layer_files (file), ord bigint NOT NULL,
    zone_id text, feature json NOT NULL, geom geometry(Geometry, 4326), gk_srid integer,
    row_version bigint NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS zones_geom_gist ON {SCHEMA}.zones USING gist (geom);
CREATE INDEX IF NOT EXISTS zones_zone_id ON {SCHEMA}.zones (zone_id);
CREATE TABLE IF NOT EXISTS {SCHEMA}.reference_features (
    fid bigserial PRIMARY KEY, file text NOT NULL REFERENCES {SCHEMA}.layer_files (file), ord bigint NOT NULL,
    feature json NOT NULL, geom geometry(Geometry, 4326), gk_srid integer);
CREATE INDEX IF NOT EXISTS reference_features_geom_gist ON {SCHEMA}.reference_features USING gist (geom);
CREATE TABLE IF NOT EXISTS {SCHEMA}.history (
    seq bigint PRIMARY KEY, change_id text NOT NULL UNIQUE, action text NOT NULL, layer text NOT NULL,
    target_id text NOT NULL, undoes text, record json NOT NULL);
CREATE INDEX IF NOT EXISTS history_target ON {SCHEMA}.history (layer, target_id);
CREATE INDEX IF NOT EXISTS history_undoes ON {SCHEMA}.history (undoes);
CREATE TABLE IF NOT EXISTS {SCHEMA}.project_tiles (project_id text PRIMARY KEY, nz text, ne text, s text);
INSERT INTO {SCHEMA}.meta VALUES ('schema_version', '{SCHEMA_VERSION}'), ('loaded_seq', '0')
    ON CONFLICT (key) DO NOTHING;
"""


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:200] if text else type(e).__name__


def connect(url: str) -> psycopg.Connection:
    """A connection to the store's database (not in autocommit: each ``with conn.transaction()`` is one step).

    Parameters
    ----------
    url : str
        ``postgresql://…`` (:func:`geo.config.database_url`).

    Returns
    -------
    psycopg.Connection

    Raises
    ------
    StoreError
        When the database cannot be reached or refuses the connection (the URL shown without its password).
    """
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, application_name="scimap")
    except psycopg.Error as e:
        raise StoreError(f"the database {redact_url(url)} cannot be used ({redact_url(_first_line(e))}): "
                         "nothing was changed") from None


def init(conn: psycopg.Connection, url: str) -> None:
    """Create PostGIS (when missing and allowed) and the store's schema; run again, it changes nothing.

    Parameters
    ----------
    conn : psycopg.Connection
    url : str
        For messages (shown without its password).

    Raises
    ------
    StoreError
        When PostGIS is not available in the database or the schema cannot be created.
    """
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as e:
        raise StoreError(f"the database {redact_url(url)} has no PostGIS and it cannot be added "
                         f"({_first_line(e)}): ask its administrator to run CREATE EXTENSION postgis") from None
    try:
        with conn.transaction():
            conn.execute(DDL)
    except psycopg.Error as e:
        raise StoreError(f"the database {redact_url(url)} refused the schema ({_first_line(e)}): nothing was "
                         "changed") from None


def require(conn: psycopg.Connection, url: str, loaded: bool = True) -> None:
    """Check the database holds the store: PostGIS, the schema at :data:`SCHEMA_VERSION` and (``loaded``) data.

    Parameters
    ----------
    conn : psycopg.Connection
    url : str
    loaded : bool, default True
        Also require data (``db load`` has run); False for ``db load`` itself.

    Raises
    ------
    StoreError
        Naming what is missing and the command that makes it.
    """
    with conn.transaction():
        has_postgis = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
        has_meta = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",)).fetchone()[0]
        version = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'schema_version'").fetchone() \
            if has_meta else None
    if not has_postgis:
        raise StoreError(f"the database {redact_url(url)} has no PostGIS: run python -m geo db init")
    if version is None:
        raise StoreError(f"the database {redact_url(url)} holds no planning map: run python -m geo db init, "
                         "then python -m geo db load")
    if version[0] != SCHEMA_VERSION:
        raise StoreError(f"the database {redact_url(url)} holds schema version {version[0]}, this program reads "
                         f"{SCHEMA_VERSION}")
    if loaded:
        with conn.transaction():
            empty = conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {SCHEMA}.layer_files)").fetchone()[0]
        if empty:
            raise StoreError(f"the database {redact_url(url)} holds no planning map: run python -m geo db init, "
                             "then python -m geo db load")


def refused(e: BaseException) -> StoreError:
    """A database error during a change, as the store's message (the transaction was rolled back).

    Parameters
    ----------
    e : BaseException

    Returns
    -------
    StoreError
    """
    return StoreError(f"the database refused the change ({_first_line(e)}): nothing was changed")
