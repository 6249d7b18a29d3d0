"""What one rating costs the database: counted, so that a change that adds a statement to
every rating, or makes the ring read once per person in the meeting, is seen.

A rating is sent as a phone's page sends it (in place, with its one-time token), and the
statements are counted from the form's token to the last ring. Counts, never times: how
fast it is is measured by `python -m bench`.
"""

import re

from sqlalchemy import event

from meeting.extensions import db

# The request: the one-time token, who is asking, the round claimed before the reveal, the
# rating, the decision it may change, the event log's line and its chain, and what the
# answer shows (the round as this rating left it, and the rating's receipt).
REQUEST = 16
# The ring, drawn after the answer: the meeting, its people, the item, the round, its
# ratings, the decision: read once, whoever is in the meeting.
RING = 7


def statements_of_one_rating(people, app, others: int) -> tuple[list[str], list[str]]:
    devices = [people.join_admitted(f"Person {n}", f"Agency {n}") for n in range(others + 1)]
    people.start()
    round_id = people.open_round()
    phone = devices[0]
    page = phone.get(f"/m/{people.meeting_id}")
    token = re.search(r'name="once" value="([^"]+)"', page.text).group(1)
    with app.app_context():
        engine = db.engine
    sent: list[str] = []
    answered_at: list[int] = []

    def counted(_connection, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()[:4]))

    def answered(response):
        answered_at.append(len(sent))
        return response

    app.after_request_funcs.setdefault(None, []).insert(0, answered)
    event.listen(engine, "before_cursor_execute", counted)
    try:
        answer = phone.post(
            f"/m/{people.meeting_id}/rounds/{round_id}/rating",
            data={"score": "3", "reason": "As discussed.", "once": token},
            headers={"HX-Request": "true", "HX-Target": "region-rate"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert answer.status_code == 200, answer.text
    assert "Your rating" in answer.text
    (split,) = answered_at
    return sent[:split], sent[split:]


def test_a_rating_and_its_ring_cost_the_same_statements_for_2_or_25_people(people, app):
    request, ring = statements_of_one_rating(people, app, others=1)
    assert len(request) <= REQUEST, request
    assert 0 < len(ring) <= RING, ring
    assert request[0].startswith("INSERT INTO form_token"), "the token first: sent twice, once"


def test_the_ring_reads_nothing_per_person(people, app):
    request, ring = statements_of_one_rating(people, app, others=24)
    assert len(request) <= REQUEST, request
    assert 0 < len(ring) <= RING, ring
