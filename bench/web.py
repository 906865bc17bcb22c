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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import access_token, measure, p, serving
from progress import fresh_store, seed

PAGES = ["/today/", "/plan/", "/progress/"]
TRIVIAL = "/ping"


def main() -> None:
    with fresh_store():
        seed(365)
        with serving() as (server, host, port):
            auth = {"Authorization": f"Bearer {access_token(server)}"}
            results = measure(host, port, [TRIVIAL, *PAGES], auth, timeout=60)
    base50, base95 = p(results[TRIVIAL], 50), p(results[TRIVIAL], 95)
    for path, times in results.items():
        name = path.strip("/") or "ping"
        print(f"{name}_p50_ms: {1000 * p(times, 50):.1f} ms")
        print(f"{name}_p95_ms: {1000 * p(times, 95):.1f} ms")
    print(f"p50_ratio: {max(p(results[x], 50) for x in PAGES) / base50:.2f} x")
    print(f"p95_ratio: {max(p(results[x], 95) for x in PAGES) / base95:.2f} x")


if __name__ == "__main__":
    main()
