"""Minutes: every field of the defensible-decision section in Markdown, HTML and Word; the
pure function; safe rendering; draft, circulation through the outbox, copies, the clock."""

import email
import itertools
import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import docx
import lxml.html
import pytest
from conftest import HELD_ON, text_of
from room import SHOTS
from story import (
    ACTIONS,
    CONSIDERED,
    CONTROLS,
    DECISION_ONE,
    DECISION_TWO,
    DISSENT,
    ESCALATED_TO,
    REPORT,
    SOON,
    UNDECIDED_REASON,
    circulate,
)

import minutes
from meeting.extensions import db
from meeting.models import Attendee, Meeting, MinutesVersion
from minutes.html import to_html


def long_day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%A} {day.day} {day:%B %Y}"


def every_field(text: str) -> None:
    """Assert that the minutes, read as plain text, hold every field the issue lists."""
    expected = [
        # Header and attendance.
        "Minutes: Review for A.B.",
        "Positive-risk-taking review",
        "A.B.",
        f"{HELD_ON:%A %-d %B %Y}",
        "10:00",
        "Room 2",
        "Sam Chair",
        "Dr Lee",
        "GP",
        "Apologies; written contribution (item 1)",
        "Priya Shah",
        "Detective constable",
        "Designated safeguarding lead",
        "Quorate. The rule for this meeting: at least two agencies.",
        # Item 1: the decision, consensus, ratings, spread, divergence, reasons.
        "Item 1: Risk of criminal exploitation",
        DECISION_ONE["text"],
        # Mrs Brown's view is recorded as hers, never counted in the professionals' consensus.
        "Agreed with recorded dissent (2 agree, 1 disagree); "
        "the family's view, not counted in it: Mrs Brown agrees",
        "Round 1 (independent)",
        "Missing twice this month",
        "Safe at school every day",
        "Dr Lee (written contribution)",
        "Injuries unexplained",
        REPORT,
        # The professionals' spread alone (2, 3, 7): the mother's 6 stands beside it.
        "Median 3; Range 2–7",
        "The family's own view",
        "She is fine at home",
        "██",
        "Wide disagreement: ratings run from 2 to 7.",
        "Acknowledged by the chair",
        "Heard every agency before deciding",
        DECISION_ONE["rationale"],
        DECISION_ONE["evidence"],
        DECISION_ONE["options"],
        DECISION_ONE["benefits"],
        DECISION_ONE["cost_of_restriction"],
        DECISION_ONE["least_restrictive"],
        DECISION_ONE["child_views"],
        "Children Act 1989 s.47 (enquiries)",
        "Working Together to Safeguard Children",
        DECISION_ONE["legal_note"],
        DISSENT,
        "Ms Reid (School), disagreeing with the decision",
        CONSIDERED,
        f"escalated to {ESCALATED_TO}, response by",
        DECISION_ONE["review_triggers"],
        long_day(DECISION_ONE["review_date"]),
        "Expected by the review if the plan is followed:",
        "No missing episodes; Attends school 90% or more",
        # Item 2: two rounds, inherent then residual.
        "Round 2, residual",
        "inherent",
        CONTROLS,
        "L4 × S4 = 16 (High)",
        "L2 × S3 = 6 (Medium)",
        DECISION_TWO["text"],
        "Unanimous (2 agree, 0 disagree)",
        "Not obtained: " + DECISION_TWO["child_views_missing"],
        "Human Rights Act 1998 Art. 8 (necessity and proportionality)",
        # Item 3: undecided, with the chair's reason; the parent had left.
        "No decision was recorded on this item.",
        "Parent or carer",
        # Actions: owner, agency, what, by when.
        *ACTIONS,
        "Jo Social Worker",
        "Children's social care",
        "Alex Admin",
        "Business support",
        long_day(SOON),
        "Whole meeting",
    ]
    missing = [field for field in expected if field not in text]
    assert not missing, missing
    assert re.search(r"Present, left at \d\d:\d\d", text)
    assert re.search(r"Did not rate:(\*\*)? Sam Chair \(Children's social care\)", text)


def docx_text(body: bytes) -> str:
    document = docx.Document(BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def minutes_url(story, tail=""):
    return f"/meetings/{story.people.meeting_id}/minutes{tail}"


def test_minutes_hold_every_field_in_markdown_html_and_word(story):
    chair = story.people.chair
    circulated = circulate(story.people, summary="A calm meeting; all agencies heard.")
    assert circulated.status_code == 302

    markdown = chair.get(minutes_url(story, "/1.md"))
    assert markdown.mimetype == "text/markdown"
    assert "attachment" in markdown.headers["Content-Disposition"]
    text = markdown.get_data(as_text=True)
    every_field(text)
    assert "A calm meeting; all agencies heard." in text
    assert UNDECIDED_REASON in text
    # Ratings keep their submission time beside rater, agency, value and reason.
    assert re.search(r"\| Priya Shah \| Police \| 3 \| Missing twice this month \| \d\d:\d\d", text)
    assert re.search(
        r"\| 4 \| Book the review conference \| Alex Admin \| Business support", text
    ) or (
        "| 4 | Whole meeting | Alex Admin | Business support | Book the review conference" in text
    )
    with story.people.app.app_context():
        made = db.session.query(MinutesVersion).one()
        assert "version 1, issued" in text and f"SHA-256 {made.digest}" in text
        assert minutes.verify(text)

    page = chair.get(minutes_url(story, "/1"))
    assert page.status_code == 200
    every_field(text_of(page.text))

    word = chair.get(minutes_url(story, "/1.docx"))
    assert word.mimetype.endswith("wordprocessingml.document")
    every_field(docx_text(word.data))
    assert made.digest in docx_text(word.data)


def test_the_same_record_gives_the_same_bytes_and_minutes_know_nothing_of_flask(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    edition = minutes.Edition(
        version=1, issued_at=f"{date.today().isoformat()}T09:00:00Z", summary="Short."
    )
    first = minutes.render(record, edition)
    again = minutes.render(json.loads(json.dumps(record)), edition)
    assert first.encode() == again.encode()
    assert minutes.verify(first)
    assert not minutes.verify(first.replace("Short.", "Shorter."))

    probe = (
        "import sys, minutes, minutes.docx; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'meeting') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


PAYLOADS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "# not a heading",
    "| broken | table |",
]
DATES = ("_at", "due", "review_date", "respond_by")


def poisoned(value, payload):
    """Put the payload into every free-text string of a record."""
    if isinstance(value, dict):
        return {
            k: v if k in ("status", "format") or k.endswith(DATES) else poisoned(v, payload)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [poisoned(v, payload) for v in value]
    if isinstance(value, str):
        return f"{value} {payload}"
    return value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_field_can_inject_markup_into_the_minutes(story, payload):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    record = poisoned(record, payload)
    edition = minutes.Edition(summary=f"Summary {payload}", undecided_reason=f"Why {payload}")
    markdown = minutes.render(record, edition)
    html = to_html(markdown)
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    tags = {element.tag for element in tree.iter()}
    assert not tags & {"script", "img", "iframe", "a", "object"}, tags
    assert not [a for e in tree.iter() for a in e.attrib if a.startswith("on")]
    # Every heading is one the minutes made, and the payload reads as typed.
    headings = [h.text_content() for h in tree.iter("h1", "h2", "h3", "h4")]
    assert not [h for h in headings if h.startswith("not a heading")]
    assert text_of(html).count(payload) >= 20
    word = docx_text(minutes.docx.to_docx(markdown, "t"))
    assert word.count(payload) >= 20


def test_circulating_with_undecided_items_needs_a_reason_and_keeps_the_draft(story):
    refused = circulate(story.people, summary="Kept summary text", undecided_reason="")
    assert refused.status_code == 422
    page = text_of(refused.text)
    assert "No decision was recorded on item 3 (Plan)" in page
    assert "Kept summary text" in refused.text
    with story.people.app.app_context():
        assert db.session.query(MinutesVersion).count() == 0
    # The draft kept the summary the chair typed, and shows it.
    draft = story.people.chair.get(minutes_url(story, "/draft.md")).get_data(as_text=True)
    assert "Kept summary text" in draft and "DRAFT: not yet circulated" in draft


def test_minutes_wait_for_the_meeting_to_close(people):
    people.start()
    response = people.chair.get(f"/meetings/{people.meeting_id}/minutes")
    assert response.status_code == 409
    assert "Minutes are made when the meeting closes" in text_of(response.text)


def test_circulation_without_a_mail_server_writes_each_copy_to_the_outbox(story, app):
    chair = story.people.chair
    saved = chair.post(
        minutes_url(story, "/draft"),
        data={"summary": "Summary", "withhold-item-2-family": "1", "then": "save"},
    )
    assert saved.status_code == 302
    page = text_of(chair.get(minutes_url(story)).text)
    assert "No mail server is set up" in page and "outbox" in page
    assert circulate(story.people, **{"withhold-item-2-family": "1"}).status_code == 302

    page = text_of(chair.get(minutes_url(story)).text)
    assert page.count("In the outbox") == 5  # four with an email, and the chair
    assert "Copy for family members (parents, carers, the child)" in page

    files = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(files) == 5
    messages = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        messages[str(message["To"])] = message
    brown = next(m for to, m in messages.items() if "brown@home.example" in to)
    parts = {p.get_filename(): p for p in brown.iter_attachments()}
    copy = parts[f"minutes-{story.people.meeting_id}-v1.md"].get_content()
    assert isinstance(copy, str)
    assert "This copy is for family members" in copy and "withheld from it: item 2" in copy
    assert DECISION_TWO["text"] not in copy and CONTROLS not in copy and ACTIONS[2] not in copy
    assert minutes.verify(copy)
    assert DECISION_ONE["text"] in docx_text(
        parts[f"minutes-{story.people.meeting_id}-v1.docx"].get_content()
    )
    lee = next(m for to, m in messages.items() if "lee@nhs.example" in to)
    full = next(p for p in lee.iter_attachments() if p.get_filename().endswith(".md")).get_content()
    assert DECISION_TWO["text"] in full
    body = lee.get_body(("plain",)).get_content()
    token = story.reader_token("Dr Lee")
    assert f"/minutes/{token}" in body and "Corrections can be asked for until" in body
    with app.app_context():
        made = db.session.query(MinutesVersion).one()
        assert f"SHA-256 digest of this copy: {made.digest}" in body
        # The record notes who got which copy.
        groups = {d.attendee.name: d.copy_group for d in made.deliveries}
        assert groups["Mrs Brown"] == "family" and groups["Dr Lee"] is None
    events = text_of(chair.get(f"/meetings/{story.people.meeting_id}/events").text)
    assert "Mrs Brown <brown@home.example>, copy for family members" in events
    assert "Dr Lee <lee@nhs.example>, full minutes: outbox" in events

    # Version 1 is frozen: the draft form no longer changes anything.
    again = chair.post(minutes_url(story, "/draft"), data={"summary": "Rewritten", "then": "save"})
    assert again.status_code == 409
    assert "frozen" in text_of(again.text) and "Rewritten" in again.text
    assert "Rewritten" not in chair.get(minutes_url(story, "/1.md")).get_data(as_text=True)


def test_an_attendee_reads_their_own_copy_from_their_device(story):
    mum = story.devices["Mrs Brown"]
    meeting_page = f"/m/{story.people.meeting_id}"
    assert "The minutes will be here once the chair circulates them" in text_of(
        mum.get(meeting_page).text
    )
    story.people.chair.post(
        minutes_url(story, "/draft"), data={"withhold-item-2-family": "1", "then": "save"}
    )
    circulate(story.people, **{"withhold-item-2-family": "1"})
    page = mum.get(meeting_page).text
    token = story.reader_token("Mrs Brown")
    assert f"/minutes/{token}" in page
    copy = text_of(mum.get(f"/minutes/{token}", follow_redirects=True).text)
    assert "This copy is for family members" in copy
    assert DECISION_ONE["text"] in copy and DECISION_TWO["text"] not in copy
    mine = f"/minutes/read/{story.people.attendee_id('Mrs Brown')}"
    assert mum.get(f"{mine}/1.docx").status_code == 200
    assert mum.get("/minutes/not-a-token").status_code == 404
    # An attendee cannot open the chair's view of the minutes.
    assert mum.get(minutes_url(story)).headers["Location"].startswith("/login")


def test_the_meeting_list_shows_the_minutes_against_the_clock(story, app):
    chair = story.people.chair
    listing = text_of(chair.get("/meetings/").text)
    assert re.search(r"Due \w{3} \d+ \w{3} \(1[45] working days left\)", listing)
    with app.app_context():
        meeting = db.session.get(Meeting, story.people.meeting_id)
        meeting.closed_at -= timedelta(days=40)
        db.session.commit()
    assert "Overdue by" in text_of(chair.get("/meetings/").text)
    circulate(story.people)
    listing = text_of(chair.get("/meetings/").text)
    assert "Circulated" in listing and "version 1" in listing
    assert "corrections open until" in listing


def test_working_days_skip_weekends_and_bank_holidays(app):
    from meeting.policy import from_config

    days = from_config(app.config).working_days
    # The next Christmas on a Friday, from this year on: Boxing Day is then observed on
    # Monday the 28th, and 20 November is a Friday too.
    year = next(y for y in itertools.count(date.today().year) if date(y, 12, 25).weekday() == 4)
    assert days.add(date(year, 12, 23), 3) == date(year, 12, 30)
    assert days.add(date(year, 11, 20), 10) == date(year, 12, 4)
    assert days.between(date(year, 12, 23), date(year, 12, 30)) == 3
    app.config["CLOSURE_DAYS"] = [date(year, 12, 24).isoformat()]
    days = from_config(app.config).working_days
    assert days.add(date(year, 12, 23), 3) == date(year, 12, 31)


def test_a_correction_after_the_window_is_refused_and_kept(story, app):
    circulate(story.people)
    token = story.reader_token("Priya Shah")
    with app.app_context():
        made = db.session.query(MinutesVersion).one()
        made.circulated_at = datetime(2026, 1, 5, 10, 0)
        db.session.commit()
    device = story.devices["Priya Shah"]
    assert device.get(f"/minutes/{token}").status_code == 303
    mine = f"/minutes/read/{story.people.attendee_id('Priya Shah')}"
    late = device.post(f"{mine}/corrections", data={"section": "item-1", "text": "My rating was 4"})
    assert late.status_code == 409
    page = text_of(late.text)
    assert "The window for corrections closed on Monday 19 January 2026" in page
    assert "My rating was 4" in late.text


def test_the_chair_sets_where_minutes_go_and_a_bad_address_is_refused_and_kept(story, app):
    chair = story.people.chair
    brown = story.people.attendee_id("Mrs Brown")
    url = minutes_url(story, f"/recipients/{brown}")
    bad = chair.post(url, data={"email": "brown at home", "copy_group": "family"})
    assert bad.status_code == 422
    assert "Enter an email address" in text_of(bad.text) and 'value="brown at home"' in bad.text
    assert (
        chair.post(url, data={"email": "b.brown@home.example", "copy_group": ""}).status_code == 302
    )
    with app.app_context():
        assert db.session.get(Attendee, brown).email == "b.brown@home.example"
    events = text_of(chair.get(f"/meetings/{story.people.meeting_id}/events").text)
    assert "changed where Mrs Brown's minutes go" in events and "was brown@home.example" in events


def test_an_inquorate_meeting_shows_the_chairs_reason(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record["quorum"] |= {"met": False, "inquorate_reason": "Health sent a written report instead"}
    markdown = minutes.render(record, minutes.Edition())
    assert "**Not quorate.**" in markdown
    assert "> Health sent a written report instead" in markdown


def test_joining_takes_an_optional_email_for_the_minutes(people):
    device = people.app.test_client()
    bad = device.post(
        f"/join/{people.code}",
        data={"name": "Jo", "agency": "School", "email": "jo@", "part": "professional"},
    )
    assert bad.status_code == 422 and "Enter an email address" in text_of(bad.text)
    assert 'value="Jo"' in bad.text
    ok = device.post(
        f"/join/{people.code}",
        data={
            "name": "Jo",
            "agency": "School",
            "email": "jo@school.example",
            "part": "professional",
        },
    )
    assert ok.status_code == 302
    with people.app.app_context():
        assert db.session.get(Attendee, people.attendee_id("Jo")).email == "jo@school.example"


ASSESSMENT = """Background
==========

Known to services since **2019**.

## Risks

- Missing **three times** in October
- Seen with older males

### Sources

1. Police reports
2. School register
"""


def test_the_assessment_is_rendered_under_the_items_heading_in_every_output(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    record["items"][0]["body"] = ASSESSMENT
    markdown = minutes.render(record, minutes.Edition())
    item = markdown[markdown.index("## Item 1:") : markdown.index("## Item 2:")]
    # Its own headings sit below the item's parts (###), keeping their order.
    assert "#### Background" in item and "##### Risks" in item and "###### Sources" in item
    assert "\n## Risks" not in markdown and "==========" not in markdown
    assert "- Missing **three times** in October" in item

    html = lxml.html.fragment_fromstring(to_html(markdown), create_parent="div")
    assert [h.text_content() for h in html.iter("h4")][:1] == ["Background"]
    assert "Missing three times in October" in [li.text_content() for li in html.iter("li")]
    assert "three times" in [s.text_content() for s in html.iter("strong")]
    assert "**" not in text_of(to_html(item))

    document = docx.Document(BytesIO(minutes.docx.to_docx(markdown, "Minutes")))
    styles = {p.text: p.style.name for p in document.paragraphs}
    # One level below the item's parts ("What was assessed"), as in the HTML.
    part = int(styles["What was assessed"].rsplit(" ", 1)[1])
    assert styles["Background"] == f"Heading {part + 1}"
    assert styles["Missing three times in October"] == "List Bullet"
    assert styles["Police reports"] == "List Number"
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "three times" in bold


def test_each_item_reads_in_the_order_of_a_record(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    markdown = minutes.render(record, minutes.Edition())
    item = markdown[markdown.index("## Item 1:") : markdown.index("## Item 2:")]
    order = [
        "### What was assessed",
        "### Ratings",
        "### Minority views heard",
        "### Decision",
        "**Rationale:**",
        "### Evidence and sources",
        "### Options considered",
        "### Proportionality",
        "### The child's views",
        "### Legal and policy basis",
        "### Dissent, and how minority views were considered",
        "### Actions",
        "### Review",
    ]
    places = [item.index(part) for part in order]
    assert places == sorted(places), [p for _i, p in sorted(zip(places, order, strict=True))]
    # The rationale is beside the decision, not pages away from it.
    decision_at, rationale_at = item.index("### Decision"), item.index("**Rationale:**")
    assert item[decision_at:rationale_at].count("\n") < 6
    # Submission times are to the second, so the order within a minute is kept.
    assert re.search(r"\| \d\d:\d\d:\d\d( \(first \d\d:\d\d:\d\d\))? \|", item)
    # Later rounds sit beside the first, rater by rater.
    second = markdown[markdown.index("## Item 2:") : markdown.index("## Item 3:")]
    assert "#### The rounds side by side" in second
    assert re.search(
        r"\| Priya Shah \| Police \| L4 × S4 = 16 \(High\) \| L2 × S3 = 6 \(Medium\) \|", second
    )
    # The spread is one line, not a table of zeros.
    spread = next(line for line in item.splitlines() if line.startswith("**Spread:**"))
    assert "█" in spread and " 0" not in spread.split(".", 1)[1]


def test_a_review_shared_by_every_item_is_stated_once(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    decided = [
        i for i in record["items"] if i["decision"] and i["decision"]["status"] == "recorded"
    ]
    assert len(decided) >= 2
    for item in decided:
        item["decision"]["review_date"] = decided[0]["decision"]["review_date"]
        item["decision"]["review_triggers"] = "Another missing episode"
    markdown = minutes.render(record, minutes.Edition())
    assert markdown.count("Another missing episode") == 1
    assert markdown.count("\n## Review\n") == 1
    assert markdown.count("As for every item of this meeting") == len(decided)

    decided[0]["decision"]["review_triggers"] = "A new school"
    separate = minutes.render(record, minutes.Edition())
    assert "\n## Review\n" not in separate
    assert "A new school" in separate and "Another missing episode" in separate


def printed(story, path: str) -> bytes:
    """The page at `path` printed to PDF by Chromium, as the chair's Print button does."""
    from playwright.sync_api import sync_playwright
    from room import ARGS, CHROMIUM

    client = story.people.chair

    def serve(route):
        answer = client.get(route.request.url.removeprefix("http://minutes.test"))
        body = answer.get_data()
        answer.close()
        route.fulfill(status=answer.status_code, content_type=answer.content_type, body=body)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.route("http://minutes.test/**", serve)
        page.goto("http://minutes.test" + path)
        pdf = page.pdf(prefer_css_page_size=True)
        browser.close()
    return pdf


def page_lines(pdf: bytes) -> list[tuple[float, list[tuple[float, str]]]]:
    """Each page's height and its lines of text with their height above the page's foot."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(BytesIO(pdf)).pages:
        lines: list[tuple[float, str]] = []

        def seen(text, cm, tm, _font, _size, lines=lines):
            if text.strip():
                lines.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

        page.extract_text(visitor_text=seen)
        pages.append((float(page.mediabox.height), lines))
    return pages


def test_the_printed_minutes_carry_a_running_header_and_page_numbers_and_fill_their_pages(
    story,
):
    story.people.app.config["PROTECTIVE_MARKING"] = "OFFICIAL-SENSITIVE"
    pdf = printed(story, minutes_url(story))
    # Kept beside the screenshots, to look at page by page (pdftoppm -png minutes.pdf p).
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "minutes.pdf").write_bytes(pdf)
    pages = page_lines(pdf)
    count = len(pages)
    assert count >= 3, "the story's minutes run to several pages"
    for number, (height, lines) in enumerate(pages, start=1):
        said = " ".join(text for _y, text in lines)
        assert f"Page {number} of {count}" in said, (number, said[-200:])
        assert "OFFICIAL-SENSITIVE · Child A.B. · Meeting" in said
        assert "Draft, not circulated" in said
        if number < count:
            # The body's lowest line (above the footer's margin) is in the lower half.
            body = [y for y, text in lines if not text.startswith("Page ") and y > 60]
            assert min(body) < height / 2, f"page {number} is more than half empty"
    first_page = " ".join(text for _y, text in pages[0][1])
    assert "Minutes: " in first_page


def test_the_word_document_carries_the_running_header_and_page_fields(story):
    story.people.app.config["PROTECTIVE_MARKING"] = "OFFICIAL-SENSITIVE"
    answer = story.people.chair.get(minutes_url(story, "/draft.docx"))
    document = docx.Document(BytesIO(answer.data))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == (
        f"OFFICIAL-SENSITIVE · Child A.B. · Meeting {HELD_ON:%-d %b %Y} · Draft, not circulated"
    )
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert section.footer.paragraphs[0].text.startswith("Page ")
    # Another deployment's marking, from its configuration.
    story.people.app.config["PROTECTIVE_MARKING"] = "OFFICIAL"
    again = docx.Document(BytesIO(story.people.chair.get(minutes_url(story, "/draft.docx")).data))
    assert again.sections[0].header.paragraphs[0].text.startswith("OFFICIAL · Child A.B.")


def test_a_divided_room_is_said_in_the_minutes_and_nobody_on_either_side_is_marked(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    round_ = record["items"][0]["rounds"][0]
    round_["divided"] = "The meeting was divided: 2 of 4 rated 2–3; 2 of 4 rated 6–7."
    for rating in round_["ratings"]:
        rating["minority"] = False
    markdown = minutes.render(record, minutes.Edition())
    item = markdown[markdown.index("## Item 1:") : markdown.index("## Item 2:")]
    assert (
        "**The meeting was divided: 2 of 4 rated 2–3; 2 of 4 rated 6–7.** "
        "No side was marked as a minority view."
    ) in item
    heard = item[item.index("### Minority views heard") : item.index("### Decision")]
    assert "None marked: the meeting was divided" in heard
    # A version frozen before the rule existed has no such field, and still renders.
    del round_["divided"]
    again = minutes.render(record, minutes.Edition())
    assert "was divided" not in again[again.index("## Item 1:") : again.index("## Item 2:")]
