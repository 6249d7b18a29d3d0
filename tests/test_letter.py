"""The chair's letter to the young person: written from the record, edited, sent, versioned.

The letter as a pure function of the record; then, through the chair's pages, a meeting the
young person and their advocate attended: refused before the minutes are circulated and to
anyone but the chair, a first draft made and edited (an edit over another refused, a bad
form kept as typed), sent to the outbox and to a real SMTP server, each send a new frozen
version, and a double click sending once.
"""

import copy
import email
import email.policy
import hashlib
import html
import re
from datetime import date, timedelta

import pytest
from conftest import (
    CHOICE_ITEM,
    LXS_ITEM,
    SAFETY_ITEM,
    People,
    log_in,
    make_chair,
    make_meeting,
    text_of,
    until,
)
from story import DECISION_ONE, DECISION_TWO, Story, circulate, join, run_meeting
from test_mail import smtp  # noqa: F401  (a fixture)

from meeting.extensions import db
from meeting.models import DeliveryResult, LetterDelivery, LetterDraft, LetterVersion
from meeting.settings import mail_settings
from minutes.child_letter import letter
from minutes.text import iso_day

IN_A_WEEK = (date.today() + timedelta(days=7)).isoformat()
IN_A_MONTH = (date.today() + timedelta(days=30)).isoformat()
# The day the meeting of the record below was held: a week ago, whatever today is.
HELD = date.today() - timedelta(days=7)


def a_record() -> dict:
    """A small record as `meeting.record.export` builds it, with what the letter reads."""
    decision = {
        "status": "recorded",
        "decision": "Child-protection plan under the category of neglect",
        "rationale": "Repeated missing episodes with older males",
        "child_views": "I like football *a lot*\n<script>alert(1)</script>",
        "child_views_not_obtained_because": "",
        "review_date": IN_A_MONTH,
        "review_triggers": "Another missing episode",
    }
    return {
        "meeting": {
            "title": "Review",
            "kind": "Child-protection conference",
            "child": "Jaylen Okafor",
            "starts_at": f"{HELD.isoformat()}T10:00",
            "chair": {"name": "Sam Chair", "agency": "Children's social care"},
        },
        "attendance": [
            {"name": "Priya Shah", "part": "Professional"},
            {"name": "Jay Okafor", "part": "The young person"},
            {"name": "Ade Bello", "part": "The young person's advocate"},
        ],
        "items": [
            {
                "position": 1,
                "title": "Risk of criminal exploitation",
                "decision": decision,
                "actions": [
                    {
                        "what": "Share the reports with the school",
                        "owner": "Priya Shah",
                        "due": IN_A_WEEK,
                        "item": 1,
                        "withdrawn_at": None,
                    },
                    {
                        "what": "Withdrawn one",
                        "owner": "Nobody",
                        "due": IN_A_WEEK,
                        "item": 1,
                        "withdrawn_at": f"{HELD.isoformat()}T10:30:00Z",
                    },
                ],
            },
            {
                "position": 2,
                "title": "Time in the community",
                "decision": {
                    **decision,
                    "decision": "Two hours out each day",
                    "child_views": "",
                    "child_views_not_obtained_because": "He was at school",
                },
                "actions": [],
            },
            {"position": 3, "title": "Police intelligence", "decision": None, "actions": []},
            {"position": 4, "title": "Plan", "decision": None, "actions": []},
        ],
        "actions": [
            {
                "what": "Book the review",
                "owner": "Alex Admin",
                "due": IN_A_MONTH,
                "item": None,
                "withdrawn_at": None,
            },
        ],
    }


def test_the_letter_is_written_from_the_record_in_plain_words():
    record = a_record()
    text = letter(record, leave_out=[3])
    assert text == letter(copy.deepcopy(record), leave_out=[3]), "same record, same bytes"
    assert text.startswith("# What we decided at your meeting\n\nDear Jay,\n")
    assert f"On {HELD:%A} {HELD.day} {HELD:%B %Y}" in text
    # The decision as decided, the term of art explained once; why, in a sentence.
    assert (
        "**What we decided:** Child-protection plan (a plan to keep you safe) under the "
        "category of neglect." in text
    )
    assert text.count("a plan to keep you safe") == 1
    assert "**Why:** Repeated missing episodes with older males." in text
    # Their own words, quoted and read literally; or that nobody could ask them, and why.
    assert "> I like football \\*a lot\\*\n> &lt;script>alert(1)&lt;/script>" in text
    assert (
        "Nobody was able to ask you about this before the meeting. This is why: He was at school."
        in text
    )
    # Who will do what by when, dates in words; a withdrawn action is not promised.
    assert f"- Priya Shah will share the reports with the school by {iso_day(IN_A_WEEK)}." in text
    assert "Withdrawn one" not in text
    assert f"- Alex Admin will book the review by {iso_day(IN_A_MONTH)}." in text
    # An item withheld from the family is not in it; an undecided one says so.
    assert "Police intelligence" not in text
    assert "## Plan\n\nWe did not decide this at the meeting." in text
    assert f"We will meet again by {iso_day(IN_A_MONTH)}" in text
    assert "- Another missing episode." in text
    assert "You can ask me, Sam Chair, about anything in this letter." in text
    assert "Your advocate, Ade Bello, can help you ask" in text
    assert text.rstrip().endswith("Sam Chair  \nChair of the meeting, Children's social care")


def test_without_the_young_person_in_the_room_the_letter_greets_the_child_named():
    record = a_record()
    record["attendance"] = []
    assert "Dear Jaylen," in letter(record)
    record["meeting"]["child"] = "J.O."
    assert "Dear J.O.," in letter(record)


# Through the chair's pages ------------------------------------------------------------------


@pytest.fixture
def meeting(app, app_environment, snapshots) -> Story:
    """The story's meeting, closed, which the young person and their advocate attended."""
    key = ("letter", *sorted(app_environment.items()))
    if restored := snapshots.restore(key, app):
        meeting_id, devices = restored
        chair = devices.pop("chair")
        return Story(People(app, chair, meeting_id), devices)
    make_chair(app)
    chair = log_in(app)
    items = (SAFETY_ITEM, LXS_ITEM, CHOICE_ITEM)
    meeting_id = make_meeting(chair, *items, title="Review for J.O.", kind="prt_review")
    people = People(app, chair, meeting_id)
    join(people, "Jaylen Okafor", "", "Young person", "jaylen@home.example", "young_person")
    join(people, "Ade Bello", "Advocacy service", "Advocate", "", "advocate")
    story = run_meeting(people)
    snapshots.take(key, app, meeting_id, {"chair": chair, **story.devices})
    return story


def page_of(story: Story) -> str:
    return story.people.chair.get(f"/meetings/{story.people.meeting_id}/letter").text


def form_fields(page: str, action_end: str) -> dict[str, str]:
    """Return the hidden fields (once, based_on) of the form posting to a URL ending so."""
    form = re.search(
        rf'<form[^>]*action="[^"]*{re.escape(action_end)}"[^>]*>(.*?)</form>', page, re.S
    )
    assert form, f"no form posting to …{action_end}"
    fields = dict(
        re.findall(r'type="hidden" name="(once|based_on)" value="([^"]*)"', form.group(1))
    )
    return fields


def letter_rows(app) -> tuple[LetterDraft | None, list[LetterVersion]]:
    with app.app_context():
        draft = db.session.query(LetterDraft).one_or_none()
        made = db.session.query(LetterVersion).order_by(LetterVersion.number).all()
        db.session.expunge_all()
        return draft, made


def sent(app, count: int) -> list[LetterDelivery]:
    """Wait until `count` attempts to send the letter are done; return them, oldest first."""

    def done():
        with app.app_context():
            rows = db.session.query(LetterDelivery).order_by(LetterDelivery.id).all()
            db.session.expunge_all()
        finished = [r for r in rows if r.result != DeliveryResult.PENDING]
        return rows if len(finished) == count == len(rows) else None

    return until(done, 10, f"the letter's {count} attempts were not all done")


def write_first_draft(story: Story) -> str:
    base = f"/meetings/{story.people.meeting_id}/letter"
    fields = form_fields(page_of(story), "/letter/first-draft")
    response = story.people.chair.post(base + "/first-draft", data=fields)
    assert response.status_code == 302, response.text
    return page_of(story)


def edit(story: Story, text: str, page: str, **more: str):
    fields = form_fields(page, "/letter")
    url = f"/meetings/{story.people.meeting_id}/letter"
    return story.people.chair.post(url, data={**fields, "letter": text, **more})


def young_person_id(story: Story) -> str:
    return str(story.people.attendee_id("Jaylen Okafor"))


def test_before_the_minutes_are_circulated_the_letter_is_refused_and_says_why(meeting, app):
    chair, url = meeting.people.chair, f"/meetings/{meeting.people.meeting_id}/letter"
    page = chair.get(url)
    assert page.status_code == 409
    assert "Circulate the minutes first" in text_of(page.text)
    answer = chair.post(url + "/first-draft", data={})
    assert answer.status_code == 409
    assert "written from the circulated minutes" in text_of(answer.text)
    answer = chair.post(url, data={"letter": "Dear Jaylen", "intent": "send", "to": "1"})
    assert answer.status_code == 409
    assert letter_rows(app) == (None, [])


def test_only_the_meetings_chair_may_see_or_touch_the_letter(meeting, app):
    circulate(meeting.people)
    url = f"/meetings/{meeting.people.meeting_id}/letter"
    write_first_draft(meeting)
    make_chair(app, email="other@example.org", name="Other Chair")
    other = log_in(app, "other@example.org")
    assert other.get(url).status_code == 403
    assert other.get(url + "/1.docx").status_code == 403
    assert other.post(url + "/first-draft", data={}).status_code == 403
    assert other.post(url, data={"letter": "Mine now", "intent": "save"}).status_code == 403
    stranger = app.test_client()
    assert stranger.get(url).status_code == 302
    assert "/login" in stranger.get(url).headers["Location"]
    # An attendee's device (the parent's) is no chair's.
    mum = meeting.devices["Mrs Brown"]
    assert mum.post(url, data={"letter": "Mine now", "intent": "save"}).status_code == 403
    draft, made = letter_rows(app)
    assert draft is not None and "Mine now" not in draft.markdown and made == []


def test_the_letter_is_generated_edited_sent_and_each_send_is_a_new_frozen_version(meeting, app):
    circulate(meeting.people)
    minutes_page = meeting.people.chair.get(f"/meetings/{meeting.people.meeting_id}/minutes").text
    assert "Letter to the young person" in minutes_page

    page = write_first_draft(meeting)
    shown = text_of(page)
    assert "Dear Jaylen," in shown
    assert "Child-protection plan (a plan to keep you safe) under the category of neglect" in shown
    assert DECISION_ONE["child_views"] in shown
    assert DECISION_TWO["child_views_missing"] in shown
    assert "Priya Shah will share missing-episode reports with the school" in shown
    assert "You can ask me, Sam Chair" in shown
    assert "Your advocate, Ade Bello" in shown
    # The advocate has no email address: they are listed, but cannot be chosen.
    assert "Ade Bello · The young person's advocate · no email address" in shown

    # The chair edits it; the preview shows the edit.
    draft, _ = letter_rows(app)
    edited = draft.markdown.replace("Dear Jaylen,", "Dear Jaylen,\n\nThank you for coming.")
    assert edit(meeting, edited, page, intent="save").status_code == 302
    page = page_of(meeting)
    assert "<p>Thank you for coming.</p>" in page

    # Sent to the young person: version 1, frozen, with its digest, in the outbox.
    response = edit(meeting, edited, page, intent="send", to=young_person_id(meeting))
    assert response.status_code == 302, response.text
    [first] = sent(app, 1)
    assert first.result == DeliveryResult.OUTBOX and first.email == "jaylen@home.example"
    _, [one] = letter_rows(app)
    assert one.number == 1 and one.markdown == edited
    assert one.digest == hashlib.sha256(edited.encode()).hexdigest()
    with app.app_context():
        outbox = mail_settings().outbox
    [eml] = sorted(outbox.glob(f"letter-{meeting.people.meeting_id}-v1-*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Jaylen Okafor <jaylen@home.example>"
    assert "Thank you for coming." in message.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in message.iter_attachments()] == [
        f"letter-{meeting.people.meeting_id}-v1.docx"
    ]
    page = page_of(meeting)
    assert "In the outbox" in text_of(page) and one.digest in page

    # A second send, after another edit, is version 2; version 1 stays as it was sent.
    second_text = edited.replace("Thank you for coming.", "Thank you for telling us.")
    assert (
        edit(meeting, second_text, page, intent="send", to=young_person_id(meeting)).status_code
        == 302
    )
    sent(app, 2)
    _, [one_again, two] = letter_rows(app)
    assert (one_again.markdown, one_again.digest) == (one.markdown, one.digest)
    assert two.number == 2 and "Thank you for telling us." in two.markdown
    version_one = meeting.people.chair.get(f"/meetings/{meeting.people.meeting_id}/letter/1").text
    assert "Thank you for coming." in version_one and "telling us" not in version_one
    word = meeting.people.chair.get(f"/meetings/{meeting.people.meeting_id}/letter/2.docx")
    assert word.status_code == 200 and word.data[:2] == b"PK"


def test_a_double_click_on_send_sends_once(meeting, app):
    circulate(meeting.people)
    page = write_first_draft(meeting)
    draft, _ = letter_rows(app)
    first = edit(meeting, draft.markdown, page, intent="send", to=young_person_id(meeting))
    again = edit(meeting, draft.markdown, page, intent="send", to=young_person_id(meeting))
    assert first.status_code == again.status_code == 302
    assert "sent twice; it was done once" in text_of(
        meeting.people.chair.get(again.headers["Location"]).text
    )
    sent(app, 1)
    assert [v.number for v in letter_rows(app)[1]] == [1]


def test_an_edit_over_someone_elses_is_refused_and_the_typed_text_kept(meeting, app):
    circulate(meeting.people)
    first_window = write_first_draft(meeting)
    second_window = page_of(meeting)
    draft, _ = letter_rows(app)
    saved = edit(meeting, draft.markdown + "\nFrom the first window.", first_window, intent="save")
    assert saved.status_code == 302
    # The second window was drawn before the first saved: its text is kept, not saved.
    answer = edit(
        meeting,
        draft.markdown + "\nFrom the second window.",
        second_window,
        intent="send",
        to=young_person_id(meeting),
    )
    assert answer.status_code == 409
    assert "changed from elsewhere after your form was drawn" in text_of(answer.text)
    assert "From the second window." in html.unescape(answer.text.split("<textarea", 1)[1])
    now, made = letter_rows(app)
    assert now.markdown.endswith("From the first window.\n") and made == []
    # Writing a new first draft over an edit the page did not show is refused too.
    fields = form_fields(second_window, "/letter/first-draft")
    refused = meeting.people.chair.post(
        f"/meetings/{meeting.people.meeting_id}/letter/first-draft", data=fields
    )
    assert refused.status_code == 409
    assert letter_rows(app)[0].markdown.endswith("From the first window.\n")


def test_a_bad_letter_form_comes_back_as_typed_with_the_problem_named(meeting, app):
    circulate(meeting.people)
    page = write_first_draft(meeting)
    answer = edit(meeting, "Dear Jaylen, a new start", page, intent="send")
    assert answer.status_code == 422
    assert "Choose who the letter goes to" in text_of(answer.text)
    assert "Dear Jaylen, a new start</textarea>" in answer.text
    answer = edit(meeting, "   ", page, intent="save")
    assert answer.status_code == 422
    assert "The letter is empty" in text_of(answer.text)
    advocate = str(meeting.people.attendee_id("Ade Bello"))
    answer = edit(meeting, "Dear Jaylen", page, intent="send", to=advocate)
    assert answer.status_code == 422
    assert "Ade Bello has no email address" in text_of(answer.text)
    assert letter_rows(app)[1] == []


def test_the_letter_goes_through_a_real_smtp_server(meeting, app, smtp):  # noqa: F811
    inbox, server = smtp
    server.start()
    circulate(meeting.people)
    page = write_first_draft(meeting)
    draft, _ = letter_rows(app)
    assert (
        edit(meeting, draft.markdown, page, intent="send", to=young_person_id(meeting)).status_code
        == 302
    )
    [attempt] = sent(app, 1)
    assert attempt.result == DeliveryResult.SENT
    # They had the minutes too; the letter is an email of its own.
    [message] = [m for m in inbox.to("jaylen@home.example") if "letter" in m["Subject"]]
    assert message["Subject"].startswith("A letter from your meeting")
    assert "Dear Jaylen," in message.get_body(("plain",)).get_content()
    assert "<h1>What we decided at your meeting</h1>" in message.get_body(("html",)).get_content()
    assert "Sent" in text_of(page_of(meeting))
