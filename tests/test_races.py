"""Exactly once under real timing: many clients at once against the real server.

Each person is their own HTTP session on the real server (`python -m meeting`, and the
production server, gunicorn with gevent; each on SQLite and on PostgreSQL), sending what
their page sends, from their own thread, at the same moment as others.
"""

import re
import threading
import time

import pytest
import requests
from conftest import PASSWORD, BrowserSession, LiveServer, postgres_database
from room import REVIEW_DATE, STARTS_AT

SAFETY = {"title": "Item", "body": "Rate it.", "scale": "safety"}
PEOPLE = 25


class Meeting:
    """A running meeting: its chair and 25 admitted attendees, each a session of their own."""

    def __init__(self, base: str, chair: BrowserSession, items: int):
        self.base, self.chair = base, chair
        details = {"title": "Races", "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
        made = chair.post(base + "/meetings/new", data=details, allow_redirects=False)
        self.id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
        self.path = f"{base}/meetings/{self.id}"
        for n in range(items):
            chair.post(self.path + "/items", data={**SAFETY, "title": f"Item {n + 1}"})
        page = chair.get(self.path).text
        self.item_ids = re.findall(rf"/meetings/{self.id}/items/(\d+)\"", page)
        code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
        self.people: dict[str, BrowserSession] = {}
        for n in range(PEOPLE):
            name = f"Person {n + 1:02d}"
            device = BrowserSession()
            details = {
                "name": name,
                "role": "Practitioner",
                "agency": f"Agency {n + 1}",
                "part": "professional",
            }
            assert device.post(f"{base}/join/{code}", data=details).ok
            self.people[name] = device
        for attendee_id in re.findall(r"/people/(\d+)/admit", chair.get(self.path).text):
            assert chair.post(f"{self.path}/people/{attendee_id}/admit").ok
        assert chair.post(self.path + "/start").ok

    def record(self) -> dict:
        return self.record_of(self.chair, self.path)

    @staticmethod
    def record_of(chair: BrowserSession, path: str) -> dict:
        return chair.get(path + "/record.json").json()

    def open_round(self) -> int:
        page = self.chair.get(self.path).text
        item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
        number = re.search(r'name="number" value="(\d+)"', page).group(1)
        opened = self.chair.post(f"{self.path}/items/{item_id}/rounds", data={"number": number})
        return int(re.search(r"/rounds/(\d+)/reveal", opened.text).group(1))

    def move_to(self, position: int) -> None:
        item_id = self.item_ids[position - 1]
        assert self.chair.post(self.path + "/current", data={"item_id": item_id}).ok


@pytest.fixture(
    scope="module",
    params=["sqlite", "postgresql", "sqlite-gunicorn", "postgresql-gunicorn"],
)
def server(request, tmp_path_factory):
    """One real server per database engine, shared by this module's tests: the embedded
    server (`python -m meeting`), and the production one (gunicorn with gevent)."""
    engine, _, production = request.param.partition("-")
    databases = iter([None]) if engine == "sqlite" else postgres_database()
    folder = tmp_path_factory.mktemp(engine)
    running = LiveServer(folder, next(databases), production=bool(production))
    running.start()
    yield running
    running.stop()
    next(databases, None)


@pytest.fixture(scope="module")
def chair(server) -> BrowserSession:
    return server.first_chair()


def together(*calls) -> None:
    """Run the calls in threads that start at the same moment; wait for all of them."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        call()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_the_reveal_is_a_hard_cut_off(server, chair):
    """25 people keep changing their ratings while the chair reveals, four times over."""
    meeting = Meeting(server.url, chair, items=4)
    statuses: list[int] = []
    for trial in range(4):
        if trial:
            meeting.move_to(trial + 1)
        round_id = meeting.open_round()
        acknowledged: dict[str, str] = {}
        seen_by_chair: list[dict] = []

        def storm(name, device, trial=trial, round_id=round_id, acknowledged=acknowledged):
            for seq in range(1, 400):
                reason = f"{name} trial {trial} change {seq}"
                answer = device.post(
                    f"{server.url}/m/{meeting.id}/rounds/{round_id}/rating",
                    data={"score": str(seq % 11), "reason": reason},
                    allow_redirects=False,
                )
                statuses.append(answer.status_code)
                if answer.status_code == 302:
                    acknowledged[name] = reason
                else:
                    return

        def reveal(round_id=round_id, seen_by_chair=seen_by_chair, acknowledged=acknowledged):
            # In the thick of it: once most people have a rating in, and they go on changing.
            deadline = time.monotonic() + 10
            while len(acknowledged) <= PEOPLE // 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            answer = chair.post(f"{meeting.path}/rounds/{round_id}/reveal")
            statuses.append(answer.status_code)
            # What the chair reads the moment the reveal has answered.
            seen_by_chair.append(meeting.record())

        together(reveal, *[lambda n=n, d=d: storm(n, d) for n, d in meeting.people.items()])

        def ratings(record, trial=trial):
            round_ = record["items"][trial]["rounds"][-1]
            return {r["name"]: r["reason"] for r in round_["ratings"]}

        record = meeting.record()
        # The log is written in the same transaction as each change, in commit order: no
        # rating may follow the reveal of its round.
        said = [e["what"] for e in record["events"]]
        revealed = said.index(f"revealed round 1 on Item {trial + 1}")
        late = [w for w in said[revealed:] if w == f"rated round 1 on Item {trial + 1}"]
        assert late == [], f"{len(late)} ratings were saved after the reveal"
        final = ratings(record)
        assert final == ratings(seen_by_chair[0]), "a rating changed after the chair read it"
        assert final == acknowledged, "the record differs from what was acknowledged"
        assert len(final) > PEOPLE // 2, "too few ratings arrived before the reveal to test"
    assert not [s for s in statuses if s >= 500], statuses


def test_a_rating_the_chair_enters_as_the_round_is_revealed_is_counted_or_refused(server, chair):
    """The chair's second window keeps entering a phone line's rating while the first
    reveals: what was acknowledged is what counts, and nothing is saved after the reveal."""
    meeting = Meeting(server.url, chair, items=1)
    line = {"name": "Dr Lee", "role": "GP", "agency": "Health", "part": "professional"}
    assert chair.post(f"{meeting.path}/without-device", data={**line, "channel": "phone"}).ok
    lee = next(p["attendee_id"] for p in meeting.record()["attendance"] if p["name"] == "Dr Lee")
    other_window = BrowserSession()
    signed_in = {"email": "sam@example.org", "password": PASSWORD}
    assert other_window.post(server.url + "/login", data=signed_in).ok
    round_id = meeting.open_round()
    acknowledged: list[str] = []
    statuses: list[int] = []

    def enter() -> None:
        for seq in range(1, 300):
            reason = f"read out, take {seq}"
            form = {"attendee_id": str(lee), "given": "phone", "score": str(seq % 11)}
            answer = other_window.post(
                f"{meeting.path}/rounds/{round_id}/behalf",
                data={**form, "reason": reason},
                allow_redirects=False,
            )
            statuses.append(answer.status_code)
            if answer.status_code != 302:
                return
            acknowledged.append(reason)

    def reveal() -> None:
        deadline = time.monotonic() + 10
        while len(acknowledged) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        statuses.append(chair.post(f"{meeting.path}/rounds/{round_id}/reveal").status_code)

    together(enter, reveal)
    record = meeting.record()
    said = [e["what"] for e in record["events"]]
    revealed = said.index("revealed round 1 on Item 1")
    assert not [w for w in said[revealed:] if "Dr Lee's rating" in w], "entered after the reveal"
    (rating,) = record["items"][0]["rounds"][0]["ratings"]
    assert len(acknowledged) >= 5, "too few entries before the reveal to test"
    assert (rating["reason"], rating["given"]) == (acknowledged[-1], "phone")
    assert statuses.count(409) == 1, "the one entry after the reveal is refused, saying so"
    assert not [s for s in statuses if s >= 500], statuses


def test_repeats_are_harmless(server, chair):
    """Double-sent ratings, two Open round at once, two Reveal at once: one of each."""
    meeting = Meeting(server.url, chair, items=1)
    statuses: list[int] = []

    def post(session, url, **form):
        return lambda: statuses.append(
            session.post(url, data=form, allow_redirects=False).status_code
        )

    page = chair.get(meeting.path).text
    item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
    opening = f"{meeting.path}/items/{item_id}/rounds"
    together(post(chair, opening, number="1"), post(chair, opening, number="1"))
    round_id = re.search(r"/rounds/(\d+)/reveal", chair.get(meeting.path).text).group(1)

    rating = f"{server.url}/m/{meeting.id}/rounds/{round_id}/rating"
    twice = []
    for device in meeting.people.values():
        twice += [post(device, rating, score="4"), post(device, rating, score="4")]
    together(*twice)

    reveal = f"{meeting.path}/rounds/{round_id}/reveal"
    together(post(chair, reveal), post(chair, reveal))

    assert not [s for s in statuses if s >= 500], statuses
    record = meeting.record()
    said = [e["what"] for e in record["events"]]
    assert said.count("opened round 1 on Item 1") == 1, said
    assert said.count("revealed round 1 on Item 1") == 1, said
    assert len(record["items"][0]["rounds"]) == 1
    ratings = record["items"][0]["rounds"][0]["ratings"]
    assert sorted(r["name"] for r in ratings) == sorted(meeting.people)


def test_two_windows_recording_at_once_never_lose_an_acknowledged_wording(server, chair):
    """The same decision recorded from two windows at the same moment, ten times."""
    meeting = Meeting(server.url, chair, items=1)
    round_id = meeting.open_round()
    assert chair.post(f"{meeting.path}/rounds/{round_id}/reveal").ok
    item_id = meeting.item_ids[0]
    path = f"{meeting.path}/items/{item_id}/decision"
    other_window = BrowserSession()
    other_window.cookies.update(chair.cookies)
    for trial in range(10):
        answers: dict[str, requests.Response] = {}
        shown = meeting.record()["items"][0]["decision"]
        based_on = str(shown["version"]) if shown else "0"

        def record(window, wording, based_on=based_on, answers=answers):
            form = {
                "intent": "record",
                "based_on": based_on,
                "text": wording,
                "rationale": "Heard everyone",
                "child_views": "Not asked: too young",
                "review_date": REVIEW_DATE,
            }
            answers[wording] = window.post(path, data=form, allow_redirects=False)

        first, second = f"Wording A{trial}", f"Wording B{trial}"
        together(
            lambda first=first: record(chair, first),
            lambda second=second: record(other_window, second),
        )
        kept = [w for w, a in answers.items() if a.status_code == 302]
        assert len(kept) == 1, {w: a.status_code for w, a in answers.items()}
        decision = meeting.record()["items"][0]["decision"]
        assert decision["decision"] == kept[0]
        refused = answers[second if kept[0] == first else first]
        assert refused.status_code == 409
        assert kept[0] in refused.text, "the refusal shows the wording now on the record"
        assert (second if kept[0] == first else first) in refused.text, "and keeps theirs"
    said = [e["what"] for e in meeting.record()["events"]]
    assert sum("the decision on Item 1" in what for what in said) == 10


def token_of(page: str, action: str) -> dict[str, str]:
    """The one-time token of the form on this page that posts to `action`."""
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S
    )
    assert form, f"no form posting to {action}"
    return {"once": re.search(r'name="once" value="([^"]+)"', form.group(1)).group(1)}


def test_every_form_sent_twice_at_once_counts_once(server, chair):
    """The same form (same page, same token) sent twice at the same moment, step by step."""
    meeting = Meeting(server.url, chair, items=1)
    path = meeting.path[len(server.url) :]
    device = next(iter(meeting.people.values()))
    statuses: list[int] = []

    def twice(session, page_url: str, action: str, **form) -> int:
        """Post the form twice at once; return how many log lines that added."""
        form |= token_of(session.get(page_url).text, action)
        before = len(meeting.record()["events"])
        answers: list[requests.Response] = []
        send = lambda: answers.append(session.post(server.url + action, data=form))  # noqa: E731
        together(send, send)
        statuses.extend(a.status_code for a in answers)
        assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
        # (Which copy's page shows "That was sent twice" depends on the order the client
        # stores the two answers' cookies; a retry below checks the message.)
        return len(meeting.record()["events"]) - before

    attend = f"{meeting.path.replace('/meetings/', '/m/')}"
    action = {
        "what": "Visit the family",
        "owner_name": "Mo Key",
        "agency": "Police",
        "due": REVIEW_DATE,
    }
    assert twice(chair, meeting.path, f"{path}/actions", **action) == 1
    assert len(meeting.record()["actions"]) == 1
    # A retry after the answer was lost: the same form again, later.
    sent = {**action, **token_of(chair.get(meeting.path).text, f"{path}/actions")}
    assert chair.post(f"{meeting.path}/actions", data=sent).ok
    again = chair.post(f"{meeting.path}/actions", data=sent)
    assert "That was sent twice; it was done once" in again.text
    assert len(meeting.record()["actions"]) == 2
    apology = {"name": "Dr Ann Lee", "role": "GP", "agency": "Health", "email": ""}
    assert twice(chair, meeting.path, f"{path}/apologies", **apology) == 1
    assert sum(p["name"] == "Dr Ann Lee" for p in meeting.record()["attendance"]) == 1

    line = {"name": "Dr Lee", "role": "GP", "agency": "Health", "part": "professional"}
    assert twice(chair, meeting.path, f"{path}/without-device", **line, channel="phone") == 1
    assert sum(p["name"] == "Dr Lee" for p in meeting.record()["attendance"]) == 1

    round_id = meeting.open_round()
    rating = f"/m/{meeting.id}/rounds/{round_id}/rating"
    assert twice(device, attend, rating, score="3", reason="Same again") == 1
    lee = next(p["attendee_id"] for p in meeting.record()["attendance"] if p["name"] == "Dr Lee")
    entry = {"attendee_id": str(lee), "given": "phone", "score": "2"}
    assert twice(chair, meeting.path, f"{path}/rounds/{round_id}/behalf", **entry) == 1
    assert chair.post(f"{meeting.path}/rounds/{round_id}/reveal").ok
    assert twice(chair, meeting.path, f"{path}/close") == 1
    assert meeting.record()["meeting"]["status"] == "closed"
    assert not [s for s in statuses if s >= 500]


def test_a_server_killed_mid_burst_keeps_every_acknowledged_rating_exactly_once(server, chair):
    """25 people keep changing their ratings; the server is killed (SIGKILL) and restarted."""
    meeting = Meeting(server.url, chair, items=3)
    kills = 0
    for trial in range(3):
        if trial:
            meeting.move_to(trial + 1)
        round_id = meeting.open_round()
        acknowledged: dict[str, int] = {}
        sending: dict[str, int] = {}

        def burst(name, device, round_id=round_id, acknowledged=acknowledged, sending=sending):
            for seq in range(1, 1000):
                sending[name] = seq
                try:
                    answer = device.post(
                        f"{server.url}/m/{meeting.id}/rounds/{round_id}/rating",
                        data={"score": str(seq % 11), "reason": f"{name} change {seq}"},
                        allow_redirects=False,
                        timeout=30,
                    )
                except requests.ConnectionError:
                    return
                assert answer.status_code == 302, answer.text[:500]
                acknowledged[name] = seq

        def kill(trial=trial, acknowledged=acknowledged):
            # Mid-burst: once most people have a rating in, and they go on changing; each
            # trial further into the burst (two more changes a person acknowledged first),
            # counted in changes rather than seconds, so a slow machine moves it alike.
            deadline = time.monotonic() + 10
            while len(acknowledged) <= PEOPLE // 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            further = sum(acknowledged.values()) + 2 * PEOPLE * trial
            while sum(acknowledged.values()) < further and time.monotonic() < deadline:
                time.sleep(0.01)
            server.kill()

        together(kill, *[lambda n=n, d=d: burst(n, d) for n, d in meeting.people.items()])
        kills += 1
        server.start()
        assert chair.post(f"{meeting.path}/rounds/{round_id}/reveal").ok
        round_ = meeting.record()["items"][trial]["rounds"][-1]
        stored: dict[str, list[int]] = {}
        for rating in round_["ratings"]:
            name, _, seq = rating["reason"].rpartition(" change ")
            stored.setdefault(name, []).append(int(seq))
        assert all(len(seqs) == 1 for seqs in stored.values()), "a person rated twice"
        assert set(acknowledged) <= set(stored), "an acknowledged rating is missing"
        for name, seq in acknowledged.items():
            # Either the last acknowledged change, or the one in flight at the kill.
            assert stored[name][0] in (seq, sending[name]), (name, seq, stored[name])
        assert len(acknowledged) > PEOPLE // 2, "too few ratings were acknowledged to test"
    assert kills == 3


def test_two_windows_editing_the_same_record_never_lose_an_acknowledged_edit(server, chair):
    """An agenda item, the meeting's details: edited from two windows at the same moment."""
    details = {"title": "Races", "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
    made = chair.post(server.url + "/meetings/new", data=details, allow_redirects=False)
    path = made.headers["Location"]
    page_url = server.url + path
    assert chair.post(page_url + "/items", data=SAFETY).ok
    item_id = re.search(r"/items/(\d+)\">Edit<", chair.get(page_url).text).group(1)
    other_window = BrowserSession()
    other_window.cookies.update(chair.cookies)

    def both(form_page: str, action: str, field: str, base: dict, trial: int) -> None:
        # The one edit form on the page: it says what it showed.
        page = chair.get(form_page).text
        based_on = re.search(r'name="based_on" value="([^"]+)"', page).group(1)
        answers: dict[str, requests.Response] = {}

        def save(window, text):
            data = {**base, field: text, "based_on": based_on}
            answers[text] = window.post(server.url + action, data=data, allow_redirects=False)

        first, second = f"First {field} {trial}", f"Second {field} {trial}"
        together(lambda: save(chair, first), lambda: save(other_window, second))
        kept = [t for t, a in answers.items() if a.status_code in (302, 303)]
        assert len(kept) == 1, {t: a.status_code for t, a in answers.items()}
        lost = second if kept[0] == first else first
        assert answers[lost].status_code == 409
        assert "changed from elsewhere" in answers[lost].text
        assert kept[0] in answers[lost].text, "the refusal shows what is there now"
        assert lost in answers[lost].text, "and keeps what they typed"

    for trial in range(5):
        both(f"{page_url}/items/{item_id}", f"{path}/items/{item_id}", "body", SAFETY, trial)
        both(page_url, f"{path}/details", "place", details, trial)


def test_after_every_race_each_meeting_log_is_one_unbroken_chain(server, chair):
    """Writers that raced each other above extended each meeting's log one at a time: no
    fork, no gap, no refusal for a clash in the chain, and every record matches its line."""
    meeting_ids = sorted(set(re.findall(r"/meetings/(\d+)\"", chair.get(server.url + "/").text)))
    assert len(meeting_ids) >= 5
    # `flask verify` on the server's database, run in this process: a process of its own
    # for each meeting only started Python again (tests/test_chain.py runs the command).
    with server.commands() as app:
        for meeting_id in meeting_ids:
            done = app.test_cli_runner().invoke(args=["verify", meeting_id])
            assert done.exit_code == 0, done.output
    said = "".join(server.said).lower()
    assert "uq_event" not in said and "deadlock" not in said


def test_a_review_answered_from_two_windows_and_a_phone_at_once(server, chair):
    """The owner and the chair's two windows say what became of one action at the same
    moment, and one forecast's form is sent twice at once: one answer stands, each other
    is refused with it, and none is lost from the log."""
    first = Meeting(server.url, chair, items=1)
    round_id = first.open_round()
    assert (
        first.people["Person 01"]
        .post(f"{server.url}/m/{first.id}/rounds/{round_id}/rating", data={"score": "4"})
        .ok
    )
    assert chair.post(f"{first.path}/rounds/{round_id}/reveal").ok
    decision = {
        "intent": "record",
        "text": "A safety plan",
        "rationale": "Heard everyone",
        "child_views": "Not asked: too young",
        "review_date": REVIEW_DATE,
        "forecast": "No missing episodes",
    }
    assert chair.post(f"{first.path}/items/{first.item_ids[0]}/decision", data=decision).ok
    owner = {"owner_name": "Person 01", "agency": "Agency 1"}
    action = {"what": "Share the reports", "due": REVIEW_DATE, **owner}
    assert chair.post(f"{first.path}/actions", data=action).ok
    assert chair.post(f"{first.path}/close").ok
    arranged = chair.get(f"{server.url}/meetings/new?review_of={first.id}").text
    form = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', arranged))
    details = {"kind": "other", "chair_role": "Chair", "starts_at": STARTS_AT}
    made = chair.post(f"{server.url}/meetings/new", data={**form, **details})
    review = int(re.search(r"/meetings/(\d+)", made.url).group(1))
    path = f"{server.url}/meetings/{review}"
    phone = BrowserSession()
    code = re.search(r'class="join-code"[^>]*>([\w-]+)<', chair.get(path).text).group(1)
    joined = {"name": "Person 01", "agency": "Agency 1", "part": "professional"}
    phone.post(f"{server.url}/join/{code}", data=joined)
    admit = re.search(r"/people/(\d+)/admit", chair.get(path).text).group(1)
    assert chair.post(f"{path}/people/{admit}/admit").ok
    action_id = first.record()["actions"][0]["id"]
    decision_id = re.search(rf"/meetings/{review}/forecasts/(\d+)/1", chair.get(path).text)[1]
    other_window = BrowserSession()
    other_window.cookies.update(chair.cookies)
    statuses: list[int] = []
    refusals: list[str] = []

    def form_of(session, page: str, action: str, **answer) -> dict[str, str]:
        """The form as its page drew it: its one-time token and the answer it showed."""
        drawn = session.get(server.url + page).text
        shown = re.search(
            rf'action="{re.escape(action)}".*?name="based_on" value="(\w+)"', drawn, re.S
        )
        return {**answer, **token_of(drawn, action), "based_on": shown.group(1)}

    def say(session, action: str, form: dict[str, str]):
        def send() -> None:
            answer = session.post(server.url + action, data=form)
            statuses.append(answer.status_code)
            if answer.status_code == 409:
                refusals.append(answer.text)

        return send

    carried = f"/meetings/{review}/carried/{action_id}"
    own = f"/m/{review}/carried/{action_id}"
    # Every form is drawn before any is sent: each shows no answer yet.
    together(
        say(chair, carried, form_of(chair, f"/meetings/{review}", carried, status="done")),
        say(
            other_window,
            carried,
            form_of(other_window, f"/meetings/{review}", carried, status="not_done", note="No"),
        ),
        say(phone, own, form_of(phone, f"/m/{review}", own, status="partly", note="Half")),
    )
    assert sorted(statuses) == [200, 409, 409], statuses
    assert all("answered this meanwhile" in text for text in refusals)
    standing = next(a for a in Meeting.record_of(chair, path)["review"]["actions"])
    assert standing["status"] in ("Done", "Not done", "Partly done")
    said = [e for e in Meeting.record_of(chair, path)["events"] if "marked the action" in e["what"]]
    assert len(said) == 1, "one answer stands; the refused ones were not saved"

    statuses.clear()
    forecast = f"/meetings/{review}/forecasts/{decision_id}/1"
    sent = form_of(chair, f"/meetings/{review}", forecast, result="met")
    together(say(chair, forecast, sent), say(chair, forecast, sent))
    assert statuses == [200, 200], statuses
    record = Meeting.record_of(chair, path)
    assert [f["result"] for f in record["review"]["forecasts"]] == ["Met"]
    assert sum("answered the forecast" in e["what"] for e in record["events"]) == 1
