"""A real `psoas serve` process for tests that need the server as a person runs it: its
own store, a free port, its standard error kept in a file to read back."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.test_cli import PSOAS


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT/
    headers: dict[str, str]  # what a client sends to be let in (the loopback link's token)
    stderr: Path
    proc: subprocess.Popen = field(repr=False)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """(status, JSON body or text) of one request, errors included."""
        data = None if body is None else json.dumps(body).encode()
        headers = {**self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path.lstrip("/"), data, headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")


def start(env: dict[str, str], folder: Path) -> Server:
    """Start `psoas serve --port 0` and wait for the address it prints."""
    err = folder / "serve.stderr"
    out = folder / "serve.stdout"
    proc = subprocess.Popen(
        [PSOAS, "serve", "--port", "0", "--no-browser"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out.open("w"),
        stderr=err.open("w"),
    )
    deadline = time.monotonic() + 60
    url = token = None
    while time.monotonic() < deadline:
        text = out.read_text()
        found = re.search(r"psoas is running at (http://\S+/)", text)
        if found:
            url = found[1]
            link = re.search(r"\?token=(\S+)", text)
            token = link[1] if link else None
            if token or "Press Ctrl+C" in text:
                break
        if proc.poll() is not None:
            raise AssertionError(f"psoas serve ended: {err.read_text()}")
        time.sleep(0.1)
    if url is None:
        stop(proc)
        raise AssertionError(f"psoas serve did not start: {err.read_text()}")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Server(url, headers, err, proc)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)
