"""What every template can use: local times, Markdown, edit-form fingerprints, the domain's words,
and links to the static files that a browser may keep for good.

Templates name the domain's states, scales and labels as the code does (`MeetingStatus`,
`SCALES`, `KIND_LABELS`), so a page never spells out a state of its own.

`url_for('static', ...)` adds the file's version (a digest of its content) to the link, so a
browser keeps the file a year and asks again only when a release changes it. The files are
sent compressed; pages are not, as a page's secrets (its CSRF token, a join or display link)
sit beside text people typed, which is what compression would let an observer guess at
(BREACH).
"""

import functools
import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import request
from flask.wrappers import Response
from flask_compress import Compress, DictCache
from markupsafe import Markup

from .circulation import versions
from .models import (
    AttendeeStatus,
    CorrectionStatus,
    DecisionStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Scale,
)
from .models.states import (
    ACTION_STATUS_LABELS,
    CHANNEL_LABELS,
    FORECAST_RESULT_LABELS,
    KIND_LABELS,
    PART_LABELS,
    SURENESS_LABELS,
    Channel,
    Given,
    Part,
)
from .pages.markup import render_markdown
from .policy import Policy
from .rating.concealment import Audience
from .rating.scales import BANDS, LIKELIHOOD, SCALES, SEVERITY
from .record.seen import fingerprint

if TYPE_CHECKING:
    from flask import Flask

# How long a browser keeps a static file whose link names its version: the longest HTTP has.
KEPT_FOR = 365 * 24 * 60 * 60

# The domain's names, as every template may use them.
WORDS: dict[str, Any] = {
    "KIND_LABELS": KIND_LABELS,
    "SCALES": SCALES,
    "LIKELIHOOD": LIKELIHOOD,
    "SEVERITY": SEVERITY,
    "BANDS": BANDS,
    "SURENESS_LABELS": SURENESS_LABELS,
    "Audience": Audience,
    "AttendeeStatus": AttendeeStatus,
    "CorrectionStatus": CorrectionStatus,
    "DecisionStatus": DecisionStatus,
    "MeetingKind": MeetingKind,
    "MeetingStatus": MeetingStatus,
    "Scale": Scale,
    "ACTION_STATUS_LABELS": ACTION_STATUS_LABELS,
    "FORECAST_RESULT_LABELS": FORECAST_RESULT_LABELS,
    "part_labels": {part.value: label for part, label in PART_LABELS.items()},
    "Part": Part,
    "channel_labels": {channel.value: label for channel, label in CHANNEL_LABELS.items()},
    "Channel": Channel,
    "Given": Given,
}


def based_on(shown: Any) -> Markup:
    """Return the hidden input saying what an edit form showed (see `record.seen`)."""
    return Markup('<input type="hidden" name="based_on" value="{}">').format(fingerprint(shown))


def css_string(text: str) -> Markup:
    """Return text to sit inside a double-quoted CSS string in a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(" ".join(escaped.split()))


def init_app(app: "Flask", policy: Callable[[], Policy]) -> None:
    """Give the app's templates these filters and names; `policy` reads the request's policy."""
    zone = ZoneInfo(app.config["MEETING_TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(moment: datetime | None, fmt: str = "%H:%M:%S") -> str:
        """Return a moment stored in UTC as the deployment's local time ("" for none)."""
        if moment is None:
            return ""
        return moment.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)

    def running_header(meeting: Meeting, number: int | None) -> str:
        """Return the header each page of this issue of the minutes carries."""
        return versions.running_header(meeting, number, policy())

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["based_on"] = based_on
    app.jinja_env.filters["css_string"] = css_string
    app.jinja_env.globals["running_header"] = running_header
    app.jinja_env.globals.update(WORDS)
    _static_files(app)


class Versions:
    """The version of each static file: a digest of its content, worked out again when the
    file changes (its size or modification time), so an edited file gets a new link."""

    def __init__(self, app: "Flask") -> None:
        self.app = app
        self.known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, filename: str) -> str | None:
        """Return the file's version, or None if there is no such file."""
        path = os.path.join(str(self.app.static_folder), filename)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        mark = (stat.st_mtime_ns, stat.st_size)
        known = self.known.get(path)
        if known and known[0] == mark:
            return known[1]
        with open(path, "rb") as file:
            version = hashlib.sha256(file.read()).hexdigest()[:12]
        self.known[path] = (mark, version)
        return version


def _static_files(app: "Flask") -> None:
    """Link static files by version, let browsers keep them for good, and send them compressed."""
    versions = Versions(app)

    @app.url_defaults
    def static_version(endpoint: str, values: dict[str, Any]) -> None:
        """Add the file's version to each link to a static file."""
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = versions.of(values["filename"])
            if version:
                values["v"] = version

    # Only the static files go through it (not pages, not Socket.IO's long-polling), each
    # compressed once per version and algorithm, so at the smallest size each gives.
    # Browsers ask for Brotli only over HTTPS; a room's own network gets gzip.
    app.config.update(
        COMPRESS_REGISTER=False,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=11,
        COMPRESS_LEVEL=9,
        COMPRESS_CACHE_BACKEND=DictCache,
        COMPRESS_CACHE_KEY=lambda asked: (
            f"{asked.view_args['filename']}:{versions.of(asked.view_args['filename'])}"
        ),
    )
    compress = Compress(app)

    @functools.wraps(app.view_functions["static"])
    def static(filename: str) -> Response:
        """Send a static file, compressed if the browser takes that; for good if versioned."""
        response = app.send_static_file(filename)
        if request.args.get("v") == versions.of(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = KEPT_FOR
            response.cache_control.immutable = True
        if response.status_code == 200:
            # Read whole (a file is sent as a stream otherwise), to be compressed whole.
            response.direct_passthrough = False
            file = response.response
            try:
                response.set_data(b"".join(response.iter_encoded()))
            finally:
                getattr(file, "close", lambda: None)()
            response = compress.after_request(response)
        return response

    app.view_functions["static"] = static
