"""Fixtures of the CLI tests: the throwaway PostGIS cluster (tests/postgis_cluster.py) for ``python -m geo db``."""

from tests.postgis_cluster import postgis_cluster, postgis_url  # noqa: F401 — fixtures
