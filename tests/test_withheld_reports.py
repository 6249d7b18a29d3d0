"""The part of an agency's report withheld from the family, tried by every device in the room.

The chair records what part of the police report is withheld from the family (third-party
information) and why. A parent's phone, the young person's, a professional's and the shared
display (as the family sees it) fetch every URL they can name, as a page and as htmx asks
for it, and keep every Socket.IO frame they hear: in set-up, while the meeting runs, and
once it has closed and its minutes went out. Neither what is withheld nor why may reach
any of them, nor the family's copy of the minutes, by link or by email; the chair sees both,
and so does the professionals' copy of the minutes.
"""

import email
import email.policy
from io import BytesIO
from pathlib import Path

import docx
from conftest import text_of
from story import circulate, join
from test_concealment import every_get_url
from test_reports import day, expect, mark

from meeting.extensions import db
from meeting.models import Attendee, LetterDraft

SUMMARY = "KESTREL-CONVICTION-FOR-ASSAULT-1998"
REASON = "QUILLON-ABOUT-ANOTHER-ADULT-NOT-THE-FAMILY"
LATER = "KESTREL-BAIL-CONDITIONS-CHANGED"
WITHHELD = (SUMMARY, REASON, LATER)


def leaks(text: str) -> list[str]:
    return [word for word in WITHHELD if word in text]


def fetch_everything(client, urls) -> str:
    """Every URL the device knows, as a page and as htmx asks for it, in one text."""
    seen = []
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            seen.append(client.get(url, headers=headers).get_data(as_text=True))
    return "\n".join(seen)


def reader_urls(app, name: str) -> list[str]:
    """The link to someone's own copy of the minutes, once circulated, and the pages and
    file their browser opens after it."""
    with app.app_context():
        person = db.session.query(Attendee).filter_by(name=name).one()
        token, base = person.reader_token, f"/minutes/read/{person.id}"
    assert token, f"{name} was sent no link"
    return [f"/minutes/{token}", base, f"{base}/1", f"{base}/1.md"]


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(BytesIO(data)).paragraphs)


def sent_to(app, address: str) -> str:
    """Everything the email to one address carried: its text and each attachment's."""
    outbox = Path(app.instance_path) / "outbox"
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            said = [message.get_body(("plain",)).get_content()]
            for part in message.iter_attachments():
                content = part.get_content()
                said.append(docx_text(content) if isinstance(content, bytes) else content)
            return "\n".join(said)
    raise AssertionError(f"no email to {address}")


def test_the_withheld_part_of_a_report_reaches_no_device_but_the_chairs(app, people, sio):
    chair, base = people.chair, f"/meetings/{people.meeting_id}"
    devices = {
        "mum": join(people, "Mrs Brown", "", "Mother", "brown@home.example", "parent"),
        "young person": join(people, "Sam", "", "Young person", "sam@home.example", "young_person"),
        "priya": join(people, "Priya Shah", "Police", "DC", "priya@police.example"),
        "display": app.test_client(),
    }
    # The family sees the shared screen: it is drawn as for them.
    assert chair.post(f"{base}/family/display", data={"on": "yes"}).status_code == 302
    heard = {
        name: sio(device, display=people.display_token)
        if name == "display"
        else sio(device, meeting=people.meeting_id)
        for name, device in devices.items()
    }
    urls = every_get_url(app, people, round_id=1)
    assert f"/m/{people.meeting_id}/region/reports" in urls

    # Before the meeting: the police report comes, with a part withheld from the family.
    police = expect(people, "Police", "DC Shah")
    withheld = {"withheld_summary": SUMMARY, "withheld_reason": REASON}
    assert chair.post(f"{base}/reports/{police}/withheld", data=withheld).status_code == 302
    assert mark(people, police, "received", day(-3)).status_code == 302
    assert mark(people, police, "shared", day(-2)).status_code == 302
    seen = {name: fetch_everything(device, urls) for name, device in devices.items()}
    cockpit = text_of(chair.get(base).text)
    assert SUMMARY in cockpit and REASON in cockpit, "the chair sees what and why"
    region = f"/m/{people.meeting_id}/region/reports"
    theirs = devices["priya"].get(region, headers={"HX-Request": "true"}).text
    assert "A part of it is withheld from the family." in text_of(theirs)
    phone = text_of(devices["mum"].get(f"/m/{people.meeting_id}").text)
    assert "A part of it is not shared with you." in phone

    # During it: the chair changes what is withheld.
    people.start()
    round_id = people.open_round()
    assert people.reveal(round_id).status_code == 302
    withheld = {"withheld_summary": LATER, "withheld_reason": REASON}
    assert chair.post(f"{base}/reports/{police}/withheld", data=withheld).status_code == 302
    assert LATER in text_of(chair.get(base).text)
    urls = every_get_url(app, people, round_id)
    for name, device in devices.items():
        seen[name] += fetch_everything(device, urls)

    # Afterwards: the meeting closes and its minutes go out, and the letter is drafted.
    assert chair.post(f"{base}/close").status_code == 302
    assert circulate(people).status_code == 302
    assert chair.post(f"{base}/letter/first-draft").status_code == 302
    for name, device in devices.items():
        seen[name] += fetch_everything(device, urls)
    for name in ("mum", "young person", "priya", "display"):
        assert not leaks(seen[name]), f"{name} received {leaks(seen[name])}"
    for name, listener in heard.items():
        frames = repr(listener.get_received())
        assert frames != "[]", f"{name} heard nothing, so its frames were not tested"
        assert not leaks(frames), f"{name} heard {leaks(frames)}"

    # The family's copy of the minutes, by link and by email, and the young person's letter.
    family = {
        "mum": fetch_everything(devices["mum"], reader_urls(app, "Mrs Brown"))
        + sent_to(app, "brown@home.example"),
        "young person": fetch_everything(devices["young person"], reader_urls(app, "Sam"))
        + sent_to(app, "sam@home.example"),
    }
    with app.app_context():
        family["young person"] += db.session.query(LetterDraft).one().markdown
    for name, copy in family.items():
        assert not leaks(copy), f"{name}'s copy holds {leaks(copy)}"
        assert "not shared with the family: Police (DC Shah)" in copy
    # The professionals' copy says what was withheld and why; the chair's record holds it.
    theirs = fetch_everything(devices["priya"], reader_urls(app, "Priya Shah"))
    assert LATER in theirs and REASON in theirs
    assert LATER in sent_to(app, "priya@police.example")
    assert LATER in chair.get(f"{base}/record.json").text
