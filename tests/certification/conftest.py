"""Fixtures shared with the analytics tests: stores on SQLite and a throwaway PostgreSQL."""

from tests.analytics.conftest import make_store, postgres_database, postgres_server  # noqa: F401
