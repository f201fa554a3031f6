"""The operations tests run on a database file when on SQLite, as deployed: backups copy it,
locks sit next to it, and other processes open it."""

from __future__ import annotations

import os

import pytest

from config import TestingConfig
from tests.conftest import fresh_app


@pytest.fixture
def app(content_dirs, tmp_path):
    class OnFile(TestingConfig):
        if not os.environ.get("TEST_DATABASE_URL"):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'app.db'}"

    yield from fresh_app(content_dirs, OnFile)
