"""Fixtures of the store tests: the throwaway PostGIS cluster (tests/postgis_cluster.py) for tests marked ``postgis``."""

from tests.postgis_cluster import postgis_cluster, postgis_url  # noqa: F401 — fixtures
