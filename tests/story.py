"""One whole meeting, run through the pages as its people would, for the minutes' tests.

Three items; two rounds on the second (inherent, then residual risk); a wide spread that
the chair acknowledges; a dissent that is escalated; four actions; apologies from a GP who
sent a written contribution; a parent whose copy leaves out the second item. The third
item is left undecided.
"""

from dataclasses import dataclass, field
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
    settled,
)
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()
SOON = (date.today() + timedelta(days=10)).isoformat()

DECISION_ONE = {
    "text": "Child-protection plan under the category of neglect",
    "rationale": "Repeated missing episodes with older males and falling attendance",
    "evidence": "Police missing reports from October and the school attendance register",
    "options": "Child-in-need plan was not chosen because the harm is current",
    "benefits": "She keeps her football club which she values",
    "cost_of_restriction": "A curfew would cost her the club and her friendships",
    "least_restrictive": "The plan keeps her at home with support",
    "child_views": "I just want to be left alone but I like football",
    "legal_bases": ["Children Act 1989 s.47 (enquiries)", "Working Together to Safeguard Children"],
    "legal_note": "Threshold for significant harm is met",
    "review_date": NEXT_MONTH,
    "review_triggers": "Another missing episode or exclusion from school",
    "forecast": "No missing episodes\nAttends school 90% or more",
}
DECISION_TWO = {
    "text": "Two hours unsupervised each day with hourly check-ins",
    "rationale": "Residual risk is medium once check-ins are in place",
    "evidence": "Residential staff logs for the last month",
    "options": "No unsupervised time was not chosen as it is too restrictive",
    "benefits": "Independence and time with friends",
    "cost_of_restriction": "Staying in would isolate him",
    "least_restrictive": "Check-ins are the least restrictive control",
    "child_views": "",
    "child_views_missing": "He was at school and will be asked by his key worker this week",
    "legal_bases": ["Human Rights Act 1998 Art. 8 (necessity and proportionality)"],
    "legal_note": "",
    "review_date": NEXT_MONTH,
    "review_triggers": "Any missed check-in",
}
DISSENT = "The plan is too much because she is safe at school every day"
CONSIDERED = "The meeting weighed the school's evidence against the police reports"
ESCALATED_TO = "Head of Safeguarding"
ACTIONS = [
    "Share missing-episode reports with the school",
    "Write the safety plan with Mrs Brown",
    "Agree check-in times with him",
    "Book the review conference",
]
CONTROLS = "Hourly check-ins by phone and a trusted adult at the park"
REPORT = "Seen at the emergency department twice in October"
UNDECIDED_REASON = "The plan choice waits for the legal gateway meeting on Friday"


@dataclass
class Story:
    people: People
    devices: dict[str, FlaskClient] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/meetings/{self.people.meeting_id}"

    def item_id(self, position: int) -> int:
        with self.people.app.app_context():
            return self.people.meeting().items[position - 1].id

    def post(self, path: str, **data):
        response = self.people.chair.post(self.url + path, data=data)
        assert response.status_code == 302, response.text
        return response

    def action(self, what: str, position: int | None, **owner):
        item = {"item_id": self.item_id(position)} if position else {}
        return self.post("/actions", what=what, due=SOON, **item, **owner)

    def reader_token(self, name: str) -> str:
        from meeting.extensions import db
        from meeting.models import Attendee

        with self.people.app.app_context():
            return db.session.get(Attendee, self.people.attendee_id(name)).reader_token


def join(
    people: People, name: str, agency: str, role: str, email: str, part: str = "professional"
) -> FlaskClient:
    device = people.app.test_client()
    data = {"name": name, "role": role, "agency": agency, "email": email, "part": part}
    assert device.post(f"/join/{people.code}", data=data).status_code == 302
    people.admit(name)
    return device


def run_meeting(people: People) -> Story:
    """Run the whole meeting and close it; return the story with everyone's devices."""
    story = Story(people)
    story.post("/apologies", name="Dr Lee", role="GP", agency="Health", email="lee@nhs.example")
    lee = people.attendee_id("Dr Lee")
    story.post(
        f"/people/{lee}/contributions/{story.item_id(1)}",
        report=REPORT,
        score="2",
        reason="Injuries unexplained",
    )
    priya = join(people, "Priya Shah", "Police", "Detective constable", "priya@police.example")
    reid = join(people, "Ms Reid", "School", "Designated safeguarding lead", "reid@school.example")
    mum = join(people, "Mrs Brown", "", "Mother", "brown@home.example", "parent")
    story.devices = {"Priya Shah": priya, "Ms Reid": reid, "Mrs Brown": mum}
    # Not a conference: the chair asks the family to rate, on their own track.
    story.post("/family/rates", on="yes")
    people.start()

    # Item 1, safety scale: a wide spread (2 to 7) that the chair acknowledges.
    first = people.open_round()
    for device, score, reason in (
        (priya, 3, "Missing twice this month"),
        (reid, 7, "Safe at school every day"),
        (mum, 6, "She is fine at home"),
    ):
        assert people.rate(device, first, score=score, reason=reason).status_code == 302
    assert people.reveal(first).status_code == 302
    story.post(f"/rounds/{first}/acknowledge", note="Heard every agency before deciding")
    story.post(f"/items/{story.item_id(1)}/decision", intent="record", **DECISION_ONE)
    view = f"/m/{people.meeting_id}/items/{story.item_id(1)}/view"
    assert priya.post(view, data={"agrees": "yes"}).status_code == 302
    assert mum.post(view, data={"agrees": "yes"}).status_code == 302
    assert reid.post(view, data={"agrees": "no", "text": DISSENT}).status_code == 302
    story.post(f"/items/{story.item_id(1)}/views/{lee}/record", agrees="yes")
    story.post(
        f"/items/{story.item_id(1)}/views/{people.attendee_id('Ms Reid')}/consider",
        considered=CONSIDERED,
        escalate="yes",
        escalate_to=ESCALATED_TO,
        respond_by=NEXT_MONTH,
    )
    story.action(ACTIONS[0], 1, owner_id=people.attendee_id("Priya Shah"))
    story.action(ACTIONS[1], 1, owner_name="Jo Social Worker", agency="Children's social care")

    # Item 2, likelihood × severity: inherent risk, then residual risk after controls.
    people.move_to(2)
    story.post(f"/items/{story.item_id(2)}/rounds", basis="inherent")
    with people.app.app_context():
        inherent = people.meeting().items[1].rounds[0].id
    for device, lxs in ((priya, (4, 4)), (reid, (3, 4)), (mum, (3, 3))):
        people.rate(device, inherent, likelihood=lxs[0], severity=lxs[1])
    people.reveal(inherent)
    story.post(f"/items/{story.item_id(2)}/rounds", basis="residual", controls=CONTROLS)
    with people.app.app_context():
        residual = people.meeting().items[1].rounds[1].id
    for device, lxs in ((priya, (2, 3)), (reid, (2, 2)), (mum, (2, 3))):
        people.rate(device, residual, likelihood=lxs[0], severity=lxs[1])
    people.reveal(residual)
    story.post(f"/items/{story.item_id(2)}/decision", intent="record", **DECISION_TWO)
    view = f"/m/{people.meeting_id}/items/{story.item_id(2)}/view"
    for device in (priya, reid, mum):
        assert device.post(view, data={"agrees": "yes"}).status_code == 302
    story.action(ACTIONS[2], 2, owner_id=people.attendee_id("Ms Reid"))

    # Item 3, a choice: rated, but no decision yet; the parent has left by then.
    story.post(f"/people/{people.attendee_id('Mrs Brown')}/left")
    people.move_to(3)
    third = people.open_round()
    people.rate(priya, third, choice="Child-protection plan")
    people.rate(reid, third, choice="Child-in-need plan")
    people.reveal(third)
    story.action(ACTIONS[3], None, owner_name="Alex Admin", agency="Business support")

    story.post("/close")
    return story


def circulate(people: People, wait: bool = True, **fields: str) -> TestResponse:
    """Circulate the closed meeting's draft minutes as its chair does; return the answer."""
    # Copies go out in the background once the chair has the answer: with `wait`, this
    # returns once every one has gone (to the outbox when no mail server is set). Without
    # it, at once: a mail server that never answers must not hold up the chair.
    data = {"summary": "", "undecided_reason": UNDECIDED_REASON, "then": "circulate", **fields}
    response = people.chair.post(f"/meetings/{people.meeting_id}/minutes/draft", data=data)
    if wait:
        settled(people.app)
    return response


@pytest.fixture
def story(app, app_environment, snapshots) -> Story:
    """A positive-risk-taking review (quorum: two agencies), run to the end and closed."""
    key = ("story", *sorted(app_environment.items()))
    if restored := snapshots.restore(key, app):
        meeting_id, devices = restored
        chair = devices.pop("chair")
        return Story(People(app, chair, meeting_id), devices)
    make_chair(app)
    chair = log_in(app)
    items = (SAFETY_ITEM, LXS_ITEM, CHOICE_ITEM)
    meeting_id = make_meeting(chair, *items, title="Review for A.B.", kind="prt_review")
    story = run_meeting(People(app, chair, meeting_id))
    snapshots.take(key, app, meeting_id, {"chair": chair, **story.devices})
    return story
