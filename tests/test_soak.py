"""The soak run: its memory rule, its lost-submission check, its criteria and report, and (on PostgreSQL and
Redis) a short real run of gunicorn, a Celery worker and beat under the mixed load."""

from __future__ import annotations

import json
import math
import os

import pytest

from benchmarks.soak import criteria, lost_submissions, main, memory_verdict, render_report
from tests.script_helpers import run_script


def series(values: list[float], every: float = 10.0) -> list[tuple[float, float]]:
    return [(index * every, value) for index, value in enumerate(values)]


def test_memory_that_stays_level_after_the_warm_up_is_flat():
    # The warm-up (first 20 % of 100 s: the samples at 0 and 10 s) may climb; it is left out.
    verdict = memory_verdict(series([60, 90, 100, 101, 99, 100, 102, 101, 100, 103]), 100)
    assert verdict["flat"]
    assert verdict["baseline_mb"] == pytest.approx(100.0 + 2 / 5 * 1)  # 100, 101, 99, 100, 102
    assert verdict["last_mb"] == pytest.approx(101.0 + 1 / 3)


def test_memory_growing_more_than_the_limit_is_not_flat():
    verdict = memory_verdict(series([100, 100, 100, 100, 110, 120, 130, 140, 150]), 90)
    assert verdict["change"] > 0.2
    assert not verdict["flat"]


def test_memory_falling_more_than_the_limit_is_not_flat_either():
    assert not memory_verdict(series([100, 100, 100, 100, 100, 70, 70, 70]), 80)["flat"]


def test_the_limit_is_a_parameter():
    values = series([100, 100, 100, 100, 100, 115, 115, 115])
    assert memory_verdict(values, 80)["flat"]
    assert not memory_verdict(values, 80, limit=0.1)["flat"]


def test_too_few_samples_to_judge_are_not_flat():
    verdict = memory_verdict(series([100, 100]), 20)
    assert not verdict["flat"]
    assert math.isnan(verdict["change"])


def test_a_submission_absent_or_stored_under_another_reference_is_lost():
    accepted = {"a@x": "CMP-2026-00001", "b@x": "CMP-2026-00002", "c@x": None, "d@x": "CMP-2026-00004"}
    stored = {"a@x": "CMP-2026-00001", "b@x": "CMP-2026-00009", "c@x": "CMP-2026-00003"}
    assert lost_submissions(accepted, stored) == ["b@x", "d@x"]


def summary(**changes) -> dict:
    base = {
        "requests": {"browse": {"200": 50}, "complaint": {"200": 20, "302": 10}, "survey": {"302": 5}, "job": {}},
        "latency": {"browse": {"median_ms": 30.0, "p95_ms": 90.0}},
        "complaints": {"sent": 10, "accepted": 10, "found": 10, "lost": 0, "refused": 0},
        "surveys": {"sent": 5, "accepted": 5, "found": 5, "lost": 0, "refused": 0},
        "jobs": {
            "campaigns_sent": 1,
            "campaigns_opened": 1,
            "invitations": 200,
            "exports_started": 2,
            "exports_done": 2,
            "exports_failed": 0,
            "outbox_sent": 30,
            "outbox_pending": 0,
            "drain_seconds": 3.0,
            "tasks": {"qms.core.tasks.deliver_outbox": 2},
            "task_failures": {},
            "logged_errors": 0,
            "errors": [],
        },
        "client_errors": [],
        "memory": [
            {
                "role": "gunicorn worker 1",
                "pid": 42,
                "samples": 60,
                "first_mb": 90.0,
                "baseline_mb": 120.0,
                "last_mb": 126.0,
                "peak_mb": 130.0,
                "change": 0.05,
                "flat": True,
                "exited": False,
            }
        ],
        "memory_limit": 0.2,
        "meta": {
            "date": "2026-12-04 06:00 UTC",
            "machine": "2 CPUs",
            "software": "Python 3.11",
            "run": "600 s",
            "data": "9 customers",
            "load_before": 0.5,
            "load_after": 1.5,
            "sample_seconds": 10,
            "arguments": "--minutes 10 --clients 8",
        },
    }
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            base[section] = {**base[section], name: value}
        else:
            base[section] = value
    return base


def missed(data: dict) -> list[str]:
    return [name for name, _measured, met in criteria(data) if not met]


def test_a_clean_run_meets_every_criterion():
    assert missed(summary()) == []


@pytest.mark.parametrize(
    ("changes", "criterion"),
    [
        ({"requests": {"browse": {"200": 5, "502": 1}}}, "No 5xx"),
        ({"requests": {"browse": {"200": 5, "no answer": 1}}}, "Every request answered"),
        ({"complaints__lost": 1, "complaints__found": 9}, "No complaint lost"),
        ({"surveys__found": 4}, "No survey answer lost"),
        ({"complaints__refused": 2}, "No valid submission refused"),
        ({"surveys__accepted": 0, "surveys__found": 0}, "Load happened"),
        ({"jobs__task_failures": {"evidence.tasks.build_evidence_pack": 1}}, "Jobs ran"),
        ({"jobs__exports_done": 1}, "Jobs ran"),
        ({"jobs__campaigns_opened": 0}, "Jobs ran"),
        ({"jobs__logged_errors": 3}, "Jobs ran"),
        ({"jobs__errors": ["evidence pack: 400"]}, "Jobs ran"),
        ({"client_errors": ["survey-6: KeyError('id')"]}, "Every client ran to the end"),
        ({"jobs__outbox_pending": 4}, "Outbox drained"),
    ],
)
def test_each_failure_misses_its_criterion(changes, criterion):
    assert missed(summary(**changes)) == [criterion]


def test_a_process_not_flat_misses_the_memory_criterion():
    data = summary()
    data["memory"] = [{**data["memory"][0], "flat": False, "change": 0.35}]
    assert missed(data) == ["Memory flat within 20 %"]
    assert "not flat: gunicorn worker 1" in next(m for name, m, _ in criteria(data) if name.startswith("Memory"))


def test_report_has_the_criteria_the_memory_table_and_the_commands():
    data = summary(jobs__outbox_pending=4)
    text = render_report(data)
    assert "- Result: **criteria missed**" in text
    assert "| Outbox drained | 4 e-mails waiting, 30 sent during the run | **no** |" in text
    assert "| No 5xx | 0 responses 5xx | yes |" in text
    assert "| gunicorn worker 1 | 42 | 60 | 90.0 | 120.0 | 126.0 | 130.0 | +5.0 % | yes |" in text
    assert "| Complaints | 10 | 10 | 10 | 0 | 0 |" in text
    assert ".venv/bin/python benchmarks/soak.py --minutes 10 --clients 8" in text
    assert "- Machine: 2 CPUs" in text
    assert "**all criteria met**" in render_report(summary())


def test_soak_refuses_to_run_without_postgresql_and_redis(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///tmp/x.sqlite3")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")
    assert main(["--seconds", "1"]) == 2
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    monkeypatch.delenv("REDIS_URL")
    assert main(["--seconds", "1"]) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_short_real_soak_loses_nothing_and_answers_no_5xx(settings, tmp_path):
    assert os.environ.get("REDIS_URL", "").startswith("redis"), "the PostgreSQL run needs REDIS_URL (the broker)"
    result = tmp_path / "soak.json"
    arguments = ["--seconds", "20", "--sample-seconds", "1", "--job-every", "8", "--respondents", "60"]
    completed = run_script(
        settings, "benchmarks/soak.py", *arguments, "--no-report", "--json", str(result), timeout=300
    )
    assert completed.returncode in (0, 1), completed.stderr[-3000:]
    output = f"exit {completed.returncode}: {completed.stdout[-2000:]} {completed.stderr[-3000:]}"
    assert result.exists(), f"no summary ({output})"
    data = json.loads(result.read_text())
    assert "error" not in data, f"{data.get('error')}\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    assert completed.returncode == (0 if data["passed"] else 1)
    statuses = [status for by_status in data["requests"].values() for status in by_status]
    assert not [status for status in statuses if status.startswith("5") or status == "no answer"], data["server_errors"]
    complaints, surveys, jobs = data["complaints"], data["surveys"], data["jobs"]
    assert complaints["accepted"] > 0 and surveys["accepted"] > 0
    assert (complaints["lost"], complaints["found"]) == (0, complaints["accepted"]), complaints
    assert (surveys["lost"], surveys["found"]) == (0, surveys["accepted"]), surveys
    assert complaints["refused"] == surveys["refused"] == 0
    # The jobs ran in the real worker: invitations sent (their tokens answered), packs built, e-mails out.
    assert jobs["campaigns_opened"] == jobs["campaigns_sent"] > 0
    assert jobs["exports_done"] == jobs["exports_started"] > 0
    assert jobs["task_failures"] == {} and jobs["outbox_pending"] == 0 and jobs["outbox_sent"] > 0
    roles = {row["role"].rstrip(" 0123456789") for row in data["memory"]}
    assert roles == {"gunicorn master", "gunicorn worker", "celery worker", "celery worker pool", "celery beat"}
    assert all(row["samples"] >= 15 for row in data["memory"])
