"""Every click counts, in real Chromium against the real server (development and production):
the chair admits six people 100 ms apart, answers three forecasts and adds two actions as fast
as a person can, and every one of them lands, once, with nothing typed lost.
"""

from datetime import date, timedelta

import pytest
from conftest import LiveServer
from playwright.sync_api import Page, expect
from room import CHAIR_SCREEN, LIVE, REVIEW_DATE, Forms, Room, answered, sent

ITEM = {"title": "Risk of criminal exploitation", "body": "Missing twice.", "scale": "safety"}
WAITING = ["Priya Shah", "Tom Reid", "Ade Okafor", "Jo Bloggs", "Kim Lee", "Rae Moss"]
AGENCIES = ["Police", "School", "Health", "Housing", "Youth justice", "Children's social care"]
FORECASTS = ["No missing episodes", "Attends school 90% or more", "Sleeps at home every night"]
RESULTS = ["Met", "Partly met", "Not met"]


@pytest.fixture(scope="module", params=["development", "production"])
def server(request, tmp_path_factory):
    """`python -m meeting`, then gunicorn with gevent as docs/operating.md runs it."""
    production = request.param == "production"
    server = LiveServer(tmp_path_factory.mktemp(request.param), production=production)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def room(server, browser) -> Room:
    room = Room.first_chair(server.url, browser, server.setup_code)
    yield room
    room.chair.context.close()


def cockpit(room: Room) -> Page:
    page = room.chair.context.new_page()
    page.set_viewport_size(CHAIR_SCREEN)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{room.base}/meetings/{room.meeting_id}")
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def ask_to_join(room: Room, name: str, agency: str) -> None:
    context = room.browser.new_context(base_url=room.base)
    details = {"name": name, "role": "Practitioner", "agency": agency, "part": "professional"}
    sent(Forms(context).post(f"/join/{room.join_code}", form=details), f"{name} asks to join")


def test_six_admits_100_ms_apart_all_land(room):
    room.new_meeting(ITEM, title="Six at the door")
    page = cockpit(room)
    for name, agency in zip(WAITING, AGENCIES, strict=True):
        ask_to_join(room, name, agency)
    people = page.locator("#region-people")
    # They arrive live, each with an Admit button.
    expect(people.get_by_role("heading", name="Waiting to join (6)")).to_be_visible(timeout=LIVE)

    for name in WAITING:
        people.get_by_role("button", name=f"Admit {name}").click()
        page.wait_for_timeout(100)
    answered(page)

    expect(people.get_by_role("heading", name="Waiting to join (0)")).to_be_visible(timeout=LIVE)
    expect(people.get_by_role("heading", name="In the meeting (7)")).to_be_visible()
    # The server has them all, once each: a fresh page says the same.
    fresh = room.chair_page()
    assert "Waiting to join (0)" in fresh and "In the meeting (7)" in fresh
    events = room.chair.http.get(f"/meetings/{room.meeting_id}/events").text()
    for name in WAITING:
        assert events.count(f"admitted {name}") == 1, name
    assert not [e for e in page.console_errors if "abort" in e.lower()]


def review_with_three_forecasts(room: Room) -> int:
    """A closed meeting whose decision forecast three things, and its review, started."""
    first = room.new_meeting(ITEM, title="Initial conference")
    priya = room.join("Priya Shah", "Police")
    room.start()
    round_id = room.open_round()
    room.rate(priya, round_id, score=4)
    room.reveal(round_id)
    decision = {
        "text": "Child-protection plan",
        "rationale": "Missing episodes",
        "child_views": "I want to keep playing football",
        "forecast": "\n".join(FORECASTS),
        "review_date": REVIEW_DATE,
    }
    room.decide(room.current_item_id(), **decision)
    sent(room.chair.http.post(f"/meetings/{first}/close"), "close")
    room.review_of(first)
    room.join("Tom Reid", "School")
    room.start()
    return room.meeting_id


def test_three_forecasts_and_two_actions_as_fast_as_a_person_all_land(room):
    review = review_with_three_forecasts(room)
    page = cockpit(room)
    forecasts = page.locator("#forecasts li")
    expect(forecasts).to_have_count(3)
    # Each answer is filled in and saved without waiting for the one before.
    for index, result in enumerate(RESULTS):
        line = forecasts.nth(index)
        line.get_by_text("Record what happened").click()
        line.get_by_label(result, exact=True).check()
        line.get_by_label("A line on what happened").fill(f"Seen by the key worker, {index}")
        line.get_by_role("button", name="Save").click()
    answered(page)
    for index, (forecast, result) in enumerate(zip(FORECASTS, RESULTS, strict=True)):
        expect(forecasts.nth(index)).to_contain_text(f"{forecast} — {result}", timeout=LIVE)
    fresh = room.chair_page()
    for index, result in enumerate(RESULTS):
        assert f"{result}</strong>: Seen by the key worker, {index}" in fresh

    # The second action is typed while the first is still on its way.
    form = page.locator("#add-action")
    soon = (date.today() + timedelta(days=7)).isoformat()
    for what in ("Share the missing reports", "Refer to the exploitation team"):
        form.get_by_label("What is to be done").fill(what)
        form.get_by_label("Owner: one named person").select_option(label="Tom Reid (School)")
        form.get_by_label("Due by").fill(soon)
        form.get_by_role("button", name="Add the action").click()
    answered(page)
    actions = page.locator("#region-actions")
    for what in ("Share the missing reports", "Refer to the exploitation team"):
        expect(actions).to_contain_text(what, timeout=LIVE)
    events = room.chair.http.get(f"/meetings/{review}/events").text()
    assert events.count("added an action") == 2
    assert events.count("answered the forecast") == 3


def test_three_ratings_given_to_the_chair_entered_one_after_another_all_land(room):
    room.new_meeting(ITEM, title="Rated by phone and on paper")
    lines = (("Dr Lee", "phone", 2), ("Ms Reid", "paper", 6), ("Mr Gill", "phone", 9))
    for name, channel, _score in lines:
        added = {"name": name, "channel": channel, "part": "professional", "agency": "Health"}
        sent(room.chair.http.post(f"/meetings/{room.meeting_id}/without-device", form=added), name)
    room.start()
    round_id = room.open_round()
    page = cockpit(room)
    behalf = page.locator("#region-behalf")
    # Each is entered without waiting for the one before to be answered.
    for name, channel, score in lines:
        form = behalf.locator("form.behalf-form")
        form.get_by_label("Whose rating").select_option(label=f"{name} (Health)")
        form.get_by_label(
            "Read out on a phone line" if channel == "phone" else "On a paper slip"
        ).check()
        form.locator("label.pick", has_text=str(score)).first.click()
        form.get_by_role("button", name="Enter this rating").click()
    answered(page)
    for name, _channel, _score in lines:
        expect(behalf.locator("li", has_text=name)).to_contain_text("entered at", timeout=LIVE)
    events = room.chair.http.get(f"/meetings/{room.meeting_id}/events").text()
    for name, channel, _score in lines:
        said = "read out to the chair on a phone line" if channel == "phone" else "on a paper slip"
        assert events.count(f"entered {name}&#39;s rating in round 1") == 1, name
        assert said in events
    # Revealed, each holds the value entered for that person, given as it was.
    room.reveal(round_id)
    record = room.chair.http.get(f"/meetings/{room.meeting_id}/record.json").json()
    given = {
        r["name"]: (r["given"], r["score"]) for r in record["items"][0]["rounds"][0]["ratings"]
    }
    assert given == {name: (channel, score) for name, channel, score in lines}
