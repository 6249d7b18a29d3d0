"""One item's defensible-decision section: the ratings, the decision and its reasons,
minority views, and the item's actions."""

from .checks import CheckSections
from .discussion import discussion_lines
from .edition import decided
from .review import ReviewSections
from .text import assessment, block, clock, clock_seconds, inline, iso_day, moment, when
from .writer import table

# Under the assessment of an item copied from the last meeting and never looked at again.
NOT_LOOKED_AT_AGAIN = (
    "This assessment is the last meeting's, copied word for word: the chair did not look "
    "at it again before this meeting."
)

# How the attendance names the young person and their advocate.
YOUNG_PERSON_PARTS = {"The young person", "The young person's advocate"}


class ItemSections(ReviewSections, CheckSections):
    """Writes the part of the minutes about each agenda item."""

    def item(self, item: dict) -> None:
        """Write one item as a record reads: what was assessed, the ratings, the minority
        views heard, the decision with its reasons, dissent, actions, review."""
        key = f"item-{item['position']}"
        self.out(f"## Item {item['position']}: {inline(item['title'])}", "")
        self.para(
            f"Rated on: {inline(item['scale'])}."
            + (
                " Options: " + ", ".join(inline(c) for c in item["choices"]) + "."
                if item["choices"]
                else ""
            )
        )
        self.own_words(item)
        self.out("### What was assessed", "")
        if item["body"].strip():
            self.para(assessment(item["body"]))
        else:
            self.para("*No assessment was written for this item.*")
        self.copied(item)
        self.ratings(item)
        self.heard(item)
        self.item_history(item)
        self.target_check(item)
        decision = item["decision"] if decided(item) else None
        self.out("### Decision", "")
        if decision is None:
            self.para("*No decision was recorded on this item.*")
        else:
            self.para(block(decision["decision"]))
            self.out("**Rationale:**", "")
            self.para(
                block(decision["rationale"]) if decision["rationale"].strip() else "*Not recorded.*"
            )
            self.para(f"**Consensus:** {self._consensus(decision)}")
            self.para(
                f"Recorded at {when(decision['recorded_at'], self.zone)}"
                + (f" (wording version {decision['version']})." if decision["version"] > 1 else ".")
            )
            self.change_check(decision)
            self.reasons(decision)
            self.minority(decision)
        self.item_actions(item)
        if decision is not None:
            self.review(item, decision)
        self.corrections_to(key)

    def own_words(self, item: dict) -> None:
        """Write the young person's own words on the item, first, and list their work by
        name, type, size and digest (never the work itself).

        A record made before they could give them has no such part, and none is written;
        a meeting the young person (or their advocate) attended says when nothing was given.
        """
        given = item.get("young_person")
        if given is None:
            return
        parts = {p.get("part") for p in self.record["attendance"]}
        if not (given["words"] or given["work"]) and not parts & YOUNG_PERSON_PARTS:
            return
        self.out("### The young person's own words", "")
        if not (given["words"] or given["work"]):
            self.para("*Nothing of their own was given on this item.*")
            return
        for words in given["words"]:
            self.para(block(words["words"], quote=True))
            by = (
                f"Said for them by {inline(words['name'])}, their advocate"
                if words["said_for_them"]
                else f"{inline(words['name'])}, in their own words"
            )
            self.para(f"— {by}, {when(words['changed_at'], self.zone)}.")
        if given["work"]:
            self.out("Their work, kept with the record (not reproduced here):", "")
            for work in given["work"]:
                by = " (attached by their advocate)" if work["said_for_them"] else ""
                self.out(
                    f"- {inline(work['file_name'])}: {inline(work['media_type'])}, "
                    f"{work['size']:,} bytes, SHA-256 `{work['sha256']}`{by}"
                )
            self.out("")

    def copied(self, item: dict) -> None:
        """Say, under the assessment, that an item copied from the last meeting was never
        looked at again before this one: its words are the last meeting's.

        Records made before copied items were marked have no such field, and nothing is said.
        """
        copied = item.get("copied")
        if copied and copied["from_last_meeting"] and not copied["looked_at_again_at"]:
            self.para(f"*{NOT_LOOKED_AT_AGAIN}*")

    def heard(self, item: dict) -> None:
        """List the ratings marked as minority views at each reveal, which were heard first.

        A divided round with nobody marked says so in its place, so the list never reads as
        if that round had been left out.
        """
        self.out("### Minority views heard", "")
        divided = [r["number"] for r in item["rounds"] if r.get("divided") and not _marked(r)]
        if any(_marked(round_) for round_ in item["rounds"]):
            for round_ in item["rounds"]:
                for r in _marked(round_):
                    reason = f": “{inline(r['reason'])}”" if r.get("reason") else ""
                    written = " (written contribution)" if r["written_contribution"] else ""
                    self.out(
                        f"- Round {round_['number']}: {inline(r['name'])} "
                        f"({inline(r['agency'])}){written}, {inline(r.get('value'))}{reason}"
                    )
                if round_["number"] in divided:
                    self.out(
                        f"- Round {round_['number']}: none marked; the meeting was divided "
                        "(see the ratings)."
                    )
            self.out("")
        elif divided and len(divided) == len(item["rounds"]):
            self.para("None marked: the meeting was divided (see the ratings).")
        elif divided:
            rounds = " and ".join(f"round {n}" for n in divided)
            self.para(f"None marked: the meeting was divided in {rounds} (see the ratings).")
        else:
            self.para("No rating was marked as a minority view.")

    def shared_review(self) -> tuple[str, str] | None:
        """Return the review date and triggers shared by every decided item, if two or more."""
        reviews = {
            (i["decision"]["review_date"], i["decision"]["review_triggers"].strip())
            for i in self.record["items"]
            if decided(i)
        }
        decided_items = [i for i in self.record["items"] if decided(i)]
        if len(decided_items) > 1 and len(reviews) == 1:
            return next(iter(reviews))
        return None

    def review(self, item: dict, decision: dict) -> None:
        self.out("### Review", "")
        expected = [self.forecast_lines(decision)] if decision.get("forecast") else []
        expected += [t] if (t := self.target_line(decision)) else []
        if self.shared_review() is not None:
            self.para("As for every item of this meeting: see *Review*, after the items.")
            if expected:
                self.out(*expected, "")
            return
        self.review_lines(decision["review_date"], decision["review_triggers"], *expected)

    def review_lines(self, review_date: str | None, triggers: str, *more: str) -> None:
        self.out(
            f"- **Review date:** {iso_day(review_date) or 'Not set'}",
            "- **Events that would bring the review forward:** "
            + (inline(triggers) or "None recorded"),
            *more,
            "",
        )

    def _consensus(self, decision: dict) -> str:
        # The professionals' consensus: the family's answers are said apart, never counted.
        views = [v for v in decision["views"] if not v.get("family")]
        agree = sum(1 for v in views if v["agrees"] is True)
        disagree = sum(1 for v in views if v["agrees"] is False)
        status = inline(decision["consensus"]) or "Not worked out"
        counts = f" ({agree} agree, {disagree} disagree)"
        said = status + counts
        family = [v for v in decision["views"] if v.get("family") and v["agrees"] is not None]
        if family:
            answers = ", ".join(
                f"{inline(v['name'])} {'agrees' if v['agrees'] else 'disagrees'}" for v in family
            )
            said += f"; the family's view, not counted in it: {answers}"
        if decision["awaiting_views_from"]:
            waiting = ", ".join(inline(n) for n in decision["awaiting_views_from"])
            said += f"; no answer recorded from {waiting}"
        # Records frozen before written contributions were set apart have no such field.
        written = decision.get("written_contributions_from") or []
        if written:
            names = ", ".join(inline(n) for n in written)
            said += f"; a written contribution from {names}, who was absent, was weighed"
        return said

    def ratings(self, item: dict) -> None:
        self.out("### Ratings", "")
        if not item["rounds"]:
            self.para("*No rating round was held on this item.*")
        for round_ in item["rounds"]:
            self.round(round_)
        if len(item["rounds"]) > 1:
            self.side_by_side(item["rounds"])
        self.out(*discussion_lines(item))

    def side_by_side(self, rounds: list[dict]) -> None:
        """Each rater's rating in every round, in one table: who moved, and which way."""
        self.out("#### The rounds side by side", "")
        people: dict[int, tuple[str, str]] = {}
        for round_ in rounds:
            for r in round_["ratings"]:
                # The family's track says who they are where an agency would be.
                said = f"{r.get('part', '')} (family's view)" if _family(r) else r["agency"]
                people.setdefault(r["attendee_id"], (r["name"], said))
        rows = []
        for attendee_id, (name, agency) in people.items():
            values = []
            for round_ in rounds:
                given = [r for r in round_["ratings"] if r["attendee_id"] == attendee_id]
                said = "could not rate" if given and given[0].get("cannot_rate") else ""
                values.append(said or inline(given[0].get("value", "")) if given else "—")
            rows.append([inline(name), inline(agency), *values])
        head = ["Rater", "Agency"] + [f"Round {round_['number']}" for round_ in rounds]
        self.out(*table(head, rows))

    def round(self, round_: dict) -> None:
        title = f"Round {round_['number']}"
        if round_["number"] == 1:
            title += " (independent)"
        if round_["basis"]:
            title += f", {inline(round_['basis'].lower())}"
        self.out(f"#### {title}", "")
        self.para(
            f"Opened {clock_seconds(round_['opened_at'], self.zone)}, "
            f"revealed {clock_seconds(round_['revealed_at'], self.zone) or 'never'}."
        )
        if round_["control_measures"]:
            self.out("**Control measures in place:**", "")
            self.para(block(round_["control_measures"], quote=True))
        professionals = [r for r in round_["ratings"] if not _family(r)]
        rows = []
        for r in professionals:
            rater = inline(r["name"]) + (
                " (written contribution)" if r["written_contribution"] else ""
            )
            value = _value(r)
            if r.get("minority"):
                value += " (minority)"
            if r["written_contribution"]:
                submitted = self._entered(r, round_)
            else:
                submitted = clock_seconds(r["submitted_at"], self.zone)
                if r["first_submitted_at"] != r["submitted_at"]:
                    submitted += f" (first {clock_seconds(r['first_submitted_at'], self.zone)})"
            row = [rater, inline(r["agency"]), value, inline(r.get("reason")), submitted]
            rows.append(_with_given(row, r, round_))
        self.out(
            *table(
                _with_given(["Rater", "Agency", "Rating", "Reason", "Submitted"], None, round_),
                rows,
            )
        )
        self.family_track(round_)
        self.gaps(round_)
        for r in professionals:
            if r["written_contribution"] and r.get("report"):
                self.out(
                    f"**Written report from {inline(r['name'])} ({inline(r['agency'])}), "
                    f"entered by the chair {self._before(r)}:**",
                    "",
                )
                self.para(block(r["report"], quote=True))
        if round_["did_not_rate"]:
            names = ", ".join(
                f"{inline(p['name'])} ({inline(p['agency'] or p.get('part', ''))})"
                for p in round_["did_not_rate"]
            )
            self.para(f"**Did not rate:** {names}.")
        else:
            self.para("**Did not rate:** everyone who could rate did.")
        if round_["chart"]:
            # The chart in one line: each rating given, a bar, how many gave it.
            held = [b for b in round_["chart"] if b["count"]]
            bars = " · ".join(f"{inline(b['label'])} {'█' * b['count']} {b['count']}" for b in held)
            self.para(f"**Spread:** {inline(round_['middle'])}; {inline(round_['range'])}. {bars}")
        if round_["divergence"]:
            flag = f"**{inline(round_['divergence']).rstrip('.')}.**"
            if round_["divergence_acknowledged_at"]:
                acknowledged = clock(round_["divergence_acknowledged_at"], self.zone)
                flag += f" Acknowledged by the chair at {acknowledged}"
                flag += (
                    f": {inline(round_['divergence_note'])}" if round_["divergence_note"] else "."
                )
            else:
                flag += " Not acknowledged."
            self.para(flag)
        if round_.get("divided"):
            # Records frozen before the rule existed have no such field.
            self.para(f"**{inline(round_['divided'])}** {self._divided_marks(round_)}")
        if round_["protective_action_prompted"]:
            self.para("**Safety median of 2 or below:** immediate protective action was prompted.")

    def family_track(self, round_: dict) -> None:
        """The family's own ratings: given blind and revealed with everyone's, shown beside
        the professionals' and never counted in their spread."""
        # The young person's own rating first (theirs, or their advocate's for them).
        family = sorted(
            (r for r in round_["ratings"] if _family(r)),
            key=lambda r: r.get("part") not in YOUNG_PERSON,
        )
        if not family:
            return
        self.out(
            "**The family's own view** (beside the professionals', not counted in the spread):", ""
        )
        rows = [
            [
                inline(r["name"]),
                inline(r.get("part", "")),
                _value(r),
                inline(r.get("reason")),
                clock_seconds(r["submitted_at"], self.zone),
            ]
            for r in family
        ]
        rows = [_with_given(row, r, round_) for row, r in zip(rows, family, strict=True)]
        head = ["Family member", "Who", "Rating", "Reason", "Submitted"]
        self.out(*table(_with_given(head, None, round_), rows))

    def gaps(self, round_: dict) -> None:
        """Say who answered "I can't rate this yet" and what each needed: counted apart,
        never in the spread."""
        # Records made before a rater could say so have no such field.
        gaps = round_.get("could_not_rate") or []
        if not gaps:
            return
        needed = "; ".join(
            f"{inline(g['needs'])} ({inline(g['name'])}, {inline(g['agency'] or g['part'])})"
            for g in gaps
        )
        self.para(f"**{len(gaps)} could not rate:** information needed on {needed}.")

    @staticmethod
    def _divided_marks(round_: dict) -> str:
        """Say which ratings of a divided round were marked as minority views, if any.

        The sides held by many are never marked; a side held by few still is, so a divided
        round can have a minority view too (see docs/chairing.md, "The minority rule").
        """
        marked = _marked(round_)
        if not marked:
            return "No side was marked as a minority view."
        who = "; ".join(
            f"{inline(r['name'])} ({inline(r['agency'])}), {inline(r.get('value'))}" for r in marked
        )
        if len(marked) == 1:
            return f"Only the rating held by few was marked as a minority view: {who}."
        return f"Only the ratings held by few were marked as minority views: {who}."

    def _entered(self, rating: dict, round_: dict) -> str:
        """Say when a written contribution was entered, and that it came before the round."""
        entered = clock_seconds(rating["submitted_at"], self.zone)
        opened = moment(round_["opened_at"], self.zone)
        at = moment(rating["submitted_at"], self.zone)
        if at and opened and at.date() != opened.date():
            entered += f" on {at.day} {at:%B %Y}"
        return f"Entered {entered}, {self._before(rating)}"

    def _before(self, rating: dict) -> str:
        """Say what a written contribution was entered before: the meeting, or the round."""
        # Entered only while no round was open on the item (see `attendance.roll`), so it
        # always came before the round; often before the meeting itself.
        started = moment(self.record["meeting"]["started_at"], self.zone)
        entered = moment(rating["submitted_at"], self.zone)
        if started and entered and entered < started:
            return "before the meeting started"
        return "before the round opened"

    def reasons(self, decision: dict) -> None:
        proportionality = decision["proportionality"]
        self.text_section("Evidence and sources", decision["evidence"])
        self.text_section(
            "Options considered, and why the others were not chosen", decision["options_considered"]
        )
        self.out("### Proportionality", "")
        self.out(
            f"- **Benefits to the child:** {inline(proportionality['benefits']) or 'Not recorded'}",
            "- **What not taking the risk would cost them:** "
            + (inline(proportionality["cost_of_not_taking_the_risk"]) or "Not recorded"),
            "- **The least restrictive option:** "
            + (inline(proportionality["least_restrictive"]) or "Not recorded"),
            "",
        )
        self.out("### The child's views", "")
        if decision["child_views"].strip():
            self.para(block(decision["child_views"], quote=True))
        else:
            self.para("Not obtained: " + inline(decision["child_views_not_obtained_because"]))
        self.out("### Legal and policy basis", "")
        bases = decision["legal_basis"]
        self.out(*(f"- {inline(b)}" for b in bases) if bases else ["- None referred to"])
        self.out("")
        if decision["legal_notes"].strip():
            self.para(block(decision["legal_notes"]))
        if decision["protective_action"].strip():
            self.text_section("Immediate protective action", decision["protective_action"])

    def text_section(self, title: str, text: str) -> None:
        self.out(f"### {title}", "")
        self.para(block(text) if text.strip() else "*Not recorded.*")

    def minority(self, decision: dict) -> None:
        """Dissent in the dissenter's words, and how each minority view was considered."""
        self.out("### Dissent, and how minority views were considered", "")
        shown = False
        for view in decision["views"]:
            marked = view["minority_at_reveal"]
            if view["agrees"] is not False and not marked:
                continue
            shown = True
            who = f"{inline(view['name'])} ({inline(view['agency'])})"
            if view["agrees"] is False:
                self.para(block(view["view"], quote=True))
                by = ", recorded by the chair" if view["recorded_by_chair"] else ""
                self.para(
                    f"— {who}, disagreeing with the decision{by}, "
                    f"at {clock_seconds(view['recorded_at'], self.zone)}."
                )
            else:
                agreed = " and agreed with the decision" if view["agrees"] else ""
                self.para(f"{who} rated in the minority ({self._marks(marked)}){agreed}.")
            if marked and view["agrees"] is False:
                self.para(f"{who} also rated in the minority ({self._marks(marked)}).")
            considered = inline(view["how_considered"]) or "Not recorded"
            self.para(f"**How the meeting considered it:** {considered}")
            if view["escalated"]:
                self.para(
                    f"**Escalation:** escalated to {inline(view['escalated_to'])}, "
                    f"response by {iso_day(view['respond_by'])}."
                )
        if not shown:
            self.para("No minority view was recorded.")

    @staticmethod
    def _marks(marked: list[str]) -> str:
        return "; ".join(inline(m) for m in marked)

    def item_actions(self, item: dict) -> None:
        self.out("### Actions", "")
        if not item["actions"]:
            self.para("No actions on this item.")
            return
        self.out(
            *table(["Owner", "Agency", "What", "By"], [self._action(a) for a in item["actions"]])
        )

    def _action(self, action: dict) -> list[str]:
        return [
            inline(action["owner"]),
            inline(action["agency"]),
            inline(action["what"]),
            iso_day(action["due"]),
        ]


# How the record names the young person and whoever speaks for them.
YOUNG_PERSON = ("The young person", "The young person's advocate")


def _family(rating: dict) -> bool:
    """Say whether a rating is on the family's track (records made before tracks have none)."""
    return rating.get("track") == "family"


def _marked(round_: dict) -> list[dict]:
    """Return a round's ratings marked as minority views at its reveal."""
    return [r for r in round_["ratings"] if r.get("minority")]


# How a rating reached its round, as the minutes say it.
GIVEN = {
    "device": "own device",
    "phone": "read out on a phone line, entered by the chair",
    "paper": "paper slip, entered by the chair",
    "told": "told to the chair privately, entered by the chair",
    "written": "written contribution",
}


def _with_given(row: list[str], rating: dict | None, round_: dict) -> list[str]:
    """Add how each rating was given as the table's last column (the heading when `rating` is
    None). Records made before ratings said how they were given have no such column."""
    if not any("given" in r for r in round_["ratings"]):
        return row
    if rating is None:
        return [*row, "Given"]
    return [*row, GIVEN.get(rating.get("given", ""), "")]


def _value(rating: dict) -> str:
    """Return a rating as the ratings table reads it: the value with how sure the rater
    was and the range they thought plausible, or that they could not rate yet."""
    if rating.get("cannot_rate"):
        return "Could not rate yet (information needed)"
    value = inline(rating.get("value", "not revealed"))
    words = []
    if rating.get("range"):
        words.append(f"plausible {inline(rating['range'])}")
    if rating.get("sureness"):
        words.append(inline(rating["sureness"]).lower())
    return value + (f" ({', '.join(words)})" if words else "")
