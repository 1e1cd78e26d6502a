"""Every setting of the planning map, in one typed, documented place.

Modelled on osmnx's ``settings``: other modules import their paths, limits and constants from
here and never read the environment themselves. Settings that an operator may change per
deployment come from environment variables (and, for the Tianditu key, from Streamlit secrets,
which the UI passes in); they are read each time :func:`settings` is called, so a test may
set a variable and see it take effect.

Environment
-----------
SCIMAP_DATA_DIR
    Folder of the tables and the parcel layer (default ``data/``).
SCIMAP_LAYERS_DIR
    Folder of the zone layers and ``manifest.json`` (default ``layers/``).
SCIMAP_REFERENCE_DIR
    Researched positions (gazetteer, stations, districts; default ``data/reference/``).
SCIMAP_SNAPSHOT_DIR
    Where exported layer snapshots are written (default ``snapshots/``).
SCIMAP_CONTACT_FILE
    The promoter's contact block for fact sheets (default ``config/contact.json``).
SCIMAP_CHROMIUM
    Headless Chromium used to print fact sheets (default ``/usr/bin/chromium``).
TIANDITU_KEY
    Developer key (``tk``) of the Tianditu basemaps; Streamlit secrets ``tianditu_key`` wins.
SCIMAP_TILES_DIR
    Where the parcel layer's vector tile sets are built (default ``tiles/``; :mod:`geo.pipeline.tileset`).
SCIMAP_SYNTHETIC
    Add this many synthetic cadastral parcels to the shipped data (district-scale demo and tests).
SCIMAP_TIMING
    Print per-section timings of each app run to stderr when set to a non-empty value.
SCIMAP_IMPORT_TIMEOUT
    Seconds one upload may take to read (default :data:`IMPORT_TIMEOUT_S`; tests set a short one).
SCIMAP_DATABASE_URL
    ``postgresql://user:password@host:port/dbname`` of a PostgreSQL database with PostGIS: the store is then
    that database (:class:`geo.io.postgis.PostgisStore`); unset, the files of the data and layers folders.
    In the app, ``database_url`` in ``.streamlit/secrets.toml`` stands for it (:func:`use_secrets`).
SCIMAP_AUDIT_FILE
    The audit trail (default :data:`AUDIT_FILE_NAME` in the data folder; :mod:`geo.io.audit`).
SCIMAP_LOCAL_EDITING
    ``1`` switches on editing for a single local user when no sign-in is configured (default: off, the
    boundaries page is read-only); the audit trail marks that user as not verified.
SCIMAP_ROLES_FILE
    JSON mapping signed-in users (e-mail or subject) to roles (default ``config/roles.json``).
SCIMAP_ROLES_CLAIM
    The identity provider's claim that lists a user's roles (default ``roles``); the roles file is used
    for users without it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
"""The repository (the folder holding ``app.py``)."""

# ------------------------------------------------------------------ coordinate reference systems
WGS84 = "EPSG:4326"
"""Storage CRS of every layer and table."""
GK_CM105 = "EPSG:4544"
"""CGCS2000 3° Gauss–Krüger, central meridian 105°E (zone 35 without prefix), the Science City's
plane: synthetic layers and density cells are laid out in it. Areas and distances use each
feature's own zone instead (:func:`geo.core.crs.own_zone`)."""
M2_PER_MU = 10000.0 / 15.0
"""1 亩 = 10000/15 m² exactly."""

# ------------------------------------------------------------------ the study area
STUDY_AREA = (105.0, 28.5, 108.0, 30.5)
"""(min lon, min lat, max lon, max lat), WGS84: the box around the plans' districts (the
Science City, the High-tech Zone, 渝中, 两江, 九龙坡 with a wide margin). The importer refuses,
the loader rejects and the validator reports any geometry outside it — one box for all three."""

# ------------------------------------------------------------------ limits on input
IMPORT_MAX_BYTES = 50 * 1024 * 1024
"""An uploaded boundary file larger than this is refused."""
IMPORT_MAX_UNZIPPED = 200 * 1024 * 1024
"""An archive that unpacks to more than this is refused (zip bombs)."""
IMPORT_MAX_FEATURES = 20000
"""An import with more features than this is refused."""
IMPORT_AREA_FLAG_REL = 0.10
"""An imported boundary more than 10 % off the plan's 亩 is flagged for review."""
IMPORT_READ_BATCH = 500
"""Features read per batch: the caps on features and vertices are checked after each batch."""
GDAL_OFFLINE_OPTIONS = {
    "GDAL_HTTP_PROXY": "127.0.0.1:9", "GDAL_HTTPS_PROXY": "127.0.0.1:9",  # discard port: nothing answers
    "GDAL_HTTP_CONNECTTIMEOUT": "1", "GDAL_HTTP_TIMEOUT": "1", "GDAL_HTTP_MAX_RETRY": "0",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".offline-no-such-extension", "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_CURL_ENABLE_VSIMEM": "NO", "GDAL_HTTP_NETRC": "NO",
}
"""GDAL configuration applied on importing :mod:`geo.io` (:mod:`geo.io.offline`): the app reads local files
only. Besides these, :mod:`geo.io.offline` installs a fetch callback that answers every ``CPLHTTPFetch``
(OSR URL import, GeoJSON ``link`` CRS) with an error, so no request leaves the process."""
IMPORT_TIMEOUT_S = 60.0
"""Reading one upload (in a worker process) may take this long; then the worker is killed and the file
refused. ``SCIMAP_IMPORT_TIMEOUT`` overrides it (:func:`import_timeout_s`)."""
IMPORT_MEMORY_MB = 2048
"""The address space of the worker process that reads an upload (``RLIMIT_AS``)."""
IMPORT_MAX_LAYERS = 20
"""An upload with more layers than this is refused."""
IMPORT_MAX_VERTICES = 1_000_000
"""An upload with more vertices than this in all is refused, counted while reading (the per-feature cap
is :data:`MAX_FEATURE_VERTICES`)."""
IMPORT_MAX_JSON_DEPTH = 64
"""A JSON upload nested deeper than this is refused before it is parsed."""
IMPORT_MAX_MEMBERS = 200
"""An uploaded archive with more members than this is refused."""
MAX_FEATURE_VERTICES = 20000
"""A stored feature has at most this many vertices (the shipped data's largest has about 200): the one
storable rule (:mod:`geo.core.storable`) makes the store refuse more and the loader report it, and the
importer caps reading at it, so one enormous boundary cannot make loading slow and every map page huge."""
STORE_LOCK_WAIT_S = 10.0
"""A change (save, undo) waits this long for the store's lock while another change is written; then it is
refused with a message (nothing changed, try again), so a stuck or stopped writer never hangs the app."""
STORE_RECOVER_WAIT_S = 1.0
"""Recovery when the data is loaded waits this long for the lock; while another process holds it, that
process is writing a change (it finishes it, or, killed, releases the lock), so there is nothing to recover."""

# ------------------------------------------------------------------ validation tolerances
AREA_DRIFT_REL = 0.005
"""A schematic parcel must match the plan's 亩 within 0.5 %."""
AREA_PROP_REL = 0.001
"""A stored ``area_mu`` must match its own geometry within 0.1 %."""
SURVEYED_DRIFT_WARN_REL = 0.2
"""A surveyed or digitised boundary more than 20 % off the plan's 亩 is reported (a warning)."""
CONTACT_KEYS = ("org", "person", "phone", "email", "address")
"""The lines of the promoter's contact block on fact sheets, in print order."""
SNAPSHOT_GEOM_TOL_DEG = 1e-6
"""Below this (~0.1 m) a geometry counts as unchanged between two snapshots."""
SNAPSHOT_METADATA_MAX_BYTES = 1024 * 1024
"""A snapshot's sidecar ``*.metadata.json`` larger than this is listed as a problem, not read."""
SNAPSHOT_MAX_BYTES = 1024 * 1024 * 1024
"""A snapshot file larger than this is not read back (comparison, download)."""
SNAPSHOT_ZIP_MAX_MEMBERS = 200
"""A zipped snapshot (or an Excel file) with more members than this is not read back."""
SNAPSHOT_ZIP_MAX_MEMBER_BYTES = 512 * 1024 * 1024
"""A member of a zipped snapshot that unpacks to more than this is refused (counted while unpacking)."""
SNAPSHOT_ZIP_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
"""A zipped snapshot whose members unpack to more than this in all is refused (zip bombs)."""
FILE_NAME_MAX_BYTES = 255
"""The longest file name (UTF-8 bytes) most file systems take: exported names are cut to fit."""
FILE_SUFFIX_RESERVE_BYTES = 40
"""Bytes of a snapshot's file name kept for its format's suffix and ``.metadata.json``."""
AUDIT_FILE_NAME = "audit.jsonl"
"""The audit trail's file name in the data folder (unless ``SCIMAP_AUDIT_FILE`` names another file)."""
ROLES = ("viewer", "planner", "promoter", "editor", "admin")
"""The roles a signed-in user may have; ``admin`` holds every other role too."""
SNAPSHOT_LIST_MAX = 500
"""Sidecars read to list the snapshot history (the most recently written first); more are one problem, not read."""

# ------------------------------------------------------------------ map and scale thresholds
DEFAULT_CENTER = (29.55, 106.36)
"""(lat, lon) the map opens at: between 西永 and 金凤."""
DEFAULT_ZOOM = 11
DETAIL_MAX = 3000
"""Above this many parcels in view the map shows density cells instead of parcels."""
VIEW_PAD = 0.25
"""At district scale the parcels of the view and a quarter of it on each side are sent."""
TABLE_PAGE = 2000
"""Rows per page of the project table (a district-scale selection is paged, not sent whole)."""

# ------------------------------------------------------------------ the build (data/src → layers, parcels)
COMMON_LAYER = "towns"
"""The layer of the places every plan shares (``data/src/places_common.csv``): towns, University
Town, the bonded zone. It stays on the map as context whichever plans a filter keeps."""
NOMINAL_RADIUS_M = (
    ("town", 3000), ("subdistrict", 2500), ("university", 2500), ("centre", 2500), ("center", 2500),
    ("belt", 2500), ("cluster", 1500), ("circle", 2500), ("core", 1500), ("axis", 1500),
    ("area", 1200), ("zone", 1200), ("park", 800), ("base", 600), ("campus", 600),
    ("street", 300), ("block", 300), ("building", 120),
)
"""Approximate extent (m) drawn around a place the plan gives no area for, by the first keyword
found in its ``role_en`` (a ``radius_m`` cell in the places table wins)."""
NOMINAL_RADIUS_FALLBACK_M = 800.0
"""The extent (m) of a place whose role matches no keyword of :data:`NOMINAL_RADIUS_M`."""
PLACEMENT_GAP_M = 40.0
"""Schematic parcel squares keep at least this gap (m) to every other parcel."""
PLACEMENT_STEP_M = 40.0
"""Spacing (m) of the spiral of candidate centres a schematic square is tried at."""

# ------------------------------------------------------------------ promotion
NEARBY_M = 3000.0
"""Fact sheets list plan projects within this distance of the parcel."""
LOCATION_FAR_M = 5000.0
"""A parcel this far from the firm's preferred area scores 0 on location."""
PRESELECT = 2000
"""At district scale, full matching (distances, reasons) runs on the best candidates only."""
MATCH_WEIGHTS = {"sector": 0.40, "area": 0.25, "location": 0.15, "wishes": 0.20}
"""Weights of the matching score's components (a component the firm leaves open is left out)."""
METRO_NEAR_M, METRO_FAR_M = 800.0, 5000.0
"""The "near a metro station" wish scores 1 within the first distance, 0 beyond the second."""
UNIV_NEAR_M, UNIV_FAR_M = 1500.0, 8000.0
"""The "near a university" wish scores 1 within the first distance, 0 beyond the second."""
BONDED_ZONES = ("xiyong_bonded_zone", "hts_xiyong_bonded_b")
"""Zones that answer the "inside the bonded zone" wish (西永综合保税区 and its section B)."""


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Deployment settings, read from the environment by :func:`settings`.

    Attributes
    ----------
    data_dir, layers_dir, reference_dir, snapshot_dir : Path
        Folders of the file store, the reference gazetteer and the exported snapshots.
    contact_file : Path
        JSON with the promoter's contact block.
    chromium : Path
        Headless Chromium for printing PDFs.
    tianditu_key : str
        Tianditu developer key from the environment ("" when unset).
    synthetic_parcels : int
        Synthetic cadastral parcels to add to the shipped data (0: none).
    timing : bool
        Print per-section timings of each app run.
    database_url : str
        ``SCIMAP_DATABASE_URL`` ("" when unset: the file store); left out of the repr, since it may hold a
        password (:func:`redact_url` shows it without).
    audit_file : Path or None
        The audit trail (None: :data:`AUDIT_FILE_NAME` in ``data_dir``).
    local_editing : bool
        Editing by one unverified local user when no sign-in is configured.
    roles_file : Path
        JSON of users → roles.
    roles_claim : str
        The claim of the identity token that lists the user's roles.
    tiles_dir : Path
        Vector tile sets of the parcel layer.
    """

    data_dir: Path
    layers_dir: Path
    reference_dir: Path
    snapshot_dir: Path
    contact_file: Path
    chromium: Path
    tianditu_key: str = ""
    synthetic_parcels: int = 0
    timing: bool = False
    database_url: str = field(default="", repr=False)
    audit_file: Path | None = None
    local_editing: bool = False
    roles_file: Path = ROOT / "config" / "roles.json"
    roles_claim: str = "roles"
    tiles_dir: Path = ROOT / "tiles"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build the settings from an environment mapping.

        Parameters
        ----------
        env : Mapping[str, str]
            Usually ``os.environ``.

        Returns
        -------
        Settings

        Raises
        ------
        ConfigError
            When a variable holds an unusable value (the message names the variable).
        """
        def path(name: str, default: Path) -> Path:
            v = env.get(name, "").strip()
            return Path(v) if v else default

        raw = env.get("SCIMAP_SYNTHETIC", "").strip()
        try:
            synthetic = int(raw) if raw else 0
        except ValueError:
            raise ConfigError(f"SCIMAP_SYNTHETIC={raw!r} is not a whole number of parcels") from None
        if not 0 <= synthetic <= 2_000_000:
            raise ConfigError(f"SCIMAP_SYNTHETIC={synthetic} is outside 0…2,000,000")
        return cls(
            data_dir=path("SCIMAP_DATA_DIR", ROOT / "data"),
            layers_dir=path("SCIMAP_LAYERS_DIR", ROOT / "layers"),
            reference_dir=path("SCIMAP_REFERENCE_DIR", ROOT / "data" / "reference"),
            snapshot_dir=path("SCIMAP_SNAPSHOT_DIR", ROOT / "snapshots"),
            contact_file=path("SCIMAP_CONTACT_FILE", ROOT / "config" / "contact.json"),
            chromium=path("SCIMAP_CHROMIUM", Path("/usr/bin/chromium")),
            tianditu_key=env.get("TIANDITU_KEY", "").strip(),
            synthetic_parcels=synthetic,
            timing=bool(env.get("SCIMAP_TIMING", "").strip()),
            database_url=database_url(env),
            audit_file=path("SCIMAP_AUDIT_FILE", None),
            local_editing=_switch(env, "SCIMAP_LOCAL_EDITING"),
            roles_file=path("SCIMAP_ROLES_FILE", ROOT / "config" / "roles.json"),
            roles_claim=env.get("SCIMAP_ROLES_CLAIM", "").strip() or "roles",
            tiles_dir=path("SCIMAP_TILES_DIR", ROOT / "tiles"),
        )


def _switch(env: Mapping[str, str], name: str) -> bool:
    """A yes/no variable: ``1``/``true``/``yes``/``on`` is on, empty or ``0``/``false``/``no``/``off`` off."""
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={raw!r} is not 1 or 0")


_URL_PASSWORD = re.compile(r"(://[^/@:?#]*:)[^@]*@")
_QUERY_PASSWORD = re.compile(r"(?i)(\bpassword=)[^&]*")


def redact_url(url: str) -> str:
    """A database URL as it may be shown: its password (in the user part or the query) replaced by ``***``.

    Parameters
    ----------
    url : str

    Returns
    -------
    str
    """
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", url))


def database_url(env: Mapping[str, str]) -> str:
    """``SCIMAP_DATABASE_URL`` checked: "" when unset, else a ``postgresql://`` URL that names a database.

    Parameters
    ----------
    env : Mapping[str, str]

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        When it is not a PostgreSQL URL (the message shows it without its password).
    """
    raw = env.get("SCIMAP_DATABASE_URL", "").strip()
    if not raw:
        return ""
    shown = redact_url(raw)
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 — a port that is not a number raises here
    except ValueError as e:
        raise ConfigError(f"SCIMAP_DATABASE_URL={shown} is not a database URL ({redact_url(str(e))})") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"SCIMAP_DATABASE_URL={shown} is not a PostgreSQL URL: it must start with postgresql://")
    if not parts.path.strip("/"):
        raise ConfigError(f"SCIMAP_DATABASE_URL={shown} names no database: postgresql://user@host:5432/dbname")
    return raw


SECRET_SETTINGS = {"database_url": "SCIMAP_DATABASE_URL"}
"""Streamlit secrets (``.streamlit/secrets.toml``) that stand for an environment variable; a non-empty
environment variable wins."""
_SECRETS: dict[str, str] = {}


def use_secrets(secrets: Mapping[str, object]) -> None:
    """Take the settings of :data:`SECRET_SETTINGS` from Streamlit secrets (the app passes ``st.secrets`` on each
    run; an empty mapping forgets them).

    Parameters
    ----------
    secrets : Mapping[str, object]
    """
    global _SECRETS
    _SECRETS = {env: str(secrets[key]) for key, env in SECRET_SETTINGS.items()
                if isinstance(secrets.get(key), str) and secrets[key].strip()}


def settings() -> Settings:
    """The current settings, read from ``os.environ`` now (and the secrets of :func:`use_secrets`).

    Returns
    -------
    Settings
    """
    if not _SECRETS:
        return Settings.from_env(os.environ)
    env = dict(os.environ)
    env.update({k: v for k, v in _SECRETS.items() if not env.get(k, "").strip()})
    return Settings.from_env(env)


def import_timeout_s() -> float:
    """How long reading one upload may take: ``SCIMAP_IMPORT_TIMEOUT`` seconds, else :data:`IMPORT_TIMEOUT_S`.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        When the variable is not a number of seconds above 0.
    """
    raw = os.environ.get("SCIMAP_IMPORT_TIMEOUT", "").strip()
    try:
        s = float(raw) if raw else IMPORT_TIMEOUT_S
    except ValueError:
        raise ConfigError(f"SCIMAP_IMPORT_TIMEOUT={raw!r} is not a number of seconds") from None
    if not 0 < s < 3600:
        raise ConfigError(f"SCIMAP_IMPORT_TIMEOUT={raw!r} is outside 0…3600 s")
    return s


def worker_env() -> dict[str, str]:
    """The environment of a worker process that reads an upload: this one without proxy variables.

    GDAL's own proxy option (:mod:`geo.io.offline`) sends any request to an address that does not
    answer; removing ``no_proxy`` (and the other proxy variables) leaves no host exempt from it.

    Returns
    -------
    dict of str to str
    """
    proxies = {"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy"}
    env = {k: v for k, v in os.environ.items() if k.lower() not in proxies}
    env.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    return env
