"""The record proves itself: a hash-chained log, raters' receipts, and `verify`.

The tests change the database the way someone with access to it would, with plain SQL
behind the application's back, and read what `verify` names.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import text_of
from sqlalchemy import text
from story import circulate

from meeting.extensions import db
from meeting.models import Event
from meeting.record.chain import entry_hash

RECEIPT = re.compile(r"Your receipt: <code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</code>")


def verify(app, meeting_id: int, *receipts: str) -> tuple[int, str]:
    args = ["verify", str(meeting_id)]
    for receipt in receipts:
        args += ["--receipt", receipt]
    result = app.test_cli_runner().invoke(args=args)
    return result.exit_code, result.output


def sql(app, statement: str, **values) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(statement), values)


def test_an_untouched_meeting_verifies_from_the_command_line(story, tmp_path):
    assert circulate(story.people).status_code == 302
    app, meeting_id = story.people.app, story.people.meeting_id
    # As an administrator runs it: `flask --app wsgi verify MEETING`, on the same database.
    env = {
        **os.environ,
        "MEETING_INSTANCE_PATH": str(tmp_path / "instance"),
        "MEETING_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "verify", str(meeting_id)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The log is intact and the record matches it." in done.stdout
    with app.app_context():
        lines = db.session.query(Event).filter_by(meeting_id=meeting_id).count()
    assert f"Meeting {meeting_id}: {lines} lines in its log." in done.stdout


def test_a_rating_a_view_and_a_decision_altered_in_the_database_are_each_named(story):
    app, meeting_id = story.people.app, story.people.meeting_id
    reid = story.people.attendee_id("Ms Reid")
    priya = story.people.attendee_id("Priya Shah")
    sql(
        app,
        "UPDATE rating SET score = 2 WHERE attendee_id = :who AND round_id = "
        "(SELECT MIN(id) FROM round WHERE item_id = :item)",
        who=priya,
        item=story.item_id(1),
    )
    sql(
        app,
        "UPDATE view SET text = 'I agree with the plan' WHERE attendee_id = :who AND "
        "decision_id = (SELECT id FROM decision WHERE item_id = :item)",
        who=reid,
        item=story.item_id(1),
    )
    sql(
        app,
        "UPDATE decision SET rationale = 'No concerns' WHERE item_id = :item",
        item=story.item_id(1),
    )
    code, output = verify(app, meeting_id)
    assert code == 1
    problems = [line for line in output.splitlines() if line.startswith("DOES NOT MATCH")]
    assert len(problems) == 3, output
    rating, decision, view = problems
    assert "The rating by Priya Shah (Police) in round 1 on “Risk of criminal exploitation”" in (
        rating
    )
    assert "score reads 2 but the log has 3" in rating
    assert "rated round 1 on Risk of criminal exploitation" in rating
    assert "The decision on “Risk of criminal exploitation”" in decision
    assert 'rationale reads "No concerns"' in decision
    assert "recorded the decision on Risk of criminal exploitation" in decision
    assert "Ms Reid's view on the decision on “Risk of criminal exploitation”" in view
    assert '"I agree with the plan" but the log has "The plan is too much' in view
    assert "3 thing(s) do not match the log." in output


def test_a_line_changed_or_removed_is_named_by_its_number(story):
    app, meeting_id = story.people.app, story.people.meeting_id
    with app.app_context():
        seq = db.session.scalar(
            db.select(Event.seq).where(
                Event.meeting_id == meeting_id, Event.action.like("revealed round 1 on%")
            )
        )
    sql(
        app,
        "UPDATE event SET actor = 'Someone else' WHERE meeting_id = :m AND seq = :s",
        m=meeting_id,
        s=seq,
    )
    code, output = verify(app, meeting_id)
    assert code == 1
    assert f"Entry {seq} (" in output and "Someone else: revealed round 1" in output
    assert "was altered: it no longer matches its hash." in output

    sql(app, "DELETE FROM event WHERE meeting_id = :m AND seq = :s", m=meeting_id, s=seq)
    code, output = verify(app, meeting_id)
    assert code == 1
    assert f"The log breaks before entry {seq + 1} (" in output


def test_a_log_rewritten_from_end_to_end_still_disagrees_with_its_anchors(story):
    """Change a rating and its line, then re-hash every line after it: the chain is whole
    again, but the reveal's seal and the circulated minutes still hold the old hashes."""
    assert circulate(story.people).status_code == 302
    app, meeting_id = story.people.app, story.people.meeting_id
    priya = story.people.attendee_id("Priya Shah")
    with app.app_context():
        rating_id = db.session.scalar(
            text(
                "SELECT rating.id FROM rating JOIN round ON round.id = rating.round_id "
                "WHERE rating.attendee_id = :who AND round.item_id = :item"
            ),
            {"who": priya, "item": story.item_id(1)},
        )
        db.session.execute(text("UPDATE rating SET score = 9 WHERE id = :id"), {"id": rating_id})
        entries = db.session.scalars(
            db.select(Event).where(Event.meeting_id == meeting_id).order_by(Event.seq)
        ).all()
        prev = None
        for entry in entries:
            if entry.subject == f"rating:{rating_id}":
                content = json.loads(entry.content)
                content["score"] = 9
                entry.content = json.dumps(
                    content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
                )
            if prev is not None:
                entry.prev = prev
            entry.hash = entry_hash(entry)
            prev = entry.hash
        db.session.commit()
    code, output = verify(app, meeting_id)
    assert code == 1
    assert "rating by Priya Shah" not in output  # the record and its line now agree
    assert (
        "Round 1 on “Risk of criminal exploitation” was sealed at entry" in output
        and "which the log no longer holds." in output
    )
    assert "Version 1 of the minutes, as circulated, quotes entry" in output


def test_a_raters_receipt_is_shown_only_to_them_and_verifies_against_the_record(app, people):
    people.start()
    round_id = people.open_round()
    priya = people.join_admitted("Priya Shah", "Police")
    reid = people.join_admitted("Ms Reid", "School")
    page = f"/m/{people.meeting_id}"
    assert "Your receipt" not in priya.get(page).text
    people.rate(priya, round_id, score=3, reason="Missing twice")
    first = RECEIPT.search(priya.get(page).text).group(1)
    assert first not in reid.get(page).text
    assert first not in people.chair.get(f"/meetings/{people.meeting_id}").text

    code, output = verify(app, people.meeting_id, first)
    assert code == 0, output
    assert f"Receipt {first} is entry" in output
    assert "Priya Shah: rated round 1" in output
    assert "the rating as it stands in the record" in output

    # Changed before the reveal: a new receipt; the old one still proves what was given.
    people.rate(priya, round_id, score=4, reason="Missing twice")
    second = RECEIPT.search(priya.get(page).text).group(1)
    assert second != first
    code, output = verify(app, people.meeting_id, first, second)
    assert code == 0, output
    assert f"Receipt {first} is entry" in output and "changed later by the rater" in output
    assert f"Receipt {second} is entry" in output

    code, output = verify(app, people.meeting_id, "AAAA-BBBB-CCCC")
    assert code == 1
    assert "Receipt AAAA-BBBB-CCCC matches no line of this meeting's log." in output


def test_a_receipt_gives_nothing_away_about_the_rating(app, people):
    """A receipt is a hash prefix over a random nonce: the same score twice, from the same
    person in the same round, gives two unrelated receipts."""
    people.start()
    round_id = people.open_round()
    priya = people.join_admitted("Priya Shah", "Police")
    page = f"/m/{people.meeting_id}"
    seen = set()
    for _ in range(3):
        people.rate(priya, round_id, score=5)
        seen.add(RECEIPT.search(priya.get(page).text).group(1))
    assert len(seen) == 3
    with app.app_context():
        line = db.session.scalars(
            db.select(Event).where(Event.subject.like("rating:%")).order_by(Event.seq.desc())
        ).first()
        # Without the nonce, nobody can work the hash out from a guessed score.
        assert len(line.nonce) == 32
        guessed = hashlib.sha256(line.content.encode()).hexdigest()
        assert guessed != line.hash


def test_the_minutes_quote_the_chain_head_they_were_made_at(story):
    assert circulate(story.people).status_code == 302
    app, meeting_id = story.people.app, story.people.meeting_id
    with app.app_context():
        version = db.session.execute(
            text("SELECT markdown, edition FROM minutes_version WHERE meeting_id = :m"),
            {"m": meeting_id},
        ).one()
        edition = (
            json.loads(version.edition) if isinstance(version.edition, str) else version.edition
        )
        line = db.session.scalar(
            db.select(Event).where(
                Event.meeting_id == meeting_id, Event.seq == edition["log_entries"]
            )
        )
    assert edition["log_head"] == line.hash
    markdown = version.markdown
    assert "## The record behind these minutes" in markdown
    assert f"when its log held {line.seq} lines" in markdown
    assert f"`{line.hash}`" in markdown
    reader = story.people.chair.get(f"/meetings/{meeting_id}/minutes")
    assert line.hash in text_of(reader.text)


@pytest.mark.parametrize("column", ["score", "reason"])
def test_a_change_to_a_rating_after_the_reveal_is_caught_even_with_a_fresh_line(
    app, people, column
):
    """Someone who adds a new, well-chained line for a changed rating after the reveal is
    still caught: the round was sealed before it."""
    people.start()
    round_id = people.open_round()
    priya = people.join_admitted("Priya Shah", "Police")
    people.rate(priya, round_id, score=3, reason="Missing twice")
    assert people.reveal(round_id).status_code == 302
    with app.app_context():
        from meeting.changes import Fact
        from meeting.models import Meeting, Rating
        from meeting.record.log import log

        rating = db.session.scalar(db.select(Rating).where(Rating.round_id == round_id))
        setattr(rating, column, 9 if column == "score" else "Changed")
        log(
            db.session.get(Meeting, people.meeting_id),
            "Priya Shah",
            "rated again",
            about=rating,
            changed=Fact.RATINGS,
        )
        db.session.commit()
    code, output = verify(app, people.meeting_id)
    assert code == 1
    assert "Round 1 on “Risk of criminal exploitation” was sealed at entry" in output
    assert "records a rating in it afterwards." in output
