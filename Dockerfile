# The QMS portal image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    QMS_VAR_DIR=/var/lib/qms

WORKDIR /app

# Dependencies first, so a code change does not reinstall them (pyproject lists no packages:
# `pip install .` installs the dependencies; the code runs from /app).
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected once, at build time, with the production storage (hashed names,
# compressed copies) that WhiteNoise serves. The values below only satisfy the production profile's
# start-up check; nothing connects to them and none of them is in the image's environment.
RUN QMS_ENV=production \
    SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=consolemail:// \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

# Run as an unprivileged user; it may write only to QMS_VAR_DIR (uploaded files, a named volume).
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin qms \
    && mkdir -p "$QMS_VAR_DIR" \
    && chown qms:qms "$QMS_VAR_DIR"
USER qms

EXPOSE 8000
CMD ["gunicorn", "qms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
