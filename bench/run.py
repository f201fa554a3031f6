"""The benchmark of issue 11, on one engine: ``bench/run.sh`` runs it on SQLite, then on a
throw-away PostgreSQL (see bench/README.md).

    .venv/bin/python bench/run.py --engine sqlite [--sizes 1000,10000] [--quick]

One country is built per run (``bench/country.py``: 34 provinces, one of them per head count
but the largest, which is the whole country), then three parts, each printed as a table:

1. **Sizes**: for each head count, as the HR account that sees that many officials, in
   process (Flask's test client), each page in a fresh process (``bench/measure.py``): the
   dashboard (median of runs), the CSV and XLSX exports, SQL statements per request, and the
   resident memory of the process (start of the request, peak).
2. **HTTP**: the app and the bare Flask-Login page of ``bench/reference.py``, each served by
   gunicorn with 2 sync workers on loopback, loaded by ``wrk`` (8 connections; a Python
   load generator with threads when wrk is missing), in alternating rounds; each page's
   throughput and p99 latency as a ratio of the bare page's.
3. **Deadline rush**: 50 officials at once (threads, one connection each) for 60 s against the
   app served by gunicorn (2 x CPUs + 1 workers, as ``make serve``): open the quiz, start an
   attempt, open it, save the answers twice, submit, again; then the database is checked:
   every attempt a client started is there once, every submitted attempt is submitted with
   every answer saved. Errors, lost and duplicated rows, p50/p95 latency.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, update  # noqa: E402

from app import create_app  # noqa: E402
from app.models import (  # noqa: E402
    AttemptQuestion,
    AttemptState,
    Course,
    Lesson,
    Quiz,
    QuizAttempt,
    User,
    db,
    utcnow,
)
from bench.country import PASSWORD, build_country, describe, plain_officials  # noqa: E402
from config import TestingConfig, database_url  # noqa: E402

SECRET_KEY = "bench-only-secret-key-0123456789"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def bench_config(url: str) -> type:
    return type(
        "BenchConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url(url), "SQLALCHEMY_ENGINE_OPTIONS": {}},
    )


def fresh_country(url: str, sizes: list[int]):
    """An app on an empty schema with the country of ``sizes`` built in: (app, Country)."""
    app = create_app(bench_config(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        country = build_country(sizes)
        db.session.remove()
        db.engine.dispose()
    return app, country


def drop_country(app) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


# --- 1. sizes --------------------------------------------------------------------------------


def measure_page(url: str, username: str, path: str, runs: int, timeout: float, args) -> dict:
    """``bench/measure.py`` in a fresh process (its peak memory is this page's); a page still
    running after ``timeout`` seconds is stopped and reported as such."""
    try:
        output = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "measure.py"), url, username, path]
            + [str(runs), str(min(args.budget, timeout / 2))],  # all runs done before it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        return {"timeout": timeout}
    if output.returncode != 0:
        raise RuntimeError(f"{username} {path}:\n{output.stdout}{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure_sizes(url: str, country, sizes: list[int], args) -> list[dict]:
    rows = []
    for size in sorted(set(sizes)):
        username = country.accounts[size]
        row = {"officials": size, "account": username}
        dashboard, csv, xlsx = args.timeouts
        row["dashboard"] = measure_page(url, username, "/hr/", args.runs, dashboard, args)
        row["csv"] = measure_page(url, username, "/hr/export.csv", args.csv_runs, csv, args)
        if size <= args.xlsx_limit:
            row["xlsx"] = measure_page(url, username, "/hr/export.xlsx", 1, xlsx, args)
        rows.append(row)
        print_size_row(row)
    return rows


def print_size_header(engine: str, args) -> None:
    print(
        f"\n## Sizes ({engine}): one HR account's view, in process (Flask's test client), each "
        f"page in a fresh process; ms (median of up to {args.runs} dashboard, {args.csv_runs} CSV, "
        f"1 XLSX runs, fewer once {args.budget:g} s are spent, stopped after "
        f"{'/'.join(f'{t:g}' for t in args.timeouts)} s), SQL statements per request, "
        "resident memory of the process: at the start of the request → its peak (MB)\n"
    )
    print(
        "| officials | dashboard | CSV export | XLSX export | memory MB (dashboard / CSV / XLSX) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: |")


def print_size_row(row: dict) -> None:
    def cell(key):
        if key not in row:
            return "–"
        r = row[key]
        if "timeout" in r:
            return f"> {r['timeout']:,.0f} s (stopped)"
        return f"{r['ms']:,.0f} ms ({len(r['runs'])}×), {r['statements']} q"

    def mb(key):
        if key not in row or "timeout" in row[key]:
            return "–"
        return f"{row[key]['rss_before']:,.0f} → {row[key]['peak_rss']:,.0f}"

    print(
        f"| {row['officials']:,} | {cell('dashboard')} | {cell('csv')} | {cell('xlsx')} | "
        f"{mb('dashboard')} / {mb('csv')} / {mb('xlsx')} |",
        flush=True,
    )


# --- serving -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on loopback, stopped (its process only) when the block ends."""

    def __init__(self, target: str, url: str, workers: int, workdir: Path):
        self.port = free_port()
        env = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "SESSION_COOKIE_SECURE": "0",
            "DATABASE_URL": url,
            "INSTANCE_DIR": str(workdir),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        self.log = (workdir / f"gunicorn-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [GUNICORN, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), target],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> Server:
        """Returns once quick answers show that every worker has booted (the socket is open
        before the workers are)."""
        deadline = time.monotonic() + 120
        quick = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log.name}")
            try:
                reply = Browser(self.port).request("GET", "/")
            except (OSError, HTTPException):
                time.sleep(0.2)
                continue
            quick = quick + 1 if reply.seconds < 0.2 else 0
            if quick >= 10:
                return self
        raise RuntimeError("gunicorn did not start in 120 s")

    def workers_cpu(self) -> tuple[int, bool]:
        """CPU ticks used so far by this server's worker processes (children of the master),
        and whether one of them is running or waiting for a CPU (state R)."""
        total, running = 0, False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid; utime and stime follow
                total += int(fields[11]) + int(fields[12])
                running = running or fields[0] == "R"
        return total, running

    def settle(self, engine_busy, limit: float = 120) -> float:
        """Wait until the requests a load generator left in flight are done (twice in a row, 0.3 s
        apart: no worker running or waiting for a CPU, no CPU used since the last look, and
        ``engine_busy()`` false), so that a slow page's backlog does not eat into the next page's
        round; returns the seconds waited."""
        started = time.monotonic()
        last, _running = self.workers_cpu()
        quiet = 0
        while time.monotonic() - started < limit and quiet < 2:
            time.sleep(0.3)
            now, running = self.workers_cpu()
            quiet = quiet + 1 if now == last and not running and not engine_busy() else 0
            last = now
        return time.monotonic() - started

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


@dataclass
class Reply:
    status: int
    location: str
    body: str
    seconds: float


class Browser:
    """One keep-alive connection and its cookies; redirects are not followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, form=None, accept: str = "text/html") -> Reply:
        headers = {"Accept": accept}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, HTTPException):
            self.connection.close()
            self.connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        seconds = time.perf_counter() - started
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _sep, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return Reply(
            response.status,
            response.headers.get("Location", ""),
            data.decode("utf-8", "replace"),
            seconds,
        )

    def login(self, username: str) -> None:
        token = csrf_token(self.request("GET", "/auth/login").body)
        reply = self.request(
            "POST", "/auth/login", {"username": username, "password": PASSWORD, "csrf_token": token}
        )
        if reply.status != 302 or "/auth/login" in reply.location:
            raise RuntimeError(f"cannot sign in as {username}: {reply.status}")


_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')


def csrf_token(page: str) -> str:
    tag = _TOKEN.search(page)
    if tag is None:
        raise RuntimeError("no CSRF token on the page")
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


# --- 2. HTTP throughput ----------------------------------------------------------------------


def wrk_round(url: str, cookie: str, seconds: float, connections: int) -> tuple[float, float]:
    """(requests per second, p99 ms) of one wrk run; any non-2xx answer is an error."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        + ["--timeout", "60s"]  # wrk's default (2 s) would drop a slow page's answers
        + ["-H", f"Cookie: session={cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered errors or redirects:\n{output}")
    if "Socket errors" in output:
        print(
            f"warning: {url}: {output.split('Socket errors:')[1].splitlines()[0]}", file=sys.stderr
        )
    if "Requests/sec" not in output or " 0 requests in" in output:
        return 0.0, float("inf")  # not one answer in the round: a p99 beyond the round
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output).groups()
    return rps, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def python_round(url: str, cookie: str, seconds: float, connections: int) -> tuple[float, float]:
    """The same as :func:`wrk_round` with threads (slower: it shares the 2 cores too)."""
    port = int(url.split(":")[2].split("/")[0])
    path = "/" + url.split("/", 3)[3]
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    errors = []

    def load():
        browser = Browser(port)
        browser.cookies["session"] = cookie
        while time.monotonic() < stop:
            reply = browser.request("GET", path)
            if reply.status != 200:
                errors.append(reply.status)
            latencies.append(reply.seconds * 1000)

    threads = [threading.Thread(target=load) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{url} answered {errors[:5]}")
    latencies.sort()
    return len(latencies) / (time.monotonic() - started), latencies[int(len(latencies) * 0.99)]


def measure_http(app, url: str, country, workdir: Path, args) -> dict:
    """The pages of an official and of the HR account whose view is closest to --http-size
    officials (a province of the country), in alternating rounds."""
    size, hr_username = country.account_near(args.http_size)
    username = plain_officials(country, size, 1)[0]
    rounds, seconds = args.rounds, args.round_seconds
    with app.app_context():
        course = db.session.scalars(select(Course).order_by(Course.id)).first()
        lesson = db.session.scalars(
            select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
        ).first()
        quiz = db.session.scalars(select(Quiz).order_by(Quiz.id)).first()
        db.session.remove()
        db.engine.dispose()
    load = wrk_round if shutil.which("wrk") else python_round
    with (
        Server("run:app", url, 2, workdir) as site,
        Server("bench.reference:app", url, 2, workdir) as bare,
    ):
        official, hr = Browser(site.port), Browser(site.port)
        official.login(username)
        hr.login(hr_username)
        pages = {
            "bare Flask-Login page": (bare.port, "/", official),
            "lesson page": (site.port, f"/courses/{course.slug}/{lesson.slug}", official),
            "official's home": (site.port, "/", official),
            "quiz page": (site.port, f"/quiz/{quiz.slug}", official),
            "HR dashboard": (site.port, "/hr/", hr),
        }
        alone: dict[str, float] = {}  # ms, one request at a time (median of the last 4)
        for name, (port, path, who) in pages.items():  # each page answers 200 (and warms up)
            probe = Browser(port)
            probe.cookies = dict(who.cookies)
            latencies = []
            for _ in range(5):
                reply = probe.request("GET", path)
                if reply.status != 200:
                    raise RuntimeError(f"{name} {path} answered {reply.status}")
                latencies.append(reply.seconds * 1000)
            alone[name] = statistics.median(latencies[1:])
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
        busy = engine_busy(url)
        settled = 0.0
        loaded = {  # a page slower than this alone cannot approach the bare page's throughput
            name: page for name, page in pages.items() if alone[name] <= args.slow_page * 1000
        }
        for _round in range(rounds):
            for name, (port, path, who) in loaded.items():
                url_ = f"http://127.0.0.1:{port}{path}"
                results[name].append(load(url_, who.cookies["session"], seconds, 8))
                settled += (site if port == site.port else bare).settle(busy)
    return {
        "tool": load.__name__,
        "size": size,
        "results": results,
        "alone": alone,
        "settled_s": settled,
        "slow_page": args.slow_page,
    }


def engine_busy(url: str):
    """A function telling whether the database is still running queries of other sessions
    (PostgreSQL's pg_stat_activity; SQLite runs inside the workers, whose CPU is watched)."""
    if not url.startswith("postgres"):
        return lambda: False
    import psycopg  # noqa: PLC0415

    conninfo = database_url(url).replace("postgresql+psycopg://", "postgresql://")
    connection = psycopg.connect(conninfo, autocommit=True)

    def busy() -> bool:
        return bool(
            connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                " AND pid <> pg_backend_pid() AND datname = current_database()"
            ).fetchone()[0]
        )

    return busy


def print_http(engine: str, http: dict, rounds: int, seconds: float) -> None:
    tool = "wrk" if http["tool"] == "wrk_round" else "Python threads"
    print(
        f"\n## HTTP ({engine}, {http['size']:,} officials): gunicorn 2 sync workers, {tool}, "
        f"8 connections, {rounds} alternating rounds of {seconds:g} s (medians)\n"
    )
    print("| page | requests/s | × bare | p99 ms | p99 × bare | one at a time ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    results = {name: rounds_ for name, rounds_ in http["results"].items() if rounds_}
    bare = results["bare Flask-Login page"]
    bare_rps = statistics.median(r for r, _ in bare) or float("nan")
    bare_p99 = statistics.median(p for _, p in bare)
    for name, rounds_ in results.items():
        rps = statistics.median(r for r, _ in rounds_)
        p99 = statistics.median(p for _, p in rounds_)
        alone = http.get("alone", {}).get(name, float("nan"))
        print(
            f"| {name} | {rps:,.0f} | {rps / bare_rps:.2f} | {p99:,.1f} | {p99 / bare_p99:.1f} | "
            f"{alone:,.0f} |"
        )
    for name in http["results"]:
        if name not in results:
            alone = http["alone"][name]
            print(f"| {name} | not loaded | | | | {alone:,.0f} |")
    print(
        "\n(0 requests/s and a p99 of inf: not one answer within a round's "
        f"{seconds:g} s; the last column is the page's time alone, median of 4 requests; "
        f"{http.get('settled_s', 0):.0f} s spent waiting for the servers to finish the requests "
        f"left in flight after the rounds; not loaded: slower than {http['slow_page']:g} s alone)"
    )


# --- 3. deadline rush ----------------------------------------------------------------------


class AttemptForm(html.parser.HTMLParser):
    """The fields of the attempt form, answered: the first choice of every question, "1" in
    text fields, the first option of every list."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._select: str | None = None
        self._chosen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "attempt-form":
            self._inside = True
        if not self._inside or not a.get("name"):
            if tag == "option" and self._select and a.get("value"):
                self.fields.append((self._select, a["value"]))
                self._select = None
            return
        name = a["name"]
        if tag == "input" and a.get("type") == "hidden":
            self.fields.append((name, a.get("value", "")))
        elif tag == "input" and a.get("type") in ("radio", "checkbox"):
            if name not in self._chosen:
                self._chosen.add(name)
                self.fields.append((name, a.get("value", "")))
        elif tag == "input" and a.get("type", "text") == "text":
            self.fields.append((name, "1"))
        elif tag == "textarea":
            self.fields.append((name, "Bài làm đo kiểm."))
        elif tag == "select":
            self._select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


@dataclass
class RushLog:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: list[int] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)
    saves: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Clock:
    """Every official signs in first; the rush starts for all at once when ``go`` is set."""

    def __init__(self):
        self.signed_in = threading.Semaphore(0)
        self.go = threading.Event()
        self.stop = 0.0


def rush_official(port: int, username: str, slug: str, clock: Clock, log: RushLog) -> None:
    browser = Browser(port)

    def call(method, path, form=None, accept="text/html", expect=(200,)):
        try:
            reply = browser.request(method, path, form, accept)
        except (OSError, HTTPException) as exc:
            with log.lock:
                log.errors.append(f"{method} {path}: {exc!r}")
            return None
        with log.lock:
            log.latencies.append(reply.seconds * 1000)
            if reply.status not in expect:
                log.errors.append(f"{method} {path}: {reply.status} {reply.location}")
                return None
        return reply

    try:
        browser.login(username)
    except (RuntimeError, OSError, HTTPException) as exc:
        log.errors.append(f"login {username}: {exc!r}")
        return
    finally:
        clock.signed_in.release()
    clock.go.wait()
    while time.monotonic() < clock.stop:
        overview = call("GET", f"/quiz/{slug}")
        if overview is None:
            continue
        started = call(
            "POST", f"/quiz/{slug}/start", {"csrf_token": csrf_token(overview.body)}, expect=(302,)
        )
        if started is None:
            continue
        match = re.search(r"/quiz/attempts/(\d+)$", started.location)
        if match is None:
            log.errors.append(f"start {slug}: sent to {started.location}")
            continue
        attempt_id = int(match.group(1))
        with log.lock:
            log.started.append(attempt_id)
        page = call("GET", f"/quiz/attempts/{attempt_id}")
        if page is None:
            continue
        form = AttemptForm()
        form.feed(page.body)
        for _ in range(2):
            saved = call(
                "POST", f"/quiz/attempts/{attempt_id}/save", form.fields, "application/json"
            )
            if saved is not None:
                if json.loads(saved.body) != {"saved": True}:
                    log.errors.append(f"save {attempt_id}: {saved.body[:200]}")
                else:
                    with log.lock:
                        log.saves += 1
        done = call("POST", f"/quiz/attempts/{attempt_id}/submit", form.fields, expect=(302,))
        if done is not None and done.location.endswith(f"/quiz/attempts/{attempt_id}/result"):
            with log.lock:
                log.submitted.append(attempt_id)
        elif done is not None:
            log.errors.append(f"submit {attempt_id}: sent to {done.location}")


def deadline_rush(app, url: str, workdir: Path, usernames: list[str], seconds: float) -> dict:
    with app.app_context():
        db.session.execute(update(Quiz).values(attempts_allowed=0))  # as many as time allows
        db.session.commit()
        slugs = list(db.session.scalars(select(Quiz.slug).order_by(Quiz.id)))
        before = utcnow() - timedelta(seconds=1)
        db.session.remove()
        db.engine.dispose()
    workers = 2 * (os.cpu_count() or 1) + 1
    log = RushLog()
    with Server("run:app", url, workers, workdir) as site:
        clock = Clock()
        threads = [
            threading.Thread(
                target=rush_official,
                args=(site.port, name, slugs[n % len(slugs)], clock, log),
            )
            for n, name in enumerate(usernames)
        ]
        for thread in threads:
            thread.start()
        for _thread in threads:  # every official signed in (or failed to): the rush begins
            clock.signed_in.acquire()
        clock.stop = time.monotonic() + seconds
        clock.go.set()
        for thread in threads:
            thread.join()
    with app.app_context():
        rush_users = select(User.id).where(User.username.in_(usernames))
        attempts = db.session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id.in_(rush_users), QuizAttempt.started_at >= before
            )
        ).all()
        in_db = {a.id: a for a in attempts}
        lost = sorted(set(log.started) - set(in_db))
        unknown = sorted(set(in_db) - set(log.started))  # rows no client started: duplicates
        repeated = len(log.started) - len(set(log.started))
        not_submitted = [i for i in log.submitted if in_db.get(i) and in_db[i].state != "submitted"]
        unanswered = db.session.scalar(
            select(func.count())
            .select_from(AttemptQuestion)
            .where(AttemptQuestion.attempt_id.in_(log.submitted or [0]))
            .where(AttemptQuestion.response.is_(None))
        )
        duplicated_answers = db.session.scalar(
            select(func.count()).select_from(
                select(AttemptQuestion.attempt_id, AttemptQuestion.question_id)
                .where(AttemptQuestion.attempt_id.in_(list(in_db) or [0]))
                .group_by(AttemptQuestion.attempt_id, AttemptQuestion.question_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        answers = db.session.scalar(
            select(func.count())
            .select_from(AttemptQuestion)
            .where(AttemptQuestion.attempt_id.in_(log.submitted or [0]))
        )
        submitted_states = sum(1 for a in attempts if a.state == AttemptState.SUBMITTED)
        db.session.remove()
        db.engine.dispose()
    latencies = sorted(log.latencies) or [0.0]
    return {
        "officials": len(usernames),
        "seconds": seconds,
        "workers": workers,
        "requests": len(log.latencies),
        "errors": log.errors,
        "started": len(log.started),
        "submitted": len(log.submitted),
        "saves": log.saves,
        "answers": answers,
        "in_db": len(in_db),
        "submitted_in_db": submitted_states,
        "lost": len(lost) + len(not_submitted),
        "duplicated": len(unknown) + repeated + duplicated_answers,
        "unanswered": unanswered,
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[int(len(latencies) * 0.95)],
        "max": latencies[-1],
    }


def print_rush(engine: str, rush: dict) -> None:
    print(
        f"\n## Deadline rush ({engine}): {rush['officials']} officials at once for "
        f"{rush['seconds']:g} s, gunicorn {rush['workers']} sync workers\n"
    )
    print(
        f"{rush['requests']:,} requests; {rush['started']} attempts started, "
        f"{rush['submitted']} submitted, {rush['saves']} saves answered; in the database: "
        f"{rush['in_db']} attempts, {rush['submitted_in_db']} submitted, "
        f"{rush['answers']:,} answers of the submitted ones"
    )
    print(
        f"errors {len(rush['errors'])}, lost {rush['lost']}, duplicated {rush['duplicated']}, "
        f"answers missing {rush['unanswered']}; latency p50 {rush['p50']:,.0f} ms, "
        f"p95 {rush['p95']:,.0f} ms, max {rush['max']:,.0f} ms"
    )
    for error in rush["errors"][:10]:
        print(f"  error: {error}")


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--sizes",
        help="head counts, comma-separated (default 1000,10000,100000,250000): the largest is "
        "the country, each other one a province",
    )
    parser.add_argument("--runs", type=int, default=5, help="dashboard runs per size")
    parser.add_argument("--csv-runs", type=int, default=3, help="CSV export runs per size")
    parser.add_argument(
        "--budget", type=float, default=20, help="seconds per page and size: fewer runs after"
    )
    parser.add_argument(
        "--timeouts",
        default="20,30,45",
        help="seconds after which the dashboard, CSV and XLSX runs of one size are stopped "
        "(twice or more the targets: a stopped page has missed its target)",
    )
    parser.add_argument("--xlsx-limit", type=int, default=100_000, help="largest XLSX export")
    parser.add_argument("--http-size", type=int, default=10_000, help="the HR account's view")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--round-seconds", type=float, default=4)
    parser.add_argument(
        "--slow-page",
        type=float,
        default=1.0,
        help="seconds: a page slower than this alone is not loaded (its rounds would only queue)",
    )
    parser.add_argument("--rush-officials", type=int, default=50)
    parser.add_argument("--rush-seconds", type=float, default=60)
    parser.add_argument("--parts", default="sizes,http,rush")
    parser.add_argument("--results", help="also write the results to this JSON file")
    parser.add_argument(
        "--quick", action="store_true", help="seconds-long (CI): tiny sizes, short rounds"
    )
    args = parser.parse_args(argv)
    args.timeouts = [float(t) for t in args.timeouts.split(",")]
    if args.quick:
        args.sizes = args.sizes or "30,100"
        args.runs, args.csv_runs, args.http_size, args.rounds, args.round_seconds = 1, 1, 30, 1, 1
        args.rush_officials, args.rush_seconds = 5, 3
    sizes = sorted({int(s) for s in (args.sizes or "1000,10000,100000,250000").split(",")})
    parts = set(args.parts.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    if args.engine == "postgresql":
        url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if not url or not url.startswith("postgres"):
            raise SystemExit("PostgreSQL: run through bench/run.sh (or set BENCH_DATABASE_URL)")
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    engine = "PostgreSQL" if args.engine == "postgresql" else "SQLite"
    results: dict = {"engine": engine, "load_before": os.getloadavg()}
    started = time.monotonic()
    try:
        app, country = fresh_country(url, sizes)
        results["country"] = {"officials": country.officials, "rows": country.rows}
        results["build_s"] = country.seconds
        print(f"\n## Data ({engine})\n\n{describe(country)}", flush=True)
        if "sizes" in parts:
            print_size_header(engine, args)
            results["sizes"] = measure_sizes(url, country, sizes, args)
        if "http" in parts:
            results["http"] = measure_http(app, url, country, workdir, args)
            print_http(engine, results["http"], args.rounds, args.round_seconds)
        if "rush" in parts:
            size, _hr = country.account_near(args.http_size)
            usernames = plain_officials(country, size, args.rush_officials)
            results["rush"] = deadline_rush(app, url, workdir, usernames, args.rush_seconds)
            print_rush(engine, results["rush"])
        drop_country(app)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = time.monotonic() - started
    results["load_after"] = os.getloadavg()
    print(
        f"\n({engine} part: {results['seconds']:.0f} s; load average "
        f"{results['load_before'][0]:.1f} before, {results['load_after'][0]:.1f} after)",
        flush=True,
    )
    if args.results:
        Path(args.results).write_text(json.dumps(results, default=str, indent=1))
    return results


if __name__ == "__main__":
    outcome = main()
    rush = outcome.get("rush")
    sys.exit(1 if rush and (rush["errors"] or rush["lost"] or rush["duplicated"]) else 0)
