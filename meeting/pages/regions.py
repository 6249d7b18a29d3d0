"""What each viewer sees of a meeting, region by region.

Every page is made of regions (`templates/live/_<region>.html`). A page includes them;
a live event names the regions that changed and each open page fetches them again,
rendered for its viewer. Rating values reach a region only through `concealment`.
"""

import enum
from collections.abc import Callable, Iterable
from typing import Any

from flask import abort, g, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..actions import rules as actions
from ..agenda.meetings import display_shown
from ..attendance.quorum import quorum
from ..attendance.roll import attendance_label
from ..cases import again, history, optimism, panel, targets
from ..changes import Fact
from ..decisions import dissent
from ..decisions.decision import protective_prompt
from ..joining import invitations
from ..models import (
    DecisionStatus,
    DeliveryResult,
    Meeting,
    MeetingStatus,
    Rating,
    session_of,
    utcnow,
)
from ..rating import behalf, concealment, discussion, gaps, scales, uncertainty, unnamed
from ..rating.concealment import Audience, Viewer, chair_viewer, display_viewer, hidden_from
from ..record import chain, log
from ..reports import panel as reports_panel
from ..settings import mail_settings, policy
from ..words import own
from . import once
from .links import public_url, unreachable


class Region(enum.StrEnum):
    """A part of a live page that is drawn anew when a fact it reads changes."""

    AGENDA = "agenda"
    CONTROLS = "controls"
    STAGE = "stage"
    PROGRESS = "progress"
    RATE = "rate"
    PEOPLE = "people"
    # The chair's attendance and quorum panel: apologies, written contributions, the
    # reason for going on without a quorum (asked for only while the meeting is inquorate).
    ROLL = "roll"
    DECISION = "decision"
    # The chair's: ratings given to the chair (a phone line, a paper slip) in the open round.
    BEHALF = "behalf"
    ACTIONS = "actions"
    CASE = "case"
    # The agencies' reports before the meeting: the chair's panel (what is withheld from the
    # family with it), and for everyone else where each report stands.
    REPORTS = "reports"
    # The shared display: one region, the scene, drawn for the stage the meeting is at.
    SCENE = "scene"


# What each region shows, as the facts it reads: a change to any of them draws it anew.
READS: dict[Region, frozenset[Fact]] = {
    Region.AGENDA: frozenset({Fact.AGENDA, Fact.ITEM, Fact.ROUND}),
    # The chair's next step: how many have rated, whether the decision is recorded, quorum.
    Region.CONTROLS: frozenset(
        {Fact.AGENDA, Fact.ITEM, Fact.ROUND, Fact.RATINGS, Fact.DECISION, Fact.ROLL}
    ),
    # The item under discussion: the young person's own words on it first; at a reveal,
    # the actions made from its information gaps.
    Region.STAGE: frozenset(
        {Fact.AGENDA, Fact.ITEM, Fact.ROUND, Fact.DECISION, Fact.CASE, Fact.WORDS, Fact.ACTIONS}
    ),
    Region.PROGRESS: frozenset({Fact.ITEM, Fact.ROUND, Fact.RATINGS, Fact.ROLL}),
    Region.RATE: frozenset({Fact.AGENDA, Fact.ITEM, Fact.ROUND, Fact.ROLL}),
    Region.PEOPLE: frozenset({Fact.ROLL, Fact.WAITING}),
    Region.ROLL: frozenset({Fact.ROLL, Fact.AGENDA, Fact.ROUND}),
    # The decision on the item under discussion; a round or a rating after it was recorded
    # changes it too, and says so (`rounds.as_decided`).
    Region.DECISION: frozenset({Fact.AGENDA, Fact.ITEM, Fact.DECISION, Fact.ROLL}),
    Region.BEHALF: frozenset({Fact.AGENDA, Fact.ITEM, Fact.ROUND, Fact.RATINGS, Fact.ROLL}),
    Region.ACTIONS: frozenset({Fact.ACTIONS}),
    Region.CASE: frozenset({Fact.CASE, Fact.ACTIONS, Fact.AGENDA}),
    Region.REPORTS: frozenset({Fact.REPORTS}),
    # The display shows nothing of the reports.
    Region.SCENE: frozenset(Fact) - {Fact.DRAFT, Fact.RECORD, Fact.MEETING, Fact.REPORTS},
}
# Each region's template, and who has it: the chair, attendees, the display.
TEMPLATES: dict[Region, str] = {
    **{r: f"live/_{r}.html" for r in Region if r not in (Region.ROLL, Region.BEHALF, Region.SCENE)},
    Region.ROLL: "chair/_roll.html",
    Region.BEHALF: "chair/_behalf.html",
    Region.SCENE: "display/_scene.html",
}
HELD_BY: dict[Audience, frozenset[Region]] = {
    Audience.CHAIR: frozenset(Region) - {Region.SCENE},
    Audience.ATTENDEE: frozenset(Region)
    - {Region.SCENE, Region.CONTROLS, Region.ROLL, Region.BEHALF},
    Audience.DISPLAY: frozenset({Region.SCENE}),
}
# The regions that show a person something of their own, and the facts they read of it:
# their rating, or that they now observe. (Their view on a decision, their actions and what
# became of them are in regions each page fetches for itself whenever they change.)
OWN: dict[Region, frozenset[Fact]] = {Region.RATE: frozenset({Fact.RATINGS, Fact.ROLL})}
# Every region a page of people (not the display) can hold, in the order they are read.
REGIONS = tuple(r.value for r in Region if r != Region.SCENE)
SCENE = Region.SCENE.value


def reading(facts: Iterable[Fact]) -> tuple[Region, ...]:
    """Return the regions that read any of these facts: what a change to them redraws."""
    changed = set(facts)
    return tuple(r for r in Region if READS[r] & changed)


def named(name: str) -> Region:
    """Return the region of this name; a name that is no region is a mistake in a page."""
    try:
        return Region(name)
    except ValueError:
        raise LookupError(f"No region is called {name!r}.") from None


# The regions drawn alike for everyone in an audience, sent with the ring that names them
# (the display's scene with every ring). The others (someone's view on a decision, their
# actions) are each person's own, and each page fetches them. Of the shared ones:
# - the stage is drawn alike for all attendees; each page marks its own rating in it
#   (`data-me`, live.js);
# - the rating region is drawn as a rater's, with an empty form while a round is open; a
#   page showing something of that person's own in it (their rating, an observer's note:
#   `data-personal`) fetches its own instead.
# The chair's audience is the chair's own screens, so what it is sent is drawn for them.
# Forms sent with a ring carry no tokens: each page fills in its own (`once.field`).
SHARED: dict[Audience, tuple[Region, ...]] = {
    Audience.CHAIR: (
        Region.PROGRESS,
        Region.STAGE,
        Region.RATE,
        Region.CONTROLS,
        Region.AGENDA,
        Region.PEOPLE,
        Region.ROLL,
        Region.BEHALF,
        Region.DECISION,
    ),
    Audience.ATTENDEE: (
        Region.PROGRESS,
        Region.AGENDA,
        Region.PEOPLE,
        Region.STAGE,
        Region.RATE,
    ),
    Audience.DISPLAY: (Region.SCENE,),
}
# Regions drawn the same whoever looks (they show no one's own): drawn once per ring.
ALIKE_FOR_ALL = (Region.PROGRESS,)
# Each audience's Socket.IO room of a meeting (`doorbell.room`), and whether it is drawn
# for the family (None: the display, drawn for the family when the chair says they see it).
AUDIENCE_ROOMS: tuple[tuple[Audience, str, bool | None], ...] = (
    (Audience.CHAIR, "chair", False),
    (Audience.ATTENDEE, "attendees", False),
    (Audience.ATTENDEE, "family", True),
    (Audience.DISPLAY, "display", None),
)

# The regions that show the item under discussion: on the family's screens they give way
# to the holding screen (in the first of them, at the top of the page) while a part
# restricted from the family runs (the display's scene is then the holding scene:
# `display_scene`).
HELD_REGIONS = frozenset({"rate", "progress", "decision", "stage"})

Page = tuple[str, int]


def region_context(
    meeting: Meeting, viewer: Viewer, only: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Gather what the regions (or the one region `only`) show a viewer.

    Each region loads only what it shows: progress is drawn after every rating, so it
    works out no spreads, and the display's scene loads what its kind of scene shows.
    """
    # Read first, for a whole page: a change made while it is drawn counts as not yet seen.
    as_of = log.mark(meeting) if only is None else None
    item = meeting.current_item
    if item is not None and hidden_from(item, viewer):
        # Restricted from the family: to them there is no item under discussion, even
        # once the meeting has closed on it.
        item = None
    open_round = item.open_round if item is not None else None
    # The display's page is its scene alone.
    scene = display_scene(meeting) if viewer.kind == Audience.DISPLAY else None
    if scene is not None and concealment.holding(meeting, viewer):
        scene = "holding"
    if scene is not None:
        only = SCENE

    def wants(region: str, *scenes: str) -> bool:
        return only is None or only == region or scene in scenes

    join_link = public_url("joining.details", code=meeting.join_code)
    # The display and the phones show the reveal without names when the meeting asks it.
    names_off = unnamed.names_off(meeting, viewer)
    shown_rounds: list[tuple[Any, concealment.Spread | None]] = []
    if item is not None and wants("stage", "reveal", "decision"):
        shown_rounds = [
            (r, unnamed.as_seen(concealment.spread(r, viewer), names_off)) for r in item.rounds
        ]
    # Likelihood × severity: the latest revealed round of each basis (inherent, residual).
    bases = {r.basis: (r, s) for r, s in shown_rounds if s is not None and r.basis}
    mine = (
        concealment.own_rating(open_round, viewer)
        if open_round and only in (None, "rate")
        else None
    )
    kept = extra.pop("rate_form", None)
    if item is not None and wants("decision", "decision"):
        extra.setdefault("consensus", dissent.consensus(item))
        # Only the chair's list of views shows who was a minority at the reveal.
        if viewer.is_chair:
            extra.setdefault("minority_marks", dissent.minority_at_reveal(item))
        extra.setdefault("raters", dissent.raters(item))
        extra.setdefault("my_view", dissent.view_of(item.decision, viewer.attendee))
        # The target and forecasts the room agrees the next review will score it on.
        extra.setdefault("target_line", targets.agreed_line(item.decision))
    if wants("actions", "lobby", "item", "decision"):
        shown = [a for a in actions.live(meeting) if not (a.item and hidden_from(a.item, viewer))]
        extra.setdefault("standing_actions", shown)
        mine_ = actions.owned_by(meeting, viewer.attendee)
        extra.setdefault("my_actions", [a for a in mine_ if a in shown])
    if wants("people", "lobby", "item", "round", "reveal", "decision") or only == "roll":
        extra.setdefault("quorum", quorum(meeting, policy()))
    if item is not None and wants("stage", "reveal", "decision"):
        extra.setdefault(
            "earlier", unnamed.earlier_as_seen(history.earlier(item, viewer), names_off)
        )
        extra.setdefault("discussion", discussion.changed(item, viewer, names_off))
        extra.setdefault("target_check", targets.at_review(item, viewer))
    if viewer.is_chair and item is not None and meeting.previous_id and wants("stage"):
        # The chair's alone: items not looked at again, actions carried again, decisions.
        extra.setdefault("looking_back", again.looking_back(item))
    if item is not None and wants("stage", "item"):
        extra.setdefault("given", own.given(item))
    if viewer.is_chair and open_round is not None and wants("behalf"):
        extra.setdefault("behalf_entries", behalf.entries(open_round))
    if viewer.kind != Audience.DISPLAY and wants("case"):
        extra.setdefault("case_view", panel.seen_by(meeting, viewer, policy()))
    if viewer.kind != Audience.DISPLAY and wants("reports"):
        extra.setdefault("reports_view", reports_panel.seen_by(meeting, viewer, policy()))
    return {
        "meeting": meeting,
        "viewer": viewer,
        "item": item,
        "rounds": shown_rounds,
        "unnamed": names_off,
        "bases": bases,
        "open_round": open_round,
        "progress": concealment.progress(open_round)
        if open_round and (wants("progress", "round") or only == "controls")
        else None,
        "mine": mine,
        "receipt": chain.receipt_for(mine, session_of(mine)) if mine else None,
        "rate_values": dict(kept) if kept else _values(mine),
        "join_link": join_link,
        "join_unreachable": unreachable(join_link),
        "scales": scales,
        "uncertainty": uncertainty,
        "gap_actions": gaps.standing,
        "attendance_label": attendance_label,
        "as_of": as_of,
        "scene": scene,
        # The family's screens while a part restricted from them runs: nothing of it.
        "holding": concealment.holding(meeting, viewer),
        "held_regions": HELD_REGIONS,
        **extra,
    }


def display_scene(meeting: Meeting) -> str:
    """Return what the shared display shows now: "closed", "lobby" (before the meeting or
    between items), "round" (a round is open), "decision" (recorded, and no round revealed
    since), "reveal" (the latest round, revealed) or "item" (under discussion, not yet
    rated)."""
    item = meeting.current_item
    if meeting.status == MeetingStatus.CLOSED:
        return "closed"
    if meeting.status == MeetingStatus.SETUP or item is None:
        return "lobby"
    if item.open_round is not None:
        return "round"
    last = item.rounds[-1] if item.rounds else None
    revealed_at = last.revealed_at if last is not None else None
    decision = item.decision
    if decision is not None and decision.status == DecisionStatus.RECORDED:
        # A round revealed after the decision was recorded (the room rated again) is the news.
        if not (revealed_at and decision.recorded_at and revealed_at > decision.recorded_at):
            return "decision"
    return "reveal" if revealed_at else "item"


def drawn_once(
    meeting: Meeting,
    audience: Audience,
    changed: Iterable[Region],
    alike: dict[str, str],
    family: bool | None = False,
) -> dict[str, Any]:
    """Draw the changed regions that look alike to everyone in an audience, once.

    Each is drawn whole, as the page fetches it. Returns {"html": {region: html}} to go
    with a ring to the audience's room, or {} when
    none is shared; for the chair's screens, with "theirs": drawn for the one person who
    sees them, what is theirs included. Its forms carry no tokens: each page fills in its
    own. `alike` keeps what is drawn the same for every audience but the family's, for the
    next one; `family` draws it for the family (None: the display, as the meeting says).
    """
    if audience == Audience.CHAIR:
        viewer = chair_viewer(meeting)
    elif audience == Audience.DISPLAY:
        viewer = display_viewer(meeting)
    else:
        viewer = Viewer(audience, family=bool(family))
    drawn: dict[str, str] = {}
    changed = set(changed)
    for name in SHARED[audience]:
        if name not in changed:
            continue
        if name in alike and not viewer.family:
            drawn[name] = alike[name]
            continue
        setattr(g, once.DRAWN_FOR_SCREENS, True)
        try:
            html = _place(meeting, viewer, name, with_flash=False)
        finally:
            setattr(g, once.DRAWN_FOR_SCREENS, False)
        drawn[name] = html
        if name in ALIKE_FOR_ALL and not viewer.family:
            alike[name] = html
    if not drawn:
        return {}
    return {"html": drawn, "theirs": True} if audience == Audience.CHAIR else {"html": drawn}


def _values(rating: Rating | None) -> dict[str, str]:
    if rating is None:
        return {}
    fields = ("score", "likelihood", "severity", "choice", "reason", "low", "high", "sure")
    given = {f: str(getattr(rating, f)) for f in fields if getattr(rating, f) is not None}
    return given | ({"needs": rating.needs} if rating.cannot_rate else {})


def _region_url(meeting: Meeting, viewer: Viewer, name: str) -> str:
    named(name)
    if viewer.kind == Audience.DISPLAY:
        return url_for("room.display_region", meeting_id=meeting.id, name=name)
    return url_for("room.region", meeting_id=meeting.id, name=name)


def _template(viewer: Viewer, name: str) -> str | None:
    """Return the template of the region `name` as drawn for a viewer, if they have it."""
    try:
        region = Region(name)
    except ValueError:
        return None
    return TEMPLATES[region] if region in HELD_BY[viewer.kind] else None


def page(template: str, meeting: Meeting, viewer: Viewer, status: int = 200, **extra: Any) -> Page:
    """Render a whole page of a meeting for a viewer, with every region in it.

    A form sent in place from one of its regions (forms.js) is answered, once its change is
    made and its redirect followed, with that region alone: the page takes nothing else.
    """
    place = _sent_from(viewer, request.method == "GET")
    if place is not None:
        return _place(meeting, viewer, place, **extra), status
    context = region_context(meeting, viewer, **extra)
    context["region_url"] = lambda name: _region_url(meeting, viewer, name)
    return render_template(template, **context), status


def in_place(meeting: Meeting, viewer: Viewer) -> Page | None:
    """Answer a form sent in place, once its change is made, with its place drawn anew
    (rather than send the page to fetch again); None for a form sent the ordinary way."""
    place = _sent_from(viewer, True)
    return None if place is None else (_place(meeting, viewer, place), 200)


def _place(
    meeting: Meeting, viewer: Viewer, place: str, with_flash: bool = True, **extra: Any
) -> str:
    """Draw one region whole, as a place: with the page's messages for a form's answer."""
    context = region_context(meeting, viewer, only=place, **extra)
    context["region_url"] = lambda name: _region_url(meeting, viewer, name)
    template = _template(viewer, place)
    return render_template(
        "live/in_place.html",
        place=place,
        place_template=template,
        with_flash=with_flash,
        **context,
    )


def _sent_from(viewer: Viewer, done: bool) -> str | None:
    """Return the region a page is asked for by a form sent in place from it, if any.

    htmx names the place it will swap (HX-Target) and selects it from the answer. Only a
    page asked for once a change is `done` (or a GET: the change's redirect, followed) is
    drawn as that region alone; a refused form's page comes whole, with its problem.
    """
    target = request.headers.get("HX-Target", "")
    if (
        not done
        or not request.headers.get("HX-Request")
        or request.headers.get("HX-History-Restore-Request")
        or not target.startswith("region-")
    ):
        return None
    name = target.removeprefix("region-")
    return name if name != SCENE and _template(viewer, name) else None


def partial(template: str, page: str, context: Callable[[], dict[str, Any]]) -> Response:
    """Answer an htmx request with a fragment; anything else (history restored) goes to `page`."""
    return _for_htmx(page, lambda: render_template(template, **context()))


def _for_htmx(page: str, draw: Callable[[], str]) -> Response:
    if not request.headers.get("HX-Request") or request.headers.get("HX-History-Restore-Request"):
        return redirect(page)
    response = make_response(draw())
    response.headers["Vary"] = "HX-Request, HX-History-Restore-Request, Cookie"
    response.headers["Cache-Control"] = "no-store"
    return response


def fragment(meeting: Meeting, viewer: Viewer, name: str) -> Response:
    """Answer an htmx request with one region, whole, as a place (it is morphed into the
    page); anything else goes to the full page."""
    if _template(viewer, name) is None:
        abort(404)
    if viewer.kind == Audience.DISPLAY:
        whole = url_for("room.screen", meeting_id=meeting.id)
    else:
        whole = url_for("room.attend", meeting_id=meeting.id)
    if name == "stage" and viewer.kind == Audience.ATTENDEE:
        # As every attendee of their audience is sent it (`SHARED`); the page marks its
        # own rating.
        viewer = Viewer(Audience.ATTENDEE, family=viewer.family)
    return _for_htmx(whole, lambda: _place(meeting, viewer, name, with_flash=False))


def attendee_page(meeting: Meeting, viewer: Viewer, status: int = 200, **extra: Any) -> Page:
    """Render an admitted attendee's page of a meeting."""
    extra.setdefault("gives_words", own.gives(viewer.attendee))
    return page("attendee/meeting.html", meeting, viewer, status, **extra)


def chair_page(meeting: Meeting, status: int | None = None, **extra: Any) -> Page:
    """Render the chair's page of a meeting (set-up, console or record)."""
    errors = any(k.endswith("_errors") and v for k, v in extra.items())
    item = meeting.current_item
    extra.setdefault("legal_bases", policy().legal_bases)
    extra.setdefault("protective", bool(item and protective_prompt(item)))
    extra.setdefault("change_question", optimism.asked(item) if item else "")
    extra.setdefault("display_mark", display_shown(meeting))
    # The decision's "child's views" start from what the young person gave.
    extra.setdefault("child_words", own.for_decision(item) if item else "")
    if meeting.status == MeetingStatus.SETUP and meeting.previous_id is not None:
        # A review being set up: whom of the last meeting it has invited, and how it went.
        invited = invitations.standing(meeting)
        extra.setdefault("invited", invited)
        lost_after, now = mail_settings().lost_after, utcnow()
        extra.setdefault(
            "inviting",
            any(
                i.result == DeliveryResult.PENDING and now - i.attempted_at < lost_after
                for row in invited
                for i in row.sent
            ),
        )
    return page(
        "chair/meeting.html",
        meeting,
        chair_viewer(meeting),
        status or (422 if errors else 200),
        **extra,
    )
