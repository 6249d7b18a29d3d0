"""Agencies' reports before a meeting, as the chair and the people in the meeting see them.

The chair lists the reports expected, marks each received and shared with the parents,
and sees what is missing and how many working days are left; a bad date comes back with
the problem named; once the meeting starts an expected report stays on the record, and once
it closes nothing changes. Everyone admitted sees where each report stands. The minutes
list the reports, when each was shared with the parents, and those never received.
"""

import json
from datetime import date, timedelta

from conftest import text_of
from test_letter import form_fields

import minutes
from meeting.clock import WorkingDays
from meeting.extensions import db
from meeting.models import AgencyReport, MeetingStatus
from meeting.policy import from_config
from meeting.reports.panel import countdown

TODAY = date.today()


def day(offset: int) -> str:
    """A date typed into a form, worked out from today."""
    return (TODAY + timedelta(days=offset)).isoformat()


def shown(offset: int) -> str:
    """A date as the reports panel shows it: "2 Dec" this year, "2 Dec 2025" another."""
    value = TODAY + timedelta(days=offset)
    return f"{value:%-d %b}" if value.year == TODAY.year else f"{value:%-d %b %Y}"


def expect(people, agency: str, author: str = "") -> int:
    """The chair lists a report as expected; return its id."""
    data = {"agency": agency, "author": author}
    listed = people.chair.post(f"/meetings/{people.meeting_id}/reports", data=data)
    assert listed.status_code == 302, listed.text
    with people.app.app_context():
        return next(r.id for r in people.meeting().reports if r.agency == agency)


def mark(people, report_id: int, step: str, on: str):
    """The chair marks a report received or shared with the parents on a date."""
    url = f"/meetings/{people.meeting_id}/reports/{report_id}/{step}"
    return people.chair.post(url, data={f"{step}_on": on})


def panel(client, people) -> str:
    """The reports region as a page fetches it, read as text."""
    url = f"/m/{people.meeting_id}/region/reports"
    return text_of(client.get(url, headers={"HX-Request": "true"}).text)


def test_the_chair_sees_what_is_missing_and_marks_each_report_as_it_comes(people):
    police = expect(people, "Police", "DC Shah")
    expect(people, "Health")
    expect(people, "Education")
    seen = panel(people.chair, people)
    assert "3 reports not received: Police (DC Shah), Health, Education." in seen
    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    # The deployment's agency words are offered; anything else may be typed.
    assert '<option value="Police">' in page and '<option value="Youth justice">' in page

    assert mark(people, police, "received", day(-2)).status_code == 302
    seen = panel(people.chair, people)
    assert "2 reports not received: Health, Education." in seen
    assert f"Received {shown(-2)}" in seen
    assert "Not yet shared with the parents: Police (DC Shah)." in seen

    assert mark(people, police, "shared", day(-1)).status_code == 302
    seen = panel(people.chair, people)
    assert f"Received {shown(-2)} · Shared with the parents {shown(-1)}" in seen
    assert "Not yet shared with the parents" not in seen
    log = text_of(people.chair.get(f"/meetings/{people.meeting_id}/events").text)
    assert "listed a report expected from Police (DC Shah)" in log
    received = TODAY - timedelta(days=2)
    assert f"recorded the Police (DC Shah) report as received on {received:%-d %b %Y}" in log
    assert "report as shared with the parents on" in log

    for agency in ("Health", "Education"):
        assert mark(people, report_ids(people)[agency], "received", day(0)).status_code == 302
        assert mark(people, report_ids(people)[agency], "shared", day(0)).status_code == 302
    assert "Every report is in and shared with the parents." in panel(people.chair, people)


def report_ids(people) -> dict[str, int]:
    with people.app.app_context():
        return {r.agency: r.id for r in people.meeting().reports}


def test_a_bad_date_comes_back_with_the_problem_named_and_what_was_typed(people):
    police = expect(people, "Police")
    for typed, problem in (
        (day(3), "The date it was received cannot be in the future"),
        ("last tuesday", "Enter the date it was received as a date"),
        ("", "Enter the date it was received."),
    ):
        refused = mark(people, police, "received", typed)
        assert refused.status_code == 422, typed
        assert problem in text_of(refused.text)
        assert f'value="{typed}"' in refused.text, "what was typed is kept"
    assert dates_of(people, police) == (None, None)

    refused = mark(people, police, "shared", day(-1))
    assert refused.status_code == 409
    assert "has not been marked received, so it cannot have been shared" in text_of(refused.text)

    assert mark(people, police, "received", day(-2)).status_code == 302
    early = mark(people, police, "shared", day(-5))
    assert early.status_code == 422
    assert "cannot have been shared with the parents" in text_of(early.text)
    assert f'value="{day(-5)}"' in early.text
    # A second window marking it received again is told it is done already.
    again = mark(people, police, "received", day(0))
    assert again.status_code == 409
    assert "already marked received on" in text_of(again.text)
    assert dates_of(people, police) == (TODAY - timedelta(2), None)

    base = f"/meetings/{people.meeting_id}/reports"
    for data, problem in (
        ({"agency": "  "}, "Enter the agency expected to send a report"),
        ({"agency": "police"}, "A report from Police is already listed."),
    ):
        refused = people.chair.post(base, data=data)
        assert refused.status_code == 422 and problem in text_of(refused.text)
    # A correction that shares it before it was received is refused the same way.
    wrong = {"author": "DC Shah", "received_on": "", "shared_on": day(-1)}
    refused = people.chair.post(f"{base}/{police}", data=wrong)
    assert refused.status_code == 422
    assert "shared with the parents once it has been received" in text_of(refused.text)
    fixed = {"author": "DC Shah", "received_on": day(-3), "shared_on": day(-1)}
    assert people.chair.post(f"{base}/{police}", data=fixed).status_code == 302
    assert dates_of(people, police) == (TODAY - timedelta(3), TODAY - timedelta(1))


def dates_of(people, report_id: int):
    with people.app.app_context():
        report = db.session.get(AgencyReport, report_id)
        return report.received_on, report.shared_on


def test_working_days_before_the_meeting_are_counted_on_the_deployments_calendar(people, app):
    england = WorkingDays("GB", "ENG")
    setup = MeetingStatus.SETUP
    # Monday 2 March 2026 to Thursday 5 March: Monday is three working days before it.
    monday, thursday = date(2026, 3, 2), date(2026, 3, 5)
    said = countdown(thursday, monday, setup, england)
    assert said == "3 working days before the meeting (Thu 5 Mar 2026)."
    # Good Friday and Easter Monday are not working days.
    said = countdown(date(2026, 4, 7), date(2026, 4, 2), setup, england)
    assert said == "1 working day before the meeting (Tue 7 Apr 2026)."
    assert countdown(monday, monday, setup, england) == "The meeting is today."
    assert countdown(monday, thursday, setup, england).startswith("The meeting's date has passed")
    running = countdown(monday, monday, MeetingStatus.RUNNING, england)
    assert running == "The meeting has started."

    # On the chair's page, for a meeting ten days from now.
    later = TODAY + timedelta(days=10)
    details = {
        "title": "Review conference",
        "kind": "other",
        "child": "A.B.",
        "starts_at": f"{later.isoformat()}T10:00",
        "place": "Room 2",
    }
    people.chair.post(f"/meetings/{people.meeting_id}/details", data=details)
    left = from_config(app.config).working_days.between(TODAY, later)
    expected = f"{left} working {'day' if left == 1 else 'days'} before the meeting"
    assert expected in panel(people.chair, people)
    people.start()
    assert "The meeting has started." in panel(people.chair, people)


def test_an_expected_report_stays_once_the_meeting_starts_and_all_are_read_only_once_closed(
    people,
):
    police, health = expect(people, "Police"), expect(people, "Health")
    base = f"/meetings/{people.meeting_id}/reports"
    assert people.chair.post(f"{base}/{health}/delete").status_code == 302
    assert list(report_ids(people)) == ["Police"]
    gone = mark(people, health, "received", day(0))
    assert gone.status_code == 409 and "no longer exists" in text_of(gone.text)

    people.start()
    kept = people.chair.post(f"{base}/{police}/delete")
    assert kept.status_code == 409 and "stays on its record" in text_of(kept.text)
    # During the meeting a report can still come in: tabled on the day.
    assert mark(people, police, "received", day(0)).status_code == 302
    assert expect(people, "Education")
    assert "Remove" not in panel(people.chair, people)

    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    closed = mark(people, police, "shared", day(0))
    assert closed.status_code == 409 and "This meeting is closed" in text_of(closed.text)
    seen = panel(people.chair, people)
    assert "The meeting has closed." in seen and f"Received {shown(0)}" in seen
    assert "Mark shared" not in seen and "Add a report expected" not in seen


def test_a_form_sent_twice_lists_the_report_once_and_an_old_form_does_not_overwrite(people):
    base = f"/meetings/{people.meeting_id}/reports"
    twice = {"agency": "Police", "once": "one-click-sent-twice"}
    assert people.chair.post(base, data=twice).status_code == 302
    second = people.chair.post(base, data=twice, follow_redirects=True)
    assert "it was done once" in text_of(second.text)
    assert list(report_ids(people)) == ["Police"]

    police = report_ids(people)["Police"]
    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    old = form_fields(page, f"/reports/{police}")
    # Another window marks it received; the correction drawn before that is refused.
    assert mark(people, police, "received", day(-1)).status_code == 302
    stale = {**old, "author": "DC Shah", "received_on": "", "shared_on": ""}
    refused = people.chair.post(f"{base}/{police}", data=stale)
    assert refused.status_code == 409
    assert "changed from elsewhere" in text_of(refused.text)
    assert dates_of(people, police) == (TODAY - timedelta(1), None)


def test_attendees_see_where_each_report_stands_and_hear_when_it_changes(people, sio):
    mum = people.join_admitted("Mrs Brown", "", part="parent")
    priya = people.join_admitted("Priya Shah", "Police")
    display = people.app.test_client()
    police, health = expect(people, "Police", "DC Shah"), expect(people, "Health")
    mark(people, police, "received", day(-2))
    mark(people, police, "shared", day(-1))
    heard = {
        "mum": sio(mum, meeting=people.meeting_id),
        "display": sio(display, display=people.display_token),
    }
    for device in heard.values():
        device.get_received()

    said = panel(mum, people)
    assert f"Police report (DC Shah): received {shown(-2)}, shared with you {shown(-1)}." in said
    assert "Health report: not received yet." in said
    assert f"shared with the parents {shown(-1)}" in panel(priya, people)
    assert "Police report" in text_of(mum.get(f"/m/{people.meeting_id}").text)
    # Nothing of the reports is on the shared screen.
    screen = people.open_display(display)
    scene = display.get(screen).text
    assert "Police report" not in scene and "DC Shah" not in scene
    assert display.get(f"{screen}/region/reports").status_code == 404

    assert mark(people, health, "received", day(0)).status_code == 302
    rings = [m["args"][0]["regions"] for m in heard["mum"].get_received()]
    assert ["reports"] in rings, "her page is told to fetch the reports again"
    assert heard["display"].get_received() == [], "the display hears nothing of the reports"
    assert f"Health report: received {shown(0)}, not yet shared with you." in panel(mum, people)


def meeting_with_reports(people) -> dict[str, int]:
    """Police's report in and shared, with a part withheld from the family; the GP's never
    came; the school's came but was not shared. The meeting is then held and closed."""
    police = expect(people, "Police", "DC Shah")
    gp = expect(people, "Health", "Dr Lee")
    school = expect(people, "Education")
    mark(people, police, "received", day(-5))
    mark(people, police, "shared", day(-3))
    mark(people, school, "received", day(-1))
    withheld = {"withheld_summary": "His conviction", "withheld_reason": "About another adult."}
    url = f"/meetings/{people.meeting_id}/reports/{police}/withheld"
    assert people.chair.post(url, data=withheld).status_code == 302
    people.join_admitted("Mrs Brown", "", part="parent")
    people.join_admitted("Priya Shah", "Police")
    people.start()
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    return {"police": police, "gp": gp, "school": school}


def long_day(offset: int) -> str:
    value = TODAY + timedelta(days=offset)
    return f"{value:%A} {value.day} {value:%B %Y}"


def test_the_minutes_list_the_reports_and_name_those_never_received(people):
    meeting_with_reports(people)
    base = f"/meetings/{people.meeting_id}"
    whole = people.chair.get(f"{base}/minutes/draft.md").get_data(as_text=True)
    part = whole[whole.index("## Reports before the meeting") :]
    part = part[: part.index("\n## ")]
    assert f"| Police | DC Shah | {long_day(-5)} | {long_day(-3)} |" in part
    assert "| Health | Dr Lee | **Not received** | — |" in part
    assert f"| Education | Not named | {long_day(-1)} | **Not shared** |" in part
    assert "**Expected but never received:** Health (Dr Lee)." in part
    assert "**Received but not shared with the parents:** Education." in part
    assert "- **Police** (DC Shah): His conviction. *Why:* About another adult." in part
    professionals = people.chair.get(f"{base}/minutes/draft.md?copy=professionals").text
    assert "His conviction" in professionals and "About another adult" in professionals

    family = people.chair.get(f"{base}/minutes/draft.md?copy=family").get_data(as_text=True)
    assert "His conviction" not in family and "About another adult" not in family
    assert "A part of these reports was not shared with the family: Police (DC Shah)." in family
    assert "was withheld from it: what a report said that was not for the family" in family
    assert f"| Police | DC Shah | {long_day(-5)} | {long_day(-3)} |" in family

    record = json.loads(people.chair.get(f"{base}/record.json").text)
    assert record["reports"][0] == {
        "agency": "Police",
        "author": "DC Shah",
        "status": "shared",
        "received_on": day(-5),
        "shared_with_parents_on": day(-3),
        "withheld_from_family": True,
        "withheld_summary": "His conviction",
        "withheld_reason": "About another adult.",
    }
    assert [r["status"] for r in record["reports"]] == ["shared", "expected", "received"]


def test_minutes_frozen_before_reports_were_kept_still_render(people):
    meeting_with_reports(people)
    record = json.loads(people.chair.get(f"/meetings/{people.meeting_id}/record.json").text)
    record.pop("events")
    assert "## Reports before the meeting" in minutes.render(record, minutes.Edition())
    del record["reports"]
    for edition in (minutes.Edition(), minutes.Edition(copy_for="family")):
        older = minutes.render(record, edition)
        assert "## Attendance" in older and "Reports" not in older and minutes.verify(older)
