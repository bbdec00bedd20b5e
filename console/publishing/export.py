"""The calendar as files a team shares: iCalendar (RFC 5545) and CSV.

One event (one row) per account of a post at its moment, so a post going out
at 09:00 local on three accounts is three events, each at its own moment:

- iCalendar: a VCALENDAR of VEVENTs, each with a UID made of the post id,
  the account and the moment (stable across exports, so a calendar that
  subscribes to the file updates an event instead of adding it twice),
  DTSTART in UTC, a SUMMARY with the state and the account's handle, and a
  DESCRIPTION with the post's text. Lines end in CRLF and are folded at 75
  octets (never inside a UTF-8 character); ``\\``, ``;``, ``,`` and newlines
  in text are escaped, and control characters (which RFC 5545 text may not
  hold) are dropped.
- CSV: a header, then one row per event, times in UTC and in the account's
  zone. A text cell a spreadsheet would run as a formula (``=``, ``+``,
  ``-``, ``@`` first) is written with a leading ``'``: post text is a
  person's, and a shared file is opened by everyone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from console.publishing.calendar import (APPROVED_STATE, DELETED, DRAFT_STATE, HELD, IN_APPROVAL, PUBLISHED,
                                         PUBLISHING, SCHEDULED, CalendarEntry, combined_state)
from console.publishing.records import RETRYING as T_RETRYING, SCHEDULED as T_SCHEDULED
from console.untrusted import one_line, printable

PRODUCT_ID = "-//socops//publishing calendar//EN"
CSV_COLUMNS = ("post_id", "account", "handle", "time_utc", "local_time", "time_zone", "state", "tags", "url",
               "text")
_STATUS = {DRAFT_STATE: "TENTATIVE", IN_APPROVAL: "TENTATIVE", APPROVED_STATE: "TENTATIVE", SCHEDULED: "CONFIRMED",
           HELD: "CONFIRMED", PUBLISHING: "CONFIRMED", PUBLISHED: "CONFIRMED", DELETED: "CANCELLED"}


@dataclass(frozen=True)
class CalendarEvent:
    """One account's copy of a post at its moment."""

    post_id: str
    account_id: str
    handle: str
    at: datetime
    zone: tzinfo
    state: str
    tags: tuple[str, ...]
    text: str
    url: str = ""

    @property
    def uid(self) -> str:
        return f"{self.post_id}.{self.account_id}.{_utc(self.at)}@socops"


def calendar_events(entries: Iterable[CalendarEntry], *, handle_of: Callable[[str], str],
                    zone_of: Callable[[str], tzinfo], text_of: Callable[[str], str],
                    url_of: Callable[[str, str], str] = lambda post_id, account_id: "") -> list[CalendarEvent]:
    """Each entry's accounts as events, with each account's own state."""
    events = []
    for entry in entries:
        text = text_of(entry.post_id)
        for account_id, target_state in zip(entry.accounts, entry.target_states):
            if entry.scheduled:
                held = entry.state == HELD and target_state in (T_SCHEDULED, T_RETRYING)
                state = combined_state((target_state,), held)
            else:
                state = entry.state
            events.append(CalendarEvent(entry.post_id, account_id, handle_of(account_id), entry.at,
                                        zone_of(account_id), state, entry.tags, text,
                                        url_of(entry.post_id, account_id)))
    return events


# -- iCalendar ---------------------------------------------------------------------------------
def calendar_ics(events: Sequence[CalendarEvent], *, now: datetime, name: str = "socops") -> str:
    """The events as an iCalendar file (text with CRLF line ends)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{ics_text(name)}"]
    for event in events:
        summary = f"[{event.state}] {event.handle}: {one_line(event.text, 60)}"
        description = f"{event.text}\n\n{event.post_id} on {event.account_id}: {event.state}"
        lines += ["BEGIN:VEVENT", f"UID:{ics_text(event.uid)}", f"DTSTAMP:{_utc(now)}",
                  f"DTSTART:{_utc(event.at)}", f"SUMMARY:{ics_text(summary)}",
                  f"DESCRIPTION:{ics_text(description)}"]
        if event.tags:
            lines.append(f"CATEGORIES:{','.join(ics_text(tag) for tag in event.tags)}")
        if event.state in _STATUS:
            lines.append(f"STATUS:{_STATUS[event.state]}")
        if _uri(event.url):
            lines.append(f"URL:{_uri(event.url)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def ics_text(text: str) -> str:
    """A TEXT value: controls dropped, then ``\\ ; ,`` and newlines escaped."""
    clean = "".join(ch for ch in printable(text) if ch == "\t" or ch == "\n" or ord(ch) >= 0x20 and ch != "\x7f")
    return (clean.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into pieces of at most ``limit`` octets, each
    continuation starting with a space (which counts toward its limit)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    room = limit
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > room:
            pieces.append("".join(current))
            current, size, room = [], 0, limit - 1
        current.append(ch)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _uri(url: str) -> str:
    # A URI value is not escaped; one with controls or spaces is no URI to pass on.
    return url if url.isprintable() and " " not in url and url.startswith(("https://", "http://")) else ""


# -- CSV ----------------------------------------------------------------------------------------
def calendar_csv(events: Sequence[CalendarEvent]) -> str:
    """The events as CSV with a header (``CSV_COLUMNS``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        local = event.at.astimezone(event.zone)
        writer.writerow([event.post_id, event.account_id, event.handle, event.at.astimezone(timezone.utc).isoformat(),
                         local.strftime("%Y-%m-%d %H:%M"), str(event.zone), event.state,
                         _cell(" ".join(event.tags)), _cell(event.url), _cell(printable(event.text))])
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
