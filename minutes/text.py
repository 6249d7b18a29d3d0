"""Putting people's own words into Markdown so they read as typed and never as markup."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_INLINE = re.compile(r"([\\`*_\[\]|])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Line openings Markdown would read as a heading, quote, list, rule or setext underline.
_BLOCK_START = re.compile(r"^(#|>|[-+]|\d+[.)]|=)")


def inline(text: str | None) -> str:
    """Return text for one line of Markdown (a list entry, a table cell), read literally."""
    flat = " ".join((text or "").split())
    flat = _INLINE.sub(r"\\\1", _ENTITY.sub("&amp;", flat)).replace("<", "&lt;")
    return _opening(flat)


def _opening(line: str) -> str:
    match = _BLOCK_START.match(line)
    if not match:
        return line
    start = match.group(1)
    if start == "=":
        return "&#61;" + line[1:]
    if start[0].isdigit():
        return start[:-1] + "\\" + line[len(start) - 1 :]
    return "\\" + line


def block(text: str | None, quote: bool = False) -> str:
    """Return someone's paragraphs as Markdown paragraphs, line breaks kept, read literally."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines.extend(inline(line) for line in paragraph.split("\n") if line.strip())
    if quote:
        return "\n".join(f"> {line}" if line else ">" for line in lines)
    return "\n".join(lines)


_HEADING = re.compile(r"^(#{1,6})(\s+.*|\s*)$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
# The item is "##" and its parts "###": the assessment's own headings start below them.
ASSESSMENT_TOP = 4


def assessment(text: str | None) -> str:
    """Return an item's Markdown so it renders as written inside the minutes.

    Its headings are moved down so its top level sits under the item's parts (####),
    and setext headings become ATX ones; raw HTML is shown as text. Anything unsafe that
    Markdown could still carry is removed where HTML is made (`minutes.html.clean`).
    """
    lines = (text or "").replace("\r\n", "\n").strip().split("\n")
    atx: list[str] = []
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        underline = _SETEXT.match(line) if not fenced else None
        if underline and index and atx and atx[-1].strip() and not _HEADING.match(atx[-1]):
            atx[-1] = ("#" if underline.group(1)[0] == "=" else "##") + " " + atx[-1].strip()
            continue
        atx.append(line)
    levels = [len(m.group(1)) for line in atx if (m := _HEADING.match(line))]
    shift = ASSESSMENT_TOP - min(levels) if levels else 0
    out = []
    fenced = False
    for line in atx:
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            line = "#" * min(6, len(heading.group(1)) + shift) + heading.group(2)
        if not fenced:
            line = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", line)
            # A record shows where a link pointed rather than hiding it behind words.
            line = _LINK.sub(lambda m: f"{m.group(1)} ({inline(m.group(2))})", line)
        out.append(line)
    return "\n".join(out)


def moment(stamp: str | None, zone: str) -> datetime | None:
    """Read a stored UTC time ("2026-11-23T10:05:00Z") as a local time in this zone."""
    if not stamp:
        return None
    value = datetime.fromisoformat(stamp.removesuffix("Z")).replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(zone))


def day(value: date) -> str:
    """Return a date as "Monday 23 November 2026"."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def clock(stamp: str | None, zone: str) -> str:
    """Return a stored UTC time as the local clock time, "10:05"."""
    local = moment(stamp, zone)
    return f"{local:%H:%M}" if local else ""


def clock_seconds(stamp: str | None, zone: str) -> str:
    """Return a stored UTC time as the local clock time to the second, "10:05:42"."""
    local = moment(stamp, zone)
    return f"{local:%H:%M:%S}" if local else ""


def when(stamp: str | None, zone: str) -> str:
    """Return a stored UTC time as "10:05 on 23 November 2026 (GMT)"."""
    local = moment(stamp, zone)
    if local is None:
        return ""
    return f"{local:%H:%M} on {local.day} {local:%B %Y} ({local:%Z})"


def iso_day(text: str | None) -> str:
    """Return a stored date ("2026-12-01") as "Tuesday 1 December 2026"."""
    if not text:
        return ""
    return day(datetime.fromisoformat(text).date())
