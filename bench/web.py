"""The web pages under load: today, plan and progress against a trivial view.

Seeds a fresh SQLite store with a year of daily history (bench/progress.py's seed: a plan
every six weeks, a full session and a pain check-in every day), starts the real server
(`psoas serve`, waitress, its default threads) on loopback, and has 20 clients, each on its
own keep-alive connection, ask for one page at a time, one page kind after another, in four
rounds that take turns. The trivial view (`/ping`: the same server and middleware, no
database, no template) is measured in the same run, so the ratios say what the pages
themselves cost whatever the machine. Target (issue 4): p95 ratio at most 3. Prints each
page's p50/p95 in ms, then `p50_ratio` and `p95_ratio` (the worst page).
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from progress import fresh_store, seed

CLIENTS = 20
REQUESTS_PER_CLIENT = 20
ROUNDS = 4
PAGES = ["/today/", "/plan/", "/progress/"]
TRIVIAL = "/ping"


def load(host: str, port: int, path: str, token: str) -> list[float]:
    """Latencies (s) of CLIENTS clients asking for `path` REQUESTS_PER_CLIENT times each."""
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        start.wait()
        for _ in range(REQUESTS_PER_CLIENT):
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}: {body[:200]!r}")
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    with fresh_store():
        seed(365)
        psoas = str(Path(sys.executable).with_name("psoas"))
        server = subprocess.Popen(
            [psoas, "serve", "--no-browser", "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        try:
            url = urlparse(server.stdout.readline().split()[-1])
            host, port = url.hostname, url.port
            link = urlparse(server.stdout.readline().split()[-1])  # the loopback link
            token = parse_qs(link.query)["token"][0]
            for path in [TRIVIAL, *PAGES]:  # warm every code path and the page caches
                load(host, port, path, token)
            # Rounds take turns, so a slow moment of the machine falls on every path alike.
            results: dict[str, list[float]] = {path: [] for path in [TRIVIAL, *PAGES]}
            for _ in range(ROUNDS):
                for path in results:
                    results[path] += load(host, port, path, token)
        finally:
            server.terminate()
            server.wait(10)
    base50, base95 = p(results[TRIVIAL], 50), p(results[TRIVIAL], 95)
    for path, times in results.items():
        name = path.strip("/") or "ping"
        print(f"{name}_p50_ms: {1000 * p(times, 50):.1f} ms")
        print(f"{name}_p95_ms: {1000 * p(times, 95):.1f} ms")
    print(f"p50_ratio: {max(p(results[x], 50) for x in PAGES) / base50:.2f} x")
    print(f"p95_ratio: {max(p(results[x], 95) for x in PAGES) / base95:.2f} x")


if __name__ == "__main__":
    main()
