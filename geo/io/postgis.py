"""The store in PostgreSQL + PostGIS: several app servers share one database (:func:`geo.io.open_store` picks it
when ``SCIMAP_DATABASE_URL`` is set).

:class:`PostgisStore` implements :class:`~geo.io.store.Store` with the file store's rules and messages, on the
tables of :mod:`geo.io.pgschema`:

- **one transaction a change:** a save or an undo writes the features, their row versions and the history
  records together, or nothing (a refusal or any database error rolls it back), so there is never anything to
  recover;
- **optimistic concurrency per feature:** a layer's :meth:`~PostgisStore.version` is the number of the last
  change of the layer (``pg<n>``); a feature's row version is the number of the change that last wrote it. A
  save based on version *n* is refused (:class:`~geo.io.store.ConflictError` naming the feature) when one of
  *its* features was written after *n*; changes to other features in between do not matter. Two savers of the
  same feature are serialised by a transaction-scoped lock on it (waiting at most
  :data:`geo.config.STORE_LOCK_WAIT_S`, then :class:`~geo.io.store.StoreBusy`): the second sees the first's
  row version and is refused;
- **the same data:** :meth:`~PostgisStore.load` reads the database back in the file store's encoding
  (:func:`geo.io.pgfiles.render`) through the same checked loader, so it returns what a file store with those
  files returns; areas are computed as the file store computes them (:func:`geo.core.crs.areas_mu`, in each
  feature's own CGCS2000 zone).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from shapely.geometry import shape

from geo import config
from geo.config import redact_url
from geo.core import storable
from geo.core.crs import own_zone
from geo.core.model import DataError, Issue, PlanData
from geo.io import pgfiles, pgschema
from geo.io.files import load_all, printable
from geo.io.pgschema import SCHEMA
from geo.io.store import (
    HISTORY_COLUMNS,
    LAYERS,
    Checkout,
    ConflictError,
    StoreBusy,
    StoreError,
    _check_layer,
    _digest,
    _json_bytes,
    _key,
    _mu,
    _now,
    _previous,
    _record_problem,
    check_changes,
)

_VERSION = re.compile(r"^pg(\d{1,18})$")
_TABLE = {"parcels": "parcels", "zones": "zones"}


def _srid(geom: object) -> int | None:
    return int(own_zone(geom).split(":")[1]) if geom is not None and not geom.is_empty else None


class PostgisStore:
    """The store in a PostgreSQL + PostGIS database (schema :data:`geo.io.pgschema.SCHEMA`).

    Parameters
    ----------
    url : str
        ``postgresql://…``; shown only without its password.

    Attributes
    ----------
    recovered : list of str
        Always empty: a change is one transaction, nothing is ever left half-done.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.recovered: list[str] = []

    def __repr__(self) -> str:
        return f"PostgisStore({redact_url(self.url)!r})"

    def _connect(self) -> psycopg.Connection:
        conn = pgschema.connect(self.url)
        try:
            pgschema.require(conn, self.url)
        except BaseException:
            conn.close()
            raise
        return conn

    # ------------------------------------------------------------------ reading

    def _files(self, conn: psycopg.Connection) -> dict[str, bytes]:
        return pgfiles.render(conn)

    def load(self, strict: bool = True) -> PlanData:
        """The plan data, read from the database and checked like the file store's.

        Parameters
        ----------
        strict : bool, default True

        Returns
        -------
        PlanData
        """
        with self._connect() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            files = self._files(conn)
        return _load_rendered(files, strict)

    def version(self, layer: str) -> str:
        """The number of the last change of the layer (or of the last load), ``pg<n>``.

        Parameters
        ----------
        layer : {"parcels", "zones"}

        Returns
        -------
        str
        """
        _check_layer(layer)
        with self._connect() as conn, conn.transaction():
            return self._version(conn, layer)

    @staticmethod
    def _version(conn: psycopg.Connection, layer: str) -> str:
        n = conn.execute(f"SELECT greatest((SELECT value::bigint FROM {SCHEMA}.meta WHERE key = 'loaded_seq'), "
                         f"(SELECT max(seq) FROM {SCHEMA}.history WHERE layer = %s))", (layer,)).fetchone()[0]
        return f"pg{n}"

    def checkout(self, strict: bool = True) -> Checkout:
        """The data and the versions it was read at, from one snapshot of the database.

        Parameters
        ----------
        strict : bool, default True

        Returns
        -------
        Checkout
        """
        with self._connect() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            versions = {layer: self._version(conn, layer) for layer in LAYERS}
            files = self._files(conn)
        return Checkout(_load_rendered(files, strict), versions, [])

    def _records(self, conn: psycopg.Connection) -> list[tuple[int, object]]:
        rows = conn.execute(f"SELECT seq, record::text FROM {SCHEMA}.history ORDER BY seq").fetchall()
        out = []
        for seq, text in rows:
            try:
                out.append((seq, json.loads(text)))
            except (ValueError, RecursionError):
                out.append((seq, None))
        return out

    def history(self) -> pd.DataFrame:
        """Every stored change, oldest first; see :meth:`geo.io.store.Store.history`.

        Returns
        -------
        pandas.DataFrame
        """
        with self._connect() as conn, conn.transaction():
            recs = self._records(conn)
        rows = [{k: printable(r.get(k)) for k in HISTORY_COLUMNS} for _, r in recs
                if r is not None and _record_problem(r) is None]
        return pd.DataFrame(rows, columns=HISTORY_COLUMNS)

    def history_problems(self) -> list[str]:
        """Each history row that is not a change record (written outside the store) and that :meth:`history` skips.

        Returns
        -------
        list of str
        """
        with self._connect() as conn, conn.transaction():
            recs = self._records(conn)
        return [f"{SCHEMA}.history row {seq} " + (_record_problem(r) if r is not None else "is not JSON") + ": skipped"
                for seq, r in recs if r is None or _record_problem(r) is not None]

    def recover(self) -> list[str]:
        """Nothing to recover: every change is one transaction.

        Returns
        -------
        list of str
            Empty.
        """
        return []

    def data_version(self) -> str:
        """SHA-256 (12 hex digits) of the data as files: the file store's :meth:`data_version` of the same data.

        Returns
        -------
        str
        """
        with self._connect() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            files = self._files(conn)
        with pgfiles.materialised(files) as lay:
            return _digest(lay.content_files())[:12]

    def parcels_in_view(self, bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
        """The parcels that meet a WGS84 box, found by the GiST index in the database (a map's view, without
        holding the cadastre).

        Parameters
        ----------
        bounds : tuple of float
            (min lon, min lat, max lon, max lat).

        Returns
        -------
        geopandas.GeoDataFrame
            The parcels' properties as stored and their geometry (EPSG:4326), in the layer's order.
        """
        x0, y0, x1, y1 = (float(v) for v in bounds)
        with self._connect() as conn, conn.transaction():
            rows = conn.execute(f"SELECT feature::text, ST_AsBinary(geom) FROM {SCHEMA}.parcels, "
                                "ST_MakeEnvelope(%s, %s, %s, %s, 4326) AS view WHERE geom && view AND "
                                "ST_Intersects(geom, view) ORDER BY ord, fid", (x0, y0, x1, y1)).fetchall()
        feats = [pgfiles.feature_json(text, wkb) for text, wkb in rows]
        if not feats:
            return gpd.GeoDataFrame(geometry=[], crs=config.WGS84)
        return gpd.GeoDataFrame.from_features(feats, crs=config.WGS84)

    # ------------------------------------------------------------------ writing

    def save(self, changes: gpd.GeoDataFrame, layer: str, who: str, source: str, based_on: str | None,
             note: str = "") -> list[str]:
        """Store new geometries for projects (parcels) or zones; see :meth:`geo.io.store.Store.save`.

        Parameters
        ----------
        changes : geopandas.GeoDataFrame
        layer : {"parcels", "zones"}
        who : str
        source : {"surveyed", "digitised"}
        based_on : str or None
            A :meth:`version`: a feature of ``changes`` written after it is a :class:`ConflictError`.
        note : str, default ""

        Returns
        -------
        list of str
        """
        check_changes(changes, layer, source)
        base = _parse_version(based_on)
        geoms = [(str(t), _storable(raw, layer, str(t))) for t, raw in zip(changes["target_id"], changes.geometry,
                                                                            strict=True)]
        stamp = {"when": _now(), "who": printable(str(who)), "source": source, "note": printable(str(note))}
        with self._connect() as conn:
            return self._write(conn, lambda: self._save_locked(conn, layer, geoms, base, based_on, stamp))

    def _write(self, conn: psycopg.Connection, step: object) -> object:
        """Run a change in one transaction: locks wait at most STORE_LOCK_WAIT_S; any database error is a message."""
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{int(config.STORE_LOCK_WAIT_S * 1000)}ms'")
                return step()
        except psycopg.errors.LockNotAvailable:
            raise StoreBusy(f"another change holds the database for more than {config.STORE_LOCK_WAIT_S:g} s: "
                            "nothing was changed, try again") from None
        except psycopg.Error as e:
            raise pgschema.refused(e) from None

    @staticmethod
    def _lock(conn: psycopg.Connection, layer: str, targets: list[str]) -> None:
        """Transaction-scoped locks on the targets, in a fixed order (two changes never deadlock)."""
        for t in sorted(set(targets)):
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{layer}\x1f{t}",))

    @staticmethod
    def _row(conn: psycopg.Connection, layer: str, target: str) -> tuple | None:
        """(fid, file, feature text, WKB, row version) of a target's feature, locked; None when there is none."""
        file = "'parcels.geojson'" if layer == "parcels" else "file"
        return conn.execute(f"SELECT fid, {file}, feature::text, ST_AsBinary(geom), row_version FROM "
                            f"{SCHEMA}.{_TABLE[layer]} WHERE {_key(layer)} = %s ORDER BY ord, fid LIMIT 1 FOR UPDATE",
                            (target,)).fetchone()

    @staticmethod
    def _last_change(conn: psycopg.Connection, layer: str, target: str) -> int:
        """The number of the last change that wrote the target (0 when none): covers a feature an undo removed."""
        return conn.execute(f"SELECT coalesce(max(seq), 0) FROM {SCHEMA}.history WHERE layer = %s AND target_id = %s",
                            (layer, target)).fetchone()[0]

    def _save_locked(self, conn: psycopg.Connection, layer: str, geoms: list[tuple[str, object]], base: int | None,
                     based_on: str | None, stamp: dict) -> list[str]:
        self._lock(conn, layer, [t for t, _ in geoms])
        if base is not None:
            for target in dict.fromkeys(t for t, _ in geoms):
                row = self._row(conn, layer, target)
                written = max(row[4] if row else 0, self._last_change(conn, layer, target))
                if written > base:
                    raise ConflictError(f"{target} was changed by someone else since you loaded it "
                                        f"(version pg{written}, you had {based_on}): reload and review again")
        return [self._replace(conn, layer, target, geom, stamp) for target, geom in geoms]

    def _replace(self, conn: psycopg.Connection, layer: str, target: str, geom: object, stamp: dict) -> str:
        """Put ``geom`` on the target's feature (a new parcel if the project has none); write its history record."""
        mu, source = _mu(geom), stamp["source"]
        row = self._row(conn, layer, target)
        if row is None and layer == "zones":
            raise StoreError(f"zone {target} is in no layer file")
        feat = pgfiles.feature_json(row[2], row[3]) if row else self._new_parcel(conn, target)
        previous = json.loads(json.dumps({"geometry": feat.get("geometry"), "properties": feat["properties"]})) \
            if row else None
        if layer == "parcels":
            feat["properties"].update({"area_mu": mu, "geometry_source": source,
                                       "placement_note": f"{source} boundary stored {stamp['when']} by {stamp['who']}"})
        else:
            feat["properties"].update({"geometry_source": source, "extent_method": f"{source} boundary"})
        record = {"change_id": uuid.uuid4().hex[:12], "when": stamp["when"], "who": stamp["who"], "action": "save",
                  "layer": layer, "target_id": target, "geometry_source": source, "area_mu": mu,
                  "note": stamp["note"], "previous": previous, "file": row[1] if row else "parcels.geojson"}
        seq = self._append(conn, record)
        self._put(conn, layer, row[0] if row else None, target, feat, geom, seq)
        return record["change_id"]

    @staticmethod
    def _append(conn: psycopg.Connection, record: dict) -> int:
        seq = conn.execute(f"SELECT nextval('{SCHEMA}.change_seq')").fetchone()[0]
        conn.execute(f"INSERT INTO {SCHEMA}.history VALUES (%s, %s, %s, %s, %s, %s, %s)",
                     (seq, record["change_id"], record["action"], record["layer"], record["target_id"],
                      record.get("undoes"), _json_bytes(record).decode("utf-8")))
        return seq

    @staticmethod
    def _put(conn: psycopg.Connection, layer: str, fid: int | None, target: str, feat: dict, geom: object,
             seq: int) -> None:
        """Write a feature (update by ``fid``, or insert a new parcel) with its row version ``seq``."""
        skeleton = _json_bytes({k: (None if k == "geometry" else v) for k, v in feat.items()}).decode("utf-8")
        wkb = shapely.to_wkb(geom) if geom is not None else None
        if fid is not None:
            conn.execute(f"UPDATE {SCHEMA}.{_TABLE[layer]} SET feature = %s, geom = ST_GeomFromWKB(%s, 4326), "
                         "gk_srid = %s, row_version = %s WHERE fid = %s", (skeleton, wkb, _srid(geom), seq, fid))
            return
        props = feat["properties"]
        conn.execute(f"INSERT INTO {SCHEMA}.parcels (ord, parcel_id, project_id, feature, geom, gk_srid, row_version) "
                     f"VALUES ((SELECT coalesce(max(ord), -1) + 1 FROM {SCHEMA}.parcels), %s, %s, %s, "
                     "ST_GeomFromWKB(%s, 4326), %s, %s)",
                     (props.get("parcel_id"), target, skeleton, wkb, _srid(geom), seq))
        # the file store keeps its parcels sorted by parcel_id: a new parcel takes its place among them
        conn.execute(f"UPDATE {SCHEMA}.parcels p SET ord = s.n FROM (SELECT fid, row_number() OVER "
                     f"(ORDER BY coalesce(parcel_id, '') COLLATE \"C\", ord, fid) - 1 AS n FROM {SCHEMA}.parcels) s "
                     "WHERE p.fid = s.fid AND p.ord <> s.n")

    @staticmethod
    def _new_parcel(conn: psycopg.Connection, project_id: str) -> dict:
        row = conn.execute(f"SELECT content FROM {SCHEMA}.documents WHERE name = 'data/projects.csv'").fetchone()
        zones = {r.get("project_id"): r.get("zone_id", "") for r in
                 csv.DictReader(io.StringIO(bytes(row[0]).decode("utf-8-sig")))} if row else {}
        if project_id not in zones:
            raise StoreError(f"project {project_id} does not exist")
        return {"type": "Feature", "properties": {"parcel_id": f"P-{project_id}", "project_id": project_id,
                                                  "zone_id": zones[project_id]}, "geometry": None}

    def undo(self, change_id: str, who: str) -> str:
        """Restore what a change replaced, recorded as its own change; see :meth:`geo.io.store.Store.undo`.

        Parameters
        ----------
        change_id : str
        who : str

        Returns
        -------
        str
        """
        with self._connect() as conn:
            return self._write(conn, lambda: self._undo_locked(conn, str(change_id), printable(str(who))))

    def _undo_locked(self, conn: psycopg.Connection, change_id: str, who: str) -> str:
        found = conn.execute(f"SELECT seq, record::text FROM {SCHEMA}.history WHERE change_id = %s",
                             (change_id,)).fetchone()
        if found is None:
            raise StoreError(f"no change {change_id} in the history")
        seq, rec = found[0], json.loads(found[1])
        self._lock(conn, rec["layer"], [rec["target_id"]])
        self._check_undoable(conn, seq, rec)
        prev = _previous(rec)
        layer, target = rec["layer"], rec["target_id"]
        row = self._row(conn, layer, target)
        file = row[1] if row else rec.get("file")
        if row is None and (prev is None or layer == "zones"):
            raise StoreError(f"{target} is no longer in {file}: change {change_id} not undone")
        record = {"change_id": uuid.uuid4().hex[:12], "when": _now(), "who": who, "action": "undo", "layer": layer,
                  "target_id": target,
                  "geometry_source": prev["properties"].get("geometry_source") if prev else None,
                  "area_mu": _mu(shape(prev["geometry"])) if prev else None,
                  "undoes": change_id, "note": "", "file": file, "previous": None}
        n = self._append(conn, record)
        if prev is None:
            conn.execute(f"DELETE FROM {SCHEMA}.{_TABLE[layer]} WHERE fid = %s", (row[0],))
        else:
            feat = pgfiles.feature_json(row[2], row[3]) if row else {"type": "Feature"}
            feat["properties"], feat["geometry"] = prev["properties"], prev["geometry"]
            self._put(conn, layer, row[0] if row else None, target, feat, shape(prev["geometry"]), n)
        return record["change_id"]

    @staticmethod
    def _check_undoable(conn: psycopg.Connection, seq: int, rec: dict) -> None:
        """Refuse an undo of an undo, of a change undone already, or of one the target changed again after."""
        cid = rec["change_id"]
        if rec["action"] != "save":
            raise StoreError(f"change {cid} is an undo: it cannot be undone")
        if conn.execute(f"SELECT 1 FROM {SCHEMA}.history WHERE undoes = %s", (cid,)).fetchone():
            raise StoreError(f"change {cid} was already undone")
        later = conn.execute(
            f"SELECT change_id FROM {SCHEMA}.history h WHERE layer = %s AND target_id = %s AND action = 'save' "
            f"AND seq > %s AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.history u WHERE u.undoes = h.change_id) "
            "ORDER BY seq DESC LIMIT 1", (rec["layer"], rec["target_id"], seq)).fetchone()
        if later:
            raise StoreError(f"{rec['target_id']} was changed again later ({later[0]}): undo that first")


def _parse_version(based_on: str | None) -> int | None:
    """The change number of a :meth:`PostgisStore.version` (None: no check)."""
    if based_on is None:
        return None
    m = _VERSION.match(str(based_on))
    if not m:
        raise ConflictError(f"version {printable(str(based_on))[:40]} is not a version of this database: reload and "
                            "review again")
    return int(m.group(1))


def _storable(raw: object, layer: str, target: str) -> object:
    """The geometry as it will be stored (on the storage grid), or the store's message why it cannot be."""
    geom = storable.snap(raw)
    problems = storable.problems(geom, layer)
    if problems and raw is not None and not raw.is_empty and geom.is_empty:  # a sliver collapsed
        problems = [f"as stored (on a {storable.GRID_DEG:g}° grid) it has no geometry"]
    if problems:
        raise StoreError(f"{target}: {'; '.join(problems)}")
    return geom


def _load_rendered(files: dict[str, bytes], strict: bool) -> PlanData:
    """Load rendered files through the file store's checked loader; issues name the database, not a temp folder."""
    with pgfiles.materialised(files) as lay:
        root = str(lay.data_dir.parent)

        def named(issues: list[Issue]) -> list[Issue]:
            return [Issue(i.level, i.file.replace(root, f"postgis:{SCHEMA}"), i.where, i.problem) for i in issues]

        try:
            data = load_all(lay.data_dir, lay.layers_dir, strict=strict)
        except DataError as e:
            raise DataError(named(e.issues)) from None
    data.issues = named(data.issues)
    return data


__all__ = ["PostgisStore"]
