"""``socops serve``: the console (or the wallboard) in a browser, through textual-serve.

Each browser tab that opens the page gets its own process, started as
``socops`` (or ``socops wallboard``) starts in a terminal: it begins on the
login screen, so every person logs in with their own code, and tabs share
nothing but the store. The server itself has no TLS and no login: it listens
on loopback unless told otherwise, and anything else belongs behind a TLS
reverse proxy that browsers reach (``--public-url``).
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from console.cli import common
from console.cli.common import CommandFailed

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Our copy of textual-serve's page (it loads nothing from outside this server).
PAGE_TEMPLATES = Path(__file__).parent / "serve_page"
#: What the person who starts the server may have set for their own commands; a
#: browser session is someone else, and must not inherit their code or secrets.
OPERATOR_VARIABLES = ("SOCOPS_USER", "SOCOPS_TOTP", "SOCOPS_PASSPHRASE", "SOCOPS_NEW_PASSPHRASE",
                      "SOCOPS_ACCOUNT_SECRET", "SOCOPS_CLIENT_SECRET")


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="serve the console in a browser (each tab logs in with its own code)",
        description="Serve the console, or with --wallboard the wallboard, to web browsers through "
                    "textual-serve. Every browser tab runs its own console and logs in with its own code. "
                    "It listens on loopback by default; to reach it from other machines, put it behind a "
                    "TLS reverse proxy and give the proxy's address with --public-url.")
    serve.add_argument("--wallboard", action="store_true",
                       help="serve the read-only wallboard (`socops wallboard`) instead of the console")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"the address to listen on (default {DEFAULT_HOST}: this machine only)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})")
    serve.add_argument("--public-url", metavar="URL",
                       help="the address browsers open, when it is not http://HOST:PORT "
                            "(behind a TLS proxy: https://console.example.com)")
    serve.set_defaults(handler=run_serve)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: give a number from 1 to 65535")
    return port


def run_serve(args: argparse.Namespace) -> int:
    host = args.host.strip()
    addresses = listening_addresses(host, args.port)
    public_url = _public_url(args.public_url, host, args.port)
    check_port_free(host, args.port, addresses)
    _require_an_owner()
    if not is_loopback(addresses):
        print(not_loopback_warning(host, args.port, args.public_url), file=sys.stderr)
    for variable in OPERATOR_VARIABLES:
        os.environ.pop(variable, None)
    what = "wallboard" if args.wallboard else "console"
    print(f"socops: serving the {what} on {public_url} (listening on {_address_text(host, args.port)}); "
          "Ctrl+C stops it and every browser session", flush=True)
    _serve(served_command(wallboard=args.wallboard), host, args.port, public_url, title=f"socops {what}")
    return 0


def served_command(*, wallboard: bool) -> str:
    """The shell command each browser session runs: this Python, this socops."""
    argv = [sys.executable, "-m", "console.cli.main"] + (["wallboard"] if wallboard else [])
    return shlex.join(argv)


def listening_addresses(host: str, port: int) -> list[tuple]:
    """Where the server will listen for ``host``: getaddrinfo's answers; a usage error when
    ``host`` names no address."""
    if not host:
        raise CommandFailed("usage error: --host is empty: give an address of this machine, such as "
                            f"{DEFAULT_HOST}", exit_code=2)
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CommandFailed(f"usage error: --host {host!r} is not an address this machine can listen on "
                            f"({error.strerror}); give an address such as {DEFAULT_HOST}", exit_code=2) from None


def is_loopback(addresses: list[tuple]) -> bool:
    # An IPv6 scope ("fe80::1%eth0") is not part of the address.
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in addresses)


def check_port_free(host: str, port: int, addresses: list[tuple]) -> None:
    """Bind each address as the server will (address reuse on, as aiohttp does), so that
    a port in use or an address this machine lacks is said before anything starts."""
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise CommandFailed(_bind_failure(error, host, port)) from None


def _bind_failure(error: OSError, host: str, port: int) -> str:
    where = _address_text(host, port)
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} is in use on {host}: stop what listens on {where}, "
                "or choose another port with --port")
    if error.errno == errno.EADDRNOTAVAIL:
        return (f"cannot listen on {host}: it is not an address of this machine; give one it has, "
                f"such as {DEFAULT_HOST} (this machine only)")
    if error.errno == errno.EACCES:
        return (f"cannot listen on {where}: ports below 1024 need privileges; choose a port of 1024 "
                "or more (let the TLS proxy listen on 443)")
    return f"cannot listen on {where}: {error.strerror}"


def not_loopback_warning(host: str, port: int, public_url: str | None) -> str:
    lines = [
        f"socops: warning: --host {host} is not loopback: anyone who can reach {_address_text(host, port)} "
        "gets the console's login page, over plain HTTP, where user names and codes can be read on the way.",
        "  Put it behind a TLS reverse proxy (HTTPS and WebSocket upgrade; see the README) and let only "
        "the proxy reach this port.",
    ]
    if public_url is None:
        lines.append("  Give the address browsers open with --public-url https://... (the page tells the "
                     "browser where to connect).")
    return "\n".join(lines)


def _public_url(given: str | None, host: str, port: int) -> str:
    if given is not None:
        url = given.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandFailed(f"usage error: --public-url {given!r} is not a web address: give one such as "
                                "https://console.example.com", exit_code=2)
        return url
    return f"http://{_address_text(host, port)}"


def _address_text(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _require_an_owner() -> None:
    """With no console user yet, the first page opened would create the owner: whoever
    opened it first would own the workspace. The owner is created in a terminal."""
    with common.open_workspace() as workspace:
        if workspace.users.needs_bootstrap():
            raise CommandFailed(
                "this workspace has no console user yet, and the first browser to open the page would "
                "create its owner: create the owner in a terminal first (`socops`, or `socops user add "
                "NAME --role owner`), then run `socops serve` again")


def _serve(command: str, host: str, port: int, public_url: str, *, title: str) -> None:
    # textual-serve (and aiohttp under it) is imported only by this command.
    from textual_serve.server import Server

    class ConsoleServer(Server):
        async def on_startup(self, app) -> None:
            pass  # our own line was printed (textual-serve prints a banner)

    ConsoleServer(command, host=host, port=port, title=title, public_url=public_url,
                  templates_path=PAGE_TEMPLATES).serve()
