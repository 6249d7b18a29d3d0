"""The young person's own words come first: given from their phone (or by their advocate,
speaking for them), with their drawing, and first for each item on the phones, the display
(their drawing once the chair shows it) and in the minutes; hostile files are refused."""

import hashlib
import json
from io import BytesIO

import pytest
from conftest import text_of
from PIL import Image
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.models import Event, OwnWords, OwnWork
from meeting.record.verify import verify
from meeting.settings import policy

WORDS = "I want to keep going to football on Saturdays. It is the best bit of my week."


def drawing(exif: bool = False) -> bytes:
    """Return a small PNG, or a JPEG carrying where it was taken when `exif`."""
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    out = BytesIO()
    if exif:
        info = image.getexif()
        info[0x010F] = "PhoneMaker"
        info[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: where the child lives
        image.save(out, format="JPEG", exif=info.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def give(people, device, position=1, words=WORDS, file=None, name="drawing.png"):
    """Send the young person's form as a browser does: their words and, maybe, a file."""
    with people.app.app_context():
        item_id = people.meeting().items[position - 1].id
    return send(people, device, item_id, words, file, name)


def send(people, device, item_id, words, file, name):
    # The body is made here, in memory: the test client would spool a large one to a file
    # it never closes.
    parts = [
        b'--edge\r\nContent-Disposition: form-data; name="words"\r\n\r\n' + words.encode() + b"\r\n"
    ]
    if file is not None:
        parts.append(
            f'--edge\r\nContent-Disposition: form-data; name="work"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + file
            + b"\r\n"
        )
    return device.post(
        f"/m/{people.meeting_id}/words/{item_id}",
        data=b"".join(parts) + b"--edge--\r\n",
        content_type="multipart/form-data; boundary=edge",
    )


def stored(people) -> tuple[int, int]:
    with people.app.app_context():
        return (
            db.session.scalar(select(func.count(OwnWords.id))),
            db.session.scalar(select(func.count(OwnWork.id))),
        )


def work_id(people) -> int:
    with people.app.app_context():
        return db.session.scalar(select(OwnWork.id))


@pytest.fixture
def young(people):
    """The young person, admitted, in a meeting in set-up."""
    return people.join_admitted("Jay", "Themselves", role="The young person", part="young_person")


def test_words_and_a_drawing_from_the_phone_come_first_on_the_phones_and_in_the_minutes(
    people, young
):
    page = young.get(f"/m/{people.meeting_id}")
    assert "Give your words" in page.text
    # Before the meeting starts: the young person can already give their words.
    answer = give(people, young, file=drawing())
    assert answer.status_code == 302
    shown = young.get(answer.headers["Location"])
    assert WORDS in shown.text and "drawing.png" in shown.text
    people.start()
    helper = people.join_admitted("Priya Shah", "Police")
    stage = text_of(helper.get(f"/m/{people.meeting_id}").text)
    first = stage.index("The young person's own words")
    assert stage.index(WORDS) > first
    assert first < stage.index("The assessment")
    assert "drawing.png" in stage and "Jay, in their own words" in stage
    # In the minutes, before the ratings and before what was assessed.
    people.chair.post(f"/meetings/{people.meeting_id}/close")
    minutes = people.chair.get(f"/meetings/{people.meeting_id}/minutes/draft.md").text
    item = minutes[minutes.index("## Item 1") : minutes.index("## Item 2")]
    assert item.index("### The young person's own words") < item.index("### What was assessed")
    assert item.index("### The young person's own words") < item.index("### Ratings")
    assert f"> {WORDS}" in item
    digest = hashlib.sha256(young.get(f"/m/{people.meeting_id}/work/{work_id(people)}").data)
    assert "drawing.png: image/png" in item and digest.hexdigest() in item
    record = json.loads(people.chair.get(f"/meetings/{people.meeting_id}/record.json").data)
    given = record["items"][0]["young_person"]
    assert given["words"][0]["words"] == WORDS and not given["words"][0]["said_for_them"]
    assert given["work"][0]["sha256"] == digest.hexdigest()
    assert "data" not in given["work"][0]
    with people.app.app_context():
        assert verify(db.session, people.meeting(), policy=policy()).problems == []


def test_a_change_is_logged_with_what_it_replaced(people, young):
    give(people, young, words="First thoughts")
    give(people, young, words="Second thoughts")
    with people.app.app_context():
        lines = db.session.scalars(select(Event).where(Event.subject.like("own_words:%"))).all()
        assert [line.detail for line in lines] == ["", "Was: First thoughts"]
        assert "Second thoughts" in lines[-1].content


def test_the_display_shows_the_drawing_only_after_the_chair_chooses(people, young, client):
    give(people, young, file=drawing())
    people.start()
    display = people.open_display(client)
    wid = work_id(people)
    scene = client.get(display).text
    assert WORDS in scene and "drawing.png" not in scene
    assert client.get(f"{display}/work/{wid}").status_code == 404
    chair_page = people.chair.get(f"/meetings/{people.meeting_id}").text
    assert "Show on the screen" in chair_page
    people.chair.post(f"/meetings/{people.meeting_id}/work/{wid}/screen", data={"show": "yes"})
    scene = client.get(display).text
    assert f"{display}/work/{wid}" in scene
    assert scene.index("The young person's own words") < scene.index("Seen with older males")
    assert client.get(f"{display}/work/{wid}").status_code == 200
    assert "Take it off the screen" in people.chair.get(f"/meetings/{people.meeting_id}").text
    people.chair.post(f"/meetings/{people.meeting_id}/work/{wid}/screen", data={"show": "no"})
    assert "drawing.png" not in client.get(display).text
    assert client.get(f"{display}/work/{wid}").status_code == 404


@pytest.mark.parametrize(
    ("name", "body", "problem"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "is a web page or an SVG drawing",
        ),
        (
            "statement.pdf",
            b"<!DOCTYPE html><html><body><script>fetch('/')</script></body></html>",
            "is a web page or an SVG drawing",
        ),
        (
            "statement.pdf",
            b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
            "holds a web page inside it",
        ),
        (
            "notes.pdf",
            b"%PDF-1.4\n1 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\n%%EOF",
            "script",
        ),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"not really", "could not be read"),
        ("story.txt", b"Just some words", "is not a PNG or JPEG picture, or a PDF"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024), "the largest file"),
    ],
    # Named by what each file is, not by its bytes (one is ten megabytes).
    ids=[
        "svg-with-a-script",
        "html-named-pdf",
        "pdf-holding-html",
        "pdf-with-javascript",
        "broken-png",
        "text",
        "over-the-limit",
    ],
)
def test_hostile_files_are_refused_saying_why_and_nothing_is_kept(
    people, young, name, body, problem
):
    answer = give(people, young, words="Please keep what I typed", file=body, name=name)
    assert answer.status_code == 422
    page = text_of(answer.text)
    assert problem in page and name in page
    assert "Please keep what I typed" in answer.text
    assert stored(people) == (0, 0)


def test_a_body_far_over_the_limit_is_answered_with_the_limit_and_nothing_kept(people, young):
    answer = give(people, young, file=b"\x89PNG\r\n\x1a\n" + b"0" * (50 * 1024 * 1024))
    assert answer.status_code == 413
    page = text_of(answer.text)
    assert "larger than 10 MB" in page and "nothing of it was kept" in page
    assert stored(people) == (0, 0)


def test_a_photo_loses_where_it_was_taken(people, young):
    photo = drawing(exif=True)
    assert Image.open(BytesIO(photo)).getexif()
    assert give(people, young, file=photo, name="me.jpg").status_code == 302
    kept = young.get(f"/m/{people.meeting_id}/work/{work_id(people)}")
    assert kept.mimetype == "image/jpeg"
    image = Image.open(BytesIO(kept.data))
    assert image.size == (64, 48) and not image.getexif() and b"PhoneMaker" not in kept.data


def test_the_work_is_served_as_itself_and_only_to_the_meeting(people, young, client):
    give(people, young, file=drawing())
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    give(people, young, words=WORDS, file=pdf, name="my statement.pdf")
    with people.app.app_context():
        png_id, pdf_id = db.session.scalars(select(OwnWork.id).order_by(OwnWork.id)).all()
    base = f"/m/{people.meeting_id}/work"
    image = people.chair.get(f"{base}/{png_id}")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Security-Policy"].startswith("sandbox")
    document = young.get(f"{base}/{pdf_id}")
    assert document.mimetype == "application/pdf" and document.data == pdf
    assert document.headers["Content-Disposition"].startswith("attachment;")
    # Someone outside the meeting, and someone still waiting at the door, get nothing.
    assert client.get(f"{base}/{png_id}").status_code == 403
    waiting = people.join("Stranger", "Unknown")
    assert waiting.get(f"{base}/{png_id}").status_code == 403
    # Nor may another person in the meeting give the young person's words.
    helper = people.join_admitted("Priya Shah", "Police")
    assert give(people, helper).status_code == 403
    assert helper.get(f"/m/{people.meeting_id}/words").status_code == 403


def test_an_advocates_words_are_marked_as_said_for_the_young_person(people):
    advocate = people.join_admitted("Morgan Lee", "Advocacy service", part="advocate")
    assert "Give their words" in advocate.get(f"/m/{people.meeting_id}").text
    assert give(people, advocate, words="Jay wants to be heard about football.").status_code == 302
    people.start()
    stage = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Said for them by Morgan Lee, their advocate" in stage
    # The decision's "child's views" start from what was given.
    form = people.chair.get(f"/meetings/{people.meeting_id}").text
    assert "Jay wants to be heard about football." in form.split('name="child_views"')[1][:400]
    record = json.loads(people.chair.get(f"/meetings/{people.meeting_id}/record.json").data)
    assert record["items"][0]["young_person"]["words"][0]["said_for_them"] is True
