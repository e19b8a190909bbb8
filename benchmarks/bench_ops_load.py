"""Load on the operations service: the shared picture and its live stream, on loopback.

Sets up a fresh service with the calls behind `roof admin init`, `add-party`
and `add-user` (the seven parties of the built-in exercise, one observer per
party), starts `roof serve` on a free port, logs every
user in and starts an exercise with speed 10 (ten simulated seconds per wall
second) and seed 1. Then, with asyncio and one httpx client per simulated
user (HTTP/1.1, kept-alive connections):

- C readers (one per simulated user, spread over the seven parties) each
  request their party's picture, `GET /api/exercises/{id}/picture`, one
  after the other (closed loop: a reader sends its next request when the
  reply arrives);
- the peer, measured side by side in the same run: the same readers request
  the trivial authenticated `GET /api/me` (framework, bearer-token check and
  one database read, no picture). The two alternate in four slices of D/2
  seconds, picture, me, me, picture, so that a drift in the exercise (more
  tracks later) or in the machine weighs on both alike; each gets D seconds;
- all the while, K subscribers read the server-sent events stream
  `GET /api/exercises/{id}/events` and time each `picture` event: the gaps
  between events and how late each arrives after the simulated time it
  shows. The exercise's clock started when its creation returned, so the
  simulated time `t` was reached at wall time `start + t / speed`; the lag is
  the event's arrival minus that (accurate to the few milliseconds of the
  creation's reply). The server's clock ticks and its streams poll every
  0.25 s, so a subscriber gets at most about 4 picture events per second.

Latencies are measured at the client and include its own queueing: the load
generator shares the machine's cores with the server, so the figures are
those of one machine serving itself, and the CPU time each side used is
printed. Any reply other than 200 (or a failed connection) is an error.

Prints a table, then as the last line one JSON object with the figures.

Run: ``python benchmarks/bench_ops_load.py [--readers C] [--subscribers K]
[--duration D] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import math
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # run from a checkout
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PARTIES = ("azerbaijan", "poland", "romania", "russia", "spain", "turkey", "usa")
ADMIN = "director"
SPEED = 10.0  # simulated seconds per wall second
SEED = 1
START_TIMEOUT_S = 120.0  # the first start compiles numba code
READY_TIMEOUT_S = 60.0  # for every subscriber's first picture event
STOP_GRACE_S = 10.0
CLOCK_PERIOD_S = 0.25  # the server's clock thread and stream poll


class BenchError(Exception):
    """A failure that ends the benchmark with exit code 2 and one line."""


# ------------------------------------------------------------------ set-up


def _env(password: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if part
    )
    env["ROOF_PASSWORD"] = password
    return env


def _one_line(text: str, limit: int = 1500) -> str:
    tail = " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return tail[-limit:] or "(empty)"


def bootstrap(data_dir: Path, password: str) -> dict[str, str]:
    """The administrator, the parties and one observer each; return party -> user name.

    In this process, through the same service calls as `roof admin` (one CLI
    process per account would cost seconds each in start-up alone).
    """
    from securityroof.ops.auth import Principal
    from securityroof.ops.server import Store

    service = Store(data_dir).open(None)
    service.bootstrap([(party, party) for party in PARTIES], (ADMIN, password))
    director = Principal(0, "bench", None, "admin")
    observers = {party: f"{party}-observer" for party in PARTIES}
    for party, name in observers.items():
        service.create_user(director, name, password, "observer", party)
    return observers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    stderr_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr_tail(self) -> str:
        try:
            return _one_line(self.stderr_path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return "(no stderr)"

    def cpu_s(self) -> float:
        """User plus system CPU seconds the server has used (Linux; NaN elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(data_dir: Path, logs: Path, env: dict[str, str], attempts: int = 3) -> Server:
    """`roof serve` on a free port, answering `GET /api/basemap`; BenchError if not."""
    for attempt in range(attempts):
        port = free_port()
        stderr_path = logs / f"serve-{attempt}.err"
        command = [sys.executable, "-m", "securityroof", "serve", "--data-dir", str(data_dir)]
        with (logs / f"serve-{attempt}.out").open("wb") as out, stderr_path.open("wb") as err:
            process = subprocess.Popen(
                [*command, "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        server = Server(process, port, stderr_path)
        try:
            if _wait_until_up(server):
                return server
        except BaseException:
            server.stop()
            raise
        server.stop()
        tail = server.stderr_tail()
        if "is in use" in tail and attempt + 1 < attempts:  # another program took the port
            continue
        if process.returncode is not None and process.returncode != -15:
            raise BenchError(
                f"the server exited with code {process.returncode} before answering; stderr: {tail}"
            )
        raise BenchError(
            f"the server did not answer GET /api/basemap within {START_TIMEOUT_S:g} s; "
            f"stderr: {tail}"
        )
    raise AssertionError("unreachable")


def _wait_until_up(server: Server) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(base_url=server.url) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                return False
            try:
                timeout = max(1.0, deadline - time.monotonic())
                reply = client.get("/api/basemap", timeout=timeout)
                if reply.status_code == 200 and server.process.poll() is None:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    return False


# -------------------------------------------------------------------- load


@dataclass
class Endpoint:
    """What the readers measured on one endpoint, over all its slices."""

    name: str
    latencies_s: list[float] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    slices: list[float] = field(default_factory=list)  # requests/s of each slice

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies_s) / self.seconds if self.seconds > 0 else math.nan

    def percentiles_ms(self) -> list[float]:
        if not self.latencies_s:
            return [math.nan] * 3
        return [float(v) for v in np.percentile(self.latencies_s, [50, 95, 99]) * 1e3]


@dataclass
class Subscriber:
    events: list[tuple[float, float]] = field(default_factory=list)  # (arrival, sim time)
    ready: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Run:
    picture: Endpoint
    me: Endpoint
    subscribers: list[Subscriber]
    window: tuple[float, float]
    anchor: float  # client perf_counter when the exercise's clock started
    errors: collections.Counter[str]
    final_status: str


def _client(url: str, token: str | None, tls: ssl.SSLContext, read_s: float) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        base_url=url,
        headers=headers,
        http1=True,
        http2=False,
        verify=tls,  # one context for all clients (loopback is plain HTTP anyway)
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=60),
        timeout=httpx.Timeout(30.0, read=read_s),
    )


async def _reader(
    client: httpx.AsyncClient,
    path: str,
    deadline: float,
    out: list[float],
    name: str,
    errors: collections.Counter[str],
) -> None:
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            reply = await client.get(path)
        except httpx.HTTPError as exc:
            errors[f"{name}: {type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)
            continue
        elapsed = time.perf_counter() - start
        if reply.status_code == 200:
            out.append(elapsed)
        else:
            errors[f"{name}: HTTP {reply.status_code}"] += 1


async def _warm_up(
    client: httpx.AsyncClient, picture_path: str, errors: collections.Counter[str]
) -> None:
    for path in (picture_path, "/api/me"):
        try:
            reply = await client.get(path)
        except httpx.HTTPError as exc:
            errors[f"warm-up: {type(exc).__name__}"] += 1
            continue
        if reply.status_code != 200:
            errors[f"warm-up: HTTP {reply.status_code}"] += 1


async def _subscribe(
    client: httpx.AsyncClient, path: str, sub: Subscriber, errors: collections.Counter[str]
) -> None:
    try:
        async with client.stream("GET", path) as reply:
            if reply.status_code != 200:
                errors[f"events: HTTP {reply.status_code}"] += 1
                return
            event, data = "", []
            async for line in reply.aiter_lines():
                if line:
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "picture":
                        data.append(line[5:].lstrip())
                    continue
                if event == "picture":
                    arrival = time.perf_counter()
                    sub.events.append((arrival, float(json.loads("".join(data))["sim_time_s"])))
                    sub.ready.set()
                event, data = "", []
        errors["events: stream ended early"] += 1
    except httpx.HTTPError as exc:
        errors[f"events: {type(exc).__name__}"] += 1


async def _slice(
    server: Server,
    readers: list[httpx.AsyncClient],
    path: str,
    seconds: float,
    endpoint: Endpoint,
    errors: collections.Counter[str],
) -> None:
    cpu_server, cpu_client = server.cpu_s(), time.process_time()
    done_before = len(endpoint.latencies_s)
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _reader(c, path, start + seconds, endpoint.latencies_s, endpoint.name, errors)
            for c in readers
        )
    )
    seconds = time.perf_counter() - start  # includes the last replies' drain
    endpoint.seconds += seconds
    endpoint.slices.append((len(endpoint.latencies_s) - done_before) / seconds)
    endpoint.server_cpu_s += server.cpu_s() - cpu_server
    endpoint.client_cpu_s += time.process_time() - cpu_client


async def load(
    server: Server,
    password: str,
    observers: dict[str, str],
    n_readers: int,
    n_subscribers: int,
    duration_s: float,
) -> Run:
    errors: collections.Counter[str] = collections.Counter()
    tls = ssl.create_default_context()
    async with contextlib.AsyncExitStack() as stack:
        admin = await stack.enter_async_context(_client(server.url, None, tls, 60.0))
        tokens = {}
        for name in [ADMIN, *observers.values()]:
            reply = await admin.post("/api/login", json={"username": name, "password": password})
            if reply.status_code != 200:
                raise BenchError(f"login of {name!r} failed: HTTP {reply.status_code} {reply.text}")
            tokens[name] = reply.json()["token"]
        admin.headers["Authorization"] = f"Bearer {tokens[ADMIN]}"
        reply = await admin.post(
            "/api/exercises", json={"name": "load benchmark", "speed": SPEED, "seed": SEED}
        )
        anchor = time.perf_counter()
        if reply.status_code != 201:
            raise BenchError(f"starting the exercise failed: HTTP {reply.status_code} {reply.text}")
        exercise = reply.json()["id"]
        picture_path = f"/api/exercises/{exercise}/picture"

        def token(i: int) -> str:
            return tokens[observers[PARTIES[i % len(PARTIES)]]]

        readers = [
            await stack.enter_async_context(_client(server.url, token(i), tls, 60.0))
            for i in range(n_readers)
        ]
        listeners = [
            await stack.enter_async_context(_client(server.url, token(i), tls, 120.0))
            for i in range(n_subscribers)
        ]
        subscribers = [Subscriber() for _ in listeners]
        tasks = [
            asyncio.create_task(_subscribe(c, f"/api/exercises/{exercise}/events", s, errors))
            for c, s in zip(listeners, subscribers, strict=True)
        ]
        try:
            # Warm-up: open every reader's connection, one request on each endpoint.
            await asyncio.gather(*(_warm_up(c, picture_path, errors) for c in readers))
            waiting = [asyncio.create_task(s.ready.wait()) for s in subscribers]
            _, late = await asyncio.wait(waiting, timeout=READY_TIMEOUT_S)
            for task in late:
                task.cancel()
            if late:
                errors["events: no first picture in time"] += len(late)

            picture, me = Endpoint("picture"), Endpoint("me")
            start = time.perf_counter()
            for endpoint in (picture, me, me, picture):
                path = picture_path if endpoint is picture else "/api/me"
                await _slice(server, readers, path, duration_s / 2, endpoint, errors)
            end = time.perf_counter()
            reply = await admin.get("/api/exercises")
            status = next((e["status"] for e in reply.json() if e["id"] == exercise), "unknown")
        finally:
            for task in tasks:
                task.cancel()
            for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(outcome, Exception):  # a malformed event, say
                    errors[f"events: {type(outcome).__name__}"] += 1
    return Run(picture, me, subscribers, (start, end), anchor, errors, status)


# ------------------------------------------------------------------ report


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def summarise_events(run: Run) -> dict:
    start, end = run.window
    seconds = end - start
    gaps, lags, rates, repeats, total, sims = [], [], [], 0, 0, []
    for sub in run.subscribers:
        inside = [(a, t) for a, t in sub.events if start <= a <= end]
        total += len(inside)
        sims.extend(t for _, t in inside)
        rates.append(len(inside) / seconds)
        lags.extend(a - (run.anchor + t / SPEED) for a, t in inside)
        for (a0, t0), (a1, t1) in itertools.pairwise(inside):
            gaps.append(a1 - a0)
            repeats += t1 <= t0
    gap_ms = np.percentile(gaps, [50, 95]) * 1e3 if gaps else [math.nan] * 2
    lag_ms = np.percentile(lags, [50, 95, 99]) * 1e3 if lags else [math.nan] * 3
    return {
        "events": total,
        "events_per_s": total / seconds,
        "per_subscriber_min": min(rates, default=math.nan),
        "per_subscriber_mean": float(np.mean(rates)) if rates else math.nan,
        "per_subscriber_max": max(rates, default=math.nan),
        "gap_p50_ms": float(gap_ms[0]),
        "gap_p95_ms": float(gap_ms[1]),
        "gap_max_ms": max(gaps, default=math.nan) * 1e3,
        "lag_p50_ms": float(lag_ms[0]),
        "lag_p95_ms": float(lag_ms[1]),
        "lag_p99_ms": float(lag_ms[2]),
        "same_sim_time_events": int(repeats),
        "window_s": seconds,
        "sim_time_from_s": min(sims, default=math.nan),
        "sim_time_to_s": max(sims, default=math.nan),
    }


def report(
    run: Run, n_readers: int, n_subscribers: int, duration_s: float, load_average: tuple
) -> None:
    cores = os.cpu_count() or 1
    sse = summarise_events(run)
    ratio = run.picture.requests_per_s / run.me.requests_per_s
    print(
        f"Operations service on loopback: {n_readers} readers, {n_subscribers} SSE subscribers, "
        f"{duration_s:g} s per endpoint (slices picture, me, me, picture); exercise speed "
        f"{SPEED:g}, seed {SEED}; {cores} cores, load average before "
        f"{load_average[0]:.2f} {load_average[1]:.2f} {load_average[2]:.2f}"
    )
    header = (
        f"{'endpoint':<16} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'p99 ms':>8} {'errors':>7} {'server CPU':>11} {'client CPU':>11}"
    )
    print(header)
    print("-" * len(header))
    for endpoint, label in ((run.picture, "picture"), (run.me, "/api/me (peer)")):
        p50, p95, p99 = endpoint.percentiles_ms()
        errors = sum(n for k, n in run.errors.items() if k.startswith(f"{endpoint.name}:"))
        print(
            f"{label:<16} {len(endpoint.latencies_s):>9} {endpoint.requests_per_s:>8.1f}"
            f" {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {errors:>7}"
            f" {endpoint.server_cpu_s / endpoint.seconds:>7.2f} cores"
            f" {endpoint.client_cpu_s / endpoint.seconds:>5.2f} cores"
        )
    print(
        f"picture throughput / /api/me throughput: {ratio:.3f} (a picture request costs "
        f"{1 / ratio:.2f}x the bare framework + token check)"
    )
    order = [run.picture.slices[0], run.me.slices[0], run.me.slices[1], run.picture.slices[1]]
    print(
        "requests/s by slice (picture, me, me, picture): "
        + ", ".join(f"{rate:.1f}" for rate in order)
        + f"; slowest reply: picture {max(run.picture.latencies_s, default=math.nan) * 1e3:.0f} ms,"
        f" me {max(run.me.latencies_s, default=math.nan) * 1e3:.0f} ms"
    )
    print(
        f"SSE: {n_subscribers} subscribers, {sse['events']} picture events in "
        f"{sse['window_s']:.1f} s = {sse['events_per_s']:.1f} events/s in total; per subscriber "
        f"{sse['per_subscriber_mean']:.2f}/s (min {sse['per_subscriber_min']:.2f}, "
        f"max {sse['per_subscriber_max']:.2f}; at most ~{1 / CLOCK_PERIOD_S:.0f}/s)"
    )
    print(
        f"     gap between events p50 {sse['gap_p50_ms']:.0f} ms, p95 {sse['gap_p95_ms']:.0f} ms,"
        f" max {sse['gap_max_ms']:.0f} ms; lag behind the simulated time p50 "
        f"{sse['lag_p50_ms']:.0f} ms, p95 {sse['lag_p95_ms']:.0f} ms, p99 "
        f"{sse['lag_p99_ms']:.0f} ms; events repeating a simulated time: "
        f"{sse['same_sim_time_events']}"
    )
    print(
        f"the measurement covered simulated times {sse['sim_time_from_s']:.0f} to "
        f"{sse['sim_time_to_s']:.0f} s of the exercise (the picture's cost varies along it)"
    )
    if run.final_status != "running":
        print(f"note: the exercise was {run.final_status!r} at the end of the run")
    total_errors = sum(run.errors.values())
    if total_errors:
        print("errors: " + ", ".join(f"{k} x{n}" for k, n in sorted(run.errors.items())))
    else:
        print("errors: none")
    pic, me = run.picture.percentiles_ms(), run.me.percentiles_ms()
    print(
        json.dumps(
            {
                "benchmark": "ops_load",
                "picture_requests_per_s": _finite(run.picture.requests_per_s),
                "picture_p50_ms": _finite(pic[0]),
                "picture_p95_ms": _finite(pic[1]),
                "picture_p99_ms": _finite(pic[2]),
                "me_requests_per_s": _finite(run.me.requests_per_s),
                "me_p50_ms": _finite(me[0]),
                "me_p95_ms": _finite(me[1]),
                "me_p99_ms": _finite(me[2]),
                "ratio_picture_vs_me": _finite(ratio),
                "sse_subscribers": n_subscribers,
                "sse_events_per_s": _finite(sse["events_per_s"]),
                "errors": total_errors,
                "readers": n_readers,
                "duration_s": duration_s,
                "cores": cores,
                "errors_by_kind": dict(sorted(run.errors.items())),
                "picture_requests": len(run.picture.latencies_s),
                "me_requests": len(run.me.latencies_s),
                "picture_max_ms": _finite(max(run.picture.latencies_s, default=math.nan) * 1e3),
                "me_max_ms": _finite(max(run.me.latencies_s, default=math.nan) * 1e3),
                "slices_requests_per_s": {
                    e.name: [_finite(r) for r in e.slices] for e in (run.picture, run.me)
                },
                "server_cpu_cores": {
                    e.name: _finite(e.server_cpu_s / e.seconds) for e in (run.picture, run.me)
                },
                "client_cpu_cores": {
                    e.name: _finite(e.client_cpu_s / e.seconds) for e in (run.picture, run.me)
                },
                "sse": {k: v if isinstance(v, int) else _finite(float(v)) for k, v in sse.items()},
                "exercise_status": run.final_status,
                "speed": SPEED,
                "load_average": list(load_average),
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=None, help="concurrent readers (50)")
    parser.add_argument("--subscribers", type=int, default=None, help="SSE subscribers (50)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per endpoint (20)")
    parser.add_argument("--quick", action="store_true", help="8 readers, 8 subscribers, 4 s")
    args = parser.parse_args(argv)
    n_readers = args.readers or (8 if args.quick else 50)
    n_subscribers = args.subscribers or (8 if args.quick else 50)
    duration_s = args.duration or (4.0 if args.quick else 20.0)

    password = secrets.token_urlsafe(18)
    env = _env(password)
    folder = Path(tempfile.mkdtemp(prefix="roof-bench-ops-"))
    server = None
    try:
        data_dir = folder / "data"
        print("setting up the accounts ...", file=sys.stderr, flush=True)
        observers = bootstrap(data_dir, password)
        print("starting roof serve ...", file=sys.stderr, flush=True)
        server = start_server(data_dir, folder, env)
        print(f"measuring on {server.url} ...", file=sys.stderr, flush=True)
        load_before = os.getloadavg()
        run = asyncio.run(load(server, password, observers, n_readers, n_subscribers, duration_s))
        if server.process.poll() is not None:
            raise BenchError(
                f"the server died during the run (exit {server.process.returncode}); "
                f"stderr: {server.stderr_tail()}"
            )
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report(run, n_readers, n_subscribers, duration_s, load_before)


if __name__ == "__main__":
    main()
