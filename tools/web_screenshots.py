"""Take the README's pictures of the web app: the plan on a laptop, the player and the
progress page on a phone. Starts `psoas serve` on a throw-away data folder seeded with the
desk worker's example and a week of sessions, and drives Debian's Chromium.

    .venv/bin/python tools/web_screenshots.py      # writes docs/images/web-*.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402
from tests.e2e.flows import start  # noqa: E402

OUT = ROOT / "docs" / "images"


def seed(server) -> None:
    start = (date.today() - timedelta(days=8)).isoformat()
    server.cli("init", "--profile", "examples/desk_worker.json", "--start", start)
    for back, before, after in ((8, 6, 5), (7, 5, 5), (5, 5, 4), (3, 4, 3), (1, 4, 3)):
        day = (date.today() - timedelta(days=back)).isoformat()
        server.cli("log", "--date", day, "--pain-before", str(before), "--pain-after", str(after))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PSOAS_DATA_DIR": tmp}
        env.pop("PSOAS_DATABASE_URL", None)
        server = start_server(env)
        try:
            seed(server)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                laptop = browser.new_page(viewport={"width": 1100, "height": 900})
                server.let_in(laptop.context)
                laptop.goto(server.url + "plan/")
                laptop.screenshot(path=str(OUT / "web-plan.png"))
                phone = browser.new_page(
                    viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
                )
                server.let_in(phone.context)
                phone.goto(server.url + "progress/")
                phone.screenshot(path=str(OUT / "web-progress.png"))
                start(phone, server, speed=None, pain=3)
                phone.get_by_role("button", name="Start").click()
                phone.wait_for_timeout(12_500)  # past "get ready", into the first hold
                phone.screenshot(path=str(OUT / "web-player.png"))
                browser.close()
        finally:
            stop_server(server)
    print(f"wrote {OUT}/web-plan.png, web-player.png, web-progress.png")


if __name__ == "__main__":
    main()
