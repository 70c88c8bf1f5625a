"""The portal's settings for the benchmark: production-like (DEBUG off), plus a trivial view as the ceiling
and no limit on the public form (the benchmark posts it from one address many times a second)."""

from qms.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
DEBUG = False
FEEDBACK_PUBLIC_RATE = "1000000/s"
