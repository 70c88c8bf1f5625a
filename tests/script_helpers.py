"""Running the benchmark and soak scripts from a test: in a process of their own, on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_script(settings, script: str, *arguments: str, timeout: int) -> subprocess.CompletedProcess:
    """``python <script> <arguments> --port <free port>`` with DATABASE_URL naming the test database."""
    db = settings.DATABASES["default"]
    credentials = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    url = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    command = [sys.executable, script, *arguments, "--port", str(free_port())]
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, timeout=timeout
    )
