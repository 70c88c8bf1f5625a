"""docker-compose.yml, the Dockerfile and .env.example, checked without Docker (it cannot run here).

The variables the settings read are found by scanning ``qms/settings.py``, so a variable added there
without a decision about ``.env.example`` (or a typo in either file) fails here.
"""

from __future__ import annotations

import ast
import json
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("migrate", "web", "worker", "beat")  # the services that run the portal's image
LONG_RUNNING_WITHOUT_HEALTHCHECK = {"beat"}  # answers no queries; restarted if it exits
# Read by the settings but deliberately not in .env.example, with the reason.
NOT_FOR_OPERATORS = {
    "DEBUG": "never on in production",
    "TEST_DATABASE_NAME": "test runs only",
    "QMS_VAR_DIR": "fixed in the image (Dockerfile ENV) and backed by a named volume",
    "STATIC_ROOT": "fixed in the image: collectstatic runs at build time",
    "SECURE_SSL_REDIRECT": "stays on; the proxy in front terminates TLS",
}
# Consumed by Compose for another service (``${NAME}`` in docker-compose.yml), not by the settings.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
BRIEF_VARIABLES = {
    "QMS_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DEFAULT_FROM_EMAIL",
    "ORGANISATION_NAME",
    "POSTGRES_PASSWORD",
}
_ENV_CALL = re.compile(r"""\benv\.(?:str|bool|int|list|db|email_url)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def settings_variables() -> set[str]:
    """The environment variables ``qms/settings.py`` reads: its ``env.*("NAME"`` calls and the
    names in its PRODUCTION_REQUIRED tuple."""
    source = (ROOT / "qms" / "settings.py").read_text()
    names = set(_ENV_CALL.findall(source))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "PRODUCTION_REQUIRED" for target in node.targets
        ):
            names |= set(ast.literal_eval(node.value))
    return names


def production_required() -> tuple[str, ...]:
    source = (ROOT / "qms" / "settings.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "PRODUCTION_REQUIRED" for target in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("qms/settings.py has no PRODUCTION_REQUIRED tuple")


def env_example() -> tuple[dict[str, str], set[str]]:
    """(set variables -> value, optional variables shown commented out as ``# NAME=value``)."""
    values, optional = {}, set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if not match:
            continue
        commented, name, value = match.groups()
        if commented:
            optional.add(name)
        else:
            assert name not in values, f"{name} is set twice in .env.example"
            values[name] = value
    return values, optional


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


def _depends_on(service: dict) -> dict[str, str]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):  # the short form has no condition
        return dict.fromkeys(depends, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends.items()}


def _interpolated(text: str) -> set[str]:
    return set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _collectstatic_build_env() -> dict[str, str]:
    """The ``NAME=value`` prefix of the Dockerfile's collectstatic RUN."""
    for keyword, rest in _dockerfile_instructions():
        if keyword == "RUN" and "collectstatic" in rest:
            env = {}
            for token in shlex.split(rest):
                match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", token)
                if not match:
                    break
                env[match.group(1)] = match.group(2)
            return env
    raise AssertionError("the Dockerfile runs no collectstatic")


def _run_django(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """manage.py in a clean environment: nothing leaks in from the test run's own variables."""
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _example_production_env(tmp_path: Path) -> dict[str, str]:
    values, _ = env_example()
    env = {name: value for name, value in values.items() if name not in COMPOSE_ONLY}
    env["SECRET_KEY"] = secrets.token_urlsafe(60)[:60]
    env["QMS_ENV"] = "production"
    env["QMS_VAR_DIR"] = str(tmp_path / "var")
    return env


# The scanner ------------------------------------------------------------------------------------


def test_scanner_finds_the_variables_the_settings_read():
    found = settings_variables()
    assert set(production_required()) == {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
    assert {"QMS_ENV", "QMS_VAR_DIR", "CSRF_TRUSTED_ORIGINS", "DEFAULT_FROM_EMAIL", "ORGANISATION_NAME"} <= found
    assert set(production_required()) <= found


# docker-compose.yml -----------------------------------------------------------------------------


def test_compose_has_the_production_services(services):
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert all(services[name].get("build") for name in APP_SERVICES)
    assert len({services[name]["image"] for name in APP_SERVICES}) == 1  # one image, built once


def test_web_runs_gunicorn_worker_and_beat_run_celery(services):
    web = " ".join(services["web"]["command"])
    assert web.startswith("gunicorn qms.wsgi:application")
    assert "--bind=0.0.0.0:8000" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "qms", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "qms", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    # Beat reads its schedule from the database and runs only while it holds the single-beat lock.
    from django.conf import settings
    from django_celery_beat.schedulers import DatabaseScheduler

    from qms.core.beat import SingleBeatScheduler

    assert settings.CELERY_BEAT_SCHEDULER == "qms.core.beat:SingleBeatScheduler"
    assert issubclass(SingleBeatScheduler, DatabaseScheduler)


def test_every_dependency_exists_and_waits_for_health_or_completion(services):
    for name, service in services.items():
        for dependency, condition in _depends_on(service).items():
            assert dependency in services, f"{name} depends on an unknown service {dependency}"
            if dependency == "migrate":
                assert condition == "service_completed_successfully", f"{name} -> migrate"
            else:
                assert condition == "service_healthy", f"{name} -> {dependency}: {condition}"
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency}'s health"
    for name in ("web", "worker", "beat"):
        assert _depends_on(services[name]) == {
            "migrate": "service_completed_successfully",
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }
    assert _depends_on(services["migrate"]) == {"postgres": "service_healthy"}


def test_long_running_services_have_healthchecks_beat_and_the_one_shot_migrate_do_not(services):
    for name, service in services.items():
        one_shot = service.get("restart") == "no"
        if one_shot or name in LONG_RUNNING_WITHOUT_HEALTHCHECK:
            assert "healthcheck" not in service, name
            continue
        assert service.get("restart") == "unless-stopped", name
        check = service["healthcheck"]
        assert check["test"] and check["test"] != ["NONE"] and not check.get("disable"), name
    assert services["migrate"]["restart"] == "no"
    assert services["beat"]["restart"] == "unless-stopped"
    assert services["postgres"]["healthcheck"]["test"][-1].startswith("pg_isready")
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_web_healthcheck_asks_healthz_as_an_allowed_host(services):
    check = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in check
    assert 'os.environ["ALLOWED_HOSTS"]' in check and '"Host"' in check
    # The command must be valid Python.
    compile(services["web"]["healthcheck"]["test"][-1], "<healthcheck>", "exec")


def test_named_volumes_are_declared_and_used(compose, services):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert used == declared
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    data_dir = next(
        value
        for keyword, rest in _dockerfile_instructions()
        if keyword == "ENV"
        for value in re.findall(r"QMS_VAR_DIR=(\S+)", rest)
    )
    assert f"qms-data:{data_dir}" in services["web"]["volumes"]


def test_app_services_read_env_file_and_pass_only_variables_the_settings_read(services):
    read = settings_variables()
    values, optional = env_example()
    for name in APP_SERVICES:
        service = services[name]
        assert service["env_file"] in (".env", [".env"]), name
        environment = _environment(service)
        assert set(environment) <= read, f"{name} sets variables the settings never read"
        assert environment.get("QMS_ENV") == "production", name
    assert set(values) - read == COMPOSE_ONLY, "variables in .env.example that nothing reads"
    assert optional <= read


def test_compose_only_variables_are_used_by_compose_and_not_by_the_settings(compose, services):
    text = (ROOT / "docker-compose.yml").read_text()
    assert _interpolated(text) >= COMPOSE_ONLY
    assert not COMPOSE_ONLY & settings_variables()
    # Everything Compose interpolates is in .env.example, so a copied .env is complete.
    values, _ = env_example()
    assert _interpolated(text) <= set(values)
    assert not any(_interpolated(json.dumps(services[name])) for name in APP_SERVICES)


def test_env_example_lists_what_an_operator_sets(services):
    values, optional = env_example()
    listed = set(values) | optional
    assert set(values) >= BRIEF_VARIABLES
    assert set(production_required()) <= set(values)
    assert all(values[name] for name in production_required())
    assert settings_variables() - listed == set(NOT_FOR_OPERATORS), "decide: .env.example or NOT_FOR_OPERATORS"
    assert values["QMS_ENV"] == "production"


def test_env_example_urls_point_at_the_compose_services(services):
    values, _ = env_example()
    postgres = _environment(services["postgres"])
    user, database = postgres["POSTGRES_USER"], postgres["POSTGRES_DB"]
    assert values["DATABASE_URL"] == (f"postgres://{user}:{values['POSTGRES_PASSWORD']}@postgres:5432/{database}")
    assert re.fullmatch(r"redis://redis:6379/\d+", values["REDIS_URL"])


# Dockerfile and .dockerignore -------------------------------------------------------------------


def test_dockerfile_builds_a_slim_non_root_image_with_static_files():
    instructions = _dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = [rest for keyword, rest in instructions if keyword == "RUN"]
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in runs)
    assert any("manage.py collectstatic --noinput" in run for run in runs)
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert keywords.index("USER") > max(i for i, keyword in enumerate(keywords) if keyword == "RUN")
    build_env = _collectstatic_build_env()
    assert build_env["QMS_ENV"] == "production"
    assert set(build_env) <= settings_variables()
    env_names = {name for keyword, rest in instructions if keyword == "ENV" for name in re.findall(r"([A-Z_]+)=", rest)}
    assert {name for name in env_names if not name.startswith(("PYTHON", "PIP_"))} <= settings_variables()
    assert not env_names & set(production_required()), "no secret or site setting baked into the image"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "var/", "staticfiles/"} <= ignored


def test_the_dockerfile_collectstatic_step_works_with_its_build_time_environment(tmp_path):
    env = {**_collectstatic_build_env(), "STATIC_ROOT": str(tmp_path / "static")}
    result = _run_django(["collectstatic", "--noinput"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "vendor/bootstrap/bootstrap.min.css" in manifest["paths"]
    assert "vendor/htmx/htmx.min.js" in manifest["paths"]


# The settings in the production profile ---------------------------------------------------------


def test_check_deploy_passes_with_the_variables_of_env_example(tmp_path):
    result = _run_django(["check", "--deploy", "--fail-level", "WARNING"], _example_production_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_healthz_is_exempt_from_the_https_redirect_the_web_healthcheck_relies_on(tmp_path):
    probe = (
        "import django, json, re; django.setup(); "
        "from django.conf import settings; from django.urls import resolve; "
        "print(json.dumps({'redirect': settings.SECURE_SSL_REDIRECT, "
        "'exempt': any(re.search(p, 'healthz') for p in settings.SECURE_REDIRECT_EXEMPT), "
        "'login_exempt': any(re.search(p, 'accounts/login/') for p in settings.SECURE_REDIRECT_EXEMPT), "
        "'view': resolve('/healthz').url_name, 'hosts': settings.ALLOWED_HOSTS}))"
    )
    env = {**_example_production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "qms.settings"}
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **env}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {
        "redirect": True,
        "exempt": True,
        "login_exempt": False,
        "view": "healthz",
        "hosts": env_example()[0]["ALLOWED_HOSTS"].split(","),
    }
