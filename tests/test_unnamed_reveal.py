"""A reveal without names on the shared screens, tested as the concealment rule is.

With the meeting's `reveal_unnamed` set, no rater's name (nor their agency) reaches the
display or a phone in anything about the reveal: the display's scene, page and socket
frames; a phone's stage region as a fragment, in its page and in socket frames. Names
still appear where they belong on those screens (who is in the meeting, who has rated),
so it is the reveal that is searched. The chair's cockpit, the record and the minutes
keep every name. Values, reasons and minority marks stay on every screen.
"""

import re

from conftest import SAFETY_ITEM, log_in, make_chair, make_meeting, text_of

import minutes
from meeting.extensions import db

# Distinct enough that no other word on a page contains them. Zed Quimby is a minority view
# in both rounds (9, then 7); round 2 moves people, so the discussion table is drawn.
RATERS = [
    ("Anwen Pargeter", "Xylo Police", 2, 3, "Seen with older males twice"),
    ("Birgit Quennell", "Yarrow Health", 3, 3, "Missed two appointments"),
    ("Cosmo Ravenhill", "Zircon School", 3, 4, "Attends most days"),
    ("Zed Quimby", "Quartz Housing", 9, 7, "Settled at home now"),
]
# And one who cannot rate yet, in both rounds: what they need is shown, never who needs it.
UNSURE = ("Oswin Thackeray", "Vellum Probation")
NEEDS = "the youth offending team's notes since the summer"
NAMES = [r[0] for r in RATERS] + [r[1] for r in RATERS]
EVERYONE = [r[0] for r in RATERS] + [UNSURE[0]] + [r[1] for r in RATERS] + [UNSURE[1]]


def reveal_names(people, unnamed: bool):
    return people.chair.post(
        f"/meetings/{people.meeting_id}/reveal-names", data={"unnamed": "yes" if unnamed else "no"}
    )


def stage_of(page: str) -> str:
    """Return a page's stage region alone (the rest names people as it should)."""
    start = page.index('id="region-stage"')
    after = re.search(r'<section id="region-(?!stage)', page[start:])
    return page[start : start + after.start()] if after else page[start:]


def frames(sio_client, region: str) -> list[str]:
    """Return the drawn regions of this name in the frames a socket received."""
    received = [e["args"][0] for e in sio_client.get_received() if e["name"] == "changed"]
    return [f["html"][region] for f in received if region in f.get("html", {})]


def named_in(text: str) -> list[str]:
    return [n for n in EVERYONE if n in text]


def test_the_switch_is_set_in_set_up_changed_while_running_and_safe_twice(people, app):
    from meeting.models import Meeting

    for _twice in range(2):
        assert reveal_names(people, True).status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, people.meeting_id).reveal_unnamed
    setup = people.chair.get(f"/meetings/{people.meeting_id}").text
    assert "show the reveal <strong>without names</strong>" in setup
    events = people.chair.get(f"/meetings/{people.meeting_id}/events").text
    assert events.count("set the reveal on shared screens without names") == 1
    people.start()
    for _twice in range(2):
        assert reveal_names(people, False).status_code == 302
    with app.app_context():
        assert not db.session.get(Meeting, people.meeting_id).reveal_unnamed
    assert (
        "Reveal without names on shared screens"
        in people.chair.get(f"/meetings/{people.meeting_id}").text
    )
    # Only the meeting's chair may set it.
    stranger = people.join_admitted("Mallory Hostile", "Unknown agency")
    refused = stranger.post(f"/meetings/{people.meeting_id}/reveal-names", data={"unnamed": "yes"})
    assert refused.status_code in (302, 401, 403)
    with app.app_context():
        assert not db.session.get(Meeting, people.meeting_id).reveal_unnamed


def test_no_name_reaches_a_shared_screen_in_the_reveal_but_the_chair_keeps_them(people, app, sio):
    assert reveal_names(people, True).status_code == 302
    devices = {name: people.join_admitted(name, agency) for name, agency, *_ in RATERS}
    devices[UNSURE[0]] = people.join_admitted(*UNSURE)
    phone = devices["Birgit Quennell"]
    screen = app.test_client()
    display = people.open_display(screen)
    people.start()
    listening = {
        "phone": sio(phone, meeting=people.meeting_id),
        "display": sio(screen, display=people.display_token),
        "chair": sio(people.chair, meeting=people.meeting_id),
    }
    heard: dict[str, list[str]] = {"phone": [], "display": [], "chair": []}
    regions = {"phone": "stage", "display": "scene", "chair": "stage"}
    for column in (2, 3):
        round_id = people.open_round()
        for name, _agency, *values, reason in RATERS:
            people.rate(devices[name], round_id, score=values[column - 2], reason=reason)
        people.rate(devices[UNSURE[0]], round_id, answer="cannot", needs=NEEDS)
        for client in listening.values():
            client.get_received()
        assert people.reveal(round_id).status_code == 302
        for who, client in listening.items():
            heard[who] += frames(client, regions[who])
        assert heard["phone"] and heard["display"], "no reveal was sent, so none was searched"

        stage_url = f"/m/{people.meeting_id}/region/stage"
        shared = {
            "display page": screen.get(display).text,
            "display scene": screen.get(
                f"/display/meeting/{people.meeting_id}/region/scene", headers={"HX-Request": "true"}
            ).text,
            "phone stage": phone.get(stage_url, headers={"HX-Request": "true"}).text,
            "phone page's stage": stage_of(phone.get(f"/m/{people.meeting_id}").text),
            **{f"phone frame {i}": html for i, html in enumerate(heard["phone"])},
            **{f"display frame {i}": html for i, html in enumerate(heard["display"])},
        }
        for where, html in shared.items():
            assert named_in(html) == [], f"{where} names a rater after round {column - 1}"
            text = text_of(html)
            # What was said stays: values, reasons, the minority view.
            assert "Seen with older males twice" in text, where
            assert "Minority view" in text, where
            assert "1 could not rate" in text and NEEDS in text, where
        # The people list on the phone still names everyone: it is not the reveal.
        whole = text_of(phone.get(f"/m/{people.meeting_id}").text)
        assert "Anwen Pargeter" in whole

    display_text = text_of(screen.get(display).text)
    assert "What discussion changed since round 1" in display_text
    assert "9 → 7 Moved towards the middle" in display_text
    assert "without names" in text_of(phone.get(stage_url, headers={"HX-Request": "true"}).text)

    # The chair's cockpit, its frames, the record and the minutes name everyone.
    cockpit = people.chair.get(stage_url, headers={"HX-Request": "true"}).text
    for html in [cockpit, *heard["chair"][-1:]]:
        assert named_in(html) == EVERYONE
    assert "Zed Quimby Quartz Housing 9 → 7 Moved towards the middle" in text_of(cockpit)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    assert [p["name"] for p in record["items"][0]["discussion"]["people"]] == NAMES[:4]
    text = minutes.render(record, minutes.Edition())
    assert named_in(text) == EVERYONE
    assert "| Zed Quimby | Quartz Housing | 9 | 7 | Moved towards the middle |" in text
    assert "- Round 1: Zed Quimby (Quartz Housing), 9: “Settled at home now”" in text


def test_the_rows_without_names_follow_the_ratings_not_the_people(people, app):
    assert reveal_names(people, True).status_code == 302
    devices = {name: people.join_admitted(name, agency) for name, agency, *_ in RATERS}
    people.start()
    round_id = people.open_round()
    # Joined first, rated highest: drawn last.
    for (name, *_rest), score in zip(RATERS, (8, 1, 5, 3), strict=True):
        people.rate(devices[name], round_id, score=score)
    people.reveal(round_id)
    stage = (
        devices["Zed Quimby"]
        .get(f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"})
        .text
    )
    table = stage[stage.index('<table class="ratings">') :]
    values = re.findall(r'<td class="value">\s*(\d+)', table)
    assert values == ["1", "3", "5", "8"]
    # Nothing marks which row is whose: no attendee's id is drawn.
    assert re.findall(r'data-rater="(\d+)"', table) in ([], ["0"] * 4)


def region_of(page: str, name: str) -> str:
    """Return one region of a page alone."""
    start = page.index(f'id="region-{name}"')
    after = re.search(rf'<section id="region-(?!{name}")', page[start:])
    return page[start : start + after.start()] if after else page[start:]


def test_a_review_without_names_hides_each_agencys_movement_and_who_dissents(app, sio):
    from test_cases import DECISION, REVIEW_DECISION, Case, day

    make_chair(app)
    case = Case(app, log_in(app))
    first = make_meeting(
        case.chair, SAFETY_ITEM, title="Initial conference", starts_at=f"{day(0)}T10:00"
    )
    case.meetings.append(first)
    before = case.people(first)
    devices = {name: before.join_admitted(name, agency) for name, agency, *_ in RATERS}
    before.start()
    round_id = before.open_round()
    # Close enough to decide without acknowledging a wide disagreement.
    for (name, *_rest, reason), then in zip(RATERS, (4, 5, 5, 6), strict=True):
        assert before.rate(devices[name], round_id, score=then, reason=reason).status_code == 302
    assert before.reveal(round_id).status_code == 302
    case.post(first, f"/items/{case.item_id(first, 1)}/decision", intent="record", **DECISION)
    case.post(first, "/close")

    review = case.review_of(first)
    people = case.people(review)
    assert reveal_names(people, True).status_code == 302
    devices = {name: people.join_admitted(name, agency) for name, agency, *_ in RATERS}
    phone, dissenter = devices["Birgit Quennell"], devices["Zed Quimby"]
    screen = app.test_client()
    display = people.open_display(screen)
    people.start()
    listening = {
        "phone": sio(phone, meeting=review),
        "display": sio(screen, display=people.display_token),
    }
    round_id = people.open_round()
    for (name, *_rest, reason), now in zip(RATERS, (5, 5, 6, 6), strict=True):
        assert people.rate(devices[name], round_id, score=now, reason=reason).status_code == 302
    for client in listening.values():
        client.get_received()
    assert people.reveal(round_id).status_code == 302
    stage_url = f"/m/{review}/region/stage"
    hx = {"HX-Request": "true"}
    shared = {
        "display page": screen.get(display).text,
        "display scene": screen.get(f"/display/meeting/{review}/region/scene", headers=hx).text,
        "phone stage": phone.get(stage_url, headers=hx).text,
        "phone page's stage": stage_of(phone.get(f"/m/{review}").text),
        **{f"phone frame {i}": h for i, h in enumerate(frames(listening["phone"], "stage"))},
        **{f"display frame {i}": h for i, h in enumerate(frames(listening["display"], "scene"))},
    }
    assert any("frame" in where for where in shared), "no reveal was sent, so none was searched"
    for where, html in shared.items():
        assert named_in(html) == [], f"{where} names a rater beside their movement"
        text = text_of(html)
        assert "Each agency's movement since the last meeting is on the chair's screen" in text
    # The item's middle at each meeting names no one, so it stays on shared screens.
    assert "At each meeting:" in text_of(shared["phone stage"])
    cockpit = text_of(people.chair.get(stage_url, headers=hx).text)
    assert "Xylo Police 4 5 rated safer" in cockpit
    assert "on the chair's screen" not in cockpit

    # A decision, with one rater's dissent: shared screens show the words, not who.
    item = case.item_id(review, 1)
    case.post(review, f"/items/{item}/decision", intent="record", **REVIEW_DECISION)
    view = f"/m/{review}/items/{item}/view"
    dissent = "Housing says the home is settled; the plan is more than she needs"
    assert phone.post(view, data={"agrees": "yes", "text": ""}).status_code == 302
    for client in listening.values():
        client.get_received()
    said = dissenter.post(view, data={"agrees": "no", "text": dissent})
    assert said.status_code == 302
    shared = {
        "display scene": screen.get(f"/display/meeting/{review}/region/scene", headers=hx).text,
        "display page": screen.get(display).text,
        "phone decision": phone.get(f"/m/{review}/region/decision", headers=hx).text,
        "phone page's decision": region_of(phone.get(f"/m/{review}").text, "decision"),
        **{f"phone frame {i}": h for i, h in enumerate(frames(listening["phone"], "decision"))},
        **{f"display frame {i}": h for i, h in enumerate(frames(listening["display"], "scene"))},
    }
    assert any("frame" in where for where in shared), "no view was sent, so none was searched"
    for where, html in shared.items():
        assert named_in(html) == [], f"{where} names who holds a view"
        assert dissent in text_of(html), where
        assert "1 agree · 1 disagree" in text_of(html), where
    # The one who disagreed still sees their own view, and may change it.
    own = dissenter.get(f"/m/{review}/region/decision", headers=hx).text
    assert "<footer>Your view" in own and named_in(own) == []
    assert dissent in text_of(own) and "Change my answer" in text_of(own)

    # The chair's cockpit and the minutes keep who moved and who disagreed.
    chair_view = text_of(people.chair.get(f"/m/{review}/region/decision", headers=hx).text)
    assert "Zed Quimby" in chair_view and "Quartz Housing" in chair_view
    case.post(review, "/close")
    text = case.minutes(review)
    assert "| Xylo Police | 4 | 5 |" in text
    assert "Zed Quimby" in text and dissent in text


def test_an_absent_agencys_written_rating_is_counted_on_phones_not_named(people, app):
    from test_decisions import DECISION

    assert reveal_names(people, True).status_code == 302
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies",
        data={"name": UNSURE[0], "role": "Officer", "agency": UNSURE[1]},
    )
    with app.app_context():
        item_id = people.meeting().items[0].id
    absent = people.attendee_id(UNSURE[0])
    written = people.chair.post(
        f"/meetings/{people.meeting_id}/people/{absent}/contributions/{item_id}",
        data={"report": "Reporting weekly.", "score": "6", "reason": "Reporting weekly"},
    )
    assert written.status_code == 302
    devices = {name: people.join_admitted(name, agency) for name, agency, *_ in RATERS}
    people.start()
    round_id = people.open_round()
    for (name, *_rest), score in zip(RATERS, (5, 5, 6, 6), strict=True):
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    assert people.reveal(round_id).status_code == 302
    decided = people.chair.post(
        f"/meetings/{people.meeting_id}/items/{item_id}/decision",
        data={"intent": "record", **DECISION},
    )
    assert decided.status_code == 302, decided.text
    phone = devices["Birgit Quennell"]
    shown = phone.get(f"/m/{people.meeting_id}/region/decision", headers={"HX-Request": "true"})
    assert named_in(shown.text) == []
    assert "written contribution from 1 absent agency" in text_of(shown.text)
    chair = people.chair.get(
        f"/m/{people.meeting_id}/region/decision", headers={"HX-Request": "true"}
    ).text
    assert f"written contribution from {UNSURE[0]}" in text_of(chair)
