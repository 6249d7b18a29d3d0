"""A meeting's record and minutes written to a folder before the meeting is purged.

Each meeting gets a folder named by its id alone (`meeting-12/`), holding the JSON record
the chair downloads and the latest circulated version of the minutes as Markdown, HTML
and Word, made as the app makes them. The files are written in a hidden folder, read
back and compared, and only then is the folder given its name: a folder with a meeting's
name is whole. One that already exists is never overwritten. Only the deployment's user
may read what is written.
"""

import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from minutes.docx import to_docx
from minutes.html import to_html

from ..circulation.versions import circulated, document_title, running_header
from ..models import Meeting
from ..policy import Policy
from ..rating.concealment import chair_viewer
from ..record import export

PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.45; color: #111; }}
.running {{ text-align: center; font-weight: 600; }}
table {{ border-collapse: collapse; margin: .4rem 0 .8rem; }}
th, td {{ border: 1px solid #999; padding: .25rem .45rem; text-align: left;
  vertical-align: top; }}
blockquote {{ border-left: 4px solid #999; margin: .4rem 0; padding: .1rem .8rem; }}
@media print {{
  @page {{ size: A4; margin: 18mm 16mm; }}
  body {{ margin: 0; max-width: none; }}
  h1, h2, h3, h4 {{ break-after: avoid; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }}
}}
</style>
</head>
<body>
<p class="running">{running}</p>
<article>
{body}
</article>
</body>
</html>
"""


class ExportFailed(Exception):
    """A meeting's files could not be written whole, so it must not be purged."""


@dataclass(frozen=True)
class Exported:
    """Where a meeting's files were written, and which version of the minutes they hold."""

    folder: Path
    names: tuple[str, ...]
    minutes_version: int | None


def folder_for(into: Path, meeting_id: int) -> Path:
    """Return the folder a meeting's files are written to."""
    return into / f"meeting-{meeting_id}"


def files(meeting: Meeting, policy: Policy) -> tuple[dict[str, bytes], int | None]:
    """Return a meeting's files by name, and the version of the minutes among them."""
    record = export.build(meeting, chair_viewer(meeting), policy)
    made = {export.filename(meeting.id): export.as_json(record).encode("utf-8")}
    sent = circulated(meeting)
    if not sent:
        return made, None
    latest = sent[-1]
    stem = f"minutes-{meeting.id}-v{latest.number}"
    running = running_header(meeting, latest.number, policy)
    markdown = latest.markdown
    page = PAGE.format(
        title=html.escape(document_title(markdown)),
        running=html.escape(running),
        body=to_html(markdown),
    )
    made[f"{stem}.md"] = markdown.encode("utf-8")
    made[f"{stem}.html"] = page.encode("utf-8")
    made[f"{stem}.docx"] = to_docx(markdown, document_title(markdown), running)
    return made, latest.number


def write(meeting: Meeting, into: Path, policy: Policy) -> Exported:
    """Write a meeting's record and minutes into a folder of its own under `into`, whole."""
    target = folder_for(into, meeting.id)
    if target.exists():
        raise ExportFailed(
            f"{target} already exists: move it elsewhere (it may be an earlier export), "
            "then purge again."
        )
    made, version = files(meeting, policy)
    partial = into / f".{target.name}.partial"
    try:
        into.mkdir(mode=0o700, parents=True, exist_ok=True)
        if partial.exists():
            # Left by an export that stopped part way: never given the meeting's name.
            shutil.rmtree(partial)
        partial.mkdir(mode=0o700)
        for name, body in made.items():
            _write(partial / name, body)
        for name, body in made.items():
            if (partial / name).read_bytes() != body:
                raise ExportFailed(f"{partial / name} did not read back as it was written.")
        _sync(partial)
        partial.rename(target)
        _sync(into)
    except OSError as error:
        where = error.filename or target
        raise ExportFailed(f"Could not write {where}: {error.strerror or error}") from error
    return Exported(target, tuple(made), version)


def _write(path: Path, body: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(body)
        file.flush()
        os.fsync(file.fileno())


def _sync(folder: Path) -> None:
    # A folder's own entries (the files in it, its new name) are on disk once it is synced.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
