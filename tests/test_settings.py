"""The two settings profiles, read in a fresh interpreter as an operator would start the portal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_FIVE = {
    "DATABASE_URL": "postgres://qms:secret@db.internal:5432/qms",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.internal:587",
    "SECRET_KEY": "k3y-" + "x7Qp9" * 12,
    "ALLOWED_HOSTS": "qms.example.com",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into an operator's environment.
    dropped = {*PRODUCTION_FIVE, "QMS_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in dropped}
    clean.update({"QMS_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_with_the_five_variables_passes_check_deploy(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"QMS_ENV": "production", **PRODUCTION_FIVE},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", sorted(PRODUCTION_FIVE))
def test_production_refuses_to_start_naming_the_missing_variable(missing, tmp_path):
    env = {"QMS_ENV": "production", **{k: v for k, v in PRODUCTION_FIVE.items() if k != missing}}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"needs these environment variables: {missing}" in result.stderr


def test_unknown_profile_is_refused(tmp_path):
    result = run_manage("check", env={"QMS_ENV": "staging"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "QMS_ENV must be 'embedded' or 'production'" in result.stderr


def test_embedded_profile_generates_one_secret_key_and_reuses_it(tmp_path):
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_manage("shell", "-c", script, env={}, tmp_path=tmp_path)
    second = run_manage("shell", "-c", script, env={}, tmp_path=tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == second.stdout.strip().splitlines()[-1] == key_file.read_text()
    assert len(key_file.read_text()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_embedded_profile_uses_sqlite_file_broker_and_file_mail_under_var(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, "
        "s.EMAIL_BACKEND, s.EMAIL_FILE_PATH, s.DEBUG)"
    )
    result = run_manage("shell", "-c", script, env={}, tmp_path=tmp_path)
    var = tmp_path / "var"
    assert result.stdout.split()[-6:] == [
        "django.db.backends.sqlite3",
        str(var / "qms.sqlite3"),
        "filesystem://",
        "django.core.mail.backends.filebased.EmailBackend",
        str(var / "mail"),
        "False",
    ]


def test_seed_demo_refuses_the_production_profile(tmp_path):
    result = run_manage("seed_demo", env={"QMS_ENV": "production", **PRODUCTION_FIVE}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "refuses to run in the production profile" in result.stderr
