"""The soak run: gunicorn, a Celery worker and celery beat on PostgreSQL and Redis under a bounded mixed load.

    DATABASE_URL=postgres://.../qms_soak REDIS_URL=redis://127.0.0.1:6379/9 \
        python benchmarks/soak.py --minutes 10 [--clients 8]

For the whole time, client threads of this process (loopback HTTP, no dependency) browse the portal signed in
(lists, dashboards, API, a CSV export), submit complaints through the public form as anonymous visitors
(each reading its reference off the thank-you page), answer surveys through the invitation links' tokens,
and start background jobs through the portal (a survey campaign sent whenever the tokens run low, which
the worker turns into invitations and e-mails; an evidence pack every ``--job-every`` seconds); beat runs
its own schedule (the outbox every minute). The resident memory of every process is sampled throughout.

At the end: requests by status, every accepted submission and survey answer looked up in the database,
the jobs' outcomes, the outbox drained, and the memory table. The criteria (issue 9):

- no 5xx and no request left without an answer;
- no submission lost: every complaint the portal accepted (302 to its thank-you page) and every survey
  answer it accepted is in the database afterwards, and no valid submission was refused;
- the jobs ran: no Celery task failed, every evidence pack finished, every campaign opened, the outbox
  is empty;
- memory flat: for each process, the mean of the last third of its samples is within ``--memory-limit``
  (20 %) of the mean of its samples after the warm-up (the first 20 % of the run) and before that last
  third; a process that exited during the run fails.

Exit status 0 only when all criteria are met. Writes ``docs/reliability.md`` unless ``--no-report``.
Uses its own database (migrated; it seeds the demo data and a customer with survey respondents itself)
and its own Redis database: the worker consumes whatever that Redis holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import math
import os
import queue
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402 - the project root must be importable first
    BENCH_USERNAME,
    SETTINGS_MODULE,
    Server,
    _worker_pids,
    bench_user,
    complaint_form,
    csrf_token,
    machine_description,
    percentile,
    session_cookie,
    setup_django,
    software_description,
)

DEFAULT_OUTPUT = ROOT / "docs" / "reliability.md"
WARMUP_SHARE = 0.2
MEMORY_LIMIT = 0.2
SOAK_CUSTOMER_CODE = "SOAK-RESPONDENTS"
REFERENCE_RE = re.compile(r'data-testid="reference">\s*([^<\s]+)\s*<')
# Signed-in browsing: what a quality manager opens in a day (pages, dashboards, the API, a CSV export).
BROWSE_PATHS = [
    "/",
    "/customers/",
    "/feedback/",
    "/feedback/?kind=complaint",
    "/requirements/",
    "/risks/",
    "/risks/heat-map/",
    "/actions/",
    "/audit/",
    "/kpis/dashboard/",
    "/kpis/dashboard/quality/",
    "/feedback/surveys/",
    "/feedback/surveys/results/",
    "/evidence/",
    "/api/v1/customers/",
    "/api/v1/feedback/",
    "/api/v1/requirements/",
    "/api/v1/risks/",
    "/api/v1/actions/",
    "/customers/?export=csv",
]
KINDS = ("browse", "complaint", "survey", "job")


# Statistics and verdicts (pure functions, tested without a server) --------------------------------------


@dataclass
class MemorySeries:
    """The RSS samples (seconds since the load began, MB) of one process."""

    role: str
    pid: int
    samples: list[tuple[float, float]] = field(default_factory=list)
    exited: bool = False


def memory_verdict(
    samples: list[tuple[float, float]], duration: float, *, warmup: float = WARMUP_SHARE, limit: float = MEMORY_LIMIT
) -> dict:
    """Whether one process's memory stayed flat.

    The samples taken during the warm-up (the first ``warmup`` share of ``duration``) are left out. The
    last third of all samples is compared with the samples between the warm-up and that last third:
    ``change`` is the relative difference of their means, and flat means ``abs(change) <= limit``. Too few
    samples to form both groups is not flat (nothing was shown).
    """
    ordered = sorted(samples)
    last_count = len(ordered) // 3
    last = ordered[len(ordered) - last_count :] if last_count else []
    baseline = [mb for t, mb in ordered[: len(ordered) - last_count] if t >= warmup * duration]
    if not last or not baseline:
        return {
            "baseline_mb": math.nan,
            "last_mb": math.nan,
            "change": math.nan,
            "flat": False,
            "samples": len(ordered),
        }
    baseline_mb = statistics.fmean(baseline)
    last_mb = statistics.fmean(mb for _, mb in last)
    change = last_mb / baseline_mb - 1 if baseline_mb else math.inf
    return {
        "baseline_mb": baseline_mb,
        "last_mb": last_mb,
        "change": change,
        "flat": abs(change) <= limit,
        "samples": len(ordered),
    }


def lost_submissions(accepted: dict[str, str | None], stored: dict[str, str]) -> list[str]:
    """Markers of accepted submissions absent from the database, or stored under another reference than the
    one the customer was shown (``accepted``: marker -> reference shown, None when the page was not read)."""
    lost = []
    for marker, shown in accepted.items():
        if marker not in stored or (shown is not None and stored[marker] != shown):
            lost.append(marker)
    return lost


def criteria(summary: dict) -> list[tuple[str, str, bool]]:
    """The soak's criteria: (name, what was measured, met)."""
    requests, subs, surveys, jobs = summary["requests"], summary["complaints"], summary["surveys"], summary["jobs"]
    five = sum(n for by_status in requests.values() for status, n in by_status.items() if status.startswith("5"))
    failed = sum(by_status.get("no answer", 0) for by_status in requests.values())
    memory = summary["memory"]
    not_flat = [row["role"] for row in memory if not row["flat"]]
    task_failures = sum(jobs["task_failures"].values())
    rows = [
        ("No 5xx", f"{five} responses 5xx", five == 0),
        ("Every request answered", f"{failed} requests without an answer", failed == 0),
        (
            "No complaint lost",
            f"{subs['accepted']} accepted, {subs['found']} in the database, {subs['lost']} lost",
            subs["lost"] == 0 and subs["found"] == subs["accepted"],
        ),
        (
            "No survey answer lost",
            f"{surveys['accepted']} accepted, {surveys['found']} in the database, {surveys['lost']} lost",
            surveys["lost"] == 0 and surveys["found"] == surveys["accepted"],
        ),
        (
            "No valid submission refused",
            f"{subs['refused']} complaints, {surveys['refused']} survey answers refused",
            subs["refused"] == 0 and surveys["refused"] == 0,
        ),
        (
            "Load happened",
            f"{subs['accepted']} complaints, {surveys['accepted']} survey answers, "
            f"{sum(requests.get('browse', {}).values())} pages browsed",
            subs["accepted"] > 0 and surveys["accepted"] > 0 and sum(requests.get("browse", {}).values()) > 0,
        ),
        (
            "Jobs ran",
            f"{task_failures} tasks failed, {jobs['logged_errors']} errors logged by worker and beat, "
            f"{len(jobs.get('errors', []))} jobs not started; "
            f"exports {jobs['exports_done']}/{jobs['exports_started']} done; "
            f"campaigns {jobs['campaigns_opened']}/{jobs['campaigns_sent']} opened",
            task_failures == 0
            and jobs["logged_errors"] == 0
            and not jobs.get("errors")
            and jobs["exports_done"] == jobs["exports_started"]
            and jobs["campaigns_opened"] == jobs["campaigns_sent"]
            and jobs["campaigns_sent"] > 0,
        ),
        (
            "Every client ran to the end",
            f"{len(summary.get('client_errors', []))} client threads stopped by an error",
            not summary.get("client_errors"),
        ),
        (
            "Outbox drained",
            f"{jobs['outbox_pending']} e-mails waiting, {jobs['outbox_sent']} sent during the run",
            jobs["outbox_pending"] == 0,
        ),
        (
            f"Memory flat within {summary['memory_limit'] * 100:g} %",
            "all processes flat" if not not_flat else "not flat: " + ", ".join(not_flat),
            bool(memory) and not not_flat,
        ),
    ]
    return rows


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def render_report(summary: dict) -> str:
    """The Markdown of docs/reliability.md."""
    meta = summary["meta"]
    verdicts = criteria(summary)
    lines = [
        "# Reliability: the soak run",
        "",
        "Measured by `make soak` (`benchmarks/soak.py`): gunicorn, a Celery worker and celery beat on",
        "PostgreSQL and Redis, under a bounded mixed load for a fixed time, from client threads of a separate",
        "process on the same machine. Signed-in browsing (lists, dashboards, API, a CSV export), anonymous",
        "complaints through the public form, survey answers through invitation tokens, and jobs started through",
        "the portal (survey campaigns sent, evidence packs built); beat runs its own schedule.",
        "",
        f"- Result: **{'all criteria met' if all(met for *_, met in verdicts) else 'criteria missed'}**",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['machine']}",
        f"- Software: {meta['software']}",
        f"- Run: {meta['run']}",
        f"- Data: {meta['data']}",
        f"- Load average (1 min): {meta['load_before']:.1f} before, {meta['load_after']:.1f} after, "
        f"on {os.cpu_count()} CPUs",
        "",
        "## Criteria",
        "",
        "| Criterion | Measured | Met? |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {measured} | {'yes' if met else '**no**'} |" for name, measured, met in verdicts]
    lines += [
        "",
        "## Requests",
        "",
        "By client kind: the responses by status (*no answer*: the connection failed or timed out), and the",
        "latency of each request from connect to last byte. Expected statuses: 200 for pages, 302 after a",
        "form is accepted, 202 for a queued evidence pack.",
        "",
        "| Kind | Requests | By status | Median ms | p95 ms |",
        "|---|---:|---|---:|---:|",
    ]
    for kind in KINDS:
        by_status = summary["requests"].get(kind, {})
        latency = summary["latency"].get(kind, {})
        statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(by_status.items())) or "–"
        lines.append(
            f"| {kind} | {sum(by_status.values()):,} | {statuses} | {_num(latency.get('median_ms'))} "
            f"| {_num(latency.get('p95_ms'))} |"
        )
    subs, surveys, jobs = summary["complaints"], summary["surveys"], summary["jobs"]
    lines += [
        "",
        "## Submissions",
        "",
        "A complaint is accepted when the form answers 302 to its thank-you page; the reference shown there is",
        "looked up afterwards (lost: accepted but absent, or stored under another reference). A survey answer",
        "is accepted when the survey page answers 302 to its thank-you page; lost: no response stored for",
        "that invitation.",
        "",
        "| | Sent | Accepted | In the database | Lost | Refused |",
        "|---|---:|---:|---:|---:|---:|",
        f"| Complaints | {subs['sent']:,} | {subs['accepted']:,} | {subs['found']:,} | {subs['lost']} "
        f"| {subs['refused']} |",
        f"| Survey answers | {surveys['sent']:,} | {surveys['accepted']:,} | {surveys['found']:,} "
        f"| {surveys['lost']} | {surveys['refused']} |",
        "",
        "## Jobs",
        "",
        f"- Survey campaigns sent through the portal: {jobs['campaigns_sent']}, opened by the worker: "
        f"{jobs['campaigns_opened']} ({jobs['invitations']:,} invitations)",
        f"- Evidence packs started: {jobs['exports_started']}, done: {jobs['exports_done']}, "
        f"failed: {jobs['exports_failed']}",
        f"- Outbox: {jobs['outbox_sent']:,} e-mails sent during the run; waiting during the load (sampled every"
        f" 10 s): at most {jobs.get('outbox_backlog_max', 0):,}, {jobs.get('outbox_backlog_at_end', 0):,} when it"
        f" stopped; {jobs['outbox_pending']} still waiting after the drain ({jobs['drain_seconds']:.0f} s, asking"
        " the worker to deliver every 5 s)",
        "- Celery tasks run (from the result table): "
        + (", ".join(f"{name} {count}" for name, count in sorted(jobs["tasks"].items())) or "none"),
        f"- Errors in the worker's and beat's logs: {jobs['logged_errors']}",
        "- Celery tasks failed: "
        + (", ".join(f"{name} {count}" for name, count in sorted(jobs["task_failures"].items())) or "none"),
        "",
        "## Memory",
        "",
        f"Resident set size (VmRSS) of every process, sampled every {meta['sample_seconds']:g} s. Rule: leave out the",
        f"warm-up (the first {WARMUP_SHARE * 100:g} % of the run); compare the mean of the last third of the",
        "samples with the mean of the samples between the warm-up and that last third; flat when the change is",
        f"within ±{summary['memory_limit'] * 100:g} %. A process that exited during the run is not flat.",
        "",
        "| Process | PID | Samples | First MB | After warm-up MB | Last third MB | Peak MB | Change | Flat? |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in summary["memory"]:
        change = "–" if math.isnan(row["change"]) else f"{row['change'] * 100:+.1f} %"
        flat = "yes" if row["flat"] else ("**no** (exited)" if row["exited"] else "**no**")
        lines.append(
            f"| {row['role']} | {row['pid']} | {row['samples']} | {_num(row['first_mb'])} | {_num(row['baseline_mb'])} "
            f"| {_num(row['last_mb'])} | {_num(row['peak_mb'])} | {change} | {flat} |"
        )
    lines += [
        "",
        "## To reproduce",
        "",
        "On a database and a Redis database of their own (the run adds complaints, campaigns and sessions;",
        "the worker consumes whatever that Redis database holds):",
        "",
        "```sh",
        "psql -h 127.0.0.1 -U postgres -c 'create database qms_soak'",
        "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_soak REDIS_URL=redis://127.0.0.1:6379/9",
        ".venv/bin/python manage.py migrate --noinput",
        f".venv/bin/python benchmarks/soak.py {meta['arguments']}",
        "```",
        "",
        "The run seeds the demo data (`seed_demo`, idempotent) and a customer with survey respondents, signs in",
        "as `bench.quality` (a quality manager), and uses `benchmarks/bench_settings.py` (DEBUG off, no limit on",
        "the public form's submissions). Survey respondents send `X-Forwarded-For` with an address each and the",
        "processes trust it (`FEEDBACK_TRUST_X_FORWARDED_FOR=true`), as behind a proxy: the survey pages' limit",
        "per address stays on. E-mail goes to files in a temporary folder; the test of this machinery is",
        "`tests/test_soak.py` (a 20-second run, on PostgreSQL).",
    ]
    if meta.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in meta["notes"]]
    return "\n".join(lines) + "\n"


# HTTP clients (threads of this process) -----------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")


class Tally:
    """Responses by client kind and status, and latencies, from every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.server_errors: list[str] = []

    def record(self, kind: str, status: str, path: str, latency_ms: float) -> None:
        with self._lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(latency_ms)
            if (status.startswith("5") or status == "no answer") and len(self.server_errors) < 50:
                self.server_errors.append(f"{kind} {path} → {status}")


class Visitor:
    """One person's browser: a cookie jar and, behind a trusted proxy, an address."""

    def __init__(self, base: tuple[str, int], tally: Tally, kind: str, *, timeout: float, address: str = ""):
        self.host, self.port = base
        self.tally = tally
        self.kind = kind
        self.timeout = timeout
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None, json_body: dict | None = None, headers=None):
        """The answer, or None when there was none (counted as "no answer")."""
        sent = {"User-Agent": "qms-soak/1", "Accept": "text/html,application/json"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.address:
            sent["X-Forwarded-For"] = self.address
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.getheaders(), response.read())
        except (OSError, http.client.HTTPException):
            self.tally.record(self.kind, "no answer", path, (time.perf_counter() - started) * 1000)
            return None
        finally:
            connection.close()
        self.tally.record(self.kind, str(answer.status), path, (time.perf_counter() - started) * 1000)
        for name, value in answer.headers:
            if name.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for morsel in cookie.values():
                    self.cookies[morsel.key] = morsel.value
        return answer


@dataclass
class Outcomes:
    """What the clients saw: accepted submissions and answers, refusals, jobs started."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    complaints_sent: int = 0
    complaints: dict[str, str | None] = field(default_factory=dict)  # e-mail marker -> reference shown
    complaints_refused: list[str] = field(default_factory=list)
    surveys_sent: int = 0
    surveys: list[str] = field(default_factory=list)  # invitation tokens answered
    surveys_refused: list[str] = field(default_factory=list)
    campaigns: list[int] = field(default_factory=list)
    exports: list[int] = field(default_factory=list)
    job_errors: list[str] = field(default_factory=list)
    client_errors: list[str] = field(default_factory=list)


class Load:
    """The client threads and the shared state they need. A thread that raises is recorded (a client error
    misses the criteria) and ends; the others go on."""

    def __init__(self, server: Server, *, cookie: str, run_id: str, timeout: float, think: float):
        self.base = ("127.0.0.1", server.port)
        self.tally = Tally()
        self.outcomes = Outcomes()
        self.session = cookie.split("=", 1)
        self.run_id = run_id
        self.timeout = timeout
        self.think = think
        self.stop = threading.Event()
        self.tokens: queue.Queue[str] = queue.Queue()
        self.counter = itertools.count(1)

    def guarded(self, target):
        def run() -> None:
            try:
                target()
            except Exception as exc:  # noqa: BLE001 - reported with the results
                with self.outcomes.lock:
                    self.outcomes.client_errors.append(f"{threading.current_thread().name}: {exc!r}")

        return run

    def pause(self) -> None:
        self.stop.wait(random.uniform(0, 2 * self.think))

    def signed_in(self, kind: str) -> Visitor:
        visitor = Visitor(self.base, self.tally, kind, timeout=self.timeout)
        visitor.cookies[self.session[0]] = self.session[1]
        return visitor

    def browse(self) -> None:
        visitor = self.signed_in("browse")
        paths = list(BROWSE_PATHS)
        random.shuffle(paths)
        for path in itertools.cycle(paths):
            if self.stop.is_set():
                return
            visitor.request("GET", path)
            self.pause()

    def complain(self) -> None:
        while not self.stop.is_set():
            number = next(self.counter)
            visitor = Visitor(self.base, self.tally, "complaint", timeout=self.timeout)
            token = csrf_token()
            visitor.cookies["csrftoken"] = token
            marker = f"soak.{self.run_id}.{number}@example.com"
            form = {**complaint_form(token), "submitter_email": marker, "summary": f"Soak complaint {number}"}
            if visitor.request("GET", "/public/feedback/") is not None:
                with self.outcomes.lock:
                    self.outcomes.complaints_sent += 1
                answer = visitor.request("POST", "/public/feedback/", form=form)
                if answer is not None and answer.status == 302 and answer.header("Location").endswith("/thanks/"):
                    thanks = visitor.request("GET", answer.header("Location"))
                    found = REFERENCE_RE.search(thanks.body.decode()) if thanks and thanks.status == 200 else None
                    with self.outcomes.lock:
                        self.outcomes.complaints[marker] = found.group(1) if found else None
                elif answer is not None:
                    with self.outcomes.lock:
                        self.outcomes.complaints_refused.append(f"{marker}: {answer.status}")
            self.pause()

    def answer_surveys(self, answers: dict[str, object]) -> None:
        while not self.stop.is_set():
            try:
                token = self.tokens.get(timeout=0.5)
            except queue.Empty:
                continue
            number = next(self.counter)
            address = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
            visitor = Visitor(self.base, self.tally, "survey", timeout=self.timeout, address=address)
            csrf = csrf_token()
            visitor.cookies["csrftoken"] = csrf
            page = f"/s/{token}/"
            if visitor.request("GET", page) is not None:
                with self.outcomes.lock:
                    self.outcomes.surveys_sent += 1
                form = {"csrfmiddlewaretoken": csrf, **_vary(answers)}
                answer = visitor.request("POST", page, form=form)
                if answer is not None and answer.status == 302 and answer.header("Location") == f"{page}thanks/":
                    with self.outcomes.lock:
                        self.outcomes.surveys.append(token)
                    visitor.request("GET", answer.header("Location"))
                elif answer is not None:
                    with self.outcomes.lock:
                        self.outcomes.surveys_refused.append(f"{token}: {answer.status}")
            self.pause()

    def start_jobs(self, *, every: float, low_water: int) -> None:
        """Campaigns whenever the tokens run low (at most one being sent at a time), an evidence pack every
        ``every`` seconds; the tokens of invitations the worker has sent are handed to the respondents."""
        from django.db import connection

        visitor = self.signed_in("job")
        csrf = csrf_token()
        visitor.cookies["csrftoken"] = csrf
        handed: set[str] = set()
        sending: int | None = None
        next_export = time.monotonic()
        try:
            while not self.stop.is_set():
                if sending is not None:
                    for token in _sent_tokens(sending) - handed:
                        handed.add(token)
                        self.tokens.put(token)
                    if _campaign_open(sending):
                        sending = None
                if sending is None and self.tokens.qsize() < low_water:
                    campaign_id = _draft_campaign(self.run_id, len(self.outcomes.campaigns) + 1)
                    answer = visitor.request(
                        "POST", f"/feedback/surveys/{campaign_id}/send/", form={"csrfmiddlewaretoken": csrf}
                    )
                    with self.outcomes.lock:
                        self.outcomes.campaigns.append(campaign_id)
                        if answer is None or answer.status != 302:
                            self.outcomes.job_errors.append(f"campaign {campaign_id} send: {answer and answer.status}")
                    sending = campaign_id
                if time.monotonic() >= next_export:
                    next_export += every
                    today = dt.datetime.now(dt.UTC).date()
                    body = {"period_start": str(today - dt.timedelta(days=365)), "period_end": str(today)}
                    answer = visitor.request(
                        "POST", "/api/v1/evidence-exports/", json_body=body, headers={"X-CSRFToken": csrf}
                    )
                    with self.outcomes.lock:
                        if answer is not None and answer.status == 202:
                            self.outcomes.exports.append(json.loads(answer.body)["id"])
                        else:
                            self.outcomes.job_errors.append(f"evidence pack: {answer and answer.status}")
                self.stop.wait(1.0)
        finally:
            connection.close()


def _vary(answers: dict[str, object]) -> dict[str, object]:
    """The survey's answers with the NPS and CSAT scores drawn at random (low ones open a follow-up)."""
    varied = dict(answers)
    for name, value in answers.items():
        if isinstance(value, tuple):  # (low, high) of a scale
            varied[name] = str(random.randint(*value))
    return varied


# Django-side set-up and checks (in this process) --------------------------------------------------------


def seed(user, *, respondents: int) -> dict[str, object]:
    """The demo data (idempotent) and a customer with ``respondents`` contacts to survey; the survey template's
    form answers (a scale as its (low, high) range)."""
    import io

    from django.core.management import call_command

    from customers.models import Contact, Customer
    from customers.services import contact_create, customer_create
    from feedback.choices import QuestionType, TemplatePurpose
    from feedback.models import SurveyTemplate
    from qms.audit.context import audit_context

    if not SurveyTemplate.objects.exists():
        # The shipped templates come from a data migration; a test database flushed by an earlier test has
        # lost them: put them back as the migration does (get_or_create, so never twice).
        import importlib

        from django.apps import apps as django_apps

        shipped = importlib.import_module("feedback.migrations.0003_shipped_survey_templates")
        shipped.ship_templates(django_apps, None)
    call_command("seed_demo", stdout=io.StringIO())
    with audit_context(source="cli"):
        customer = Customer.objects.filter(code=SOAK_CUSTOMER_CODE).first()
        if customer is None:
            customer = customer_create(
                actor=user, data={"code": SOAK_CUSTOMER_CODE, "name": "Soak Respondents Ltd", "segment": "sme"}
            )
        have = set(Contact.objects.filter(customer=customer).values_list("email", flat=True))
        for number in range(1, respondents + 1):
            email = f"soak.respondent.{number}@example.com"
            if email not in have:
                contact_create(actor=user, customer=customer, data={"name": f"Respondent {number}", "email": email})
    template = (
        SurveyTemplate.objects.filter(purpose=TemplatePurpose.RELATIONSHIP, superseded_by__isnull=True)
        .order_by("code")
        .first()
    )
    answers: dict[str, object] = {}
    for question in template.questions.order_by("order", "pk"):
        name = f"q{question.pk}"
        if question.scale is not None:
            answers[name] = (min(question.scale), max(question.scale))
        elif question.type == QuestionType.SINGLE:
            answers[name] = question.choice_list[0]
        elif question.type == QuestionType.MULTIPLE:
            answers[name] = question.choice_list[:1]
        else:
            answers[name] = "Soak answer: deliveries on time."
    return {"customer_id": customer.pk, "template_id": template.pk, "answers": answers}


_SEED: dict[str, object] = {}


def _draft_campaign(run_id: str, number: int) -> int:
    """A draft campaign to the soak customer (the service, as the soak user); sent through the portal."""
    from django.contrib.auth import get_user_model

    from customers.models import Customer
    from feedback.models import SurveyTemplate
    from feedback.services import surveys
    from qms.audit.context import audit_context

    now = dt.datetime.now(dt.UTC)
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    with audit_context(source="cli"):
        campaign = surveys.campaign_save(
            actor=user,
            campaign=None,
            data={
                "name": f"Soak {run_id} campaign {number}",
                "template": SurveyTemplate.objects.get(pk=_SEED["template_id"]),
                "segments": [],
                "customer_statuses": [],
                "customers": [Customer.objects.get(pk=_SEED["customer_id"])],
                "opens_at": now,
                "closes_at": now + dt.timedelta(days=7),
                "reminder_max": 2,
                "reminder_after_days": 5,
            },
        )
    return campaign.pk


def _sent_tokens(campaign_id: int) -> set[str]:
    from feedback.choices import InvitationStatus
    from feedback.models import Invitation

    sent = Invitation.objects.filter(campaign_id=campaign_id, status=InvitationStatus.SENT)
    return set(sent.values_list("token", flat=True))


def _campaign_open(campaign_id: int) -> bool:
    from feedback.choices import CampaignStatus
    from feedback.models import Campaign

    return Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.OPEN).exists()


def check_submissions(outcomes: Outcomes) -> tuple[dict, dict]:
    """Every accepted complaint and survey answer looked up in the database."""
    from feedback.models import FeedbackItem, SurveyResponse

    markers = list(outcomes.complaints)
    stored: dict[str, str] = {}
    for start in range(0, len(markers), 1000):
        rows = FeedbackItem.objects.filter(submitter_email__in=markers[start : start + 1000])
        stored.update(rows.values_list("submitter_email", "reference"))
    lost = lost_submissions(outcomes.complaints, stored)
    complaints = {
        "sent": outcomes.complaints_sent,
        "accepted": len(outcomes.complaints),
        "found": len(outcomes.complaints) - len(lost),
        "lost": len(lost),
        "lost_markers": lost[:20],
        "refused": len(outcomes.complaints_refused),
        "refusals": outcomes.complaints_refused[:20],
    }
    tokens = set(outcomes.surveys)
    found = set()
    token_list = list(tokens)
    for start in range(0, len(token_list), 1000):
        rows = SurveyResponse.objects.filter(invitation__token__in=token_list[start : start + 1000])
        found.update(rows.values_list("invitation__token", flat=True))
    surveys = {
        "sent": outcomes.surveys_sent,
        "accepted": len(outcomes.surveys),
        "found": len(found),
        "lost": len(tokens - found) + (len(outcomes.surveys) - len(tokens)),
        "refused": len(outcomes.surveys_refused),
        "refusals": outcomes.surveys_refused[:20],
    }
    return complaints, surveys


def outbox_pending() -> int:
    from qms.core.models import OutboxEmail

    return OutboxEmail.objects.filter(sent_at__isnull=True).count()


def wait_for_jobs(outcomes: Outcomes, *, timeout: float) -> float:
    """Wait for the evidence packs and campaigns started to finish and for the outbox to empty, asking the
    worker to deliver the outbox every few seconds (beat does it only every minute); the seconds waited."""
    from qms.core.tasks import deliver_outbox
    from qms.evidence.models import EvidenceExport

    started = time.monotonic()
    last_nudge = 0.0
    while time.monotonic() - started < timeout:
        unfinished = EvidenceExport.objects.filter(pk__in=outcomes.exports, status__in=["queued", "running"]).exists()
        unopened = any(not _campaign_open(pk) for pk in outcomes.campaigns)
        pending = outbox_pending()
        if not unfinished and not unopened and not pending:
            break
        if pending and time.monotonic() - last_nudge > 5:
            deliver_outbox.delay()
            last_nudge = time.monotonic()
        time.sleep(1)
    return time.monotonic() - started


def job_summary(outcomes: Outcomes, since: dt.datetime, drain_seconds: float) -> dict:
    from django.db.models import Count
    from django_celery_results.models import TaskResult

    from feedback.models import Invitation
    from qms.core.models import OutboxEmail
    from qms.evidence.models import EvidenceExport

    exports = Counter(EvidenceExport.objects.filter(pk__in=outcomes.exports).values_list("status", flat=True))
    results = TaskResult.objects.filter(date_created__gte=since)
    tasks = dict(results.values_list("task_name").annotate(n=Count("pk")).values_list("task_name", "n"))
    failures = results.exclude(status__in=["SUCCESS", "PENDING", "STARTED", "RETRY"])
    failed = dict(failures.values_list("task_name").annotate(n=Count("pk")).values_list("task_name", "n"))
    return {
        "campaigns_sent": len(outcomes.campaigns),
        "campaigns_opened": sum(1 for pk in outcomes.campaigns if _campaign_open(pk)),
        "invitations": Invitation.objects.filter(campaign_id__in=outcomes.campaigns).count(),
        "exports_started": len(outcomes.exports),
        "exports_done": exports.get("done", 0),
        "exports_failed": exports.get("failed", 0),
        "outbox_sent": OutboxEmail.objects.filter(sent_at__gte=since).count(),
        "outbox_pending": outbox_pending(),
        "drain_seconds": drain_seconds,
        "tasks": {str(name): n for name, n in tasks.items()},
        "task_failures": {str(name): n for name, n in failed.items()},
        "errors": outcomes.job_errors[:20],
    }


def data_description() -> str:
    from django.apps import apps

    labels = {
        "customers": "customers.customer",
        "contacts": "customers.contact",
        "feedback items": "feedback.feedbackitem",
        "survey responses": "feedback.surveyresponse",
        "audit entries": "audit.auditentry",
    }
    return ", ".join(f"{apps.get_model(label)._base_manager.count():,} {name}" for name, label in labels.items())


# The processes ------------------------------------------------------------------------------------------


class Celery:
    """``celery -A qms worker`` (2 pool processes, as ``scripts/run_portal.py``) or ``celery -A qms beat``."""

    def __init__(self, role: str, arguments: list[str], log_path: Path):
        self.role = role
        self.arguments = arguments
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = self.log_path.open("ab")
        command = [sys.executable, "-m", "celery", "-A", "qms", *self.arguments]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the pool finishes its task
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process:
            self.log.close()


LOGGED_ERROR_RE = re.compile(r"\b(ERROR|CRITICAL)\b|^Traceback", re.MULTILINE)


def logged_errors(*paths: Path) -> int:
    """Errors the worker and beat wrote to their logs (a failed task, a lost broker connection)."""
    return sum(len(LOGGED_ERROR_RE.findall(path.read_text(errors="replace"))) for path in paths if path.exists())


def wait_for_worker(timeout: float = 120) -> None:
    from qms.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"the Celery worker did not answer a ping within {timeout:g} s")


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class MemorySampler:
    """Every ``every`` seconds, the RSS of gunicorn's master and workers, the worker and its pool, and beat."""

    def __init__(self, server: Server, worker: Celery, beat: Celery, every: float):
        self.server, self.worker, self.beat = server, worker, beat
        self.every = every
        self.series: dict[int, MemorySeries] = {}
        self.stop = threading.Event()
        self.started = time.monotonic()

    def processes(self) -> list[tuple[str, int]]:
        found = [("gunicorn master", self.server.process.pid)]
        found += [("gunicorn worker", pid) for pid in sorted(self.server.worker_pids())]
        found += [("celery worker", self.worker.process.pid)]
        found += [("celery worker pool", pid) for pid in sorted(_worker_pids(self.worker.process.pid))]
        found += [("celery beat", self.beat.process.pid)]
        return found

    def sample(self) -> None:
        now = time.monotonic() - self.started
        seen = set()
        for role, pid in self.processes():
            value = rss_mb(pid)
            if value is None:
                continue
            seen.add(pid)
            series = self.series.setdefault(pid, MemorySeries(role, pid))
            series.samples.append((now, value))
        for pid, series in self.series.items():
            if pid not in seen:
                series.exited = True

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.every)

    def table(self, duration: float, limit: float) -> list[dict]:
        rows, numbers = [], Counter()
        for series in sorted(self.series.values(), key=lambda s: (s.role, s.pid)):
            numbers[series.role] += 1
            role = (
                series.role
                if series.role in ("gunicorn master", "celery worker", "celery beat")
                else (f"{series.role} {numbers[series.role]}")
            )
            verdict = memory_verdict([s for s in series.samples if s[0] <= duration], duration, limit=limit)
            values = [mb for _, mb in series.samples]
            rows.append(
                {
                    "role": role,
                    "pid": series.pid,
                    **verdict,
                    "flat": verdict["flat"] and not series.exited,
                    "exited": series.exited,
                    "first_mb": values[0] if values else math.nan,
                    "peak_mb": max(values) if values else math.nan,
                }
            )
        return rows


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Soak run of the portal (web, worker, beat) on PostgreSQL + Redis.")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, help="Length of the load (default 10).")
    length.add_argument("--seconds", type=float, help="Length of the load in seconds (for short runs).")
    parser.add_argument("--clients", type=int, default=8, help="Client threads (half browse; default 8).")
    parser.add_argument("--think", type=float, default=0.5, help="Mean pause between a client's actions (s).")
    parser.add_argument("--sample-seconds", type=float, default=10, help="Memory sampling period (default 10).")
    parser.add_argument("--job-every", type=float, default=60, help="An evidence pack every N seconds (default 60).")
    parser.add_argument("--respondents", type=int, default=200, help="Contacts each survey campaign goes to.")
    parser.add_argument("--memory-limit", type=float, default=MEMORY_LIMIT, help="Flat within this share (0.2).")
    parser.add_argument("--drain-timeout", type=float, default=180, help="Longest wait for jobs and outbox (s).")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--no-report", action="store_true", help="Do not write the Markdown report.")
    parser.add_argument("--json", default="", help="Also write the summary as JSON to this path.")
    parser.add_argument("--keep-files", action="store_true", help="Keep the run's logs, e-mails and packs.")
    parser.add_argument("--note", action="append", default=[], help="A line for the report's notes (repeatable).")
    args = parser.parse_args(argv)
    duration = args.seconds if args.seconds is not None else 60 * (args.minutes if args.minutes is not None else 10)
    if args.clients < 3:
        parser.error("--clients must be at least 3 (one browsing, one complaining, one answering surveys)")

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
        log("The soak runs on PostgreSQL only: set DATABASE_URL=postgres://... (a database of its own)")
        return 2
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        log("The soak runs on Redis: set REDIS_URL=redis://... (a database of its own)")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    var_dir = Path(tempfile.mkdtemp(prefix="qms-soak-"))
    # Every process (this one included, for the session it signs) shares the folder: secret key, mail, media.
    os.environ.update(
        {
            "QMS_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "FEEDBACK_TRUST_X_FORWARDED_FOR": "true",
            "DEBUG": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    os.environ.pop("EMAIL_URL", None)
    setup_django()
    user = bench_user()
    log("Seeding the demo data and the survey respondents…")
    _SEED.update(seed(user, respondents=args.respondents))
    cookie = session_cookie(user)
    run_id = secrets.token_hex(3)
    from django.db import connections

    connections.close_all()
    browsers = max(1, args.clients // 2)
    complainers = max(1, args.clients // 4)
    respondents = args.clients - browsers - complainers
    server = Server(args.port, workers=2)
    worker = Celery(
        "worker",
        ["worker", "--loglevel=WARNING", "--concurrency=2", f"--hostname=soak-{run_id}@%h"],
        var_dir / "worker.log",
    )
    beat = Celery("beat", ["beat", "--loglevel=WARNING", "--pidfile="], var_dir / "beat.log")
    load_before = os.getloadavg()[0]
    started_at = dt.datetime.now(dt.UTC)
    exit_code = 1
    summary: dict = {}
    try:
        worker.start()
        beat.start()
        server.start()
        wait_for_worker()
        log(
            f"Load for {duration:g} s: {browsers} browsing, {complainers} complaining, {respondents} answering surveys…"
        )
        load = Load(server, cookie=cookie, run_id=run_id, timeout=120, think=args.think)
        sampler = MemorySampler(server, worker, beat, args.sample_seconds)
        low_water = max(10, args.respondents // 2)
        targets = [(load.browse, "browse")] * browsers + [(load.complain, "complain")] * complainers
        targets += [(partial(load.answer_surveys, _SEED["answers"]), "survey")] * respondents
        targets.append((partial(load.start_jobs, every=args.job_every, low_water=low_water), "jobs"))
        threads = [threading.Thread(target=sampler.run, name="memory", daemon=True)]
        threads += [
            threading.Thread(target=load.guarded(target), name=f"{name}-{n}", daemon=True)
            for n, (target, name) in enumerate(targets)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + duration
        backlog: list[int] = []
        while time.monotonic() < deadline:
            time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))
            done = sum(load.tally.statuses[kind].total() for kind in KINDS)
            backlog.append(outbox_pending())
            log(
                f"{duration - max(0.0, deadline - time.monotonic()):5.0f} s: {done:,} requests, "
                f"{len(load.outcomes.complaints):,} complaints, {len(load.outcomes.surveys):,} survey answers, "
                f"{backlog[-1]:,} e-mails waiting"
            )
        sampler.sample()
        load.stop.set()
        sampler.stop.set()
        for thread in threads:
            thread.join(timeout=load.timeout + 10)
        log("Load stopped; waiting for the jobs and the outbox…")
        drain_seconds = wait_for_jobs(load.outcomes, timeout=args.drain_timeout)
        complaints, surveys = check_submissions(load.outcomes)
        jobs = job_summary(load.outcomes, started_at, drain_seconds)
        jobs["logged_errors"] = logged_errors(worker.log_path, beat.log_path)
        jobs["outbox_backlog_max"] = max(backlog, default=0)
        jobs["outbox_backlog_at_end"] = backlog[-1] if backlog else 0
        memory = sampler.table(duration, args.memory_limit)
        latency = {}
        for kind in KINDS:
            values = load.tally.latencies.get(kind, [])
            if values:
                latency[kind] = {"median_ms": statistics.median(values), "p95_ms": percentile(values, 95)}
        command = f"--minutes {args.minutes:g}" if args.seconds is None else f"--seconds {args.seconds:g}"
        summary = {
            "requests": {kind: dict(load.tally.statuses[kind]) for kind in KINDS},
            "latency": latency,
            "server_errors": load.tally.server_errors,
            "client_errors": load.outcomes.client_errors,
            "complaints": complaints,
            "surveys": surveys,
            "jobs": jobs,
            "memory": memory,
            "memory_limit": args.memory_limit,
            "meta": {
                "date": started_at.strftime("%Y-%m-%d %H:%M UTC"),
                "machine": machine_description(),
                "software": software_description(),
                "run": (
                    f"{duration:g} s of load; gunicorn 2 sync workers, Celery worker (2 pool processes) and beat; "
                    f"{browsers} browsing, {complainers} complaining and {respondents} survey-answering clients, "
                    f"mean pause {args.think:g} s between actions; an evidence pack every {args.job_every:g} s; "
                    f"campaigns of {args.respondents} invitations; DEBUG off"
                ),
                "data": data_description(),
                "load_before": load_before,
                "load_after": os.getloadavg()[0],
                "sample_seconds": args.sample_seconds,
                "arguments": f"{command} --clients {args.clients}",
                "notes": [
                    "The clients, PostgreSQL and Redis run on the same machine as the portal and share its CPUs; "
                    "other work on the machine makes latency noisy, not the criteria.",
                    *args.note,
                ],
            },
        }
        verdicts = criteria(summary)
        summary["passed"] = all(met for *_, met in verdicts)
        for name, measured, met in verdicts:
            log(f"{'ok  ' if met else 'FAIL'} {name}: {measured}")
        for problem in (load.tally.server_errors + load.outcomes.client_errors + jobs["errors"])[:20]:
            log(f"  {problem}")
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=2, default=str))
        if not args.no_report:
            output = Path(args.output)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render_report(summary))
            log(f"Wrote {output}")
        exit_code = 0 if summary["passed"] else 1
    except Exception:
        # A run that could not finish still leaves its summary: what failed, and where its logs are.
        if args.json:
            failure = {"passed": False, "error": traceback.format_exc(), "logs": str(var_dir)}
            Path(args.json).write_text(json.dumps(failure, indent=2, default=str))
        raise
    finally:
        server.stop()
        worker.stop()
        beat.stop()
    if args.keep_files or not summary.get("passed"):
        log(f"Logs, e-mails and packs of the run are in {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
