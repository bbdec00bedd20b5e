"""TOTP codes (RFC 6238, via pyotp) and their enrolment QR code, drawn as text.

A code is matched to its *time step* so that the caller can refuse a code
whose step was already used (no replay within the code's window).
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "socops"
INTERVAL = 30          # seconds per code
VALID_WINDOW = 1       # accept the step before and after: clock drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret, interval=INTERVAL).provisioning_uri(name=username, issuer_name=issuer)


def time_step(moment: datetime) -> int:
    return int(moment.timestamp()) // INTERVAL


def matching_step(secret: str, code: str, moment: datetime, window: int = VALID_WINDOW) -> int | None:
    """The time step whose code is ``code`` (within ``window`` steps of ``moment``), or None."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=INTERVAL)
    now_step = time_step(moment)
    found = None
    for offset in range(-window, window + 1):
        # compare every candidate (constant time each) rather than stop at the first
        if hmac.compare_digest(totp.generate_otp(now_step + offset), code):
            found = now_step + offset if found is None else max(found, now_step + offset)
    return found


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at ``moment`` (for tests and the sandbox)."""
    return pyotp.TOTP(secret, interval=INTERVAL).at(moment)


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), without the quiet zone."""
    import segno  # only enrolment draws a QR code; not loaded at every start

    qr = segno.make(text, error="m", micro=False)
    return [[bool(module) for module in row] for row in qr.matrix]


def qr_text(text: str, *, border: int = 2) -> str:
    """The QR code drawn with half blocks, two module rows per text line.

    Drawn for a dark terminal: a *light* module is a lit cell, a dark module
    is blank, with a lit quiet zone of ``border`` modules around it. Light and
    dark are swapped on a light terminal too, and phone scanners read an
    inverted code as well.
    """
    matrix = qr_matrix(text)
    size = len(matrix)
    width = size + 2 * border
    light = [[True] * width for _ in range(border)]
    light += [[True] * border + [not dark for dark in row] + [True] * border for row in matrix]
    light += [[True] * width for _ in range(border)]
    if len(light) % 2:
        light.append([False] * width)
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    lines = []
    for top, bottom in zip(light[0::2], light[1::2]):
        lines.append("".join(glyphs[(a, b)] for a, b in zip(top, bottom)))
    return "\n".join(lines)
