"""A small HTTP/1.1 load client on asyncio sockets (no dependency): N clients send one request each, wait
for the whole response, and send the next, for a fixed time. Run as its own process by ``run.py``:

    python -m benchmarks.load --url http://127.0.0.1:8765/customers/ --seconds 10 --concurrency 20 \
        --cookie "sessionid=..." [--method POST --body "a=1&b=2"]

Prints one JSON object: latencies (ms, each request's from connect to last byte), status counts,
bytes read and the measured duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


class HttpError(Exception):
    pass


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size_line = await reader.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # Trailers (none expected) end with an empty line.
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    return await reader.read()


async def fetch(host: str, port: int, request: bytes, keep: dict) -> tuple[int, int, bool]:
    """Send ``request`` (reusing the kept connection when the server kept it open); return status, body size,
    and whether the connection may be reused."""
    reused = keep.get("writer") is not None
    if not reused:
        keep["reader"], keep["writer"] = await asyncio.open_connection(host, port)
    reader, writer = keep["reader"], keep["writer"]
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
    except ConnectionError:
        status_line = b""
    if not status_line:
        writer.close()
        keep["writer"] = None
        if reused:  # the server closed an idle kept-alive connection: once more on a new one
            return await fetch(host, port, request, keep)
        raise HttpError("connection closed before the response")
    version, status = status_line.split()[0], int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await _read_body(reader, headers)
    connection = headers.get("connection", "").lower()
    persistent = connection == "keep-alive" if version == b"HTTP/1.0" else connection != "close"
    reusable = persistent and ("content-length" in headers or "transfer-encoding" in headers)
    if not reusable:
        writer.close()
        keep["writer"] = None
    return status, len(body), reusable


def build_request(method: str, url: str, cookie: str = "", body: str = "", extra_headers: dict | None = None) -> bytes:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [
        f"{method} {target} HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "User-Agent: qms-bench/1",
        "Accept: */*",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    for name, value in (extra_headers or {}).items():
        lines.append(f"{name}: {value}")
    payload = body.encode()
    if method != "GET":
        lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def drive(
    url: str,
    *,
    seconds: float,
    concurrency: int,
    method: str = "GET",
    cookie: str = "",
    body: str = "",
    headers=None,
    grace: float = 30.0,
) -> dict:
    parts = urlsplit(url)
    request = build_request(method, url, cookie, body, headers)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures = 0
    byte_count = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal failures, byte_count
        keep: dict = {}
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, size, _ = await fetch(parts.hostname, parts.port, request, keep)
            except (OSError, HttpError, asyncio.IncompleteReadError, ValueError):
                failures += 1
                if keep.get("writer") is not None:
                    keep["writer"].close()
                keep["writer"] = None
                await asyncio.sleep(0.01)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            byte_count += size
        if keep.get("writer") is not None:
            keep["writer"].close()

    started = time.perf_counter()
    tasks = [asyncio.ensure_future(client()) for _ in range(concurrency)]
    _, unfinished = await asyncio.wait(tasks, timeout=seconds + grace)
    for task in unfinished:  # still waiting for an answer long after the time was up: counted as failures
        task.cancel()
    failures += len(unfinished)
    await asyncio.gather(*unfinished, return_exceptions=True)
    return {
        "latencies_ms": latencies,
        "statuses": statuses,
        "failures": failures,
        "bytes": byte_count,
        "duration_s": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[], help="Name: value (repeatable)")
    args = parser.parse_args(argv)
    headers = dict(item.split(": ", 1) for item in args.header)
    result = asyncio.run(
        drive(
            args.url,
            seconds=args.seconds,
            concurrency=args.concurrency,
            method=args.method,
            cookie=args.cookie,
            body=args.body,
            headers=headers,
        )
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
