"""The chair's side over HTTP: first-run set-up, logging in, creating and editing a meeting."""

import re

import pytest
from click.testing import CliRunner
from conftest import CHOICE_ITEM, LXS_ITEM, SAFETY_ITEM, log_in, make_chair, make_meeting, text_of

from meeting.chairs.accounts import setup_code
from meeting.chairs.cli import create_chair_command
from meeting.extensions import db
from meeting.models import Chair, Meeting


def test_fresh_install_offers_set_up_guarded_by_the_printed_code(app, client):
    assert client.get("/").headers["Location"] == "/setup"
    with app.app_context():
        code = setup_code(db.session)
    form = {"name": "Sam", "email": "sam@example.org", "password": "long password", "agency": "CSC"}

    wrong = client.post("/setup", data={**form, "setup_code": "NOPE", "confirm": "long password"})
    assert wrong.status_code == 422
    assert "not the set-up code" in wrong.text
    assert 'value="sam@example.org"' in wrong.text

    right = client.post("/setup", data={**form, "setup_code": code, "confirm": "long password"})
    assert right.status_code == 302
    assert client.get("/meetings/").status_code == 200
    # Once a chair exists the set-up page is gone, and so is the code.
    assert app.test_client().get("/setup").headers["Location"] == "/login"
    with app.app_context():
        assert setup_code(db.session) is None


def test_set_up_names_each_problem_and_keeps_the_text(app, client):
    with app.app_context():
        code = setup_code(db.session)
    response = client.post(
        "/setup",
        data={
            "setup_code": code,
            "name": "",
            "email": "not-an-email",
            "password": "short",
            "confirm": "short",
            "agency": "Health",
        },
    )
    assert response.status_code == 422
    page = text_of(response.text)
    assert "Enter your name." in page
    assert "Enter an email address" in page
    assert "at least 10 characters" in page
    assert 'value="not-an-email"' in response.text and 'value="Health"' in response.text


def test_create_chair_command_hashes_the_password(app):
    runner = CliRunner()
    with app.app_context():
        result = runner.invoke(
            create_chair_command,
            ["new@example.org", "--name", "Jo", "--agency", "CSC"],
            input="a long password\na long password\n",
        )
        assert result.exit_code == 0, result.output
        chair = db.session.query(Chair).filter_by(email="new@example.org").one()
        assert "a long password" not in chair.password_hash
    assert (
        app.test_client()
        .post("/login", data={"email": "new@example.org", "password": "a long password"})
        .status_code
        == 302
    )


def test_wrong_password_is_refused_and_the_email_kept(app):
    make_chair(app)
    response = app.test_client().post(
        "/login", data={"email": "chair@example.org", "password": "wrong"}
    )
    assert response.status_code == 401
    assert "do not match" in response.text
    assert 'value="chair@example.org"' in response.text


def test_meeting_form_names_problems_and_keeps_the_text(app):
    make_chair(app)
    chair = log_in(app)
    response = chair.post(
        "/meetings/new", data={"title": "Strategy", "kind": "", "child": "", "starts_at": ""}
    )
    assert response.status_code == 422
    page = text_of(response.text)
    assert "Choose the kind of meeting." in page
    assert "Enter the child's name or initials." in page
    assert "Enter the date and time" in page
    assert 'value="Strategy"' in response.text


def test_agenda_items_can_be_added_edited_reordered_and_removed(people):
    mid = people.meeting_id
    chair = people.chair
    with people.app.app_context():
        first, second, third = (i.id for i in people.meeting().items)
    chair.post(f"/meetings/{mid}/items/{third}/move", data={"to": "up"})
    chair.post(
        f"/meetings/{mid}/items/{first}",
        data={**SAFETY_ITEM, "title": "Risk of going missing"},
    )
    chair.post(f"/meetings/{mid}/items/{second}/delete")
    with people.app.app_context():
        items = people.meeting().items
        assert [(i.title, i.position) for i in items] == [
            ("Risk of going missing", 1),
            ("Plan", 2),
        ]
    page = text_of(chair.get(f"/meetings/{mid}").text)
    assert page.index("Risk of going missing") < page.index("Plan")


def test_item_form_names_problems_and_keeps_the_text(people):
    response = people.chair.post(
        f"/meetings/{people.meeting_id}/items",
        data={
            "title": "Placement",
            "body": "Some *notes*",
            "scale": "choice",
            "choices": "Only one",
        },
    )
    assert response.status_code == 422
    assert "at least two different options" in response.text
    assert "Some *notes*" in response.text and "Only one" in response.text


def test_item_markdown_is_rendered_without_script(people):
    hostile = {
        "title": "Injected",
        "body": "**bold** <script>alert(1)</script> [x](javascript:alert(2))"
        " <img src=x onerror=alert(3)>",
        "scale": "safety",
    }
    people.chair.post(f"/meetings/{people.meeting_id}/items", data=hostile)
    people.start()
    people.move_to(4)
    html = people.chair.get(f"/meetings/{people.meeting_id}").text
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html and "javascript:alert" not in html
    assert "onerror" not in html


def test_agenda_is_fixed_once_the_meeting_starts(people):
    people.start()
    response = people.chair.post(f"/meetings/{people.meeting_id}/items", data=LXS_ITEM)
    assert response.status_code == 409
    assert "agenda can no longer be changed" in response.text


def test_join_code_is_short_and_unambiguous(people):
    code = people.code
    assert len(code) == 7 and code[3] == "-"
    assert not set(code.replace("-", "")) & set("0O1IL2Z5S8B6G")


def test_chair_page_shows_join_code_link_and_qr(people):
    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    assert people.code in page
    assert f"/join/{people.code}" in page
    qr = people.chair.get(f"/meetings/{people.meeting_id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


CHAIR_ACTIONS = [
    ("post", "/meetings/{mid}/start"),
    ("post", "/meetings/{mid}/close"),
    ("post", "/meetings/{mid}/details"),
    ("post", "/meetings/{mid}/items"),
    ("post", "/meetings/{mid}/items/{iid}"),
    ("post", "/meetings/{mid}/items/{iid}/move"),
    ("post", "/meetings/{mid}/items/{iid}/delete"),
    ("post", "/meetings/{mid}/people/{aid}/admit"),
    ("post", "/meetings/{mid}/people/{aid}/turn-away"),
    ("post", "/meetings/{mid}/people/{aid}/observe"),
    ("post", "/meetings/{mid}/current"),
    ("post", "/meetings/{mid}/work/1/screen"),
    ("post", "/meetings/{mid}/items/{iid}/rounds"),
    ("post", "/meetings/{mid}/rounds/1/reveal"),
    ("post", "/meetings/{mid}/rounds/1/behalf"),
    ("post", "/meetings/{mid}/rounds/1/gaps/{aid}/action"),
    ("get", "/meetings/{mid}"),
    ("get", "/meetings/{mid}/items/{iid}"),
    ("get", "/meetings/{mid}/qr.svg"),
    ("post", "/meetings/{mid}/items/{iid}/decision"),
    ("post", "/meetings/{mid}/items/{iid}/decision/draft"),
    ("post", "/meetings/{mid}/rounds/1/acknowledge"),
    ("post", "/meetings/{mid}/items/{iid}/views/{aid}/record"),
    ("post", "/meetings/{mid}/items/{iid}/views/{aid}/consider"),
    ("post", "/meetings/{mid}/actions"),
    ("post", "/meetings/{mid}/actions/1/withdraw"),
    ("post", "/meetings/{mid}/people/{aid}/left"),
    ("post", "/meetings/{mid}/people/{aid}/returned"),
    ("post", "/meetings/{mid}/people/{aid}/part"),
    ("post", "/meetings/{mid}/apologies"),
    ("post", "/meetings/{mid}/without-device"),
    ("post", "/meetings/{mid}/family/rates"),
    ("post", "/meetings/{mid}/family/out"),
    ("post", "/meetings/{mid}/family/display"),
    ("post", "/meetings/{mid}/reveal-names"),
    ("post", "/meetings/{mid}/items/{iid}/restricted"),
    ("post", "/meetings/{mid}/quorum"),
    ("post", "/meetings/{mid}/reports"),
    ("post", "/meetings/{mid}/reports/1/received"),
    ("post", "/meetings/{mid}/reports/1/withheld"),
    ("post", "/meetings/{mid}/reports/1"),
    ("post", "/meetings/{mid}/reports/1/delete"),
    ("get", "/meetings/{mid}/people/{aid}/contributions/{iid}"),
    ("post", "/meetings/{mid}/people/{aid}/contributions/{iid}"),
    ("get", "/meetings/{mid}/record.json"),
    ("get", "/meetings/{mid}/events"),
    ("get", "/meetings/{mid}/slips"),
    ("get", "/meetings/{mid}/minutes"),
    ("get", "/meetings/{mid}/minutes/1"),
    ("get", "/meetings/{mid}/minutes/1.md"),
    ("get", "/meetings/{mid}/minutes/draft.docx"),
    ("get", "/meetings/{mid}/minutes/deliveries"),
    ("post", "/meetings/{mid}/minutes/draft"),
    ("post", "/meetings/{mid}/minutes/1/circulate"),
    ("post", "/meetings/{mid}/minutes/1/resend"),
    ("post", "/meetings/{mid}/minutes/deliveries/1/resend"),
    ("post", "/meetings/{mid}/minutes/corrections/1"),
    ("post", "/meetings/{mid}/minutes/recipients/{aid}"),
    ("post", "/meetings/{mid}/minutes/recipients/{aid}/withdraw-link"),
    ("post", "/meetings/{mid}/minutes/recipients/{aid}/new-link"),
    ("get", "/meetings/{mid}/letter"),
    ("get", "/meetings/{mid}/letter/1"),
    ("get", "/meetings/{mid}/letter/1.docx"),
    ("post", "/meetings/{mid}/letter"),
    ("post", "/meetings/{mid}/letter/first-draft"),
    ("post", "/meetings/{mid}/letter/1/send-again"),
    ("post", "/meetings/{mid}/display/stop"),
    ("post", "/meetings/{mid}/carried/1"),
    ("post", "/meetings/{mid}/items/{iid}/confirm"),
    ("post", "/meetings/{mid}/forecasts/1/1"),
    ("post", "/meetings/{mid}/invitations"),
    ("post", "/meetings/{mid}/invitations/{aid}/again"),
]


def test_every_chair_route_is_in_this_list(app):
    listed = {path.replace("{mid}", "<meeting_id>") for _m, path in CHAIR_ACTIONS}
    listed = {p.replace("{iid}", "<item_id>").replace("{aid}", "<attendee_id>") for p in listed}
    listed = {p.replace("rounds/1/", "rounds/<round_id>/") for p in listed}
    listed = {p.replace("actions/1/", "actions/<action_id>/") for p in listed}
    listed = {p.replace("work/1/", "work/<work_id>/") for p in listed}
    listed = {p.replace("carried/1", "carried/<action_id>") for p in listed}
    listed = {p.replace("/family/rates", "/family/<switch>") for p in listed}
    listed = {p.replace("reports/1/received", "reports/1/<step>") for p in listed}
    listed = {p.replace("reports/1", "reports/<report_id>") for p in listed}
    listed = {p.replace("forecasts/1/1", "forecasts/<decision_id>/<line>") for p in listed}
    listed = {re.sub(r"(minutes|letter)/1\b", r"\1/<number>", p) for p in listed}
    listed = {re.sub(r"\.(md|docx)$", ".<ext>", p) for p in listed}
    listed = {re.sub(r"/(deliveries|corrections)/1", r"/\1/<\1_id>", p) for p in listed}
    listed = {p.replace("<deliveries_id>", "<delivery_id>") for p in listed}
    listed = {p.replace("<corrections_id>", "<correction_id>") for p in listed}
    listed = {
        p.replace("/<attendee_id>/admit", "/<attendee_id>/<what>").replace(
            "/<attendee_id>/record", "/<attendee_id>/<what>"
        )
        for p in listed
    }
    # "<int:meeting_id>" and "<meeting_id>" alike.
    rules = {re.sub(r"<(?:[^<>]*:)?(\w+)>", r"<\1>", r.rule) for r in app.url_map.iter_rules()}
    chair_rules = {rule for rule in rules if rule.startswith("/meetings/<meeting_id>")}
    assert len(chair_rules) > 30
    assert chair_rules - listed == set()


def _fill(path, people, item_id, attendee_id):
    return path.format(mid=people.meeting_id, iid=item_id, aid=attendee_id)


@pytest.mark.parametrize(("method", "path"), CHAIR_ACTIONS)
def test_an_attendee_cannot_take_chair_actions(people, method, path):
    device = people.join_admitted("Priya Shah", "Police")
    with people.app.app_context():
        item_id = people.meeting().items[0].id
    response = getattr(device, method)(
        _fill(path, people, item_id, people.attendee_id("Priya Shah"))
    )
    if method == "get" and response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403
        assert "Only the meeting's chair can" in text_of(response.text)
    with people.app.app_context():
        assert people.meeting().status == "setup"
        assert len(people.meeting().items) == 3


@pytest.mark.parametrize(("method", "path"), CHAIR_ACTIONS)
def test_another_chair_cannot_run_this_meeting(people, method, path):
    make_chair(people.app, email="other@example.org", name="Other Chair")
    other = log_in(people.app, "other@example.org")
    with people.app.app_context():
        item_id = people.meeting().items[0].id
    response = getattr(other, method)(_fill(path, people, item_id, people.attendee_id("Sam Chair")))
    assert response.status_code == 403
    page = text_of(response.text)
    assert "run by another chair" in page or "Only the meeting's chair can" in page


def test_unknown_meeting_gets_a_clear_404(people):
    response = people.chair.get("/meetings/999")
    assert response.status_code == 404
    assert "There is nothing here" in response.text
    assert people.chair.get("/m/999").status_code == 404


def test_meeting_list_shows_only_the_chairs_own_meetings(people):
    make_chair(people.app, email="other@example.org", name="Other Chair")
    other = log_in(people.app, "other@example.org")
    make_meeting(other, CHOICE_ITEM, title="Someone else's strategy meeting")
    page = people.chair.get("/meetings/").text
    assert "Review conference" in page and "Someone else" not in page
    with people.app.app_context():
        assert db.session.query(Meeting).count() == 2
