"""Who a state-changing command acts as: a console user, logged in for this command.

The user is ``SOCOPS_USER`` (or the OS user name); the TOTP code comes from
``SOCOPS_TOTP`` (for scripts) or a hidden prompt; the passphrase, for users who
have one, from ``SOCOPS_PASSPHRASE`` or a hidden prompt. With no terminal to
prompt on and no variable set, the command fails with one line saying which
variable to set. A login here is a fresh code, so high-risk commands pass the
step-up check.
"""

from __future__ import annotations

import getpass
import os
import sys

from console.cli.common import CommandFailed
from console.identity import Session, WrongCredentials
from console.workspace import Workspace, default_operator


def acting_username() -> str:
    return default_operator()


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def ask_secret(prompt: str, variable: str, what: str) -> str:
    """A secret from ``variable`` or a hidden prompt; CommandFailed when neither can be had."""
    value = os.environ.get(variable)
    if value is not None and value.strip():
        return value.strip() if variable == "SOCOPS_TOTP" else value
    if not _interactive():
        raise CommandFailed(f"no {what}: standard input is not a terminal; set {variable}")
    return getpass.getpass(prompt)


def acting_session(workspace: Workspace) -> Session:
    """Log the acting console user in (code and, if they have one, passphrase).

    An unknown user name is asked for a code and refused exactly as a wrong code
    is (same words, same exit code, and the same checked, audited attempt), as
    the console's login screen does: the answer must not tell which names exist.
    """
    username = acting_username().lower()
    if not workspace.users.all_users():
        raise CommandFailed("this workspace has no console users yet; create the first owner with "
                            "`socops user add NAME --role owner`")
    code = ask_secret(f"TOTP code for {username}: ", "SOCOPS_TOTP", "TOTP code")
    passphrase = None
    if workspace.auth.needs_passphrase(username):
        passphrase = ask_secret(f"passphrase for {username}: ", "SOCOPS_PASSPHRASE", "passphrase")
    try:
        return workspace.auth.login(username, code, passphrase)
    except WrongCredentials as error:
        raise CommandFailed(f"{error} (acting as {username!r}: set SOCOPS_USER to your console user "
                            "name, or ask an admin which it is)") from None
