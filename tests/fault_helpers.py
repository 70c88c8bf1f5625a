"""Broken Redis servers for the fault tests: one that accepts connections and never answers, one that is down."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


@contextlib.contextmanager
def stalled_redis() -> Iterator[str]:
    """A TCP server on loopback that accepts connections and never says a word; yields its redis:// URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=accept, name="stalled-redis", daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


@contextlib.contextmanager
def stopped_redis() -> Iterator[str]:
    """The redis:// URL of a loopback port where nothing listens (a port just freed, as a stopped Redis)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"redis://127.0.0.1:{port}/0"


class RecordingSmtpServer:
    """A minimal SMTP server on loopback that records the Subject of each message it accepts.

    A message counts as delivered the moment the server answers ``250`` to its DATA, as with a real
    mail server. ``before_accept(subject)`` is called first, after ``delay`` seconds (a slow server);
    when it returns False the connection is dropped without an answer and the message is not recorded.
    """

    def __init__(self, *, delay: float = 0.0, before_accept=None) -> None:
        import socketserver

        self.delay = delay
        self.before_accept = before_accept or (lambda subject: True)
        self.accepted: list[str] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                self.reply("220 test-smtp ready")
                while line := self.rfile.readline():
                    verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb in {"EHLO", "HELO"}:
                        self.reply("250 test-smtp")
                    elif verb in {"MAIL", "RCPT", "RSET", "NOOP"}:
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        subject = ""
                        while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            if not subject and data.lower().startswith(b"subject:"):
                                subject = data.split(b":", 1)[1].strip().decode()
                        time.sleep(outer.delay)
                        if not outer.before_accept(subject):
                            return  # dropped: never answered, not delivered
                        with outer._lock:
                            outer.accepted.append(subject)
                        self.reply("250 queued")
                    else:
                        self.reply("502 not implemented")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-smtp", daemon=True)

    def __enter__(self) -> RecordingSmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
