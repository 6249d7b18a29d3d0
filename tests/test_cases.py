"""A child's case through three meetings, as its chair and the professionals would run it:
the first meeting; the review six weeks later, which starts from the last decision, hears
what became of the actions from their owners' phones, shows how the ratings moved only
once its own blind round is revealed, and answers the forecasts; then a review brought
forward by a trigger.
"""

import json
import re
from datetime import date, timedelta

from conftest import CHOICE_ITEM, SAFETY_ITEM, People, log_in, make_chair, make_meeting, text_of
from flask.testing import FlaskClient

from meeting.extensions import db
from meeting.models import Meeting

TODAY = date.today()
SIX_WEEKS = TODAY + timedelta(weeks=6)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def in_minutes(offset: int) -> str:
    """A day as the minutes write it."""
    return f"{TODAY + timedelta(days=offset):%A %-d %B %Y}"


# The first meeting's ratings: reasons no later page may show before the review's reveal.
FIRST_RATINGS = {
    "Priya Shah": (3, "Went missing twice with older males"),
    "Tom Reid": (6, "In school every day this term"),
    "Lena Okafor": (4, "Two A&E visits with no explanation"),
}
REVIEW_RATINGS = {"Priya Shah": 5, "Tom Reid": 8, "Lena Okafor": 4}
DECISION = {
    "text": "Child-protection plan under neglect, with a safety plan for evenings",
    "rationale": "Missing episodes with older males and unexplained injuries",
    "evidence": "Police missing reports; A&E letters",
    "options": "Child-in-need plan was not chosen because the harm is current",
    "benefits": "She keeps her football club",
    "cost_of_restriction": "A curfew would cost her the club",
    "least_restrictive": "The plan keeps her at home with support",
    "child_views": "I want to keep playing football",
    "review_date": day(42),
    "review_triggers": "Another missing episode, or exclusion from school",
    "forecast": "No missing episodes\nAttends school 90% or more",
}
REVIEW_DECISION = {
    **DECISION,
    "text": "The plan continues, with a return-home interview after any episode",
    "rationale": "One missing episode, but attendance is up and she engaged",
    "review_date": day(84),
    "forecast": "No missing episodes",
}
MISSING_AGAIN = "Missing overnight on Friday, found by police in another town"


class Case:
    """The chair and the professionals' devices, meeting after meeting."""

    def __init__(self, app, chair: FlaskClient):
        self.app, self.chair = app, chair
        self.meetings: list[int] = []

    def people(self, meeting_id: int) -> People:
        return People(self.app, self.chair, meeting_id)

    def post(self, meeting_id: int, path: str, **data) -> None:
        answer = self.chair.post(f"/meetings/{meeting_id}{path}", data=data)
        assert answer.status_code == 302, answer.text

    def item_id(self, meeting_id: int, position: int) -> int:
        with self.app.app_context():
            return self.people(meeting_id).meeting().items[position - 1].id

    def case_id(self) -> int:
        with self.app.app_context():
            return self.people(self.meetings[0]).meeting().case_id

    def join_all(self, people: People) -> dict[str, FlaskClient]:
        return {
            "Priya Shah": people.join_admitted("Priya Shah", "Police"),
            "Tom Reid": people.join_admitted("Tom Reid", "School"),
            "Lena Okafor": people.join_admitted("Lena Okafor", "Health"),
        }

    def review_of(self, meeting_id: int, **changes: str) -> int:
        """The chair arranges a review from the earlier meeting's page, as its form offers."""
        page = self.chair.get(f"/meetings/new?review_of={meeting_id}")
        assert page.status_code == 200
        form = dict(re.findall(r'name="([a-z_]+)"[^>]*?value="([^"]*)"', page.text))
        kind = re.search(r'<option value="([a-z_]+)" selected', page.text).group(1)
        answer = self.chair.post(
            "/meetings/new", data={**form, "kind": kind, "chair_role": "IRO", **changes}
        )
        assert answer.status_code == 302, answer.text
        made = int(re.search(r"/meetings/(\d+)", answer.headers["Location"]).group(1))
        self.meetings.append(made)
        return made

    def record(self, meeting_id: int) -> dict:
        return json.loads(self.chair.get(f"/meetings/{meeting_id}/record.json").text)

    def minutes(self, meeting_id: int) -> str:
        answer = self.chair.get(f"/meetings/{meeting_id}/minutes/draft.md")
        assert answer.status_code == 200
        return answer.text


def due_days_ago(app, what: str, days: int) -> None:
    """Move an action's due date into the past, as if that time had passed (the form only
    takes dates from today on)."""
    from meeting.models import Action

    with app.app_context():
        action = db.session.query(Action).filter_by(what=what).one()
        action.due = TODAY - timedelta(days=days)
        db.session.commit()


def first_meeting(case: Case) -> None:
    """The initial conference: rated blind, decided with a forecast, three actions."""
    meeting_id = make_meeting(
        case.chair,
        SAFETY_ITEM,
        CHOICE_ITEM,
        title="Initial conference",
        child="K.M.",
        starts_at=f"{day(0)}T10:00",
    )
    case.meetings.append(meeting_id)
    people = case.people(meeting_id)
    devices = case.join_all(people)
    # Something significant from before the meeting, added from a phone.
    added = devices["Priya Shah"].post(
        f"/m/{meeting_id}/chronology",
        data={"happened_on": day(-3), "what": "Missing, found at 2am", "agency": "Police"},
    )
    assert added.status_code == 302, added.text
    people.start()
    first = people.open_round()
    for name, (score, reason) in FIRST_RATINGS.items():
        assert people.rate(devices[name], first, score=score, reason=reason).status_code == 302
    assert people.reveal(first).status_code == 302
    item = case.item_id(meeting_id, 1)
    case.post(meeting_id, f"/items/{item}/decision", intent="record", **DECISION)
    priya, tom = people.attendee_id("Priya Shah"), people.attendee_id("Tom Reid")
    jo = {"owner_name": "Jo Bloggs", "agency": "Social care"}
    for what, owner, due in (
        ("Share the missing reports with the school", {"owner_id": priya}, day(14)),
        ("Send weekly attendance to the social worker", {"owner_id": tom}, day(60)),
        ("Refer to the exploitation team", jo, day(7)),
    ):
        case.post(meeting_id, "/actions", what=what, due=due, item_id=item, **owner)
    case.post(meeting_id, "/close")


def test_a_case_through_three_meetings(app, sio):
    make_chair(app)
    case = Case(app, log_in(app))
    first_meeting(case)
    initial = case.meetings[0]

    # The review six weeks later starts from the first meeting.
    arranged = case.chair.get(f"/meetings/new?review_of={initial}")
    assert "New review meeting" in arranged.text
    assert f'value="{SIX_WEEKS.isoformat()}T10:00"' in arranged.text, "the review date it set"
    review = case.review_of(initial)
    people = case.people(review)
    with app.app_context():
        meeting = people.meeting()
        assert [i.title for i in meeting.items] == [SAFETY_ITEM["title"], CHOICE_ITEM["title"]]
        assert meeting.case_id == case.case_id() and meeting.previous_id == initial
    # The chair, preparing, sees each item's last decision and ratings.
    preparing = text_of(case.chair.get(f"/meetings/{review}").text)
    assert "The last meeting, item by item" in preparing
    assert DECISION["text"] in preparing and "Median 4" in preparing

    devices = case.join_all(people)
    priya, tom = devices["Priya Shah"], devices["Tom Reid"]
    # Before the meeting starts, each owner sees their own action and says what became of it.
    phone = text_of(priya.get(f"/m/{review}").text)
    assert "Your actions from the last meeting (1)" in phone
    assert "Share the missing reports with the school" in phone
    with app.app_context():
        actions = {a.what: a.id for a in case.people(initial).meeting().actions}
    shared = actions["Share the missing reports with the school"]
    weekly = actions["Send weekly attendance to the social worker"]
    said = {"status": "done", "note": "Sent 2 Dec"}
    done = priya.post(f"/m/{review}/carried/{shared}", data=said)
    assert done.status_code == 302, done.text
    # A status other than done needs a line on what happened; what was picked is kept.
    bare = tom.post(f"/m/{review}/carried/{weekly}", data={"status": "partly", "note": ""})
    assert bare.status_code == 422
    assert "Add a line on what happened." in bare.text
    assert re.search(r'value="partly" checked', bare.text)
    partly = tom.post(
        f"/m/{review}/carried/{weekly}", data={"status": "partly", "note": "Four weeks of six"}
    )
    assert partly.status_code == 302
    # Nobody answers for another's action.
    other = priya.post(f"/m/{review}/carried/{weekly}", data={"status": "done", "note": ""})
    assert other.status_code == 409
    assert "Only Tom Reid or the chair" in other.text

    # The chair answers the forecasts in the meeting; the room sees them after the reveal.
    # By now Jo's referral is past its date, and nobody has said it was done.
    due_days_ago(app, "Refer to the exploitation team", 2)
    people.start()
    with app.app_context():
        decision_id = case.people(initial).meeting().items[0].decision.id
    episode = "One episode on 9 Dec"
    case.post(review, f"/forecasts/{decision_id}/1", result="not_met", note=episode)
    case.post(review, f"/forecasts/{decision_id}/2", result="met", note="")

    round_id = people.open_round()
    waiting = text_of(devices["Lena Okafor"].get(f"/m/{review}").text)
    assert "At the last meeting" not in waiting and "Median 4" not in waiting
    for name, score in REVIEW_RATINGS.items():
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    assert people.reveal(round_id).status_code == 302

    # Now everyone sees the last decision, who moved which way, and the middle over time.
    shown = text_of(devices["Lena Okafor"].get(f"/m/{review}").text)
    assert "At the last meeting" in shown and DECISION["text"] in shown
    assert "Police 3 5 rated safer" in shown
    assert "School 6 8 rated safer" in shown
    assert "Health 4 4 no change" in shown
    assert f"{TODAY:%-d %b %Y}: Median 4 → {SIX_WEEKS:%-d %b %Y} (now): Median 5" in shown
    assert re.search(r"No missing episodes — Not met ?: One episode on 9 Dec", shown)
    screen = app.test_client()
    display = text_of(screen.get(f"/display/{people.display_token}", follow_redirects=True).text)
    assert f"Last meeting, {TODAY:%-d %b}: Median 4 · decided: {DECISION['text']}" in display
    assert "Police 3 5 rated safer" in display

    item = case.item_id(review, 1)
    # Rated safer with the referral not done and a forecast missed: the chair says why.
    evidence = "Attendance is up and she engaged with the plan"
    case.post(
        review,
        f"/items/{item}/decision",
        intent="record",
        **REVIEW_DECISION,
        change_evidence=evidence,
    )
    case.post(review, "/close")

    minutes = case.minutes(review)
    assert "## Since the last meeting" in minutes
    assert "This meeting reviews **Initial conference**" in minutes
    assert f"**Decided then:** {DECISION['text']}" in minutes
    assert "| Share the missing reports with the school | " in minutes
    assert "| **Done**: Sent 2 Dec (Priya Shah, the owner) |" in minutes
    assert "**Partly done**: Four weeks of six (Tom Reid, the owner)" in minutes
    # Jo's referral was due before the review and nobody said it was done.
    overdue = f"exploitation team | {in_minutes(-2)} (overdue) | Not said at this meeting"
    assert overdue in minutes
    assert "| No missing episodes | **Not met** | One episode on 9 Dec |" in minutes
    assert "| Attends school 90% or more | **Met** |" in minutes
    assert "| Police | 3 | 5 | rated safer |" in minutes
    assert f"| {in_minutes(-3)} | Missing, found at 2am | Police |" in case.minutes(initial)

    record = case.record(review)
    assert record["case"]["previous_meeting_id"] == initial
    assert [m["id"] for m in record["case"]["meetings"]] == [initial, review]
    assert record["items"][0]["previous_item"] == {"meeting_id": initial, "position": 1}
    assert record["review"]["actions"][0]["status"] == "Done"
    assert record["review"]["forecasts"][0]["result"] == "Not met"
    assert case.record(initial)["case"]["later_meeting_ids"] == [review]

    # Something happens before the next review: the chair records the trigger.
    case_url = f"/cases/{case.case_id()}"
    before = text_of(case.chair.get(case_url).text)
    assert f"Due by {TODAY + timedelta(days=84):%-d %B %Y}" in before
    answer = case.chair.post(f"{case_url}/triggers", data={"reason": MISSING_AGAIN})
    assert answer.status_code == 302
    due = text_of(case.chair.get(case_url).text)
    assert f"Due now. A review trigger occurred: {MISSING_AGAIN}" in due
    early = case.review_of(review, starts_at=f"{day(50)}T09:00", title="Early review")
    after = text_of(case.chair.get(case_url).text)
    assert "Due now" in after and "Arranged: Early review" in after

    people = case.people(early)
    devices = case.join_all(people)
    people.start()
    with app.app_context():
        decision_id = case.people(review).meeting().items[0].decision.id
    case.post(early, f"/forecasts/{decision_id}/1", result="partly", note="Once, found in hours")
    round_id = people.open_round()
    for name, score in REVIEW_RATINGS.items():
        people.rate(devices[name], round_id, score=score - 2)
    people.reveal(round_id)
    item = case.item_id(early, 1)
    case.post(early, f"/items/{item}/decision", intent="record", **REVIEW_DECISION)
    case.post(early, "/close")
    minutes = case.minutes(early)
    assert "**This review was brought forward because:**" in minutes
    assert MISSING_AGAIN in minutes
    assert f"**Decided then:** {REVIEW_DECISION['text']}" in minutes
    # Still open from the first meeting: the referral nobody said was done, and the
    # attendance reports said to be partly done.
    assert "Refer to the exploitation team" in minutes
    assert "partly done at an earlier review" in minutes
    assert "Share the missing reports" not in minutes, "done at the last review"
    assert "| No missing episodes | **Partly met** | Once, found in hours |" in minutes
    assert "Median 4 → " in minutes and "Median 5 → " in minutes
    assert case.record(early)["case"]["brought_forward_by"][0]["reason"] == MISSING_AGAIN
    case_page = text_of(case.chair.get(case_url).text)
    assert "Due by" in case_page and "Due now" not in case_page

    # The case page tells the whole story: forecasts against what happened.
    assert "No missing episodes: Not met — One episode on 9 Dec" in case_page
    assert "Attends school 90% or more: Met" in case_page
    report = text_of(case.chair.get("/cases/report").text)
    # The first decision's two forecasts (met, not met), then the review's one (partly met).
    assert "3 forecasts answered at a review, from 2 decisions." in report
    # One professional from each agency: a row such as "Police 0–3" would be one officer's
    # rating, so no row is shown.
    assert "No row rests on 3 or more people's ratings yet, so none is shown." in report
    assert "Police" not in report and "School" not in report and "0–3" not in report
    assert "No answered forecast carries a likelihood yet." in report
    assert "Priya" not in report and "K.M." not in report, "counts, never people or children"


# What only the first meeting's ratings and decision would put on a page.
EARLIER = [
    *(reason for _score, reason in FIRST_RATINGS.values()),
    "At the last meeting",
    "Last meeting,",
    "Ratings then",
    "rated safer",
    "Median 4",
    DECISION["text"],
    DECISION["rationale"],
]


def test_nothing_from_an_earlier_meeting_reaches_an_attendee_before_the_reveal(app, sio):
    from test_concealment import every_get_url

    make_chair(app)
    case = Case(app, log_in(app))
    first_meeting(case)
    review = case.review_of(case.meetings[0])
    people = case.people(review)
    devices = case.join_all(people)
    lena, display = devices["Lena Okafor"], app.test_client()
    listeners = [sio(lena, meeting=review), sio(display, display=people.display_token)]
    received: list = []
    seen: list[str] = []

    def look(round_id: int) -> None:
        for client in (lena, display):
            for url in every_get_url(app, people, round_id):
                for headers in ({}, {"HX-Request": "true"}):
                    seen.append(client.get(url, headers=headers).text)
        for listener in listeners:
            received.extend(listener.get_received())

    look(0)  # before the meeting starts
    people.start()
    round_id = people.open_round()
    look(round_id)
    for name, score in REVIEW_RATINGS.items():
        assert people.rate(devices[name], round_id, score=score).status_code == 302
        look(round_id)
    assert len(seen) > 200 and received, "pages and events were looked at"
    for said in EARLIER:
        assert not any(said in page for page in seen), said
        assert said not in json.dumps(received, ensure_ascii=False), said

    # The same watch finds the last meeting once the round is revealed.
    assert people.reveal(round_id).status_code == 302
    for listener in listeners:
        pushed = json.dumps(listener.get_received(), ensure_ascii=False)
        assert "Median 4" in pushed and "rated safer" in pushed


def reviewed(app) -> tuple[Case, int, dict[str, FlaskClient]]:
    """A first meeting, closed, and its review with everyone admitted."""
    make_chair(app)
    case = Case(app, log_in(app))
    first_meeting(case)
    review = case.review_of(case.meetings[0])
    return case, review, case.join_all(case.people(review))


def test_a_case_is_open_only_to_its_chairs_and_named_managers(app):
    app.config["CASE_MANAGERS"] = ["Manager@Example.org"]
    case, review, _devices = reviewed(app)
    case_url = f"/cases/{case.case_id()}"
    make_chair(app, email="other@example.org", name="Other Chair")
    make_chair(app, email="manager@example.org", name="Service Manager")
    other, manager = log_in(app, "other@example.org"), log_in(app, "manager@example.org")

    refused = other.get(case_url)
    assert refused.status_code == 403
    assert "open only to the chairs of its meetings" in text_of(refused.text)
    assert "K.M." not in other.get("/cases").text
    assert other.post(f"{case_url}/triggers", data={"reason": "x"}).status_code == 403
    # Nor can another chair review its meeting, or join their meeting to the case.
    assert "K.M." not in other.get(f"/meetings/new?review_of={review}").text
    for field in ({"review_of": str(review)}, {"case_id": str(case.case_id())}):
        details = {"title": "Mine", "kind": "other", "child": "Z", "chair_role": "Chair"}
        tried = other.post(
            "/meetings/new", data={**details, "starts_at": f"{day(1)}T10:00", **field}
        )
        assert tried.status_code == 422
        assert "Title" in tried.text and 'value="Mine"' in tried.text, "what they typed is kept"

    assert "K.M." in manager.get("/cases").text
    assert DECISION["text"] in manager.get(case_url).text
    # A manager arranging the next review gets the review's form, not a new case.
    arranged = manager.get(f"/meetings/new?review_of={review}").text
    assert "New review meeting" in arranged and f'name="review_of" value="{review}"' in arranged
    assert "K.M." in case.chair.get("/cases").text


def test_a_new_meeting_can_join_a_case_as_its_next_review(app):
    case, review, _devices = reviewed(app)
    page = case.chair.get("/meetings/new").text
    assert re.search(r"<option value=\"\d+\">K\.M\. · 2 meetings", page)
    details = {"title": "Placement review", "kind": "other", "child": "K.M.", "chair_role": "IRO"}
    made = case.chair.post(
        "/meetings/new",
        data={**details, "starts_at": f"{day(60)}T10:00", "case_id": str(case.case_id())},
    )
    assert made.status_code == 302
    joined = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    record = case.record(joined)
    # It follows the last meeting held: the review arranged is not held yet.
    assert record["case"]["previous_meeting_id"] == case.meetings[0] != review
    assert [m["id"] for m in record["case"]["meetings"]] == [case.meetings[0], review, joined]
    assert [i["title"] for i in record["items"]] == [SAFETY_ITEM["title"], CHOICE_ITEM["title"]]
    # A meeting made with no case picked starts one of its own.
    alone = make_meeting(case.chair, SAFETY_ITEM, title="Strategy discussion", child="Z.Y.")
    own = case.record(alone)["case"]
    assert [m["id"] for m in own["meetings"]] == [alone] and own["previous_meeting_id"] is None
    assert own["id"] != case.case_id() and own["child"] == "Z.Y."


def test_professionals_record_a_trigger_only_where_the_deployment_allows_it(app):
    case, review, devices = reviewed(app)
    priya = devices["Priya Shah"]
    refused = priya.post(f"/m/{review}/trigger", data={"reason": "Missing again"})
    assert refused.status_code == 409
    assert "Only the chair can record that a review trigger occurred" in text_of(refused.text)
    assert "bring the review forward?" not in priya.get(f"/m/{review}").text

    app.config["TRIGGERS_BY_PROFESSIONALS"] = True
    mum = case.people(review).join_admitted("Mrs Moss", "", part="parent")
    assert "bring the review forward?" not in mum.get(f"/m/{review}").text, "family members"
    assert "bring the review forward?" in priya.get(f"/m/{review}").text
    empty = priya.post(f"/m/{review}/trigger", data={"reason": " "})
    assert empty.status_code == 422
    assert "Say what happened that brings the review forward." in text_of(empty.text)
    assert priya.post(f"/m/{review}/trigger", data={"reason": "Missing again"}).status_code == 302
    page = text_of(case.chair.get(f"/cases/{case.case_id()}").text)
    assert "Due now. A review trigger occurred: Missing again" in page
    assert "Priya Shah (Police)" in page
    phone = text_of(devices["Tom Reid"].get(f"/m/{review}").text)
    assert "Why this review was brought forward Missing again" in phone


def test_the_log_vouches_for_what_a_review_said_of_the_last_meeting(app):
    from test_chain import sql, verify

    case, review, devices = reviewed(app)
    with app.app_context():
        earlier = case.people(case.meetings[0]).meeting()
        action = next(a.id for a in earlier.actions if a.owner_name == "Priya Shah")
        decision = earlier.items[0].decision.id
    said = {"status": "not_done", "note": "Waiting for consent"}
    assert devices["Priya Shah"].post(f"/m/{review}/carried/{action}", data=said).status_code == 302
    case.post(review, f"/forecasts/{decision}/1", result="partly", note="One episode")
    assert verify(app, review)[0] == 0

    sql(app, "UPDATE action_update SET status = 'done'")
    sql(app, "UPDATE forecast_outcome SET result = 'met'")
    code, output = verify(app, review)
    assert code == 1
    assert "What Priya Shah said became of the action “Share the missing reports" in output
    assert 'status reads "done" but the log has "not_done"' in output
    assert 'result reads "met" but the log has "partly"' in output


def test_a_copy_withholding_an_item_leaves_out_its_history_actions_and_forecasts(app):
    """Withheld from a group, an item takes with it what the review says of it: its
    actions and forecasts from the last meeting, matched to it through the case."""
    import minutes
    from minutes.edition import Edition, sections

    case, review, devices = reviewed(app)
    with app.app_context():
        earlier = case.people(case.meetings[0]).meeting()
        shared = next(a.id for a in earlier.actions if a.owner_name == "Priya Shah")
        decision = earlier.items[0].decision.id
    said = {"status": "done", "note": "Sent"}
    assert devices["Priya Shah"].post(f"/m/{review}/carried/{shared}", data=said).status_code == 302
    people = case.people(review)
    people.start()
    case.post(review, f"/forecasts/{decision}/1", result="met", note="")
    event = {"happened_on": day(-1), "what": "Excluded for a day", "agency": "School"}
    assert devices["Tom Reid"].post(f"/m/{review}/chronology", data=event).status_code == 302
    record = case.record(review)
    keys = [key for key, _label in sections(record)]
    assert keys[:3] == ["summary", "since", "chronology"]

    full = minutes.render(record, Edition())
    family = minutes.render(record, Edition(withheld={"item-1": ("family",)}, copy_for="family"))
    for said in ("Share the missing reports with the school", "No missing episodes"):
        assert said in full and said not in family, said
    assert "## Since the last meeting" in family, "the rest of the part stays"
    withheld = {"since": ("family",), "chronology": ("family",)}
    hidden = minutes.render(record, Edition(withheld=withheld, copy_for="family"))
    assert "Refer to the exploitation team" not in hidden and "Excluded" not in hidden
    assert hidden.count("This part is withheld from this copy of the minutes.") == 2
    assert "Excluded for a day" in full


LXS = {"title": "Unsupervised time", "body": "Two hours a day.", "scale": "lxs"}
# Each agency's likelihood and severity: before control measures, then after them.
INHERENT = {"Priya Shah": (4, 4), "Tom Reid": (3, 4), "Lena Okafor": (3, 3)}
RESIDUAL = {"Priya Shah": (1, 2), "Tom Reid": (2, 2), "Lena Okafor": (1, 3)}


def lxs_rounds(case: Case, meeting_id: int, devices, ratings: dict, basis: str) -> int:
    """Open a round of this basis on the current item, everyone rates; return its id."""
    item = case.item_id(meeting_id, 1)
    controls = {"controls": "Hourly check-ins"} if basis == "residual" else {}
    case.post(meeting_id, f"/items/{item}/rounds", basis=basis, **controls)
    with case.app.app_context():
        round_id = case.people(meeting_id).meeting().items[0].rounds[-1].id
    for name, (likelihood, severity) in ratings.items():
        answer = case.people(meeting_id).rate(
            devices[name], round_id, likelihood=likelihood, severity=severity
        )
        assert answer.status_code == 302
    return round_id


def test_an_earlier_round_never_shows_while_a_round_is_open_again(app):
    """Likelihood × severity: the review reveals the risk before control measures; while
    the round on the risk after them is open, nothing from before shows; once revealed,
    each is set beside its own kind from the last meeting."""
    make_chair(app)
    case = Case(app, log_in(app))
    first = make_meeting(case.chair, LXS, title="Initial", child="K.M.")
    case.meetings.append(first)
    people = case.people(first)
    devices = case.join_all(people)
    people.start()
    for ratings, basis in ((INHERENT, "inherent"), (RESIDUAL, "residual")):
        assert people.reveal(lxs_rounds(case, first, devices, ratings, basis)).status_code == 302
    case.post(first, "/close")
    review = case.review_of(first)
    people = case.people(review)
    devices = case.join_all(people)
    people.start()
    page = f"/m/{review}/region/stage"
    lena = devices["Lena Okafor"]

    inherent = lxs_rounds(case, review, devices, INHERENT, "inherent")
    assert people.reveal(inherent).status_code == 302
    shown = text_of(lena.get(page, headers={"HX-Request": "true"}).text)
    assert "Ratings then: round 1: Median score 12 (High)" in shown
    assert "Median score 2 (Low)" not in shown, "the last residual round waits for this one"
    assert "Police L4 × S4 = 16 (High) L4 × S4 = 16 (High) no change" in shown

    residual = lxs_rounds(case, review, devices, RESIDUAL, "residual")
    for viewer in (lena, app.test_client()):
        url = page if viewer is lena else people.open_display(viewer)
        seen = viewer.get(url, headers={"HX-Request": "true"}).text
        assert "Last meeting" not in seen and "At the last meeting" not in seen
    assert people.reveal(residual).status_code == 302
    shown = text_of(lena.get(page, headers={"HX-Request": "true"}).text)
    assert "Police L1 × S2 = 2 (Low) L1 × S2 = 2 (Low) no change" in shown


def test_a_copied_item_rated_on_another_scale_has_no_history_and_no_fault(app):
    case, review, devices = reviewed(app)
    item = case.item_id(review, 1)
    changed = {"title": "Risk of criminal exploitation", "body": "Now as a risk", "scale": "lxs"}
    case.post(review, f"/items/{item}", **changed)
    people = case.people(review)
    people.start()
    round_id = people.open_round()
    for device in devices.values():
        people.rate(device, round_id, likelihood=3, severity=4)
    assert people.reveal(round_id).status_code == 302
    for viewer, url in (
        (devices["Priya Shah"], f"/m/{review}"),
        (case.chair, f"/meetings/{review}"),
        (app.test_client(), f"/display/{people.display_token}"),
    ):
        answer = viewer.get(url, follow_redirects=True)
        assert answer.status_code == 200 and "At the last meeting" not in answer.text


def test_odd_input_to_a_review_gets_a_clear_answer(app):
    case, review, devices = reviewed(app)
    details = {"title": "Mine", "kind": "other", "child": "Z", "chair_role": "Chair"}
    details["starts_at"] = f"{day(1)}T10:00"
    for field in ("review_of", "case_id"):
        for odd in ("abc", "²", "1.5", "99999999999999999999", "-1"):
            answer = case.chair.post("/meetings/new", data={**details, field: odd})
            assert answer.status_code == 422, (field, odd)
            assert 'value="Mine"' in answer.text
    assert case.chair.get("/meetings/new?review_of=99999999999999999999").status_code == 200
    # Another case's action: refused without naming its owner.
    other = make_meeting(case.chair, SAFETY_ITEM, title="Someone else", child="Z.Y.")
    case.post(other, "/start")
    them = {"what": "Secret errand", "owner_name": "Secret Owner", "agency": "Police"}
    case.post(other, "/actions", due=day(3), **them)
    with app.app_context():
        secret = case.people(other).meeting().actions[0].id
    refused = devices["Priya Shah"].post(f"/m/{review}/carried/{secret}", data={"status": "done"})
    assert refused.status_code == 409
    assert "not one this review looks back on" in refused.text
    assert "Secret Owner" not in refused.text
    # A form showing an answer that was never there is a conflict, not a fault.
    with app.app_context():
        decision = case.people(case.meetings[0]).meeting().items[0].decision.id
    odd = {"result": "met", "based_on": "garbage"}
    answer = case.chair.post(f"/meetings/{review}/forecasts/{decision}/1", data=odd)
    assert answer.status_code == 409
    assert "changed after your form was drawn" in text_of(answer.text)


def test_the_case_list_holds_the_chairs_cases_latest_meeting_first(any_app):
    """One query makes the list, on each database: a chair's cases, a manager's all."""
    app = any_app
    app.config.update(TESTING=True, CASE_MANAGERS=["manager@example.org"])
    make_chair(app)
    chair = log_in(app)
    starts = {"Ann": 1, "Ben": 10, "Cal": 5}
    first = {
        child: make_meeting(chair, child=child, starts_at=f"{day(offset)}T10:00")
        for child, offset in starts.items()
    }
    with app.app_context():
        ann_case = db.session.get(Meeting, first["Ann"]).case_id
    # A review of Ann's case, after everything else, brings her case to the top.
    make_meeting(chair, child="Ann", case_id=str(ann_case), starts_at=f"{day(20)}T10:00")
    make_chair(app, email="other@example.org", name="Other Chair")
    make_meeting(log_in(app, "other@example.org"), child="Dee", starts_at=f"{day(30)}T10:00")
    make_chair(app, email="manager@example.org", name="Service Manager")

    def listed(client: FlaskClient) -> list[str]:
        page = client.get("/cases")
        assert page.status_code == 200
        return re.findall(r'<a href="/cases/\d+">([^<]+)</a>', page.text)

    assert listed(chair) == ["Ann", "Ben", "Cal"]
    assert listed(log_in(app, "manager@example.org")) == ["Dee", "Ann", "Ben", "Cal"]
