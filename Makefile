# The two commands: `make run` (the portal with demo data, worker and beat) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Re-install only when pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('pyproject.toml','rb').read()).hexdigest()[:10])")
TEST_STAMP := $(STAMP)-test

.PHONY: run test install install-test system-deps migrate demo lint format clean vendor-static collectstatic backup restore bench bench-data soak

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# A consistent archive of the database, the uploaded files and a manifest of hashes (under var/backups/).
backup: install
	$(PY) manage.py backup

# The benchmark (benchmarks/README.md) against PostgreSQL: DATABASE_URL=postgres://.../qms_bench make bench-data bench
# Issue 9's full scale: --customers 50000 --feedback 2000000 --requirements 20000 --risks 10000 --audit 10000000
BENCH_SIZES ?= --customers 20000 --feedback 300000 --requirements 5000 --risks 3000 --audit 1000000
BENCH_ARGS ?=
bench-data: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "Set DATABASE_URL=postgres://... (a database of its own)"; exit 1;; esac
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_scale $(BENCH_SIZES) --seed 1

bench: install
	$(PY) manage.py migrate --noinput
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# The soak run (docs/reliability.md): mixed load on web, worker and beat; a database and a Redis database of its own:
# DATABASE_URL=postgres://.../qms_soak REDIS_URL=redis://127.0.0.1:6379/9 make soak
SOAK_ARGS ?= --minutes 10
soak: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "Set DATABASE_URL=postgres://... (a database of its own)"; exit 1;; esac
	@case "$$REDIS_URL" in redis*) ;; *) echo "Set REDIS_URL=redis://... (a Redis database of its own)"; exit 1;; esac
	$(PY) manage.py migrate --noinput
	$(PY) benchmarks/soak.py $(SOAK_ARGS)

# make restore ARCHIVE=var/backups/qms-backup-....tar.gz (into a migrated instance; FORCE=1 replaces its data)
restore: install
	$(PY) manage.py restore $(ARCHIVE) $(if $(FORCE),--force,)

# The web server, the Celery worker and beat together; Ctrl-C stops all three.
run: demo
	@echo "Sign in as quality, management, staff, auditor or admin with the password qms-demo."
	HOST=$(HOST) PORT=$(PORT) $(PY) scripts/run_portal.py

# Debian packages: Chromium for the browser tests; Pango, HarfBuzz and fonts for WeasyPrint's PDFs.
DEBIAN_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Install these Debian packages first: apt-get install $$missing"; exit 1; fi; \
	fi

test: install-test system-deps
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-test
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

vendor-static:
	scripts/vendor_static

collectstatic: install
	$(PY) manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) staticfiles test-artifacts
