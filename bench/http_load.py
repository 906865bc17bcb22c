"""Load from many clients at once on a real `psoas serve`, for the web benches
(bench/web.py, bench/clinic.py).

CLIENTS threads, each on its own keep-alive connection, start together and ask for one
page REQUESTS_PER_CLIENT times, one request after another. Any answer but 200 stops the
bench with what the server said (a thread cannot stop the process itself: a SystemExit
raised in it would end only that thread).
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

CLIENTS = 20
REQUESTS_PER_CLIENT = 20
ROUNDS = 4


def load(
    host: str, port: int, path: str, headers: dict[str, str], timeout: float = 120
) -> list[float]:
    """Latencies (s) of CLIENTS clients asking for `path` REQUESTS_PER_CLIENT times each."""
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)
    failed: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine = []
        start.wait()
        for _ in range(REQUESTS_PER_CLIENT):
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                failed.append(f"{path}: HTTP {response.status}: {body[:200]!r}")
                break
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise SystemExit(failed[0])
    return times


def p(times: list[float], q: float) -> float:
    """The q-th percentile of `times`."""
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


def measure(
    host: str, port: int, paths: list[str], headers: dict[str, str], timeout: float = 120
) -> dict[str, list[float]]:
    """Each path's latencies: every path loaded once to warm it (code paths, page caches),
    then ROUNDS rounds that take turns, so a slow moment of the machine falls on every
    path alike."""
    for path in paths:
        load(host, port, path, headers, timeout)
    results: dict[str, list[float]] = {path: [] for path in paths}
    for _ in range(ROUNDS):
        for path in results:
            results[path] += load(host, port, path, headers, timeout)
    return results


@contextmanager
def serving(env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen, str, int]]:
    """A real `psoas serve` on loopback, on a free port, for the store of `env` (this
    process's environment by default): the process, its host and its port. Stopped at the
    end."""
    psoas = str(Path(sys.executable).with_name("psoas"))
    proc = subprocess.Popen(
        [psoas, "serve", "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy() if env is None else env,
    )
    try:
        served = urlparse(proc.stdout.readline().split()[-1])
        yield proc, served.hostname, served.port
    finally:
        proc.terminate()
        proc.wait(10)


def access_token(proc: subprocess.Popen) -> str:
    """The token of the loopback link that a local-mode `psoas serve` prints second."""
    return parse_qs(urlparse(proc.stdout.readline().split()[-1]).query)["token"][0]
