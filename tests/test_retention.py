"""Retention: closed meetings exported and purged by `flask --app meeting purge`.

A whole meeting (ratings, a written contribution, decisions, views, actions, minutes
circulated, corrected and circulated again) is purged on SQLite and on PostgreSQL, and
every table is checked to hold what it held before that meeting existed. Meetings closed
more recently, and meetings not closed, stay. Its last circulated minutes and its record
are found in the export as the chair downloaded them. Nothing the command prints or logs
names the child or anyone in the meeting, and neither does a real server that held one.
"""

import email
import email.policy
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import (
    CHOICE_ITEM,
    LXS_ITEM,
    SAFETY_ITEM,
    BrowserSession,
    LiveServer,
    People,
    log_in,
    make_chair,
    make_meeting,
    settled,
    until,
)
from room import REVIEW_DATE, STARTS_AT
from sqlalchemy import func, select
from story import DECISION_ONE, DISSENT, circulate, join, run_meeting
from test_young_person import drawing, give

import minutes
from meeting import create_app
from meeting.extensions import db
from meeting.models import Action, Base, Correction, Invitation, LetterDraft, Meeting, utcnow
from meeting.retention import archive, purge

# When a meeting long past was held: seven years before today.
LONG_AGO = f"{(date.today() - timedelta(days=7 * 365)).isoformat()}T10:00"
CHILD = "Zephyrine Quillfeather"
TITLE = "Strategy discussion for Zephyrine"
CORRECTION = "Ottoline was at the school gate, not the park"
WITHHELD = "Ottoline's uncle was released last week"
# What the minutes' people typed in the meeting the story runs (tests/story.py).
PEOPLE = ["Priya Shah", "Ms Reid", "Mrs Brown", "Dr Lee"]
EMAILS = ["priya@police.example", "reid@school.example", "brown@home.example", "lee@nhs.example"]
REASONS = ["Missing twice this month", "Safe at school every day", "She is fine at home"]
NOTHING_ABOUT_THE_CHILD = [CHILD, TITLE, CORRECTION, DISSENT, WITHHELD, *PEOPLE, *EMAILS, *REASONS]


def rows_in_every_table(app) -> dict[str, int]:
    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


def closed_days_ago(app, meeting_id: int, days: float) -> date:
    """Move a meeting's close back by some days (as if that time had passed); return the day,
    where the meetings are held."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.closed_at = utcnow() - timedelta(days=days)
        db.session.commit()
        return purge.closed_on(meeting, ZoneInfo(app.config["MEETING_TIMEZONE"]))


def closed_meeting(app, chair, title: str = "Review conference") -> int:
    """A meeting with one item, started and closed by its chair; return its id."""
    meeting_id = make_meeting(chair, SAFETY_ITEM, title=title)
    assert chair.post(f"/meetings/{meeting_id}/start").status_code == 302
    assert chair.post(f"/meetings/{meeting_id}/close").status_code == 302
    return meeting_id


def correct_and_recirculate(app, story) -> None:
    """Priya asks for a correction from her link; the chair accepts it and sends version 2."""
    people = story.people
    link = f"/minutes/{story.reader_token('Priya Shah')}"
    reader = app.test_client()
    assert reader.get(link, follow_redirects=True).status_code == 200
    asked = reader.post(
        f"/minutes/read/{people.attendee_id('Priya Shah')}/corrections",
        data={"section": "general", "text": CORRECTION},
    )
    assert asked.status_code == 302, asked.text
    with app.app_context():
        correction_id = db.session.scalar(select(Correction.id))
    url = f"/meetings/{people.meeting_id}/minutes"
    accepted = people.chair.post(
        f"{url}/corrections/{correction_id}", data={"outcome": "accept", "answer": "Agreed"}
    )
    assert accepted.status_code == 302, accepted.text
    assert people.chair.post(f"{url}/2/circulate").status_code == 302
    settled(app)
    # Her link was sent to an old address: the chair withdraws it.
    priya = people.attendee_id("Priya Shah")
    assert people.chair.post(f"{url}/recipients/{priya}/withdraw-link").status_code == 302


def send_the_letter(app, story) -> None:
    """The chair writes the young person's letter from the minutes and sends it to them."""
    chair, url = story.people.chair, f"/meetings/{story.people.meeting_id}/letter"
    assert chair.post(f"{url}/first-draft").status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(LetterDraft.markdown))
    to = str(story.people.attendee_id("Jaylen"))
    sent = chair.post(url, data={"letter": draft, "intent": "send", "to": to})
    assert sent.status_code == 302, sent.text
    until(lambda: "Sending…" not in chair.get(url).text, 10, "the letter is still being sent")


def hold_a_review(app, chair, held: int) -> int:
    """The meeting's review, held and closed: the owner of an action says it was done, the
    chair answers a forecast and adds to the chronology, and a trigger brings it forward."""
    details = {"review_of": str(held), "title": "Review", "kind": "other", "child": CHILD}
    made = chair.post("/meetings/new", data={**details, "starts_at": STARTS_AT})
    assert made.status_code == 302, made.text
    review = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    # The chair invites the meeting's people to it; each is emailed a link of their own.
    assert chair.post(f"/meetings/{review}/invitations").status_code == 302
    until(lambda: invited(app, review), 10, "the invitations are still being sent")
    priya = People(app, chair, review).join_admitted("Priya Shah", "Police")
    # The young person gives their own words on the item, with a drawing.
    jay = People(app, chair, review).join_admitted("Jay", "Themselves", part="young_person")
    assert give(People(app, chair, review), jay, file=drawing()).status_code == 302
    with app.app_context():
        earlier = db.session.get(Meeting, held)
        action = next(a.id for a in earlier.actions if a.owner_name == "Priya Shah")
        decision = earlier.items[0].decision.id
        case = earlier.case_id
    said = priya.post(f"/m/{review}/carried/{action}", data={"status": "done"})
    assert said.status_code == 302, said.text
    for path, data in (
        (f"/meetings/{review}/forecasts/{decision}/1", {"result": "met"}),
        (f"/m/{review}/chronology", {"happened_on": date.today().isoformat(), "what": "Seen"}),
        (f"/cases/{case}/triggers", {"reason": "Missing overnight"}),
        (f"/meetings/{review}/start", {}),
        (f"/meetings/{review}/close", {}),
    ):
        data = {"agency": "Police", **data} if "chronology" in path else data
        assert chair.post(path, data=data).status_code == 302, path
    return review


def invited(app, review: int) -> bool:
    """Whether every invitation to a review has been sent (to the outbox)."""
    with app.app_context():
        results = db.session.scalars(
            select(Invitation.result).where(Invitation.meeting_id == review)
        )
        return set(results) == {"outbox"}


def purge_command(app, *args: str):
    return app.test_cli_runner().invoke(args=["purge", *args])


def test_a_closed_meeting_is_exported_then_purged_with_everything_of_it(any_app, tmp_path, caplog):
    app = any_app
    make_chair(app)
    chair = log_in(app)
    # Kept: one closed last week and circulated, one still running that started long ago.
    recent = closed_meeting(app, chair, "Closed last week")
    circulated = circulate(People(app, chair, recent))
    assert circulated.status_code == 302, circulated.text
    closed_days_ago(app, recent, 7)
    running = make_meeting(chair, SAFETY_ITEM, title="Still running", starts_at=LONG_AGO)
    assert chair.post(f"/meetings/{running}/start").status_code == 302
    before = rows_in_every_table(app)

    items = (SAFETY_ITEM, LXS_ITEM, CHOICE_ITEM)
    held = make_meeting(chair, *items, title=TITLE, child=CHILD, kind="prt_review")
    join(People(app, chair, held), "Jaylen", "", "Young person", "j@home.example", "young_person")
    # The police report came before the meeting, with a part withheld from the family.
    listed = chair.post(f"/meetings/{held}/reports", data={"agency": "Police", "author": PEOPLE[0]})
    assert listed.status_code == 302, listed.text
    with app.app_context():
        police = db.session.get(Meeting, held).reports[0].id
    for path, data in (
        ("received", {"received_on": date.today().isoformat()}),
        ("withheld", {"withheld_summary": WITHHELD, "withheld_reason": "Third party"}),
    ):
        marked = chair.post(f"/meetings/{held}/reports/{police}/{path}", data=data)
        assert marked.status_code == 302, marked.text
    story = run_meeting(People(app, chair, held))
    circulated = circulate(People(app, chair, held))
    assert circulated.status_code == 302, circulated.text
    correct_and_recirculate(app, story)
    send_the_letter(app, story)
    review = hold_a_review(app, chair, held)
    closed = closed_days_ago(app, held, 400)
    closed_days_ago(app, review, 399)
    during = rows_in_every_table(app)
    made = {name for name in during if during[name] > before[name]}
    assert made == set(Base.metadata.tables) - purge.NOT_A_MEETINGS, "a row in every table"
    record = chair.get(f"/meetings/{held}/record.json").text
    minutes_v2 = chair.get(f"/meetings/{held}/minutes/2.md").text
    outbox = Path(app.instance_path) / "outbox"
    assert len(list(outbox.glob(f"meeting-{held}-v*.eml"))) == 12, "6 people, 2 versions"
    assert len(list(outbox.glob(f"letter-{held}-v*.eml"))) == 1
    assert len(list(outbox.glob(f"invitation-{review}-*.eml"))) == 5, "all but the chair"

    archive = tmp_path / "archive"
    with caplog.at_level("INFO", logger="meeting"):
        result = purge_command(app, "--older-than", "365", "--export-to", str(archive))

    assert result.exit_code == 0, result.output
    assert f"Meeting {held} (closed {closed:%Y-%m-%d}): exported to {archive}" in result.output
    assert "Purged 2 of 2 meetings closed more than 365 days ago" in result.output
    assert rows_in_every_table(app) == before, "the case went with its last meeting"
    assert chair.get(f"/meetings/{held}").status_code == 404
    assert chair.get(f"/meetings/{review}").status_code == 404
    assert chair.get(f"/meetings/{recent}").status_code == 200
    assert chair.get(f"/meetings/{running}").status_code == 200
    assert TITLE not in chair.get("/meetings").text
    assert list(outbox.glob(f"meeting-{held}-v*.eml")) == []
    assert list(outbox.glob(f"letter-{held}-v*.eml")) == []
    assert list(outbox.glob(f"invitation-{review}-*.eml")) == []
    assert len(list(outbox.glob(f"meeting-{recent}-v*.eml"))) == 1, "the chair's copy stays"

    folder = archive / f"meeting-{held}"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"meeting-{held}-record.json",
        f"minutes-{held}-v2.docx",
        f"minutes-{held}-v2.html",
        f"minutes-{held}-v2.md",
    ]
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.iterdir())
    assert (folder / f"meeting-{held}-record.json").read_text() == record
    assert json.loads(record)["meeting"]["child"] == CHILD
    assert json.loads(record)["reports"][0]["withheld_summary"] == WITHHELD
    exported = (folder / f"minutes-{held}-v2.md").read_text()
    assert exported == minutes_v2 and minutes.verify(exported)
    assert CORRECTION in exported
    page = (folder / f"minutes-{held}-v2.html").read_text()
    assert page.startswith("<!doctype html>") and DECISION_ONE["text"] in page
    with zipfile.ZipFile(folder / f"minutes-{held}-v2.docx") as word:
        assert DECISION_ONE["text"] in word.read("word/document.xml").decode()

    logged = [r.getMessage() for r in caplog.records if r.name == "meeting.retention"]
    # The review goes first: its record, exported before either went, rests on the other.
    assert logged[0].startswith(f"purged meeting={review} ") and len(logged) == 2
    assert logged[1] == f"purged meeting={held} closed={closed:%Y-%m-%d} exported=yes"
    exported = archive / f"meeting-{review}" / f"meeting-{review}-record.json"
    reviewed = json.loads(exported.read_text())
    assert reviewed["review"]["actions"][0]["status"] == "Done"
    assert reviewed["review"]["forecasts"][0]["result"] == "Met"
    for said in NOTHING_ABOUT_THE_CHILD:
        assert said not in caplog.text, f"the log holds {said!r}"
        assert said not in result.output, f"the command printed {said!r}"


def test_a_meeting_stays_while_a_later_review_of_it_stays(app):
    """A review's record rests on the meeting it reviews: that one waits, then both go."""
    make_chair(app)
    chair = log_in(app)
    first = closed_meeting(app, chair, "First")
    details = {"review_of": str(first), "title": "Review", "kind": "other", "child": "A.B."}
    made = chair.post("/meetings/new", data={**details, "starts_at": STARTS_AT})
    review = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    closed_days_ago(app, first, 400)

    result = purge_command(app, "--older-than", "365")
    assert result.exit_code == 0, result.output
    assert f"Kept: meeting {first}: a later review of it is kept" in result.output
    assert "Purged 0 of 0 meetings" in result.output
    assert chair.get(f"/meetings/{review}").status_code == 200
    assert chair.get(f"/meetings/{first}").status_code == 200

    for step in ("start", "close"):
        assert chair.post(f"/meetings/{review}/{step}").status_code == 302
    closed_days_ago(app, review, 380)
    result = purge_command(app, "--older-than", "365")
    assert result.exit_code == 0, result.output
    assert result.output.index(f"Meeting {review} ") < result.output.index(f"Meeting {first} ")
    assert "Purged 2 of 2 meetings" in result.output
    assert chair.get(f"/meetings/{first}").status_code == 404


def test_a_row_elsewhere_pointing_into_a_meeting_stops_its_purge_and_loses_nothing(any_app):
    """The database's foreign keys are honoured: the purge is refused whole, not done in part."""
    app = any_app
    make_chair(app)
    chair = log_in(app)
    old = closed_meeting(app, chair)
    closed_days_ago(app, old, 400)
    other = closed_meeting(app, chair)
    with app.app_context():
        someone = db.session.get(Meeting, old).seat
        # An action in the other meeting owned by someone of the old one.
        db.session.add(
            Action(
                meeting_id=other,
                what="Follow up",
                owner=someone,
                owner_name=someone.name,
                due=date.today(),
            )
        )
        db.session.commit()
    before = rows_in_every_table(app)

    result = purge_command(app, "--older-than", "365")

    assert result.exit_code == 1
    assert f"Not purged: meeting {old}: the database refused it (" in result.output
    assert "foreign key" in result.output.lower()
    assert "Purged 0 of 1 meeting" in result.output
    assert rows_in_every_table(app) == before
    assert chair.get(f"/meetings/{old}").status_code == 200


def test_an_unexpected_fault_keeps_the_meeting_and_names_no_one(app, tmp_path, caplog, monkeypatch):
    make_chair(app)
    chair = log_in(app)
    old = closed_meeting(app, chair, TITLE)
    closed_days_ago(app, old, 400)

    def breaks(meeting, policy):
        raise ValueError(f"cannot draw {meeting.title}")

    monkeypatch.setattr(archive, "files", breaks)
    with caplog.at_level("INFO", logger="meeting"):
        result = purge_command(app, "--older-than", "365", "--export-to", str(tmp_path / "a"))

    assert result.exit_code == 1
    assert f"Not purged: meeting {old}: it could not be exported or deleted (ValueError" in (
        result.output
    )
    assert "builtins.ValueError (its message is not logged)" in caplog.text
    assert TITLE not in caplog.text and TITLE not in result.output
    assert chair.get(f"/meetings/{old}").status_code == 200


@pytest.fixture
def chair(app):
    make_chair(app)
    return log_in(app)


def test_a_dry_run_lists_what_would_go_and_changes_nothing(app, chair, tmp_path, caplog):
    old = closed_meeting(app, chair, TITLE)
    closed = closed_days_ago(app, old, 400)
    newer = closed_meeting(app, chair)
    closed_days_ago(app, newer, 30)
    before = rows_in_every_table(app)
    archive = tmp_path / "archive"

    with caplog.at_level("INFO", logger="meeting"):
        result = purge_command(app, "--older-than", "365", "--dry-run", "--export-to", str(archive))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Would purge 1 meeting closed more than 365 days ago (before ")
    listed = f"meeting {old}: Other meeting, closed {closed:%Y-%m-%d}, 1 item, no minutes"
    assert lines[1] == f"  {listed} circulated"
    assert lines[2] == (
        f"Dry run: nothing was changed. Without --dry-run, each would be exported to {archive}, "
        "then deleted."
    )
    assert TITLE not in result.output and "A.B." not in result.output
    assert rows_in_every_table(app) == before
    assert not archive.exists()
    assert chair.get(f"/meetings/{old}").status_code == 200
    assert not [r for r in caplog.records if r.name == "meeting.retention"]


def test_meetings_that_are_not_closed_are_never_purged(app, chair):
    in_setup = make_meeting(chair, SAFETY_ITEM, starts_at=LONG_AGO)
    running = make_meeting(chair, SAFETY_ITEM, starts_at=LONG_AGO)
    assert chair.post(f"/meetings/{running}/start").status_code == 302
    before = rows_in_every_table(app)

    result = purge_command(app, "--older-than", "0")

    assert result.exit_code == 0, result.output
    assert "Purged 0 of 0 meetings closed more than 0 days ago" in result.output
    assert rows_in_every_table(app) == before
    assert chair.get(f"/meetings/{in_setup}").status_code == 200
    assert chair.get(f"/meetings/{running}").status_code == 200


def test_the_deployments_period_keeps_meetings_closed_more_recently(app, chair, tmp_path):
    older = closed_meeting(app, chair)
    closed_days_ago(app, older, 31)
    newer = closed_meeting(app, chair)
    closed_days_ago(app, newer, 29)
    archive = tmp_path / "archive"
    app.config.update(KEEP_CLOSED_DAYS="30", PURGE_EXPORT_TO=str(archive))

    result = purge_command(app)

    assert result.exit_code == 0, result.output
    assert "Purged 1 of 1 meeting closed more than 30 days ago" in result.output
    assert chair.get(f"/meetings/{older}").status_code == 404
    assert chair.get(f"/meetings/{newer}").status_code == 200
    assert [p.name for p in archive.iterdir()] == [f"meeting-{older}"]
    # An age given to the command wins over the deployment's.
    result = purge_command(app, "--older-than", "60")
    assert "Purged 0 of 0 meetings closed more than 60 days ago" in result.output
    assert chair.get(f"/meetings/{newer}").status_code == 200


def test_without_an_age_nothing_is_purged_and_the_command_says_why(app, chair):
    old = closed_meeting(app, chair)
    closed_days_ago(app, old, 3650)

    unset = purge_command(app)
    app.config["KEEP_CLOSED_DAYS"] = "seven years"
    wrong = purge_command(app)
    bad_option = purge_command(app, "--older-than", "-1")

    assert unset.exit_code == 1
    assert "Nothing was purged: closed meetings are kept until you say how old" in unset.output
    assert "--older-than DAYS, or set MEETING_KEEP_CLOSED_DAYS" in unset.output
    assert wrong.exit_code == 1
    assert "MEETING_KEEP_CLOSED_DAYS must be a whole number of days" in wrong.output
    assert "'seven years'" in wrong.output and "Traceback" not in wrong.output
    assert bad_option.exit_code == 2 and "-1 is not in the range x>=0" in bad_option.output
    assert chair.get(f"/meetings/{old}").status_code == 200


def test_the_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MEETING_KEEP_CLOSED_DAYS", "2555")
    monkeypatch.setenv("MEETING_PURGE_EXPORT_TO", str(tmp_path / "archive"))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}", "SECRET_KEY": "x"}
    )
    try:
        make_chair(app)
        chair = log_in(app)
        kept = closed_meeting(app, chair)
        closed_days_ago(app, kept, 2554)
        gone = closed_meeting(app, chair)
        closed_days_ago(app, gone, 2556)
        result = purge_command(app)
        assert "Purged 1 of 1 meeting closed more than 2555 days ago" in result.output
        assert (tmp_path / "archive" / f"meeting-{gone}").is_dir()
        assert chair.get(f"/meetings/{kept}").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_meeting_whose_export_fails_is_kept(app, chair, tmp_path, caplog):
    first = closed_meeting(app, chair)
    second = closed_meeting(app, chair)
    for meeting_id in (first, second):
        closed_days_ago(app, meeting_id, 400)
    archive = tmp_path / "archive"
    # An earlier export of the first is in the way: it is never overwritten.
    earlier = archive / f"meeting-{first}"
    earlier.mkdir(parents=True)
    (earlier / "notes.txt").write_text("kept by the records team")

    with caplog.at_level("INFO", logger="meeting"):
        result = purge_command(app, "--older-than", "365", "--export-to", str(archive))

    assert result.exit_code == 1
    assert f"Not purged: meeting {first}: {earlier} already exists" in result.output
    logged = [r.getMessage() for r in caplog.records if r.name == "meeting.retention"]
    assert logged[0].startswith(f"not purged meeting={first} closed=")
    assert f"{earlier} already exists" in logged[0]
    assert logged[1].startswith(f"purged meeting={second} closed=")
    assert "Purged 1 of 2 meetings" in result.output
    assert "1 not purged (see above); they are kept until a purge succeeds." in result.output
    assert chair.get(f"/meetings/{first}").status_code == 200
    assert chair.get(f"/meetings/{second}").status_code == 404
    assert [p.name for p in earlier.iterdir()] == ["notes.txt"]
    assert (archive / f"meeting-{second}" / f"meeting-{second}-record.json").is_file()

    # A folder that cannot be made (a file has its name): nothing is purged.
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    result = purge_command(app, "--older-than", "365", "--export-to", str(blocked / "here"))
    assert result.exit_code == 1
    assert f"Not purged: meeting {first}: Could not write {blocked / 'here'}" in result.output
    assert "Purged 0 of 1 meeting" in result.output
    assert chair.get(f"/meetings/{first}").status_code == 200


ROOT = Path(__file__).parents[1]
# A meeting held on a real server, with words found nowhere else.
ITEM = {
    "title": "Contact with Uncle Barnaby",
    "body": "Barnaby collects her from Thistlewood Primary",
    "scale": "safety",
}
PHONES = {
    "Ottoline Brackenbury": ("Police", "ottoline.brackenbury@police.example"),
    "Casimir Oyelaran-Finch": ("School", "casimir.finch@school.example"),
}
APOLOGIES = {"name": "Dr Ignatius Fairweather", "email": "ignatius.fairweather@nhs.example"}
RATINGS = {
    "Ottoline Brackenbury": ("3", "Barnaby's van seen outside the school twice"),
    "Casimir Oyelaran-Finch": ("6", "Happiest on the days her gran collects her"),
}
DECISION = {
    "text": "Contact with Barnaby supervised at the family centre",
    "rationale": "Two sightings of the van outside Thistlewood Primary",
    "child_views": "I want to see Uncle Barnaby at the park",
}
DISAGREES = "Supervision punishes her for her uncle's choices"
ACTION = "Tell Thistlewood Primary who may collect her"
SAID_IN_THE_MEETING = [
    CHILD,
    TITLE,
    CORRECTION,
    DISAGREES,
    ACTION,
    ITEM["title"],
    ITEM["body"],
    *PHONES,
    *(address for _agency, address in PHONES.values()),
    *APOLOGIES.values(),
    *(reason for _score, reason in RATINGS.values()),
    *DECISION.values(),
    "sam@example.org",
]


def hold_a_meeting(server: LiveServer) -> tuple[requests.Session, str]:
    """Hold a meeting through the server's forms, close it and circulate it; return the
    chair's session and the meeting's address."""
    base = server.url
    chair = server.first_chair()
    details = {"title": TITLE, "kind": "other", "child": CHILD, "starts_at": STARTS_AT}
    made = chair.post(f"{base}/meetings/new", data=details, allow_redirects=False)
    path = base + made.headers["Location"]
    meeting_id = int(re.search(r"/meetings/(\d+)", path).group(1))
    assert chair.post(f"{path}/items", data=ITEM).ok
    absent = {**APOLOGIES, "role": "GP", "agency": "Health"}
    # A mistyped address is refused (and kept on the page), then sent right.
    assert (
        chair.post(f"{path}/apologies", data={**absent, "email": "ignatius@@nhs"}).status_code
        == 422
    )
    assert chair.post(f"{path}/apologies", data=absent).ok
    code = re.search(r'class="join-code"[^>]*>([\w-]+)<', chair.get(path).text).group(1)
    phones = {}
    for name, (agency, address) in PHONES.items():
        phones[name] = BrowserSession()
        person = {
            "name": name,
            "role": "Practitioner",
            "agency": agency,
            "email": address,
            "part": "professional",
        }
        assert phones[name].post(f"{base}/join/{code}", data=person).ok
    for attendee_id in set(re.findall(r"/people/(\d+)/admit", chair.get(path).text)):
        assert chair.post(f"{path}/people/{attendee_id}/admit").ok
    assert chair.post(f"{path}/start").ok
    item_id = re.search(r"/items/(\d+)/rounds\"", chair.get(path).text).group(1)
    opened = chair.post(f"{path}/items/{item_id}/rounds", data={"number": "1"})
    round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)
    for name, (score, reason) in RATINGS.items():
        rating = {"score": score, "reason": reason}
        assert phones[name].post(f"{base}/m/{meeting_id}/rounds/{round_id}/rating", data=rating).ok
    assert chair.post(f"{path}/rounds/{round_id}/reveal").ok
    decision = {"intent": "record", "review_date": REVIEW_DATE, **DECISION}
    assert chair.post(f"{path}/items/{item_id}/decision", data=decision).ok
    view = f"{base}/m/{meeting_id}/items/{item_id}/view"
    assert phones["Ottoline Brackenbury"].post(view, data={"agrees": "yes"}).ok
    answer = {"agrees": "no", "text": DISAGREES}
    assert phones["Casimir Oyelaran-Finch"].post(view, data=answer).ok
    action = {"what": ACTION, "due": REVIEW_DATE, "owner_name": "Jo Bloggs", "agency": "CSC"}
    assert chair.post(f"{path}/actions", data=action).ok
    assert chair.post(f"{path}/close").ok
    assert chair.post(f"{path}/minutes/draft", data={"then": "circulate"}).ok
    until(
        lambda: "Sending…" not in chair.get(f"{path}/minutes").text,
        30,
        "the minutes are still being sent",
    )
    # Ottoline follows the link in her email and asks for a correction.
    outbox = server.folder / "instance" / "outbox"
    letter = next(outbox.glob(f"meeting-{meeting_id}-v1-*-ottoline-brackenbury.eml"))
    body = email.message_from_bytes(letter.read_bytes(), policy=email.policy.default)
    link = re.search(r"https?://\S+/minutes/[\w-]+", body.get_body(("plain",)).get_content())
    reader = BrowserSession()
    opened = reader.get(link.group(0))
    assert opened.ok and opened.url != link.group(0), "the link is traded for a cookie"
    asked = reader.post(
        f"{opened.url}/corrections", data={"section": "general", "text": CORRECTION}
    )
    assert asked.ok
    return chair, path


def test_a_meeting_held_and_purged_leaves_nothing_about_the_child_in_any_log(tmp_path):
    server = LiveServer(tmp_path)
    server.start()
    try:
        chair, path = hold_a_meeting(server)
        meeting_id = int(path.rsplit("/", 1)[1])
        archive = tmp_path / "archive"
        env = {**os.environ, "MEETING_INSTANCE_PATH": str(tmp_path / "instance")}
        env.pop("MEETING_DATABASE_URL", None)
        command = [sys.executable, "-m", "flask", "--app", "meeting", "purge"]
        command += ["--older-than", "0", "--export-to", str(archive)]
        # Purged while the server is still running, as a scheduled purge would be.
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        instance = tmp_path / "instance"
        database = b"".join(p.read_bytes() for p in instance.glob("meeting.sqlite3*"))
        assert chair.get(path).status_code == 404
    finally:
        server.stop()

    assert done.returncode == 0, done.stderr
    assert "Purged 1 of 1 meeting closed more than 0 days ago" in done.stdout
    logged = re.findall(r"meeting\.retention (.*)", done.stderr)
    assert len(logged) == 1 and re.fullmatch(
        rf"purged meeting={meeting_id} closed=\d{{4}}-\d\d-\d\d exported=yes", logged[0]
    ), done.stderr
    record = (archive / f"meeting-{meeting_id}" / f"meeting-{meeting_id}-record.json").read_text()
    outbox = list((instance / "outbox").iterdir())
    server_log = "".join(server.said)
    assert "meeting.access" in server_log and "meeting.audit" in server_log
    for said in SAID_IN_THE_MEETING:
        assert said in record, f"the meeting had {said!r}"
        assert said not in server_log, f"the server's log holds {said!r}"
        assert said not in done.stdout + done.stderr, f"the purge wrote {said!r}"
        if said != "sam@example.org":  # the chair's account stays
            assert said.encode() not in database, f"the database file still holds {said!r}"
    assert outbox == [], "the emails of the minutes went with the meeting"
