"""The issue's targets, met or not, from the JSON results of ``bench/run.py --results FILE``
(one file per engine; ``bench/run.sh`` passes both).

    .venv/bin/python bench/targets.py sqlite.json postgresql.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def _http_ratio(http: dict, page: str) -> tuple[float, float]:
    """(throughput × bare, p99 × bare) of ``page``, medians of the rounds."""
    results = http["results"]
    if not results[page]:  # not loaded: slower than --slow-page alone
        return 0.0, float("inf")
    bare_rps = statistics.median(r for r, _ in results["bare Flask-Login page"]) or float("nan")
    bare_p99 = statistics.median(p for _, p in results["bare Flask-Login page"])
    rps = statistics.median(r for r, _ in results[page])
    p99 = statistics.median(p for _, p in results[page])
    return rps / bare_rps, p99 / bare_p99


def _size(run: dict, officials: int) -> dict | None:
    return next((r for r in run.get("sizes", []) if r["officials"] == officials), None)


def _stopped(page: dict) -> str | None:
    return f"> {page['timeout']:,.0f} s (stopped)" if "timeout" in page else None


def rows(runs: list[dict]) -> list[tuple[str, str, str]]:
    """(target, measured per engine, "yes"/"no"/"not measured")."""
    out = []

    def verdict(checks: list[bool | None]) -> str:
        if not checks or any(c is None for c in checks):
            return "not measured"
        return "**yes**" if all(checks) else "no"

    def each(fn) -> tuple[str, list[bool | None]]:
        texts, checks = [], []
        for run in runs:
            text, ok = fn(run)
            texts.append(f"{run['engine']}: {text}")
            checks.append(ok)
        return "; ".join(texts), checks

    def http_target(page: str, minimum: float):
        def fn(run):
            if "http" not in run:
                return "–", None
            ratio, _ = _http_ratio(run["http"], page)
            if not run["http"]["results"][page]:
                return f"not loaded ({run['http']['alone'][page]:,.0f} ms alone)", False
            return f"{ratio:.2f}×", ratio >= minimum

        return fn

    for page, minimum in (("lesson page", 0.7), ("official's home", 0.5)):
        text, checks = each(http_target(page, minimum))
        out.append((f"{page} ≥ {minimum}× the bare page's throughput", text, verdict(checks)))

    def p99(run):
        if "http" not in run:
            return "–", None
        results = run["http"]["results"]
        pages = [p for p in results if p != "bare Flask-Login page"]
        ratios = {p: _http_ratio(run["http"], p)[1] for p in pages if results[p]}
        text = ", ".join(
            f"{p} {ratios[p]:.1f}×" if p in ratios else f"{p} not loaded" for p in pages
        )
        return text, len(ratios) == len(pages) and all(r <= 3 for r in ratios.values())

    text, checks = each(p99)
    out.append(("p99 ≤ 3× the bare page's", text, verdict(checks)))

    def dashboard(officials: int, limit: float):
        def fn(run):
            row = _size(run, officials)
            if row is None:
                return "–", None
            if _stopped(row["dashboard"]):
                return _stopped(row["dashboard"]), False
            return f"{row['dashboard']['ms']:,.0f} ms", row["dashboard"]["ms"] < limit

        return fn

    for officials, limit in ((10_000, 50), (250_000, 150)):
        text, checks = each(dashboard(officials, limit))
        out.append((f"HR dashboard p50 < {limit} ms at {officials:,}", text, verdict(checks)))

    def statements(run):
        sizes = run.get("sizes", [])
        if len(sizes) < 2:
            return "–", None
        counts = {
            page: sorted({r[page]["statements"] for r in sizes if "statements" in r.get(page, {})})
            for page in ("dashboard", "csv", "xlsx")
        }
        text = ", ".join(f"{p} {'/'.join(map(str, c))}" for p, c in counts.items() if c)
        return text, all(len(c) <= 1 for c in counts.values())

    text, checks = each(statements)
    out.append(("SQL statements per request independent of the head count", text, verdict(checks)))

    def csv(run):
        row = _size(run, 250_000)
        if row is None:
            return "–", None
        r = row["csv"]
        if _stopped(r):
            return _stopped(r), False
        return (
            f"{r['ms'] / 1000:,.1f} s, peak {r['peak_rss']:,.0f} MB",
            r["ms"] < 10_000 and r["peak_rss"] < 150,
        )

    text, checks = each(csv)
    out.append(("CSV of 250,000 in < 10 s, process peak < 150 MB", text, verdict(checks)))

    def xlsx(run):
        row = _size(run, 100_000)
        if row is None or "xlsx" not in row:
            return "–", None
        if _stopped(row["xlsx"]):
            return _stopped(row["xlsx"]), False
        return f"{row['xlsx']['ms'] / 1000:,.1f} s", row["xlsx"]["ms"] < 30_000

    text, checks = each(xlsx)
    out.append(("XLSX of 100,000 in < 30 s", text, verdict(checks)))

    def rush(run):
        r = run.get("rush")
        if r is None:
            return "–", None
        bad = (len(r["errors"]), r["lost"], r["duplicated"])
        return (
            f"{bad[0]} errors, {bad[1]} lost, {bad[2]} duplicated, p95 {r['p95']:,.0f} ms",
            bad == (0, 0, 0),
        )

    text, checks = each(rush)
    out.append(("deadline rush: 0 errors, 0 lost or duplicated", text, verdict(checks)))
    return out


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(p).read_text()) for p in paths if Path(p).is_file()]
    print("\n## The issue's targets\n")
    print("| target | measured | met? |")
    print("| --- | --- | --- |")
    for target, text, verdict in rows(runs):
        print(f"| {target} | {text} | {verdict} |")
    if len(runs) < 2:
        print("\n(one engine only: the targets ask for both)")


if __name__ == "__main__":
    main(sys.argv[1:])
