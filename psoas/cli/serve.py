"""`psoas serve` runs the web app under a production WSGI server (waitress: pure Python,
threaded, the same on Linux, macOS and Windows), and `psoas user add` makes the login
that serving beyond this computer requires.

app.py imports this module to register the commands, so only Typer and the standard
library load here."""

from __future__ import annotations

import ipaddress
import os
import sys
import webbrowser
from typing import Annotated

import typer

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


def _open_to_network(host: str) -> None:
    """Settings for an address others can reach: a login on every page, and the secret
    key that signs those logins, which must be the operator's own."""
    from psoas.cli.app import fail

    if not os.environ.get("PSOAS_SECRET_KEY"):
        raise fail(
            f"--host: {host} can be reached from other computers, so psoas asks for a login; "
            "set PSOAS_SECRET_KEY to a long random secret first (for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    os.environ["PSOAS_REQUIRE_LOGIN"] = "1"
    wildcard = host in ("0.0.0.0", "::", "[::]")
    os.environ.setdefault("PSOAS_ALLOWED_HOSTS", "*" if wildcard else f"{host},127.0.0.1,localhost")


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
) -> None:
    """Run the app in your browser. On this computer only (the default) no login is needed."""
    from psoas.cli.app import fail
    from psoas.cli.tracking import open_store

    loopback = is_loopback(host)
    if not loopback:
        _open_to_network(host)
    open_store()
    from django.contrib.auth import get_user_model

    if not loopback and not get_user_model().objects.exists():
        raise fail("--host: no login exists yet; make one first with `psoas user add NAME`")
    import logging

    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    # A burst of requests (a page and its files) queues for a moment: normal, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    try:
        server = create_server(
            get_wsgi_application(), host=host, port=port, threads=threads, ident="psoas"
        )
    except OSError as exc:
        raise fail(
            f"--host/--port: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/"
    typer.echo(f"psoas is running at {url}", file=sys.stdout)
    typer.echo("Press Ctrl+C to stop.")
    sys.stdout.flush()
    if not no_browser:
        webbrowser.open(url)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def add_user(
    name: Annotated[str, typer.Argument(help="The login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Make a login for the app served beyond this computer."""
    from psoas.cli.app import fail
    from psoas.cli.tracking import open_store

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise fail("password: use at least 10 characters")
    open_store()
    from django.contrib.auth import get_user_model

    users = get_user_model()
    if users.objects.filter(username=name).exists():
        raise fail(f"NAME: a login called '{name}' exists already")
    users.objects.create_user(username=name, password=password)
    typer.echo(f"Made the login '{name}'.")
