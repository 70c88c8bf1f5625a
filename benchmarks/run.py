"""The load benchmark: the portal under gunicorn on PostgreSQL, driven from a second process on loopback.

    DATABASE_URL=postgres://... python benchmarks/run.py [--seconds 10] [--only customers,ceiling]

For each page and API endpoint: median and p95 latency and requests per second at 20 concurrent clients
(``benchmarks/load.py``, its own process), database queries per request (counted once, in this process,
with the test client), each beside the same figures for a trivial view in the same run (the ceiling).
For exports: rows per second and the gunicorn workers' peak memory. Writes ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import platform
import secrets
import signal
import statistics
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "benchmarks.bench_settings"
BENCH_USERNAME = "bench.quality"
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"

# Targets of issue 9 (2 cores, PostgreSQL): p95 in ms and requests per second at 20 clients.
TARGETS: dict[str, dict[str, float]] = {
    "list": {"p95": 300, "rps": 150},
    "api": {"p95": 300, "rps": 150},
    "audit": {"p95": 300, "rps": 150},
    "dashboard": {"p95": 200},
    "public": {"p95": 500},
    "detail": {},
    "ceiling": {},
}
MAX_QUERIES = 10
# A page whose single request takes longer than this is not put under load (20 clients would queue for
# minutes and leave the workers busy into the next page's measurement); its single-request time is shown.
SLOW_PAGE_S = 2.0
EXPORT_MIN_ROWS_PER_S = 30_000
EXPORT_MAX_PEAK_MB = 150


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    kind: str  # a key of TARGETS
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()  # a POST's fields (its CSRF token is added when it is sent)
    ok_status: str = "200"

    def body(self, token: str) -> dict[str, str]:
        return {**dict(self.form), "csrfmiddlewaretoken": token}


@dataclass
class Result:
    page: Page
    median_ms: float
    p95_ms: float
    rps: float
    requests: int
    errors: int
    queries: int | None = None
    # Too slow to put under load: the figures are of single requests one after another.
    probe_only: bool = False


@dataclass
class ExportResult:
    name: str
    path: str
    rows: int
    seconds: float
    peak_mb: float | None
    queries: int | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# Statistics and the report (pure functions, tested without a server) -----------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(latencies_ms: list[float], duration_s: float) -> dict[str, float]:
    """Median, p95 (ms) and completed requests per second of one run."""
    if not latencies_ms:
        return {"median_ms": math.nan, "p95_ms": math.nan, "rps": 0.0, "requests": 0}
    return {
        "median_ms": statistics.median(latencies_ms),
        "p95_ms": percentile(latencies_ms, 95),
        "rps": len(latencies_ms) / duration_s if duration_s > 0 else 0.0,
        "requests": len(latencies_ms),
    }


def assess(result: Result) -> tuple[str, bool]:
    """The page's targets as text, and whether all were met (errors never meet a target)."""
    target = TARGETS.get(result.page.kind, {})
    parts, met = [], result.errors == 0 and not result.probe_only
    if "p95" in target:
        parts.append(f"p95 < {target['p95']:g} ms")
        met &= result.p95_ms < target["p95"]
    if "rps" in target:
        parts.append(f"≥ {target['rps']:g} req/s")
        met &= result.rps >= target["rps"]
    # The query budget is for pages (GET); a submission's writes are what it must do, under its p95.
    if result.page.kind != "ceiling" and result.page.method == "GET":
        parts.append(f"≤ {MAX_QUERIES} queries")
        met &= result.queries is not None and result.queries <= MAX_QUERIES
    return ", ".join(parts) or "–", met


def assess_export(export: ExportResult) -> tuple[str, bool]:
    met = export.rows_per_s >= EXPORT_MIN_ROWS_PER_S and export.peak_mb is not None
    met = met and export.peak_mb < EXPORT_MAX_PEAK_MB
    return f"≥ {EXPORT_MIN_ROWS_PER_S:,} rows/s, peak < {EXPORT_MAX_PEAK_MB} MB", met


def _ratio(value: float, ceiling: float) -> str:
    if not ceiling or math.isnan(value) or math.isnan(ceiling):
        return "–"
    return f"{value / ceiling:.1f}×"


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def render_report(meta: dict, results: list[Result], exports: list[ExportResult]) -> str:
    """The Markdown of docs/performance.md."""
    ceiling = next((r for r in results if r.page.kind == "ceiling"), None)
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (`benchmarks/run.py`): gunicorn on PostgreSQL, driven over loopback by a",
        "separate load process. Each page ran for the same time at the same number of concurrent clients;",
        "queries per request were counted once per page with Django's test client. *Ceiling* is a trivial",
        "Django view behind the same middleware in the same run; the ratios compare each page with it",
        "(latency: times slower; throughput: the ceiling's req/s divided by the page's).",
        "",
        f"- Date: {meta.get('date', '–')}",
        f"- Machine: {meta.get('machine', '–')}",
        f"- Software: {meta.get('software', '–')}",
        f"- Run: {meta.get('run', '–')}",
        f"- Data: {meta.get('data', '–')}",
        "",
        "## Pages and API endpoints",
        "",
        "| Page | Path | Median ms | p95 ms | req/s | Errors | Queries | Median vs ceiling | req/s vs ceiling "
        "| Target | Met? |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        target, met = assess(result)
        median_ratio = _ratio(result.median_ms, ceiling.median_ms) if ceiling else "–"
        rps_ratio = _ratio(ceiling.rps, result.rps) if ceiling and result.rps and not result.probe_only else "–"
        rps = "not loaded ¹" if result.probe_only else _num(result.rps)
        lines.append(
            f"| {result.page.name} | `{result.page.method} {result.page.path}` | {_num(result.median_ms)} "
            f"| {_num(result.p95_ms)} | {rps} | {result.errors} "
            f"| {result.queries if result.queries is not None else '–'} | {median_ratio} | {rps_ratio} "
            f"| {target} | {'yes' if met else '**no**'} |"
        )
    if any(result.probe_only for result in results):
        lines += [
            "",
            f"¹ A single request took longer than {SLOW_PAGE_S:g} s, so the page was not put under load; median and",
            "p95 are of single requests one after another (the time one user waits on an idle server).",
        ]
    if exports:
        lines += [
            "",
            "## Exports",
            "",
            "One download at a time of the whole list (as the benchmark user sees it); peak memory is the",
            "highest VmHWM of the gunicorn worker processes after the download (a worker's peak since it",
            "started, so it also covers the pages measured before).",
            "",
            "| Export | Path | Rows | Seconds | Rows/s | Peak MB | Queries | Target | Met? |",
            "|---|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for export in exports:
            target, met = assess_export(export)
            lines.append(
                f"| {export.name} | `GET {export.path}` | {export.rows:,} | {_num(export.seconds, 2)} "
                f"| {_num(export.rows_per_s, 0)} | {_num(export.peak_mb)} "
                f"| {export.queries if export.queries is not None else '–'} | {target} "
                f"| {'yes' if met else '**no**'} |"
            )
    misses = [r.page.name for r in results if not assess(r)[1]] + [e.name for e in exports if not assess_export(e)[1]]
    lines += ["", "## Targets missed", ""]
    lines += [f"- {name}" for name in misses] or ["None."]
    if meta.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in meta["notes"]]
    return "\n".join(lines) + "\n"


# Django-side set-up (in this process) ---------------------------------------------------------------


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_user():
    """The quality manager the benchmark signs in as (created, or put back in the role, on each run)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from qms.accounts.roles import QUALITY_MANAGER, sync_role_groups
    from qms.audit.context import audit_context

    with audit_context(source="cli"):
        if not Group.objects.filter(name=QUALITY_MANAGER).exists():
            sync_role_groups(Group, Permission)
        user, created = get_user_model().objects.get_or_create(
            username=BENCH_USERNAME, defaults={"first_name": "Bench", "last_name": "Quality"}
        )
        if created:
            user.set_unusable_password()
            user.save()
        group = Group.objects.get(name=QUALITY_MANAGER)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
    return user


def _first_pk(label: str) -> int | None:
    from django.apps import apps

    return apps.get_model(label)._base_manager.order_by("-pk").values_list("pk", flat=True).first()


def _deep_page(base: str, label: str, sort: str, *, page: int, per_page: int, key: str | None = None) -> str:
    """The link a reader following "Next" from the first page would hold on reaching page ``page``: a keyset
    cursor after the last row of the page before (``key`` names the ordering: the sort, or the API's)."""
    from urllib.parse import quote

    from django.apps import apps

    from qms.core import keyset

    ordering = keyset.ordering_from([sort])
    names = [name for name, _ in ordering]
    row = (
        apps.get_model(label)
        ._base_manager.order_by(*keyset.order_expressions(ordering))
        .values(*names)[(page - 1) * per_page - 1 :][:1]
        .first()
    )
    if row is None:
        return base
    token = keyset.Cursor(key or sort, keyset.row_key(row, ordering), True, page).dumps()
    return f"{base}?cursor={quote(token)}"


def refresh_stored_figures() -> None:
    """What beat's jobs keep fresh on a running portal (roll-ups every 5 minutes, the default dashboard
    every 10): stored before measuring, so pages are measured as they serve on a running portal."""
    from qms.core.rollups import refresh_all
    from qms.kpis.scorecard import refresh_default

    refresh_all()
    refresh_default()


def build_pages() -> list[Page]:
    """Every page measured, in report order; detail pages of records that exist."""
    pages = [
        Page("Ceiling (trivial view)", "/bench/trivial/", "ceiling"),
        Page("Home", "/", "dashboard"),
        Page("Customers list", "/customers/", "list"),
        Page("Feedback list", "/feedback/", "list"),
        Page(
            "Feedback list, page 3000 (cursor)",
            _deep_page("/feedback/", "feedback.feedbackitem", "-received_at", page=3000, per_page=25),
            "list",
        ),
        # A word in a sixth of the seeded complaints: the search's index, and a count that stops at the limit.
        Page("Feedback list, search", "/feedback/?q=delivery", "list"),
        Page("Requirements list", "/requirements/", "list"),
        Page("Risks list", "/risks/", "list"),
        Page("Actions list", "/actions/", "list"),
        Page("Audit log", "/audit/", "audit"),
        Page(
            "Audit log, page 10000 (cursor)",
            _deep_page("/audit/", "audit.auditentry", "-seq", page=10000, per_page=50),
            "audit",
        ),
    ]
    for name, label, prefix in (
        ("Customer detail", "customers.customer", "/customers/"),
        ("Feedback detail", "feedback.feedbackitem", "/feedback/"),
        ("Requirement detail", "requirements.requirement", "/requirements/"),
        ("Risk detail", "risks.riskentry", "/risks/"),
        ("Action detail", "actions.action", "/actions/"),
        ("Audit entry detail", "audit.auditentry", "/audit/"),
    ):
        pk = _first_pk(label)
        if pk is not None:
            pages.append(Page(name, f"{prefix}{pk}/", "detail"))
    pages += [
        Page("Management dashboard", "/kpis/dashboard/", "dashboard"),
        Page("Quality dashboard", "/kpis/dashboard/quality/", "dashboard"),
        Page("Risk heat map", "/risks/heat-map/", "dashboard"),
        Page("API customers", "/api/v1/customers/", "api"),
        Page("API feedback", "/api/v1/feedback/", "api"),
        Page(
            "API feedback, page 3000 (cursor)",
            _deep_page(
                "/api/v1/feedback/",
                "feedback.feedbackitem",
                "-received_at",
                page=3000,
                per_page=50,
                key="received_at-,pk-",
            ),
            "api",
        ),
        Page("API requirements", "/api/v1/requirements/", "api"),
        Page("API risks", "/api/v1/risks/", "api"),
        Page("API actions", "/api/v1/actions/", "api"),
        Page("Public complaint form", "/public/feedback/", "public"),
        Page(
            "Public complaint form, submit",
            "/public/feedback/",
            "public",
            method="POST",
            form=tuple(complaint_form("").items()),
            ok_status="302",
        ),
        Page("Public status lookup", "/public/feedback/status/", "public"),
    ]
    lookup = _status_lookup_form()
    if lookup:
        pages.append(Page("Public status lookup, by reference", "/public/feedback/status/", "public", "POST", lookup))
    return pages


def _status_lookup_form() -> tuple[tuple[str, str], ...]:
    """A customer following their oldest complaint: its reference (typed in lower case) and their address."""
    from feedback.models import FeedbackItem

    item = (
        FeedbackItem.objects.exclude(submitter_email="").order_by("pk").values("reference", "submitter_email").first()
    )
    if item is None:
        return ()
    return (("reference", item["reference"].lower()), ("email", item["submitter_email"].upper()))


EXPORTS = [("Feedback CSV export", "/feedback/?export=csv"), ("Customers CSV export", "/customers/?export=csv")]


def csrf_token() -> str:
    """A CSRF secret sent both as the cookie and as the form field (Django accepts the unmasked secret)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def complaint_form(token: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "kind": "complaint",
        "submitter_name": "Bench Customer",
        "submitter_email": "bench.customer@example.com",
        "summary": "Parcel arrived damaged",
        "description": "The box was crushed and two parts were bent.",
        "website": "",
    }


def count_queries(pages: list[Page], user, exports: list[tuple[str, str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Queries per request of each page (the second request, so one-off warm-up work is not counted)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    counts: dict[str, int] = {}
    for page in pages:
        for _ in range(2):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                if page.method == "POST":
                    response = client.post(page.path, page.body("x" * 32))
                else:
                    response = client.get(page.path)
                if getattr(response, "streaming", False):
                    for _chunk in response.streaming_content:
                        pass
            if time.perf_counter() - started > SLOW_PAGE_S:
                break  # a slow page is counted once (its one-off work is small beside its own)
        counts[page.name] = len(queries)
    export_counts: dict[str, int] = {}
    for name, path in exports:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            for _chunk in response.streaming_content if response.streaming else [response.content]:
                pass
        export_counts[name] = len(queries)
    return counts, export_counts


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)  # a real session row: the gunicorn workers read it from the database
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def data_sizes() -> dict[str, int]:
    from django.apps import apps

    labels = {
        "customers": "customers.customer",
        "contacts": "customers.contact",
        "feedback items": "feedback.feedbackitem",
        "requirements": "requirements.requirement",
        "risks and opportunities": "risks.riskentry",
        "actions": "actions.action",
        "audit entries": "audit.auditentry",
    }
    return {name: apps.get_model(label)._base_manager.count() for name, label in labels.items()}


# The server and the load ------------------------------------------------------------------------------


def _worker_pids(master_pid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(entry.name))
    return pids


def peak_rss_mb(pids: list[int]) -> float | None:
    """The highest peak resident set size (VmHWM) among ``pids``, in MB."""
    peaks = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return max(peaks) if peaks else None


class Server:
    """``gunicorn qms.wsgi`` with the benchmark settings, DEBUG off, on 127.0.0.1:``port``."""

    def __init__(self, port: int, workers: int):
        self.port = port
        self.workers = workers
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "gunicorn", "qms.wsgi", "-w", str(self.workers)]
        # Exports of the whole register take longer than gunicorn's default 30 s worker timeout.
        command += ["-b", f"127.0.0.1:{self.port}", "--timeout", "600", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/bench/trivial/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        return _worker_pids(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_load(url: str, *, seconds: float, concurrency: int, cookie: str, method: str = "GET", body: str = "") -> dict:
    """Drive ``url`` from a separate process (benchmarks/load.py); its JSON result."""
    command = [sys.executable, "-m", "benchmarks.load", "--url", url, "--seconds", str(seconds)]
    command += ["--concurrency", str(concurrency), "--cookie", cookie, "--method", method]
    if body:
        command += ["--body", body]
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    return json.loads(completed.stdout)


def probe(url: str, *, cookie: str, method: str = "GET", body: str = "", count: int = 3) -> list[float]:
    """Up to ``count`` single requests one after another (fewer once one is slow); their latencies in ms."""
    latencies: list[float] = []
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    # The first request (untimed) warms the worker that serves it: templates, caches, the connection.
    for index in range(count + 1):
        request = urllib.request.Request(url, data=body.encode() if body else None, headers=headers, method=method)
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=600) as response:
                response.read()
        except urllib.error.HTTPError as error:  # a redirect (the form) or an error status: timed all the same
            error.read()
        if index == 0:
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        if latencies[-1] > SLOW_PAGE_S * 1000:
            break
    return latencies


def measure_page(server: Server, page: Page, *, seconds: float, concurrency: int, cookie: str) -> Result:
    from urllib.parse import urlencode

    body = ""
    if page.method == "POST":
        token = csrf_token()
        cookie = f"{cookie}; csrftoken={token}"
        body = urlencode(page.body(token))
    url = server.base_url + page.path
    single = probe(url, cookie=cookie, method=page.method, body=body)
    if statistics.median(single) > SLOW_PAGE_S * 1000:
        stats = summarize(single, sum(single) / 1000)
        return Result(page, stats["median_ms"], stats["p95_ms"], stats["rps"], len(single), 0, probe_only=True)
    # Warm-up: every worker opens its database connection and fills its caches.
    run_load(url, seconds=min(1.0, seconds), concurrency=4, cookie=cookie, method=page.method, body=body)
    raw = run_load(url, seconds=seconds, concurrency=concurrency, cookie=cookie, method=page.method, body=body)
    ok = {page.ok_status}
    stats = summarize(raw["latencies_ms"], raw["duration_s"])
    errors = raw["failures"] + sum(n for status, n in raw["statuses"].items() if status not in ok)
    return Result(page, stats["median_ms"], stats["p95_ms"], stats["rps"], stats["requests"], errors)


def measure_export(server: Server, name: str, path: str, cookie: str) -> ExportResult:
    request = urllib.request.Request(server.base_url + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=900) as response:
        content = response.read()
    seconds = time.perf_counter() - started
    rows = sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1
    return ExportResult(name, path, max(rows, 0), seconds, peak_rss_mb(server.worker_pids()))


def machine_description() -> str:
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} CPUs ({cpu}), {memory_gb:.1f} GB RAM, {platform.system()} {platform.release()}"


def software_description() -> str:
    import django
    from django.db import connection

    version = connection.pg_version if connection.vendor == "postgresql" else 0
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {version // 10000}.{version % 100}"
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark of the portal on PostgreSQL.")
    parser.add_argument("--seconds", type=float, default=10, help="Load time per page (default 10).")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", default="", help="Comma-separated words; measure pages whose name has one.")
    parser.add_argument("--no-exports", action="store_true", help="Skip the export downloads.")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--note", action="append", default=[], help="A line for the report's notes (repeatable).")
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
        log("The benchmark runs on PostgreSQL only: set DATABASE_URL=postgres://...")
        return 2
    # A terminated run still stops its gunicorn (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    setup_django()
    user = bench_user()
    pages = build_pages()
    exports = [] if args.no_exports else list(EXPORTS)
    if args.only:
        words = [word.strip().lower() for word in args.only.split(",") if word.strip()]
        pages = [p for p in pages if p.kind == "ceiling" or any(word in p.name.lower() for word in words)]
        exports = [e for e in exports if any(word in e[0].lower() for word in words)]
    sizes = data_sizes()
    log(f"Data: {sizes}")
    log("Storing the roll-ups and the dashboard, as beat's jobs keep them…")
    refresh_stored_figures()
    log("Counting queries per request…")
    query_counts, export_queries = count_queries(pages, user, exports)
    cookie = session_cookie(user)
    from django.db import connections

    connections.close_all()  # nothing held open while the server is measured
    server = Server(args.port, args.workers)
    results: list[Result] = []
    export_results: list[ExportResult] = []
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    server.start()
    try:
        for page in pages:
            result = measure_page(server, page, seconds=args.seconds, concurrency=args.concurrency, cookie=cookie)
            result.queries = query_counts.get(page.name)
            results.append(result)
            log(
                f"{page.name:<34} median {result.median_ms:8.1f} ms  p95 {result.p95_ms:8.1f} ms  "
                f"{result.rps:7.1f} req/s  errors {result.errors}  queries {result.queries}"
            )
        for name, path in exports:
            export = measure_export(server, name, path, cookie)
            export.queries = export_queries.get(name)
            export_results.append(export)
            log(f"{name:<34} {export.rows:,} rows in {export.seconds:.1f} s, peak {export.peak_mb} MB")
    finally:
        server.stop()
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "software": software_description(),
        "run": (
            f"gunicorn {args.workers} sync workers, {args.concurrency} concurrent clients, {args.seconds:g} s per page "
            "(after a 1 s warm-up), DEBUG off"
        ),
        "data": ", ".join(f"{count:,} {name}" for name, count in sizes.items()),
        "notes": [
            "The load client and PostgreSQL run on the same machine as gunicorn and share its CPUs.",
            f"Load average (1 min) before the run {load_before:.1f}, after it {os.getloadavg()[0]:.1f}, on "
            f"{os.cpu_count()} CPUs: well above what the benchmark itself causes means other work shared the "
            "machine, and the absolute figures are pessimistic (the ratios to the ceiling less so).",
            "The public form's submit posts a new complaint on every request (each one written to the audit "
            "chain); its rate limit is lifted in benchmarks/bench_settings.py.",
            *args.note,
        ],
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_report(meta, results, export_results))
    log(f"Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
