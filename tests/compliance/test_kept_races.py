"""Kept statuses under real parallel requests: officials of one commune marking lessons at the
same moment (the same unit counts), one official marking several courses at once (the same
status row). Whatever the order the requests commit in, the kept rows and counts are what a
full recomputation gives, on SQLite (a file) and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, true

from app.compliance import kept, queries, services
from app.models import Course, Lesson, db
from tests import factories
from tests.compliance.scenario import TODAY, build
from tests.conftest import fresh_app
from tests.served import Browser, at_once, on_file, served


@pytest.fixture
def app(content_dirs, tmp_path):
    yield from fresh_app(content_dirs, on_file(tmp_path))


@pytest.mark.slow  # a served app and threads
def test_parallel_lesson_marks_keep_statuses_and_counts_exact(app, content_dirs, clock):
    from tests.compliance.scenario import at

    clock.freeze(at(TODAY.replace(day=1)))
    build(content_dirs)
    db.session.commit()
    lessons = {
        slug: lesson_slug
        for slug, lesson_slug in db.session.execute(
            select(Course.slug, Lesson.slug).join(Lesson, Lesson.course_id == Course.id)
        )
    }
    names = ["dung", "ha", "lan", "nam", "giang"]  # X, Y and Z: several per commune
    db.session.remove()
    with served(app) as base:
        browsers = {}
        for name in names:
            browsers[name] = Browser(base)
            status = browsers[name].post(
                "/auth/login", {"username": name, "password": factories.PASSWORD}
            )
            assert status == 302
        calls = [
            lambda b=browsers[name], slug=slug: b.post(f"/courses/{slug}/{lessons[slug]}/complete")
            for name in names
            for slug in ("khoa-b", "khoa-c", "khoa-d")
        ]
        codes = at_once(calls)
    assert set(codes) == {302}, codes
    standard = queries.standard_for(2026)
    for today in (TODAY.replace(day=1), TODAY):
        live = list(services.statuses(standard, true(), today=today))
        found = {
            r.user_id: (str(r.status), r.result.hours)
            for r in kept.read(standard, true(), today=today)
        }
        assert found == {r.user_id: (str(r.status), r.result.hours) for r in live}
        counted = Counter()
        for path, status, n in kept.counts(standard, today=today, visible=None):
            counted[(path, status)] += n
        assert counted == Counter((r.unit_path, str(r.status)) for r in live)
    hours = {r.username: r.result.hours for r in kept.read(standard, true(), today=TODAY)}
    assert hours["dung"] == 3 + 2 + 5  # B, C and D, each counted once
