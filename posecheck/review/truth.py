"""Ground truth for rendered clips (``*.truth.json``, or gzipped) and scoring against it.

A truth file, written by ``tools/render``, says per frame what the joint angles and the
stretch's range of motion really were, and which faults were acted out when. ``score``
compares an :class:`~posecheck.review.analysis.Analysis` of the same clip with it: a flagged fault
counts as a hit when it has the same id as a true fault interval, overlaps it within
``tolerance_s``, and its side does not contradict the truth's. Left against right is a
contradiction; a whole-body side (``none``) on either part is not, because some faults are
whole-body in one description and tied to a leg in the other (a pelvis rolling as the top
knee opens; a foot sliding, which a spec may check as the spacing of both feet).

A true fault that was not flagged while the checker said, for at least half of its time, that
the camera could not see it (``Summary.not_seen``) is *not seen from this view*: neither a hit
nor a miss, and counted apart, as faults the spec never checks are.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path

from posecheck.coaching.checker import FaultEvent, Summary
from posecheck.errors import SourceError
from posecheck.review.analysis import Analysis


@dataclass(frozen=True)
class TruthFault:
    fault: str
    side: str  # left | right | none
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Truth:
    clip: str
    stretch: str
    body: str
    faults: tuple[TruthFault, ...]
    reps: tuple[tuple[str, int], ...]
    holds: int
    rom_deg: tuple[tuple[float | None, float | None], ...]  # per frame: (left, right)

    @property
    def is_good_form(self) -> bool:
        return not self.faults


def load_truth(path: str | Path) -> Truth:
    path = Path(path)
    try:
        if path.name.endswith(".gz"):  # the benchmark's compact truth files
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
        return Truth(
            clip=data["clip"],
            stretch=data["stretch"],
            body=data.get("body", "?"),
            faults=tuple(
                TruthFault(f["fault"], f["side"], float(f["start_s"]), float(f["end_s"]))
                for f in data["faults"]
            ),
            reps=tuple(sorted(data["expected"]["reps"].items())),
            holds=int(data["expected"].get("holds", 0)),
            rom_deg=tuple(
                (fr["rom_deg"].get("left"), fr["rom_deg"].get("right")) for fr in data["frames"]
            ),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"{path}: not a readable truth file ({exc})") from None


@dataclass(frozen=True)
class Score:
    clip: str
    stretch: str
    hits: tuple[tuple[TruthFault, float], ...]  # true fault, seconds from onset to flag
    misses: tuple[TruthFault, ...]  # checked faults that were never flagged
    not_checked: tuple[TruthFault, ...]  # faults the spec says this view cannot see
    false_alarms: tuple[FaultEvent, ...]  # flags that match no true fault
    flags: int
    rep_error: int  # sum over sides of |counted - true|
    hold_error: int  # |times in position - true holds|, for hold stretches (0 for reps)
    rom_errors_deg: tuple[float, ...]  # per frame in position, |measured - true|
    best_rom_error_deg: tuple[tuple[str, float], ...]  # per side, best measured - best true
    rom_signed_errors_deg: tuple[float, ...] = ()  # per frame in position, measured - true
    #: true faults not flagged because the view could not see them (most of their time was
    #: reported as not checked from this view): neither a hit nor a miss
    not_seen: tuple[TruthFault, ...] = ()
    rom_true_deg: tuple[float, ...] = ()  # the true angle of each rom_signed_errors_deg entry


def _side(event: FaultEvent) -> str:
    return event.side or "none"


def _sides_agree_raw(side: str, true_side: str) -> bool:
    return "none" in (side, true_side) or side == true_side


def _sides_agree(event: FaultEvent, true: TruthFault) -> bool:
    return _sides_agree_raw(_side(event), true.side)


def _overlaps(event: FaultEvent, true: TruthFault, end_ms: float, tolerance_s: float) -> bool:
    start_s = event.start_ms / 1000.0
    stop_s = (event.end_ms if event.end_ms is not None else end_ms) / 1000.0
    return start_s <= true.end_s + tolerance_s and stop_s >= true.start_s - tolerance_s


def _unseen_share(summary: Summary, true: TruthFault) -> float:
    """The share of a true fault's time that the checker reported as not checked from this
    view, on a side that does not contradict it."""
    length_ms = (true.end_s - true.start_s) * 1000.0
    if length_ms <= 0:
        return 0.0
    covered = 0.0
    for span in summary.not_seen:
        if span.fault_id != true.fault or not _sides_agree_raw(span.side or "none", true.side):
            continue
        lo, hi = max(span.start_ms, true.start_s * 1000.0), min(span.end_ms, true.end_s * 1000.0)
        covered += max(0.0, hi - lo)
    return min(1.0, covered / length_ms)


def score(analysis: Analysis, truth: Truth, tolerance_s: float = 1.0) -> Score:
    spec, summary = analysis.spec, analysis.summary
    checked = {f.id for f in spec.faults}
    end_ms = analysis.records[-1].t_ms if analysis.records else 0.0
    hits, misses, not_checked, not_seen = [], [], [], []
    for true in truth.faults:
        if true.fault not in checked:
            not_checked.append(true)
            continue
        matches = [
            e
            for e in summary.faults
            if e.fault_id == true.fault
            and _sides_agree(e, true)
            and _overlaps(e, true, end_ms, tolerance_s)
        ]
        if matches:
            first = min(matches, key=lambda e: e.flagged_ms)
            hits.append((true, first.flagged_ms / 1000.0 - true.start_s))
        elif _unseen_share(summary, true) >= 0.5:
            not_seen.append(true)  # the view could not see it, and said so
        else:
            misses.append(true)
    false_alarms = tuple(
        e
        for e in summary.faults
        if not any(
            e.fault_id == t.fault and _sides_agree(e, t) and _overlaps(e, t, end_ms, tolerance_s)
            for t in truth.faults
        )
    )
    counted = dict(summary.reps)
    if "both" in counted:
        # A stretch for both sides at once counts one rep for both; the truth counts it per side.
        counted.setdefault("left", counted["both"])
        counted.setdefault("right", counted["both"])
    true_reps = dict(truth.reps)
    rep_error = sum(abs(counted.get(s, 0) - n) for s, n in true_reps.items())
    rom_errors: list[float] = []
    rom_signed: list[float] = []
    rom_true: list[float] = []
    for rec in analysis.records:
        if rec.state != "active" or rec.index >= len(truth.rom_deg):
            continue
        true_left, true_right = truth.rom_deg[rec.index]
        for side, measured, true in (
            ("left", rec.rom_left_deg, true_left),
            ("right", rec.rom_right_deg, true_right),
        ):
            if rec.working_side in (side, "both") and measured is not None and true is not None:
                rom_errors.append(abs(measured - true))
                rom_signed.append(measured - true)
                rom_true.append(true)
    best_errors = []
    for i, side in enumerate(("left", "right")):
        true_best = max((r[i] for r in truth.rom_deg if r[i] is not None), default=None)
        measured_best = dict(summary.best_rom_deg).get(side)
        if true_best is not None and true_best > 0 and measured_best is not None:
            best_errors.append((side, measured_best - true_best))
    return Score(
        clip=truth.clip,
        stretch=truth.stretch,
        hits=tuple(hits),
        misses=tuple(misses),
        not_checked=tuple(not_checked),
        false_alarms=false_alarms,
        flags=len(summary.faults),
        rep_error=rep_error,
        # A reps stretch is scored on its reps: a step or a lift is a time in position but
        # not a hold, so comparing with the held pauses would count every rep as an error.
        hold_error=abs(len(summary.holds) - truth.holds) if spec.dose.kind == "hold" else 0,
        rom_errors_deg=tuple(rom_errors),
        best_rom_error_deg=tuple(best_errors),
        rom_signed_errors_deg=tuple(rom_signed),
        not_seen=tuple(not_seen),
        rom_true_deg=tuple(rom_true),
    )


def mean(values: list[float] | tuple[float, ...]) -> float:
    return sum(values) / len(values) if values else math.nan
