"""`verify` against someone with SQL access to the database: every row the minutes rest on.

Each test holds a short meeting through the pages (people join, one adds to the child's
chronology, two rate, the round is revealed, the meeting closes and its minutes are
circulated), then changes the database with plain SQL, as a hostile insider would, and
reads what `flask verify` says from the command line.
"""

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from conftest import People
from sqlalchemy import text
from story import circulate

from meeting.extensions import db
from meeting.models import Event
from meeting.record.chain import entry_hash, receipt_of

CHRONOLOGY = "Reported missing overnight; found by police the next morning"
# When the event happened: a month before the day the tests run.
HAPPENED = (date.today() - timedelta(days=30)).isoformat()


def hold(people: People) -> None:
    """Hold the meeting to its end and circulate its minutes."""
    priya = people.join_admitted("Priya Shah", "Police")
    reid = people.join_admitted("Ms Reid", "School")
    people.start()
    added = priya.post(
        f"/m/{people.meeting_id}/chronology",
        data={"happened_on": HAPPENED, "what": CHRONOLOGY, "agency": "Police"},
    )
    assert added.status_code in (200, 302), added.text
    round_id = people.open_round()
    assert people.rate(priya, round_id, score=3, reason="Missing twice").status_code == 302
    assert people.rate(reid, round_id, score=7, reason="Safe at school").status_code == 302
    assert people.reveal(round_id).status_code == 302
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    assert circulate(people).status_code == 302


def verify(people: People, *args: str) -> tuple[int, str]:
    """Run `flask --app wsgi verify MEETING` as an administrator would, on the same database."""
    app = people.app
    env = {
        **os.environ,
        "MEETING_INSTANCE_PATH": app.instance_path,
        "MEETING_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "verify", str(people.meeting_id), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def sql(people: People, statement: str, **values) -> None:
    with people.app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(statement), values)


def scalar(people: People, statement: str, **values):
    with people.app.app_context():
        return db.session.scalar(text(statement), values)


def problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("DOES NOT MATCH")]


def test_an_untampered_meeting_passes(app, people):
    hold(people)
    code, output = verify(people)
    assert code == 0, output
    assert "The log is intact and the record matches it." in output


def test_two_attendees_names_swapped_are_each_named(app, people):
    hold(people)
    priya, reid = people.attendee_id("Priya Shah"), people.attendee_id("Ms Reid")
    sql(people, "UPDATE attendee SET name = 'Ms Reid' WHERE id = :id", id=priya)
    sql(people, "UPDATE attendee SET name = 'Priya Shah' WHERE id = :id", id=reid)
    code, output = verify(people)
    assert code == 1, output
    found = problems(output)
    assert len(found) == 2, output
    assert f"Attendee {priya}'s name reads “Ms Reid” in the database" in found[0]
    assert (
        "the record the log fixed when version 1 of the minutes was made has “Priya Shah”"
        in (found[0])
    )
    assert f"Attendee {reid}'s name reads “Priya Shah” in the database" in found[1]


def test_an_attendees_agency_and_part_changed_are_named(app, people):
    hold(people)
    priya = people.attendee_id("Priya Shah")
    sql(
        people,
        "UPDATE attendee SET agency = 'Health', part = 'parent' WHERE id = :id",
        id=priya,
    )
    code, output = verify(people)
    assert code == 1, output
    assert f"Attendee {priya}'s agency reads “Health” in the database" in output
    assert f"Attendee {priya}'s part reads “Parent or carer” in the database" in output


def test_a_deleted_rating_row_is_found(app, people):
    hold(people)
    priya = people.attendee_id("Priya Shah")
    rating = scalar(people, "SELECT id FROM rating WHERE attendee_id = :who", who=priya)
    sql(people, "DELETE FROM rating WHERE id = :id", id=rating)
    code, output = verify(people)
    assert code == 1, output
    assert (
        "The rating by Priya Shah (Police) in round 1 on “Risk of criminal exploitation” "
        "that entry" in output
    )
    assert "is no longer in the database." in output


def test_an_added_rating_row_is_found(app, people):
    hold(people)
    chair = scalar(
        people,
        "SELECT id FROM attendee WHERE meeting_id = :m AND is_chair",
        m=people.meeting_id,
    )
    round_id = scalar(people, "SELECT MIN(round_id) FROM rating")
    sql(
        people,
        "INSERT INTO rating (round_id, attendee_id, score, reason, first_submitted_at, "
        "submitted_at, written, report, track, given) VALUES (:r, :a, 1, '', "
        ":at, :at, 0, '', 'professionals', 'device')",
        r=round_id,
        a=chair,
        at=datetime.now().replace(microsecond=0),
    )
    code, output = verify(people)
    assert code == 1, output
    assert "The rating by Sam Chair" in output and "has no line in the log." in output


def test_a_chronology_event_edited_is_named(app, people):
    hold(people)
    sql(
        people, "UPDATE chronology_entry SET what = 'Nothing of note' WHERE what = :w", w=CHRONOLOGY
    )
    code, output = verify(people)
    assert code == 1, output
    found = problems(output)
    assert len(found) == 1, output
    assert (
        f"Chronology entry 1 ({HAPPENED}, Police): what happened reads “Nothing of note”"
        in (found[0])
    )
    assert f"has “{CHRONOLOGY}”" in found[0]


def test_an_agenda_items_text_edited_is_named(app, people):
    hold(people)
    sql(
        people,
        "UPDATE item SET body = 'No concerns' WHERE meeting_id = :m AND position = 1",
        m=people.meeting_id,
    )
    code, output = verify(people)
    assert code == 1, output
    found = problems(output)
    assert len(found) == 1, output
    assert "Item 1's text reads “No concerns” in the database" in found[0]


def test_a_rounds_control_measures_edited_are_named(app, people):
    hold(people)
    sql(people, "UPDATE round SET controls = 'A safety plan is in place'")
    code, output = verify(people)
    assert code == 1, output
    found = problems(output)
    assert len(found) == 1, output
    assert "Round 1 on item 1's control measures reads “A safety plan is in place”" in found[0]


def test_the_minutes_record_changed_with_the_rows_is_caught_by_the_logs_digest(app, people):
    """Changing the row and the record stored with the minutes alike still disagrees with
    the digest of that record, which the log fixed when the version was made."""
    hold(people)
    sql(
        people,
        "UPDATE item SET title = 'Attendance' WHERE meeting_id = :m AND position = 1",
        m=people.meeting_id,
    )
    with people.app.app_context():
        record = scalar(
            people, "SELECT record FROM minutes_version WHERE meeting_id = :m", m=people.meeting_id
        )
        record = json.loads(record) if isinstance(record, str) else record
        record["items"][0]["title"] = "Attendance"
    sql(
        people,
        "UPDATE minutes_version SET record = :r WHERE meeting_id = :m",
        r=json.dumps(record),
        m=people.meeting_id,
    )
    code, output = verify(people)
    assert code == 1, output
    assert (
        "The record version 1 of the minutes was made from was changed after: it no longer "
        "matches the digest entry" in output
    )


def rechain(people: People, rating_id: int, score: int) -> None:
    """Change a rating and its line, then make every hash again with the project's own chain
    function, and put the new hashes wherever the database keeps one (each reveal's seal,
    each version's stored edition): the database agrees with itself throughout."""
    with people.app.app_context():
        db.session.execute(
            text("UPDATE rating SET score = :s WHERE id = :id"), {"s": score, "id": rating_id}
        )
        entries = db.session.scalars(
            db.select(Event).where(Event.meeting_id == people.meeting_id).order_by(Event.seq)
        ).all()
        hashes: dict[str, str] = {}
        prev = None
        for entry in entries:
            if entry.subject == f"rating:{rating_id}":
                content = json.loads(entry.content)
                content["score"] = score
                entry.content = json.dumps(
                    content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
                )
            if prev is not None:
                entry.prev = prev
            old = entry.hash
            entry.hash = entry_hash(entry)
            hashes[old] = entry.hash
            prev = entry.hash
        for old, new in hashes.items():
            db.session.execute(
                text("UPDATE round SET sealed_head = :new WHERE sealed_head = :old"),
                {"new": new, "old": old},
            )
        for number, edition in db.session.execute(
            text("SELECT number, edition FROM minutes_version WHERE meeting_id = :m"),
            {"m": people.meeting_id},
        ).all():
            edition = json.loads(edition) if isinstance(edition, str) else edition
            edition["log_head"] = hashes[edition["log_head"]]
            db.session.execute(
                text(
                    "UPDATE minutes_version SET edition = :e WHERE number = :n AND meeting_id = :m"
                ),
                {"e": json.dumps(edition), "n": number, "m": people.meeting_id},
            )
        db.session.commit()


def test_a_log_rechained_end_to_end_disagrees_with_the_head_the_minutes_quote(
    app, people, tmp_path
):
    hold(people)
    priya = people.attendee_id("Priya Shah")
    rating = scalar(people, "SELECT id FROM rating WHERE attendee_id = :who", who=priya)
    markdown = scalar(
        people, "SELECT markdown FROM minutes_version WHERE meeting_id = :m", m=people.meeting_id
    )
    rechain(people, rating, 9)
    code, output = verify(people)
    assert code == 1, output
    assert "rating by Priya Shah" not in output  # the record and its line now agree
    assert "Version 1 of the minutes, as circulated, quotes entry" in output
    assert "which the log no longer holds." in output

    # A copy someone received is held outside the database: even a database whose copy
    # of the minutes was rewritten too is checked against it.
    copy = tmp_path / "received.md"
    copy.write_text(markdown, encoding="utf-8")
    code, output = verify(people, "--minutes", str(copy))
    assert code == 1, output
    assert f"The copy of version 1 of the minutes in {copy} quotes entry" in output


def test_a_received_copy_of_the_minutes_that_agrees_passes(app, people, tmp_path):
    hold(people)
    markdown = scalar(
        people, "SELECT markdown FROM minutes_version WHERE meeting_id = :m", m=people.meeting_id
    )
    copy = tmp_path / "received.md"
    copy.write_text(markdown.replace("\n", "\r\n"), encoding="utf-8")
    code, output = verify(people, "--minutes", str(copy))
    assert code == 0, output
    assert f"The copy in {copy} is version 1 of the minutes, made when the log held" in output


def test_a_line_that_records_no_rating_is_not_a_receipt(app, people):
    hold(people)
    added = scalar(
        people,
        "SELECT hash FROM event WHERE meeting_id = :m AND action LIKE 'added item 3%'",
        m=people.meeting_id,
    )
    receipt = receipt_of(added)
    code, output = verify(people, "--receipt", receipt)
    assert code == 1, output
    assert f"Receipt {receipt} is entry" in output
    assert "which records no rating: it is not a receipt." in output
    assert "changed later by the rater" not in output


def test_minutes_made_before_the_log_fixed_their_record_still_verify(app, people):
    """A version made by an earlier release: its line holds no digest of the record. Such a
    meeting verifies, and its rows are still read against the record kept with it."""
    hold(people)
    with people.app.app_context():
        entries = db.session.scalars(
            db.select(Event).where(Event.meeting_id == people.meeting_id).order_by(Event.seq)
        ).all()
        prev = None
        for entry in entries:
            if entry.action == "made version 1 of the minutes":
                entry.content = ""
            if prev is not None:
                entry.prev = prev
            entry.hash = entry_hash(entry)
            prev = entry.hash
        db.session.commit()
    code, output = verify(people)
    assert code == 0, output

    priya = people.attendee_id("Priya Shah")
    sql(people, "UPDATE attendee SET name = 'Someone else' WHERE id = :id", id=priya)
    code, output = verify(people)
    assert code == 1, output
    assert (
        f"Attendee {priya}'s name reads “Someone else” in the database, but the record "
        "version 1 of the minutes was made from has “Priya Shah”." in output
    )


def test_a_second_version_made_by_a_correction_verifies_with_both_copies(app, people, tmp_path):
    hold(people)
    priya = people.attendee_id("Priya Shah")
    token = scalar(people, "SELECT reader_token FROM attendee WHERE id = :id", id=priya)
    wanted = "My reason should read: missing three times"
    reader = people.app.test_client()
    opened = reader.get(f"/minutes/{token}")
    assert opened.status_code == 303
    asked = reader.post(
        f"{opened.location}/corrections", data={"section": "item-1", "text": wanted}
    )
    assert asked.status_code == 302
    url = f"/meetings/{people.meeting_id}/minutes"
    correction = scalar(people, "SELECT id FROM correction WHERE attendee_id = :id", id=priya)
    accepted = people.chair.post(
        f"{url}/corrections/{correction}", data={"outcome": "accept", "answer": "Agreed"}
    )
    assert accepted.status_code in (200, 302), accepted.text
    copies = []
    for number in (1, 2):
        copy = tmp_path / f"minutes-v{number}.md"
        copy.write_text(people.chair.get(f"{url}/{number}.md").get_data(as_text=True))
        copies += ["--minutes", str(copy)]
    code, output = verify(people, *copies)
    assert code == 0, output
    assert "is version 1 of the minutes, made when the log held" in output
    assert "is version 2 of the minutes, made when the log held" in output
