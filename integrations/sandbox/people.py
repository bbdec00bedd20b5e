"""Deterministic pools of sandbox users (authors), several scripts.

Each language has a fixed pool; author ``i`` of language ``lang`` always has
the same handle, display name and ``remote_id`` (``u-<lang>-<i>``), whatever
the seed, so a repeat customer stays recognisable across accounts and runs.
Handles are ASCII and unique across the platform; display names may use the
author's script and emoji.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from integrations.base import Author

from ._draws import Draws

POOL_SIZE = 300

# (display, romanised) pairs
_GIVEN: dict[str, tuple[tuple[str, str], ...]] = {
    "en": tuple((n, n.lower()) for n in (
        "Kate", "Marcus", "Priya", "Jordan", "Emily", "Tyler", "Aisha", "Liam",
        "Hannah", "Noah", "Olivia", "Ethan", "Chloe", "Mason", "Grace", "Dev",
        "Sam", "Riley", "Megan", "Chris", "Brianna", "Kevin", "Zoe", "Daniel",
        "Jasmine", "Owen", "Mia", "Lucas", "Nina", "Ben",
    )),
    "es": tuple((n, n) for n in (
        "María", "José", "Lucía", "Diego", "Sofía", "Alejandro", "Valentina",
        "Mateo", "Camila", "Andrés", "Fernanda", "Javier", "Daniela", "Carlos",
        "Ximena", "Luis", "Paola", "Jorge", "Renata", "Emilio",
    )),
    "ja": (
        ("美咲", "misaki"), ("翔太", "shota"), ("陽菜", "hina"), ("大輝", "daiki"),
        ("結衣", "yui"), ("蓮", "ren"), ("さくら", "sakura"), ("健太", "kenta"),
        ("葵", "aoi"), ("悠斗", "yuto"), ("七海", "nanami"), ("拓也", "takuya"),
    ),
    "ar": (
        ("ليلى", "layla"), ("عمر", "omar"), ("نور", "nour"), ("أحمد", "ahmed"),
        ("سارة", "sara"), ("خالد", "khaled"), ("ريم", "reem"), ("يوسف", "yousef"),
        ("مريم", "mariam"), ("كريم", "karim"),
    ),
    "he": (
        ("נועה", "noa"), ("איתי", "itai"), ("מאיה", "maya"), ("יונתן", "yonatan"),
        ("תמר", "tamar"), ("אורי", "ori"), ("שירה", "shira"), ("דניאל", "daniel"),
        ("יעל", "yael"), ("עומר", "omer"),
    ),
}

_FAMILY: dict[str, tuple[tuple[str, str], ...]] = {
    "en": tuple((n, n.lower().replace("'", "")) for n in (
        "Walker", "Nguyen", "Patel", "Johnson", "Kim", "O'Brien", "Garcia",
        "Smith", "Chen", "Brooks", "Murphy", "Rossi", "Okafor", "Schmidt",
        "Larsen", "Davis", "Reyes", "Ito", "Cohen", "Singh",
    )),
    "es": tuple((n, n) for n in (
        "González", "Hernández", "Rodríguez", "López", "Martínez", "Pérez",
        "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz",
        "Vargas", "Castillo", "Morales", "Ortiz", "Jiménez",
    )),
    "ja": (
        ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
        ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
        ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ),
    "ar": (
        ("حداد", "haddad"), ("خوري", "khoury"), ("العلي", "alali"), ("منصور", "mansour"),
        ("سعيد", "saeed"), ("ناصر", "nasser"), ("الحسن", "alhassan"), ("عيسى", "issa"),
    ),
    "he": (
        ("כהן", "cohen"), ("לוי", "levi"), ("מזרחי", "mizrahi"), ("פרץ", "peretz"),
        ("ביטון", "biton"), ("אברהם", "avraham"), ("פרידמן", "friedman"), ("שפירא", "shapira"),
    ),
}

_HANDLE_PATTERNS = (
    "{g}.{f}", "{g}_{f}", "{g}{f}{yy}", "{gi}{f}", "{g}_outdoors", "{f}{g}{nn}",
    "trail{g}", "{g}hikes", "{g}.{f}{nn}", "its{g}", "{g}_{f}_{yy}", "{g}{nn}",
)
_NAME_EMOJI = ("🏔️", "🌲", "🏃‍♀️", "⛺", "🌸", "☕", "🐾", "🧗‍♂️", "🌊", "🇲🇽", "🇯🇵")


def _ascii(s: str) -> str:
    folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _display(lang: str, d: Draws, g: tuple[str, str], f: tuple[str, str]) -> str:
    style = d.below(10)
    native_script = lang in ("ja", "ar", "he")
    if native_script and style >= 7:
        # Some people use a romanised name.
        return f"{g[1].capitalize()} {f[1][0].upper()}."
    if lang == "ja":
        family_first = f"{f[0]} {g[0]}" if style % 2 else f"{f[0]}{g[0]}"
        return family_first if style < 4 else (g[0] + d.pick(_NAME_EMOJI) if style == 6 else g[0])
    if style < 5:
        return f"{g[0]} {f[0]}"
    if style < 7:
        return g[0]
    if style < 9:
        return f"{g[0]} {f[0][0]}."
    return f"{g[0]} {d.pick(_NAME_EMOJI)}"


LANGUAGES = ("en", "es", "ja", "ar", "he")


@lru_cache(maxsize=1)
def _pools() -> dict[str, tuple[Author, ...]]:
    # Built together in a fixed order so handles are unique platform-wide and
    # never depend on which language was asked for first.
    taken: set[str] = set()
    pools: dict[str, tuple[Author, ...]] = {}
    for lang in LANGUAGES:
        pool = []
        for i in range(POOL_SIZE):
            d = Draws(f"author:{lang}:{i}")
            g, f = d.pick(_GIVEN[lang]), d.pick(_FAMILY[lang])
            gr, fr = _ascii(g[1]), _ascii(f[1])
            handle = d.pick(_HANDLE_PATTERNS).format(
                g=gr, f=fr, gi=gr[0], yy=f"{80 + d.below(26):02d}"[-2:], nn=d.below(100)
            )
            while handle in taken:
                handle = f"{handle}{d.below(10)}"
            taken.add(handle)
            pool.append(Author(remote_id=f"u-{lang}-{i:04d}", handle="@" + handle,
                               display_name=_display(lang, d, g, f)))
        pools[lang] = tuple(pool)
    return pools


def author_pool(lang: str) -> tuple[Author, ...]:
    """The ``POOL_SIZE`` authors who write in ``lang`` ("en" for unknown)."""
    pools = _pools()
    return pools.get(lang, pools["en"])
