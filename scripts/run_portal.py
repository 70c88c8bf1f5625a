"""Start the web server, the Celery worker and beat together; Ctrl-C (or SIGTERM) stops all three.

Used by `make run`. Each child runs in its own process group so that stopping it also stops what
it started (Django's auto-reloader, Celery's pool processes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    commands = {
        "worker": [str(VENV_BIN / "celery"), "-A", "qms", "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [str(VENV_BIN / "celery"), "-A", "qms", "beat", "--loglevel=INFO", "--pidfile="],
        "web": [sys.executable, "manage.py", "runserver", f"{host}:{port}"],
    }
    children = {name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()}
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"QMS portal on http://{host}:{port}/ with worker and beat; Ctrl-C stops all three.", flush=True)
    while not stopping:
        exited = [name for name, child in children.items() if child.poll() is not None]
        if exited:
            print(f"{', '.join(exited)} stopped; stopping the others.", file=sys.stderr, flush=True)
            break
        time.sleep(0.5)
    for name, child in children.items():
        if child.poll() is None:
            # Celery shuts its own pool down warmly; the web server's auto-reloader child needs the group.
            if name == "web":
                os.killpg(child.pid, signal.SIGTERM)
            else:
                child.terminate()
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
