from __future__ import annotations

import pytest

from config import engine_options

pytestmark = pytest.mark.unit

PG = "postgresql+psycopg://app@db.internal/boiduong"


def test_pool_sizes_come_from_the_environment_on_postgresql():
    environ = {"DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "0", "DB_POOL_RECYCLE": "1800"}
    assert engine_options(PG, environ) == {
        "pool_pre_ping": True,
        "pool_size": 2,
        "max_overflow": 0,
        "pool_recycle": 1800,
    }


def test_unset_pool_sizes_keep_sqlalchemy_defaults():
    assert engine_options(PG, {}) == {"pool_pre_ping": True}


def test_sqlite_gets_no_pool_sizes():
    """An in-memory SQLite engine has a single connection: a pool size would be refused."""
    environ = {"DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "0"}
    assert engine_options("sqlite://", environ) == {"pool_pre_ping": True}


def test_a_pool_size_that_is_no_number_stops_the_start():
    with pytest.raises(ValueError):
        engine_options(PG, {"DB_POOL_SIZE": "two"})
