"""What discussion changed, through the pages: the cockpit, the display, a phone, the record
and the minutes, and the worked example in docs/minutes.md word for word."""

import re

from conftest import ROOT, text_of

import minutes

# Six professionals and their two rounds on the safety scale (docs/minutes.md's example):
# round 1 2 3 4 4 6 8 (median 4), round 2 5 4 4 6 6 5 (median 5).
RATERS = [
    ("Priya Shah", "Children's social care", 2, 5),
    ("Tom Reid", "School", 3, 4),
    ("Lena Ward", "Health", 4, 4),
    ("Ade Cole", "Police", 4, 6),
    ("Sam Boyd", "Youth justice", 6, 6),
    ("Kim Lowe", "Housing", 8, 5),
]
SENTENCE = (
    "Round 1: median 4, range 2–8; round 2: median 5, range 4–6. "
    "3 moved towards round 1's middle, 1 away from it, 2 held."
)


def two_rounds(people, raters=RATERS) -> dict:
    """Rate the first item in two rounds, revealing each; return each rater's device."""
    devices = {name: people.join_admitted(name, agency) for name, agency, _a, _b in raters}
    people.start()
    for column in (2, 3):
        round_id = people.open_round()
        for rater in raters:
            answer = people.rate(devices[rater[0]], round_id, score=rater[column], reason="")
            assert answer.status_code in (200, 302), answer.text
        assert people.reveal(round_id).status_code == 302
    return devices


def region(client, url: str) -> str:
    return client.get(url, headers={"HX-Request": "true"}).text


def test_after_round_2_every_screen_says_what_discussion_changed(people, app):
    devices = two_rounds(people)
    screen = app.test_client()
    display = people.open_display(screen)
    stage = f"/m/{people.meeting_id}/region/stage"
    shown = {
        "chair": text_of(region(people.chair, f"/m/{people.meeting_id}/region/stage")),
        "phone": text_of(region(devices["Tom Reid"], stage)),
        "display": text_of(screen.get(display).text),
    }
    for name, text in shown.items():
        assert "What discussion changed since round 1" in text, name
        assert SENTENCE in text, name
        assert "2 → 5 Moved towards the middle" in text, name
        assert "4 → 6 Moved away from the middle" in text, name
    assert "Kim Lowe Housing 8 → 5 Moved towards the middle" in shown["chair"]


def test_one_round_says_nothing_of_discussion(people, app):
    devices = {n: people.join_admitted(n, a) for n, a, _x, _y in RATERS[:3]}
    people.start()
    round_id = people.open_round()
    for name, _agency, first, _second in RATERS[:3]:
        people.rate(devices[name], round_id, score=first)
    people.reveal(round_id)
    chair = region(people.chair, f"/m/{people.meeting_id}/region/stage")
    assert "What discussion changed" not in chair
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    assert record["items"][0]["discussion"] is None


def test_a_round_open_again_is_not_compared_until_it_is_revealed(people):
    devices = two_rounds(people, RATERS[:3])
    round_id = people.open_round()
    people.rate(devices["Priya Shah"], round_id, score=9)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    # Round 3 is open: what discussion changed is still round 1 against round 2.
    assert record["items"][0]["discussion"]["rounds"] == [1, 2]
    assert "9" not in [p["latest"] for p in record["items"][0]["discussion"]["people"]]


def worked_example() -> list[str]:
    """Return the lines of docs/minutes.md's worked example "Two rounds with movement"."""
    docs = (ROOT / "docs" / "minutes.md").read_text()
    part = docs.split("#### Worked example: two rounds with movement", 1)[1]
    block = re.search(r"```markdown\n(.*?)```", part, re.S)
    assert block is not None
    return block.group(1).splitlines()


def test_the_record_and_the_minutes_say_it_as_the_worked_example(people):
    two_rounds(people)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    changed = record["items"][0]["discussion"]
    assert changed["summary"] == SENTENCE
    assert [p["name"] for p in changed["people"]] == [r[0] for r in RATERS]
    assert [p["change"] for p in changed["people"]] == [
        "towards",
        "towards",
        "held",
        "away",
        "held",
        "towards",
    ]
    text = minutes.render(record, minutes.Edition())
    lines = worked_example()
    assert len(lines) > 8
    at = text.splitlines().index(lines[0])
    assert text.splitlines()[at : at + len(lines)] == lines


def test_the_familys_own_track_is_listed_beside_and_never_counted(people):
    assert people.chair.post(
        f"/meetings/{people.meeting_id}/family/rates", data={"on": "yes"}
    ).status_code in (302, 303)
    parent = people.join_admitted("Jo Parent", "", role="Mother", part="parent")
    devices = {n: people.join_admitted(n, a) for n, a, _x, _y in RATERS[:3]}
    people.start()
    # The parent rates 10 then 3; the professionals 2 3 4, then 5 4 4.
    for family, pro in ((10, (2, 3, 4)), (3, (5, 4, 4))):
        round_id = people.open_round()
        people.rate(parent, round_id, score=family)
        for (name, *_rest), score in zip(RATERS[:3], pro, strict=True):
            people.rate(devices[name], round_id, score=score)
        people.reveal(round_id)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    changed = record["items"][0]["discussion"]
    # Counted: the three professionals alone (median 3, then 4).
    assert changed["summary"] == (
        "Round 1: median 3, range 2–4; round 2: median 4, range 4–5. "
        "0 moved towards round 1's middle, 2 away from it, 1 held."
    )
    family = [p for p in changed["people"] if p["family"]]
    assert [(p["name"], p["round_1"], p["latest"], p["change"]) for p in family] == [
        ("Jo Parent", "10", "3", "towards")
    ]
    text = minutes.render(record, minutes.Edition())
    assert "| Jo Parent | Parent or carer (family's view, not counted) | 10 | 3 |" in text
    stage = text_of(region(people.chair, f"/m/{people.meeting_id}/region/stage"))
    assert "The family's own view, beside the professionals' and not counted in them:" in stage


def test_i_cannot_rate_this_yet_carries_no_value_and_is_not_compared(people, app):
    from meeting.extensions import db
    from meeting.models import Meeting
    from meeting.rating.concealment import UNSEATED_CHAIR
    from meeting.rating.discussion import changed

    two_rounds(people, RATERS[:3])
    with app.app_context():
        item = db.session.get(Meeting, people.meeting_id).items[0]
        rating = item.rounds[1].ratings[0]
        rating.score, rating.needs = None, "the school's attendance since March"
        db.session.commit()
        found = changed(item, UNSEATED_CHAIR)
        assert found.sentence == (
            "Round 1: median 3, range 2–4; round 2: median 4, range: all 4. "
            "0 moved towards round 1's middle, 1 away from it, 1 held. "
            "1 not compared (a rating in one of the two rounds only)."
        )
        assert [(m.name, m.first, m.latest, m.words) for m in found.moved][0] == (
            "Priya Shah",
            "2",
            "could not rate",
            "Not compared: no rating in both rounds",
        )


def open_on(people, position: int, basis: str = "", controls: str = "") -> int:
    """Open the next round on the item at this position, as the chair's form sends it."""
    with people.app.app_context():
        item = people.meeting().items[position - 1]
        number = len(item.rounds) + 1
        item_id = item.id
    form = {"number": str(number), "basis": basis, "controls": controls}
    opened = people.chair.post(f"/meetings/{people.meeting_id}/items/{item_id}/rounds", data=form)
    assert opened.status_code == 302, opened.text
    with people.app.app_context():
        return people.meeting().items[position - 1].rounds[-1].id


def test_likelihood_by_severity_compares_round_1_with_a_later_round_of_the_same_basis(people):
    devices = {n: people.join_admitted(n, a) for n, a, _x, _y in RATERS[:3]}
    people.start()
    people.move_to(2)
    rounds = [
        ("inherent", "", ((2, 2), (2, 4), (3, 5))),
        ("residual", "A curfew and a safety plan", ((1, 2), (2, 2), (2, 3))),
    ]
    record_url = f"/meetings/{people.meeting_id}/record.json"
    for basis, controls, given in rounds:
        round_id = open_on(people, 2, basis, controls)
        for (name, *_rest), (likelihood, severity) in zip(RATERS[:3], given, strict=True):
            people.rate(devices[name], round_id, likelihood=likelihood, severity=severity)
        people.reveal(round_id)
    # The residual risk answers another question: nothing to compare yet.
    assert people.chair.get(record_url).json["items"][1]["discussion"] is None
    round_id = open_on(people, 2, "inherent")
    for (name, *_rest), (likelihood, severity) in zip(
        RATERS[:3], ((2, 3), (4, 2), (3, 4)), strict=True
    ):
        people.rate(devices[name], round_id, likelihood=likelihood, severity=severity)
    people.reveal(round_id)
    changed = people.chair.get(record_url).json["items"][1]["discussion"]
    assert changed["rounds"] == [1, 3]
    assert changed["summary"] == (
        "Round 1: median score 8 (Medium), range 4–15; "
        "round 3: median score 8 (Medium), range 6–12. "
        "2 moved towards round 1's middle, 0 away from it, 1 held."
    )
    assert [(p["round_1"], p["latest"]) for p in changed["people"]][2] == (
        "L3 × S5 = 15 (High)",
        "L3 × S4 = 12 (High)",
    )


def test_a_choice_list_says_who_changed_to_round_1s_largest_group(people):
    devices = {n: people.join_admitted(n, a) for n, a, _x, _y in RATERS[:4]}
    people.start()
    people.move_to(3)
    with people.app.app_context():
        cpp, cin, nfa = people.meeting().items[2].choices[:3]
    for given in ((cin, cin, cpp, nfa), (cin, cpp, cin, cin)):
        round_id = open_on(people, 3)
        for (name, *_rest), choice in zip(RATERS[:4], given, strict=True):
            people.rate(devices[name], round_id, choice=choice)
        people.reveal(round_id)
    changed = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    words = [p["change_words"] for p in changed["items"][2]["discussion"]["people"]]
    assert words == [
        "Held",
        "Changed away from the largest group",
        "Changed to the largest group",
        "Changed to the largest group",
    ]
