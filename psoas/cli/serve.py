"""`psoas serve` runs the web app under a production WSGI server (waitress: pure Python,
threaded, the same on Linux, macOS and Windows), and `psoas user add` makes the login
that serving beyond this computer requires.

app.py imports this module to register the commands, so only Typer and the standard
library load here."""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import math
import os
import secrets
import sys
import webbrowser
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from psoas.cli.secret_key import data_dir, local_secret_key

DEFAULT_PORT = 8765


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    users = typer.Typer(help="Logins for `psoas serve --host` beyond this computer.")
    users.command("add")(add_user)
    app.add_typer(users, name="user")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def weak_secret(key: str) -> str | None:
    """Why a secret key is too easy to guess, or None. Django signs logins and the loopback
    link's cookie with it: whoever guesses it can forge them."""
    n = len(key)
    if n < 50:
        return f"it has {n} characters; use at least 50"
    counts = Counter(key)
    bits = -sum(c * math.log2(c / n) for c in counts.values())  # what its letters carry
    steps = sum(abs(ord(a) - ord(b)) <= 1 for a, b in itertools.pairwise(key))
    repeats = any(key == (key[:p] * (n // p + 1))[:n] for p in range(1, n // 2 + 1))
    if len(counts) < 5 or bits < 128 or steps > n // 2 or repeats:
        return "it is too easy to guess (few different characters, a run or a repeated part)"
    return None


MAKE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _check_secret_key() -> None:
    from psoas.cli.app import fail

    key = os.environ.get("PSOAS_SECRET_KEY")
    why = weak_secret(key) if key else None
    if why:
        raise fail(f"PSOAS_SECRET_KEY: {why}; make a random one with {MAKE_KEY}")


def _open_to_network(host: str, flag: str) -> None:
    """Settings for an address others can reach: a login on every page, and the secret
    key that signs those logins, which must be the operator's own."""
    from psoas.cli.app import fail

    if not os.environ.get("PSOAS_SECRET_KEY"):
        raise fail(
            f"{flag}: {host} can be reached from other computers, so psoas asks for a login; "
            f"set PSOAS_SECRET_KEY to a long random secret first (for example the output of "
            f"{MAKE_KEY})"
        )
    os.environ["PSOAS_REQUIRE_LOGIN"] = "1"
    if flag == "--host":
        wildcard = host in ("0.0.0.0", "::", "[::]")
        allowed = "*" if wildcard else f"{host},127.0.0.1,localhost"
        os.environ.setdefault("PSOAS_ALLOWED_HOSTS", allowed)


def https_origin(value: str) -> str:
    """`--behind-https-proxy`: the address people type, as https://HOST or https://HOST:PORT."""
    from urllib.parse import urlsplit

    from psoas.cli.app import fail

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise fail(
            f"--behind-https-proxy: '{value}' is not an HTTPS address; give the address people "
            "open, like https://psoas.example.org (no path)"
        )
    return f"https://{parts.netloc.lower()}"


def network_address(host: str) -> str:
    """The address other devices reach a server bound to `host` at: the host itself, or
    for a wildcard (0.0.0.0, ::) this computer's address on the network. A UDP socket
    "connected" to a private address picks the interface its route would use and sends
    nothing, so this works without internet; without a route, the computer's name."""
    import socket

    bare = host.strip("[]")
    if bare not in ("0.0.0.0", "::"):
        return host
    family, probe = (
        (socket.AF_INET6, ("fd00::1", 9))
        if bare == "::"
        else (socket.AF_INET, ("10.255.255.254", 9))
    )
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(probe)
            found = ipaddress.ip_address(sock.getsockname()[0])
    except OSError:
        return socket.gethostname()
    if found.is_loopback or found.is_unspecified:
        return socket.gethostname()
    return f"[{found}]" if found.version == 6 else str(found)


def _print_phone_link(origin: str) -> None:
    """A one-time link that logs a phone in as the first login, with its QR code."""
    import segno
    from django.contrib.auth import get_user_model

    from psoas.web.account import pairing

    logins = get_user_model().objects.filter(is_active=True).order_by("pk")
    user = logins.first()
    if user is None:
        return
    link = pairing.make_link(user, origin)
    minutes = int(pairing.LIFETIME.total_seconds() // 60)
    name = f"'{link.login}'" + (" (the first login)" if logins.count() > 1 else "")
    typer.echo("To use psoas on a phone on this network, scan this code with its camera.")
    typer.echo(f"It logs the phone in as {name}. It works once, within {minutes} minutes.")
    with contextlib.suppress(UnicodeEncodeError):  # half blocks; else the link alone
        segno.make(link.url, error="m", micro=False).terminal(out=sys.stdout, compact=True)
    typer.echo(f"Or open this link on the phone: {link.url}")
    typer.echo('For a new link, log in and open Settings: "Use psoas on your phone".')


def _open_in_browser(link: str, port: int) -> Path:
    """Open the link through a file only this user can read, so the token never shows in a
    process list that other accounts can see (a browser's command line)."""
    page = data_dir() / f"open-{port}.html"
    page.unlink(missing_ok=True)
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            '<!doctype html><html lang="en"><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0;url={link}"><title>psoas</title>'
            f'<p><a href="{link}">Open psoas</a></p></html>\n'
        )
    webbrowser.open(page.as_uri())
    return page


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; other than loopback needs logins.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port; 0 picks a free one.")
    ] = DEFAULT_PORT,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open the app in a browser.")
    ] = False,
    threads: Annotated[
        int, typer.Option("--threads", min=1, max=64, help="Requests served at once.")
    ] = 4,
    behind_https_proxy: Annotated[
        str | None,
        typer.Option(
            "--behind-https-proxy",
            envvar="PSOAS_BEHIND_HTTPS_PROXY",
            metavar="https://HOST",
            help="Served by an HTTPS reverse proxy at this address: logins, secure cookies, HSTS.",
        ),
    ] = None,
) -> None:
    """Run the app in your browser. On this computer only (the default) no login is needed:
    open the link it prints."""
    from psoas.cli.app import fail

    _check_secret_key()
    loopback = is_loopback(host)
    proxied = https_origin(behind_https_proxy) if behind_https_proxy else None
    if proxied:
        os.environ["PSOAS_BEHIND_HTTPS_PROXY"] = proxied
        _open_to_network(proxied, "--behind-https-proxy")
    elif not loopback:
        _open_to_network(host, "--host")
    token = None
    if loopback and not proxied:
        os.environ.setdefault("PSOAS_SECRET_KEY", local_secret_key())
        token = secrets.token_urlsafe(32)
        os.environ["PSOAS_ACCESS_TOKEN"] = token
    clinic = _open_store_of_mode()
    from django.contrib.auth import get_user_model

    # (A clinic's people come in through invitations: `psoas clinic init` makes the first.)
    if (proxied or not loopback) and not clinic and not get_user_model().objects.exists():
        raise fail(
            f"{'--behind-https-proxy' if proxied else '--host'}: no login exists yet; "
            "make one first with `psoas user add NAME`"
        )
    import logging

    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    # A burst of requests (a page and its files) queues for a moment: normal, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    options = {}
    if proxied:  # the proxy's X-Forwarded-For and -Proto give the client's address and https
        options = {
            "trusted_proxy": "*",
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        }
    try:
        server = create_server(
            get_wsgi_application(), host=host, port=port, threads=threads, ident="psoas", **options
        )
    except (OSError, ValueError) as exc:  # ValueError: a host that does not resolve
        why = getattr(exc, "strerror", None) or exc
        raise fail(f"--host/--port: cannot listen on {host}:{port}: {why}") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/"
    typer.echo(f"psoas is running at {url}", file=sys.stdout)
    link = url
    if token:
        link = f"{url}?token={token}"
        typer.echo(f"Open this link to use it (keep it to yourself): {link}")
    else:
        if proxied:
            link = f"{proxied}/"
            typer.echo(f"People open it at {link} through your HTTPS proxy.")
        from django.conf import settings

        # Where phones reach it, for the phone links of this run and of the Settings page
        # (known only now: port 0 picks a free port when the server starts listening).
        settings.NETWORK_ORIGIN = (
            f"http://{network_address(shown)}:{server.effective_port}" if not proxied else ""
        )
        _print_phone_link(proxied or settings.NETWORK_ORIGIN)
    typer.echo("Press Ctrl+C to stop.")
    sys.stdout.flush()
    opener = None
    if not no_browser:
        if token:
            opener = _open_in_browser(link, server.effective_port)
        else:
            webbrowser.open(link)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if opener:
            opener.unlink(missing_ok=True)


def _open_store_of_mode() -> bool:
    """Open the store of PSOAS_MODE; True in clinic mode (many people: no local person to
    make)."""
    from psoas.cli.tracking import open_store

    if os.environ.get("PSOAS_MODE", "").strip().lower() != "clinic":
        open_store()
        return False
    from psoas.cli.clinic import open_clinic_store

    open_clinic_store()
    return True


def add_user(
    name: Annotated[str, typer.Argument(help="The login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Make a login for the app served beyond this computer."""
    from psoas.cli.app import fail

    _check_name(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not sys.stdin.isatty():  # getpass would echo it, or wait for a line never typed
        raise fail("--password-stdin: no terminal to ask on; send the password on stdin")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    _open_store_of_mode()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    users = get_user_model()
    if users.objects.filter(username=name).exists():
        raise fail(f"NAME: a login called '{name}' exists already")
    try:  # Django's checks: length, common passwords, all digits, too close to the name
        validate_password(password, users(username=name))
    except ValidationError as exc:
        raise fail("password: " + " ".join(exc.messages)) from None
    users.objects.create_user(username=name, password=password)
    typer.echo(f"Made the login '{name}'.")


def _check_name(name: str) -> None:
    """A login name as Django's own user form takes it: 1 to 150 letters, digits and
    @ . + - _ (so no empty name, no spaces, no control characters)."""
    import re

    from psoas.cli.app import fail

    if not name:
        raise fail("NAME: give a login name (letters, digits and @ . + - _)")
    if len(name) > 150 or not re.fullmatch(r"[\w.@+-]+", name):
        raise fail("NAME: use up to 150 letters, digits and @ . + - _ (no spaces)")
