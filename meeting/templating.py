"""What every template can use: local times, Markdown, edit-form fingerprints, the domain's words.

Templates name the domain's states, scales and labels as the code does (`MeetingStatus`,
`SCALES`, `KIND_LABELS`), so a page never spells out a state of its own.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

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
from .models.states import ACTION_STATUS_LABELS, FORECAST_RESULT_LABELS, KIND_LABELS
from .pages.markup import render_markdown
from .policy import Policy
from .rating.concealment import Audience
from .rating.scales import LIKELIHOOD, SCALES, SEVERITY
from .record.seen import fingerprint

if TYPE_CHECKING:
    from flask import Flask

# The domain's names, as every template may use them.
WORDS: dict[str, Any] = {
    "KIND_LABELS": KIND_LABELS,
    "SCALES": SCALES,
    "LIKELIHOOD": LIKELIHOOD,
    "SEVERITY": SEVERITY,
    "Audience": Audience,
    "AttendeeStatus": AttendeeStatus,
    "CorrectionStatus": CorrectionStatus,
    "DecisionStatus": DecisionStatus,
    "MeetingKind": MeetingKind,
    "MeetingStatus": MeetingStatus,
    "Scale": Scale,
    "ACTION_STATUS_LABELS": ACTION_STATUS_LABELS,
    "FORECAST_RESULT_LABELS": FORECAST_RESULT_LABELS,
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
