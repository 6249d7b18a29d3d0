"""Forecasts that can be scored, through the pages: a decision's forecasts carry the
meeting's likelihood as it wrote them, the review answers them, and the forecasts-and-
outcomes page shows the calibration table and the Brier score, with no count under 3 on it
— the worked example in docs/chairing.md, word for word."""

import html
import re
from pathlib import Path

from conftest import SAFETY_ITEM, log_in, make_chair, make_meeting, text_of
from test_cases import DECISION, Case, day

DOCS = Path(__file__).resolve().parents[1] / "docs" / "chairing.md"
EXAMPLE = "#### A calibration table from ten answered forecasts"
RESULTS = {"Met": "met", "Partly met": "partly", "Not met": "not_met"}


def worked_example() -> tuple[list[tuple[str, str]], list[list[str]], str]:
    """Read the worked example from the docs: the ten forecasts with what happened, the
    table the page shows, and its Brier line."""
    text = DOCS.read_text()
    section = text[text.index(EXAMPLE) :]
    section = section[: section.index("\n## ")]
    tables = [
        [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block]
        for block in re.findall(r"((?:^\|.*\|\n)+)", section, flags=re.M)
        for block in [block.strip().splitlines()]
    ]
    forecasts, shown = tables
    brier = re.search(r"^> (Brier score: .*)$", section, flags=re.M).group(1)
    return [tuple(row) for row in forecasts[2:]], [shown[0], *shown[2:]], brier


def table_on_page(page: str, section_id: str) -> list[list[str]]:
    """Return a table of the page as a person reads it: each row's cells' text."""
    section = page[page.index(f'id="{section_id}"') :]
    table = section[: section.index("</table>")]
    return [
        [text_of(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    ]


# Three officers and a teacher, with their agencies and first ratings.
RATERS = {
    "Priya Shah": ("Police", 2),
    "Dan Cole": ("Police", 3),
    "Sam Ode": ("Police", 3),
    "Tom Reid": ("School", 4),
}
# One professional from each agency.
ONE_EACH = {"Priya Shah": ("Police", 2), "Tom Reid": ("School", 6), "Lena Okafor": ("Health", 4)}


def a_decided_case(app, forecasts: list[str], raters=RATERS) -> tuple[Case, int, int]:
    """A first meeting rated by these people, decided with these forecasts and closed,
    then its review, started; return the case, the review and the decision."""
    make_chair(app)
    case = Case(app, log_in(app))
    first = make_meeting(case.chair, SAFETY_ITEM, title="Initial conference", child="K.M.")
    case.meetings.append(first)
    people = case.people(first)
    devices = {name: people.join_admitted(name, agency) for name, (agency, _) in raters.items()}
    people.start()
    round_id = people.open_round()
    for name, (_agency, score) in raters.items():
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    assert people.reveal(round_id).status_code == 302
    item = case.item_id(first, 1)
    decided = {**DECISION, "forecast": "\n".join(forecasts), "protective_action": "Considered"}
    case.post(first, f"/items/{item}/decision", intent="record", **decided)
    case.post(first, "/close")
    review = case.review_of(first)
    case.people(review).start()
    with app.app_context():
        decision_id = people.meeting().items[0].decision.id
    return case, review, decision_id


def test_the_worked_example_calibration_table_is_what_the_page_shows(app):
    forecasts, expected, brier = worked_example()
    assert len(forecasts) == 10
    case, review, decision_id = a_decided_case(app, [f for f, _ in forecasts])
    # The review answers each forecast as the meeting wrote it, likelihood and all.
    chair_page = text_of(case.chair.get(f"/meetings/{review}").text)
    for line, (forecast, happened) in enumerate(forecasts, start=1):
        assert forecast in chair_page
        note = "" if happened == "Met" else "As it turned out"
        case.post(review, f"/forecasts/{decision_id}/{line}", result=RESULTS[happened], note=note)
    page = case.chair.get("/cases/report").text
    assert table_on_page(page, "calibration") == expected
    shown = text_of(page)
    assert brier in shown
    assert "10 forecasts answered at a review, from 1 decision." in shown
    assert "½ when partly met" in shown and "never used to weigh anyone" in shown
    assert "not shown : fewer than 3, so no one's rating can be read from it." in shown
    # Three officers rated 0–3, each counted once for each of the ten forecasts: their row
    # rests on three people. The one teacher's row would be one person's rating: left out.
    assert table_on_page(page, "ratings")[1:] == [
        ["Safety scale 0–10", "Police", "0–3", "12", "9", "9", "30"]
    ]
    assert "School" not in shown and "4–6" not in shown
    assert "Rows resting on fewer than 3 people's ratings are left out." in shown
    # The minutes carry each forecast as written, with what happened.
    case.post(review, "/close")
    minutes = case.minutes(review)
    assert "| No missing episodes (about 70%) | **Not met** | As it turned out |" in minutes
    assert "| Engages with the youth worker — 70% | **Partly met** |" in minutes


def test_one_case_discloses_no_agencys_rating(app):
    """The measured failure: with one case, a row such as Police · 0–3 named one officer's
    rating. Now one rater per agency puts no row on the page, and no count under 3."""
    case, review, decision_id = a_decided_case(app, ["No missing episodes (about 70%)"], ONE_EACH)
    case.post(review, f"/forecasts/{decision_id}/1", result="met", note="")
    page = case.chair.get("/cases/report").text
    shown = text_of(page)
    assert "1 forecast answered at a review, from 1 decision." in shown
    assert "No row rests on 3 or more people's ratings yet, so none is shown." in shown
    assert "Police" not in shown and "School" not in shown and "0–3" not in shown
    # One scored forecast: its band and outcome are not shown, and there is no Brier score.
    rows = table_on_page(page, "calibration")[1:]
    assert all(cells[1:] == ["not shown"] * 6 for cells in rows), rows
    assert "Brier score: not shown, fewer than 3 answered forecasts carry a likelihood." in shown


def test_a_likelihood_the_page_cannot_score_is_refused_with_the_text_kept(app):
    make_chair(app)
    case = Case(app, log_in(app))
    meeting_id = make_meeting(case.chair, SAFETY_ITEM, child="K.M.")
    people = case.people(meeting_id)
    devices = case.join_all(people)
    people.start()
    round_id = people.open_round()
    for device, score in zip(devices.values(), (5, 6, 6), strict=True):
        assert people.rate(device, round_id, score=score).status_code == 302
    people.reveal(round_id)
    item = case.item_id(meeting_id, 1)
    forecast = "No missing episodes (about 70%)\nHome every night (about 150%)"
    form = {**DECISION, "review_date": day(42), "forecast": forecast}
    refused = case.chair.post(
        f"/meetings/{meeting_id}/items/{item}/decision", data={**form, "intent": "record"}
    )
    assert refused.status_code == 422
    assert "Line 2: “(about 150%)” is not a likelihood the page can score" in html.unescape(
        refused.text
    )
    assert "Home every night (about 150%)" in html.unescape(refused.text), "the text is kept"
    form["forecast"] = "No missing episodes (about 70%)\nHome every night (about 90%)"
    case.post(meeting_id, f"/items/{item}/decision", intent="record", **form)
    # The decision form explains the optional likelihood.
    page = html.unescape(case.chair.get(f"/meetings/{meeting_id}").text)
    assert "“(about 70%)”, is optional: it lets Forecasts and outcomes score it" in page
