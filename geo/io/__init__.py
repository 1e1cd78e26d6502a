"""Input and output: the store boundary, the loader, the importer, exports and snapshots.

- :func:`open_store` — the one place that picks the store (the files of :func:`geo.config.settings`, or
  the PostGIS database of ``SCIMAP_DATABASE_URL``), returning a :class:`~geo.io.store.Store`: ``load``,
  ``version``, ``save`` (with a version check), ``undo``, ``history``, ``data_version``.
- :mod:`geo.io.postgis` — :class:`~geo.io.postgis.PostgisStore`, the store in PostgreSQL + PostGIS
  (:mod:`geo.io.pgschema` its tables, :mod:`geo.io.pgfiles` files in and out).
- :mod:`geo.io.files` — :class:`~geo.io.files.FileLayout` (the file names of the store) and the
  checked loader :func:`~geo.io.files.load_all`.
- :mod:`geo.io.importer` — read, match and check boundary files before they are stored.
- :mod:`geo.io.export` — snapshots of a selection, one module per format (a registry).
- :mod:`geo.io.snapshots` — list and compare saved snapshots.
- :mod:`geo.io.offline` — GDAL and PROJ without network access (applied on importing this package).
"""

from __future__ import annotations

from geo import config
from geo.io.offline import disable_network
from geo.io.store import FileStore, Store

disable_network()  # GDAL and PROJ read local files only, in the app, the CLI and the import worker


def open_store(settings: config.Settings | None = None) -> Store:
    """The store the app, the CLI and the scripts read and write.

    Parameters
    ----------
    settings : geo.config.Settings, optional
        Default: :func:`geo.config.settings` now (so a changed environment takes effect).

    Returns
    -------
    Store
        A :class:`~geo.io.postgis.PostgisStore` on ``SCIMAP_DATABASE_URL`` when it is set, else a
        :class:`~geo.io.store.FileStore` over the settings' data and layers folders.
    """
    s = settings or config.settings()
    if s.database_url:
        from geo.io.postgis import PostgisStore  # psycopg is imported only when a database is the store
        return PostgisStore(s.database_url)
    return FileStore(s.data_dir, s.layers_dir)


__all__ = ["open_store", "Store", "FileStore"]
