"""Live events over Socket.IO: who hears what, and that no event carries meeting data."""

import re
import secrets

from conftest import CHOICE_ITEM, make_meeting
from sqlalchemy import select

from meeting.extensions import db
from meeting.models import Rating


def without_tokens(html: str) -> str:
    return re.sub(r'name="(once|csrf_token)" value="[^"]*"', r'name="\1"', html)


def changed(sio_client) -> list[dict]:
    return [e["args"][0] for e in sio_client.get_received() if e["name"] == "changed"]


def test_a_rating_rings_progress_on_every_screen_and_nowhere_else(people, sio, app):
    priya = people.join_admitted("Priya Shah", "Police")
    tom = people.join_admitted("Tom Reid", "School")
    people.start()
    round_id = people.open_round()

    chair_sio = sio(people.chair, meeting=people.meeting_id)
    tom_sio = sio(tom, meeting=people.meeting_id)
    display_sio = sio(app.test_client(), display=people.display_token)
    other_meeting = make_meeting(people.chair, CHOICE_ITEM, title="Another child's meeting")
    other_sio = sio(people.chair, meeting=other_meeting)
    for c in (chair_sio, tom_sio, display_sio, other_sio):
        assert c.is_connected()
        c.get_received()

    people.rate(priya, round_id, score=4, reason="private reason")

    heard = {name: changed(c) for name, c in (("chair", chair_sio), ("tom", tom_sio))}
    heard["display"] = changed(display_sio)
    # Each audience hears of the regions its pages hold that read ratings.
    # The chair's also: whose ratings the chair may enter, and whether each has rated.
    expected = {
        "chair": ["controls", "progress", "behalf"],
        "tom": ["progress"],
        "display": ["scene"],
    }
    for name, rings in heard.items():
        assert len(rings) == 1 and rings[0]["regions"] == expected[name]
        assert not rings[0]["reload"]
        assert "private reason" not in repr(rings)
        # The chair's form for ratings given to them has a box for every value: none chosen.
        shown = {k: v for k, v in rings[0].get("html", {}).items() if k != "behalf"}
        for region, html in shown.items():
            assert ">4<" not in html, (region, html[html.find(">4<") - 300 : html.find(">4<") + 20])
        assert 'value="4" checked' not in rings[0]["html"].get("behalf", "")
    assert other_sio.get_received() == []

    # The ring brings each audience its progress, drawn once: what the page would fetch.
    hx = {"HX-Request": "true"}
    drawn = {name: rings[0]["html"] for name, rings in heard.items()}
    assert drawn["tom"] == {
        "progress": tom.get(f"/m/{people.meeting_id}/region/progress", headers=hx).text
    }
    assert "Priya Shah" in drawn["tom"]["progress"] and "1 of" in drawn["tom"]["progress"]
    # The chair's step beside Reveal says how many have rated: it comes drawn too.
    assert set(drawn["chair"]) == {"progress", "controls", "behalf"}
    for region in ("progress", "controls", "behalf"):
        fetched = people.chair.get(f"/m/{people.meeting_id}/region/{region}", headers=hx)
        assert without_tokens(drawn["chair"][region]) == without_tokens(fetched.text)
    assert "1 of 3 have rated" in drawn["chair"]["controls"]
    screen = app.test_client()
    scene = screen.get(f"{people.open_display(screen)}/region/scene", headers=hx)
    assert drawn["display"] == {"scene": scene.text}


def test_reveal_rings_the_stage_everywhere_drawn_once_per_audience(people, sio, app):
    tom = people.join_admitted("Tom Reid", "School")
    priya = people.join_admitted("Priya Shah", "Police")
    ann = people.join_admitted("Ann Lee", "Health")
    people.start()
    round_id = people.open_round()
    for device, score in ((tom, 2), (priya, 8), (ann, 8), (people.chair, 8)):
        assert people.rate(device, round_id, score=score).status_code in (200, 302)
    clients = {
        "tom": sio(tom, meeting=people.meeting_id),
        "priya": sio(priya, meeting=people.meeting_id),
        "chair": sio(people.chair, meeting=people.meeting_id),
        "display": sio(app.test_client(), display=people.display_token),
    }
    for c in clients.values():
        c.get_received()
    people.reveal(round_id)
    heard = {name: changed(c) for name, c in clients.items()}
    # Each audience hears of the regions its pages hold that read the rounds.
    stage = ["agenda", "controls", "stage", "progress", "rate", "roll", "behalf"]
    expected = {
        "chair": stage,
        "tom": ["agenda", "stage", "progress", "rate"],
        "display": ["scene"],
    }
    expected["priya"] = expected["tom"]
    for name, rings in heard.items():
        assert len(rings) == 1
        assert rings[0]["regions"] == expected[name]
    # Nothing is left for any page to fetch: every region it shows comes drawn, alike for
    # all attendees, and for the chair's screens with the chair's forms.
    assert heard["tom"][0]["html"] == heard["priya"][0]["html"]
    assert set(heard["tom"][0]["html"]) == {"agenda", "progress", "stage", "rate"}
    assert set(heard["chair"][0]["html"]) == {
        "agenda",
        "controls",
        "progress",
        "stage",
        "rate",
        "roll",
        "behalf",
    }
    assert set(heard["display"][0]["html"]) == {"scene"}
    assert "<form" not in repr(heard["tom"]) + repr(heard["display"])
    # What comes drawn is what each page would fetch, but for the tokens in forms: a form
    # sent to the chair's screens carries no session token (each page puts in its own).
    chair_stage = heard["chair"][0]["html"]["stage"]
    assert "Acknowledge the disagreement" in chair_stage
    assert '<input type="hidden" name="csrf_token" value="">' in chair_stage
    hx = {"HX-Request": "true"}
    for name, device in (("tom", tom), ("priya", priya), ("chair", people.chair)):
        for region, html in heard[name][0]["html"].items():
            fetched = device.get(f"/m/{people.meeting_id}/region/{region}", headers=hx)
            assert without_tokens(html) == without_tokens(fetched.text), (name, region)
    # The stage sent to every attendee marks nobody's rating as theirs: each page marks its
    # own (data-me), and shows "Your rating is a minority view" only on Tom's.
    stage = heard["tom"][0]["html"]["stage"]
    assert " mine" not in stage and "data-yours hidden" in stage
    tom_id, priya_id = people.attendee_id("Tom Reid"), people.attendee_id("Priya Shah")
    assert f'class="minority" data-rater="{tom_id}"' in stage
    assert f'class="" data-rater="{priya_id}"' in stage
    tom_page = tom.get(f"/m/{people.meeting_id}").text
    assert f'data-me="{tom_id}"' in tom_page
    assert f'class="minority mine" data-rater="{tom_id}"' in tom_page
    assert "data-yours>" in tom_page


def test_an_observer_fetches_their_own_rating_region(people, sio):
    tom = people.join_admitted("Tom Reid", "School")
    people.start()
    tom_sio = sio(tom, meeting=people.meeting_id)
    tom_sio.get_received()
    aid = people.attendee_id("Tom Reid")
    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/observe")
    # Their own devices are told to fetch their rating region, which says what is theirs
    # alone, marked so that the page fetches it rather than take what raters are sent.
    assert {"regions": ["rate"], "reload": False} in changed(tom_sio)
    region = tom.get(f"/m/{people.meeting_id}/region/rate", headers={"HX-Request": "true"})
    assert "You are observing this meeting" in region.text and "data-personal" in region.text


def test_waiting_attendee_hears_only_about_their_own_admission(people, sio):
    people.start()
    waiting = people.join("Priya Shah", "Police")
    waiting_sio = sio(waiting, meeting=people.meeting_id)
    assert waiting_sio.is_connected()
    round_id = people.open_round()
    people.rate(people.chair, round_id, score=5)
    assert waiting_sio.get_received() == []
    people.admit("Priya Shah")
    assert changed(waiting_sio) == [{"regions": [], "reload": True}]


def test_chair_hears_someone_asking_to_join(people, sio):
    chair_sio = sio(people.chair, meeting=people.meeting_id)
    chair_sio.get_received()
    people.join("Priya Shah", "Police")
    rings = changed(chair_sio)
    assert [(r["regions"], r["reload"]) for r in rings] == [(["people"], False)]
    assert "Admit Priya Shah" in rings[0]["html"]["people"]


def test_strangers_and_wrong_display_tokens_cannot_connect(people, sio, app):
    stranger = app.test_client()
    assert not sio(stranger, meeting=people.meeting_id).is_connected()
    assert not sio(stranger, display="not-the-token").is_connected()
    assert not sio(stranger).is_connected()
    assert sio(stranger, display=people.display_token).is_connected()


def test_turned_away_attendee_cannot_listen(people, sio):
    device = people.join("Mallory", "Unknown")
    aid = people.attendee_id("Mallory")
    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/turn-away")
    assert not sio(device, meeting=people.meeting_id).is_connected()


def test_region_fragments_answer_htmx_and_send_others_to_the_page(people):
    tom = people.join_admitted("Tom Reid", "School")
    people.start()
    fragment = tom.get(f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Risk of criminal exploitation" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    plain = tom.get(f"/m/{people.meeting_id}/region/stage")
    assert plain.headers["Location"] == f"/m/{people.meeting_id}"
    restore = tom.get(
        f"/m/{people.meeting_id}/region/stage",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert restore.headers["Location"] == f"/m/{people.meeting_id}"


def test_the_chair_is_sent_the_stage_drawn_for_them(people, sio):
    tom = people.join_admitted("Tom Reid", "School")
    people.start()
    round_id = people.open_round()
    for device in (tom, people.chair):
        people.rate(device, round_id, score=6)
    chair_sio = sio(people.chair, meeting=people.meeting_id)
    chair_sio.get_received()
    people.reveal(round_id)
    (ring,) = changed(chair_sio)
    assert set(ring["html"]) == {
        "agenda",
        "controls",
        "progress",
        "stage",
        "rate",
        "roll",
        "behalf",
    }
    fetched = people.chair.get(
        f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"}
    )
    assert ring["html"]["stage"] == fetched.text and "Tom Reid" in fetched.text


def test_an_open_round_sends_every_rater_the_same_empty_form(people, sio):
    tom = people.join_admitted("Tom Reid", "School")
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    listening = {"tom": sio(tom, meeting=people.meeting_id)}
    listening["priya"] = sio(priya, meeting=people.meeting_id)
    for c in listening.values():
        c.get_received()
    round_id = people.open_round()
    (tom_ring,), (priya_ring,) = (changed(c) for c in listening.values())
    assert tom_ring["html"] == priya_ring["html"]
    form = tom_ring["html"]["rate"]
    # No one's tokens: each page puts in its session's and a one-time token of its own.
    assert f'data-round="{round_id}"' in form and "Submit my rating" in form
    assert '<input type="hidden" name="once" value="">' in form
    assert '<input type="hidden" name="csrf_token" value="">' in form

    # Tom sends it as his page does, with its tokens filled in; sent twice, it counts once.
    once = secrets.token_urlsafe(18)
    sent = {"score": "3", "reason": "From the form everyone was sent", "once": once}
    hx = {"HX-Request": "true", "HX-Target": "region-rate"}
    url = f"/m/{people.meeting_id}/rounds/{round_id}/rating"
    assert tom.post(url, data=sent, headers=hx).status_code == 200
    assert tom.post(url, data=sent, headers=hx).status_code == 302
    assert "it was done once" in tom.get(f"/m/{people.meeting_id}").text
    with people.app.app_context():
        ratings = db.session.scalars(select(Rating).where(Rating.round_id == round_id)).all()
        assert [(r.attendee.name, r.score) for r in ratings] == [("Tom Reid", 3)]

    # His own rating is now his alone on his page: marked so that, while this round is
    # open, his page fetches his own region rather than take the empty form again.
    own = tom.get(f"/m/{people.meeting_id}/region/rate", headers={"HX-Request": "true"})
    assert f'data-personal="{round_id}"' in own.text and "You rated" in own.text
