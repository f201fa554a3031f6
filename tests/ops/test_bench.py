"""The benchmark (bench/run.py) in its seconds-long version, so that it never rots: every part
runs against served apps on this suite's engine, and the deadline rush loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_benchmark_runs_and_the_rush_loses_nothing(app, tmp_path):
    engine = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    env = {**os.environ}
    if engine == "postgresql":  # the bench empties the database it is given: this test's own
        from app.models import db

        env["BENCH_DATABASE_URL"] = db.engine.url.render_as_string(hide_password=False)
        env.pop("TEST_DATABASE_URL")
        db.session.remove()
        db.engine.dispose()
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--engine", engine]
        + ["--results", str(tmp_path / "results.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "100 officials; rows: " in out  # one country built, its rows counted
    assert "| 30 |" in out and "| 100 |" in out  # a province's HR and the national one
    assert "/ – |" not in out  # every page of both sizes measured, memory included
    for page in ("bare Flask-Login page", "lesson page", "official's home", "quiz page"):
        assert f"| {page} |" in out
    assert "| HR dashboard |" in out
    assert "errors 0, lost 0, duplicated 0, answers missing 0" in out
    assert " 0 attempts started" not in out  # the rush did something
    targets = subprocess.run(
        [sys.executable, "bench/targets.py", str(tmp_path / "results.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert targets.returncode == 0, targets.stderr
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine]
    rush_row = f"| deadline rush: 0 errors, 0 lost or duplicated | {name}: 0 errors, 0 lost, 0 dup"
    assert rush_row in targets.stdout  # the final table reads the results file
    assert "| CSV of 250,000 in < 10 s" in targets.stdout  # every target has its row
