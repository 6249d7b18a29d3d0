"""Figures from rounds: percentiles per round, medians across rounds, the tables, the JSON."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from .rounds import SHAPE_WORDS, RoundResult

PERCENTILES = (50, 95, 99, 100)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (100: the maximum); inf when the rank falls on a value that
    never came (a page that never showed it)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return math.nan
    return float(statistics.median(finite))


@dataclass
class Summary:
    """What one target measured at one size and shape: medians over its rounds."""

    size: str
    shape: str
    target: str
    rounds: list[RoundResult] = field(default_factory=list)
    peak_rss: int = 0
    note: str = ""

    def _median_of(self, what: str, p: float) -> float:
        return median([percentile(getattr(r, what), p) for r in self.rounds])

    def figures(self) -> dict[str, Any]:
        ratings = sum(r.acked for r in self.rounds)
        figures: dict[str, Any] = {
            f"{what}_p{p}": self._median_of(what, p)
            for what in ("sent", "answer", "progress", "reveal", "open")
            for p in PERCENTILES
        }
        figures |= {
            "rounds": len(self.rounds),
            "rounds_complete": sum(r.complete for r in self.rounds),
            "requests_per_round": median([float(r.requests) for r in self.rounds]),
            "failed_requests": sum(r.failed_requests for r in self.rounds),
            "reconnects": sum(r.reconnects for r in self.rounds),
            "cpu_per_round": median([r.cpu for r in self.rounds]),
            "client_cpu_per_round": median([r.client_cpu for r in self.rounds]),
            "listen_overflows": sum(r.listen_overflows for r in self.rounds),
            "cpu_per_rating": (sum(r.cpu for r in self.rounds) / ratings if ratings else math.nan),
            "peak_rss": self.peak_rss,
            "ratings": sum(r.ratings for r in self.rounds),
            "acked": ratings,
            "found": sum(r.found for r in self.rounds),
            "records_unread": sum(r.unread for r in self.rounds),
            "lost": sum(r.lost for r in self.rounds),
            "doubled": sum(r.doubled for r in self.rounds),
            "unanswered": sum(r.unanswered for r in self.rounds),
            "exactly_once": all(r.exactly_once for r in self.rounds),
            "clients": max((r.clients for r in self.rounds), default=0),
        }
        return figures

    def as_json(self) -> dict[str, Any]:
        figures = {k: _json_number(v) for k, v in self.figures().items()}
        return {
            "size": self.size,
            "shape": self.shape,
            "target": self.target,
            "note": self.note,
            "summary": figures,
            "rounds": [r.as_json() for r in self.rounds],
        }


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else "did not complete"
    return value


def ms(value: float) -> str:
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "did not complete"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.0f} ms"


def ratio(value: float, base: float) -> str:
    if not (math.isfinite(value) and math.isfinite(base)) or base <= 0:
        return "–"
    return f"{value / base:.1f}×"


def tables(summaries: list[Summary]) -> str:
    """The Markdown tables of a run: latency, then cost."""
    by = {(s.size, s.shape, s.target): s for s in summaries}
    lines = [
        "Latency as a person feels it, median over rounds of each round's percentile. "
        "Sent → shown: a rating's button pressed → the last page of its meeting shows it; "
        "sent → answer: the same press → the phone has its answer. Then, from the "
        "acknowledgement (the answer) → the last page shows it, and the reveal's "
        "acknowledgement → the last page shows it. × relay: product ÷ bare relay (p95).",
        "",
        "| size | shape | measured | sent → shown p50 | p95 | p99 | max | sent → answer p50 "
        "| p95 | max | × relay sent → shown | × relay sent → answer | from the answer p95 "
        "| reveal p50 | p95 | max | × relay reveal | complete |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        f = s.figures()
        base = by.get((s.size, s.shape, "relay"))
        b = base.figures() if base and s.target != "relay" else None
        lines.append(
            f"| {s.size} | {SHAPE_WORDS[s.shape]} | {s.target} | "
            + " | ".join(ms(f[f"sent_p{p}"]) for p in PERCENTILES)
            + " | "
            + " | ".join(ms(f[f"answer_p{p}"]) for p in (50, 95, 100))
            + f" | {ratio(f['sent_p95'], b['sent_p95']) if b else ''}"
            + f" | {ratio(f['answer_p95'], b['answer_p95']) if b else ''}"
            + f" | {ms(f['progress_p95'])} | "
            + " | ".join(ms(f[f"reveal_p{p}"]) for p in (50, 95, 100))
            + f" | {ratio(f['reveal_p95'], b['reveal_p95']) if b else ''}"
            + f" | {f['rounds_complete']}/{f['rounds']} rounds{_note(s)} |"
        )
    lines += [
        "",
        "Cost per round (median over rounds); CPU is the server processes' user + system "
        "time; peak RSS is their high-water mark over the whole size.",
        "",
        "| size | shape | measured | HTTP requests / round | server CPU / round "
        "| CPU / rating | peak RSS | ratings acknowledged / found | each acknowledged found once "
        "| clients' CPU / round | failed requests, reconnects, listen overflows (all rounds) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        f = s.figures()
        if not s.rounds:
            lines.append(f"| {s.size} | {SHAPE_WORDS[s.shape]} | {s.target} |" + " – |" * 8)
            continue
        per_rating = f["cpu_per_rating"]
        lines.append(
            f"| {s.size} | {SHAPE_WORDS[s.shape]} | {s.target} | {f['requests_per_round']:.0f} "
            f"| {f['cpu_per_round']:.2f} s | "
            + ("–" if math.isnan(per_rating) else f"{per_rating * 1000:.1f} ms")
            + f" | {f['peak_rss'] / 2**20:.0f} MB | {f['acked']} / {f['found']}{_unread(f)} "
            f"| {_once(f)} | {f['client_cpu_per_round']:.2f} s "
            f"| {f['failed_requests']}, {f['reconnects']}, {f['listen_overflows']} |"
        )
    return "\n".join(lines)


def _unread(f: dict[str, Any]) -> str:
    notes = []
    if f["unanswered"]:
        notes.append(f"{f['unanswered']} saved after their page gave up waiting")
    if f["records_unread"]:
        notes.append(f"{f['records_unread']} meetings' records not read: no answer")
    return f" ({'; '.join(notes)})" if notes else ""


def _once(f: dict[str, Any]) -> str:
    if f["exactly_once"]:
        return "yes"
    return f"NO: {f['lost']} lost, {f['doubled']} doubled"


def _note(s: Summary) -> str:
    return f" ({s.note})" if s.note else ""
