"""The operations service under hostile load, on loopback: what ordinary users still get.

Sets up the service as `bench_ops_load.py` does (seven parties, one observer
each, `roof serve` on a free port, an exercise running) and measures the
latency of ordinary authenticated requests (`GET /api/me`, R closed-loop
readers from 127.0.0.1) in five phases of D seconds each:

- **quiet**: nothing else (the baseline the other phases are compared with);
- **slow headers**: S sockets from 8 other loopback addresses (127.0.0.2-9)
  that send a request line and then one header byte a second, never
  finishing (the attack that used to take the service down); counts how
  many the server cut off by the end of the phase;
- **login flood**: L tasks from the other addresses sending logins with a
  wrong password as fast as the answers come; counts the answers by status
  (401 until the backoff starts, then 429);
- **streams**: T attempts to open the live stream with the observers'
  tokens from 127.0.0.1; counts those admitted (200), refused (429: the
  cap per account) and closed at once (RemoteProtocolError: the cap of
  connections per address, which the readers share);
- **all at once**: the three attacks together.

For each phase: requests/s, p50/p95/p99 latency of the readers, the ratio of
its p50 to the quiet p50, and any reader request that failed (an error: an
ordinary user refused or cut off). The load generator shares the machine's
cores with the server, so these are the figures of one machine serving
itself and its attackers. Prints a table, then one JSON line.

Run: ``python benchmarks/bench_ops_hostile.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import secrets
import shutil
import ssl
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ops_load import (  # a sibling benchmark, imported by path
    ADMIN,
    PARTIES,
    BenchError,
    Endpoint,
    _client,
    _env,
    _reader,
    bootstrap,
    start_server,
)

ATTACK_ADDRESSES = [f"127.0.0.{k}" for k in range(2, 10)]
BUILD_UP_S = 1.0  # the attack runs this long before the readers start
# One TLS context for every client: making one per client costs milliseconds
# of the event loop each (loopback is plain HTTP anyway).
TLS = ssl.create_default_context()


async def _slow_header(port: int, address: str, deadline: float, cut: list[int]) -> None:
    """Open a connection, send a request line, then a header byte a second."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
    except OSError:
        cut[0] += 1  # refused at once
        return
    try:
        writer.write(b"GET /api/me HTTP/1.1\r\nHost: bench\r\nX-Slow: ")
        await writer.drain()
        while time.perf_counter() < deadline:
            try:
                await asyncio.wait_for(reader.read(1024), timeout=1.0)
            except TimeoutError:  # nothing from the server: one more header byte
                writer.write(b"a")
                await writer.drain()
                continue
            cut[0] += 1  # the server answered (408) or closed: cut off
            return
    except (ConnectionError, OSError):
        cut[0] += 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _login_flood(
    url: str, address: str, user: str, deadline: float, answers: collections.Counter[str]
) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=address, verify=TLS)
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=30.0) as client:
        while time.perf_counter() < deadline:
            try:
                reply = await client.post(
                    "/api/login", json={"username": user, "password": "wrong-password"}
                )
                answers[str(reply.status_code)] += 1
            except httpx.HTTPError as exc:
                answers[type(exc).__name__] += 1
                await asyncio.sleep(0.05)


async def _stream(
    url: str, path: str, token: str, deadline: float, answers: collections.Counter[str]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30.0, verify=TLS) as client:
        try:
            async with client.stream("GET", path) as reply:
                answers[str(reply.status_code)] += 1
                if reply.status_code == 200:
                    async for _ in reply.aiter_lines():
                        if time.perf_counter() >= deadline:
                            break
        except httpx.HTTPError as exc:
            answers[type(exc).__name__] += 1


async def _phase(
    name: str,
    url: str,
    port: int,
    readers: list[httpx.AsyncClient],
    seconds: float,
    attacks: set[str],
    sizes: dict[str, int],
    tokens: list[str],
    events_path: str,
) -> dict:
    deadline = time.perf_counter() + BUILD_UP_S + seconds
    cut = [0]
    logins: collections.Counter[str] = collections.Counter()
    streams: collections.Counter[str] = collections.Counter()
    tasks = []
    if "slow" in attacks:
        tasks += [
            asyncio.create_task(_slow_header(port, ATTACK_ADDRESSES[i % 8], deadline + 2.0, cut))
            for i in range(sizes["slow"])
        ]
    if "login" in attacks:
        tasks += [
            asyncio.create_task(_login_flood(url, ATTACK_ADDRESSES[i % 8], ADMIN, deadline, logins))
            for i in range(sizes["login"])
        ]
    if "streams" in attacks:
        tasks += [
            asyncio.create_task(
                _stream(url, events_path, tokens[i % len(tokens)], deadline, streams)
            )
            for i in range(sizes["streams"])
        ]
    await asyncio.sleep(BUILD_UP_S)  # let the attack build up first
    me = Endpoint(name)
    errors: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()
    await asyncio.gather(
        *(_reader(c, "/api/me", deadline, me.latencies_s, name, errors) for c in readers)
    )
    me.seconds = time.perf_counter() - start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    p50, p95, p99 = me.percentiles_ms()
    return {
        "phase": name,
        "requests_per_s": me.requests_per_s,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "reader_errors": sum(errors.values()),
        "reader_errors_by_kind": dict(errors),
        "slow_sockets_cut": cut[0] if "slow" in attacks else None,
        "login_answers": dict(logins),
        "stream_answers": dict(streams),
    }


async def run(server, password: str, observers: dict[str, str], args) -> list[dict]:
    tls = TLS
    async with httpx.AsyncClient(base_url=server.url, timeout=60.0, verify=TLS) as admin:
        tokens = {}
        for name in (ADMIN, *observers.values()):
            reply = await admin.post("/api/login", json={"username": name, "password": password})
            if reply.status_code != 200:
                raise BenchError(f"login of {name!r} failed: HTTP {reply.status_code}")
            tokens[name] = reply.json()["token"]
        admin.headers["Authorization"] = f"Bearer {tokens[ADMIN]}"
        reply = await admin.post("/api/exercises", json={"name": "hostile load", "speed": 10.0})
        if reply.status_code not in (200, 201):
            raise BenchError(f"the exercise did not start: HTTP {reply.status_code}")
        events_path = f"/api/exercises/{reply.json()['id']}/events"
    observer_tokens = [tokens[observers[p]] for p in PARTIES]
    sizes = {"slow": args.slow, "login": args.logins, "streams": args.streams}
    phases = [
        ("quiet", set()),
        ("slow headers", {"slow"}),
        ("login flood", {"login"}),
        ("streams", {"streams"}),
        ("all at once", {"slow", "login", "streams"}),
    ]
    results = []
    async with contextlib.AsyncExitStack() as stack:
        readers = [
            await stack.enter_async_context(
                _client(server.url, observer_tokens[i % len(observer_tokens)], tls, 60.0)
            )
            for i in range(args.readers)
        ]
        for name, attacks in phases:
            print(f"  phase: {name} ...", file=sys.stderr, flush=True)
            results.append(
                await _phase(
                    name,
                    server.url,
                    server.port,
                    readers,
                    args.duration,
                    attacks,
                    sizes,
                    observer_tokens,
                    events_path,
                )
            )
            await asyncio.sleep(2.0)  # the cut-off sockets and streams drain
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small attacks, 3 s phases")
    parser.add_argument("--readers", type=int, default=8, help="ordinary readers (8)")
    parser.add_argument("--slow", type=int, default=None, help="slow-header sockets (1000)")
    parser.add_argument("--logins", type=int, default=None, help="login-flood tasks (16)")
    parser.add_argument("--streams", type=int, default=None, help="stream attempts (300)")
    parser.add_argument("--duration", type=float, default=None, help="seconds a phase (10)")
    args = parser.parse_args(argv)
    args.slow = args.slow or (100 if args.quick else 1000)
    args.logins = args.logins or (4 if args.quick else 16)
    args.streams = args.streams or (30 if args.quick else 300)
    args.duration = args.duration or (3.0 if args.quick else 10.0)

    password = secrets.token_urlsafe(18)
    folder = Path(tempfile.mkdtemp(prefix="roof-bench-hostile-"))
    server = None
    try:
        data_dir = folder / "data"
        observers = bootstrap(data_dir, password)
        server = start_server(data_dir, folder, _env(password))
        print(f"measuring on {server.url} ...", file=sys.stderr, flush=True)
        results = asyncio.run(run(server, password, observers, args))
        if server.process.poll() is not None:
            raise BenchError(f"the server died: {server.stderr_tail()}")
        log_bytes = sum(p.stat().st_size for p in folder.glob("serve-*"))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    quiet = results[0]["p50_ms"]
    print(
        f"roof serve under hostile load, {args.readers} ordinary readers of /api/me, "
        f"{args.duration:g} s a phase, {os.cpu_count()} cores shared with the attackers"
    )
    print(f"{'phase':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'x quiet':>9}  notes")
    for r in results:
        r["ratio_p50_vs_quiet"] = r["p50_ms"] / quiet
        notes = []
        if r["slow_sockets_cut"] is not None:
            notes.append(f"slow sockets cut {r['slow_sockets_cut']}/{args.slow}")
        if r["login_answers"]:
            notes.append(f"logins {r['login_answers']}")
        if r["stream_answers"]:
            notes.append(f"streams {r['stream_answers']}")
        if r["reader_errors"]:
            notes.append(f"READER ERRORS {r['reader_errors_by_kind']}")
        print(
            f"{r['phase']:<14}{r['requests_per_s']:>9.0f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
            f"{r['p99_ms']:>9.1f}{r['ratio_p50_vs_quiet']:>9.2f}  {'; '.join(notes)}"
        )
    print(
        json.dumps(
            {
                "benchmark": "ops_hostile",
                "readers": args.readers,
                "slow_sockets": args.slow,
                "login_tasks": args.logins,
                "stream_attempts": args.streams,
                "duration_s": args.duration,
                "cores": os.cpu_count(),
                "server_log_bytes": log_bytes,
                "phases": results,
            }
        )
    )


if __name__ == "__main__":
    main()
