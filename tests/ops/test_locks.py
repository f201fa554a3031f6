"""The scheduled jobs started on two application servers at once: one runs, the other says
so and exits 0; once the first has finished, the job runs again."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.compliance.notify import ReminderReport
from app.models import db
from app.ops import locks

JOBS = {
    "quiz close-overdue": ("app.quiz.services.finalize_overdue", 0, "Closed 0 attempt(s)."),
    "notify reminders": ("app.compliance.notify.send_reminders", ReminderReport(), "Reminders:"),
}


@pytest.mark.parametrize("job", JOBS)
def test_two_at_once_one_runs_the_other_exits_zero(app, runner, monkeypatch, job):
    target, result_value, done = JOBS[job]
    started, finish = threading.Event(), threading.Event()
    calls = []

    def slow_job(**_kwargs):
        calls.append(threading.current_thread().name)
        started.set()
        assert finish.wait(20)
        return result_value

    monkeypatch.setattr(target, slow_job)
    first = {}
    thread = threading.Thread(
        target=lambda: first.update(result=runner.invoke(args=job.split())), name="first"
    )
    thread.start()
    try:
        assert started.wait(20)
        second = runner.invoke(args=job.split())
    finally:
        finish.set()
        thread.join(20)
    assert second.exit_code == 0, second.output
    assert "already running elsewhere: nothing done" in second.output
    assert first["result"].exit_code == 0, first["result"].output
    assert done in first["result"].output
    assert calls == ["first"]  # the second never started the work

    third = runner.invoke(args=job.split())  # the lock was released
    assert third.exit_code == 0 and done in third.output
    assert len(calls) == 2


def test_the_lock_holds_across_processes(app, tmp_path):
    """Another process (another application server's cron) sees the lock this one holds."""
    url = db.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "APP_ENV": "testing", "TEST_DATABASE_URL": url}
    command = [sys.executable, "-m", "flask", "--app", "run.py", "quiz", "close-overdue"]
    cwd = Path(__file__).resolve().parents[2]
    with locks.job_lock("quiz close-overdue") as acquired:
        assert acquired
        held = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    assert held.returncode == 0, held.stderr
    assert "already running elsewhere" in held.stdout
    free = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    assert free.returncode == 0, free.stderr
    assert "Closed 0 attempt(s)." in free.stdout


def test_different_jobs_do_not_block_each_other(app):
    with locks.job_lock("quiz close-overdue") as first:
        with locks.job_lock("notify reminders") as second:
            assert first and second
        with locks.job_lock("quiz close-overdue") as again:
            assert not again
