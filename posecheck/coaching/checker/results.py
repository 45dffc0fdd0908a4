"""What the checker says: per frame (:class:`CheckResult`) and over a set (:class:`Summary`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.pose.landmarks import Side, human_name

SideKey = Side | None  # None: a whole-body value


@dataclass(frozen=True)
class MeasureValue:
    """One measure's value in one frame; NaN with ``missing`` landmark names when unknown."""

    name: str
    side: SideKey
    value: float
    missing: tuple[str, ...] = ()
    raw: float = math.nan  # before subtracting the starting value (relative measures)
    #: the length a ``divide_by: start`` ratio divides by in this frame (its start is kept)
    scale: float = math.nan

    @property
    def known(self) -> bool:
        return not math.isnan(self.value)


@dataclass(frozen=True)
class ActiveFault:
    fault_id: str
    side: SideKey
    message: str
    severity: int
    since_ms: float  # when the condition began (the onset), not when it was flagged
    landmarks: tuple[str, ...]  # landmark names to draw in red


@dataclass(frozen=True)
class FaultEvent:
    """A flagged fault from onset to release (``end_ms`` None while still active)."""

    fault_id: str
    side: SideKey
    message: str
    severity: int
    start_ms: float
    flagged_ms: float
    end_ms: float | None
    worst_value: float


@dataclass(frozen=True)
class UnseenFault:
    """A fault the camera cannot see from where it stands: not checked from this view."""

    fault_id: str
    side: SideKey
    reason: str  # why, and how to move the camera (the spec's ``seen_when.reason``)


@dataclass(frozen=True)
class UnseenSpan:
    """A stretch of time a fault was not checked because the view could not see it."""

    fault_id: str
    side: SideKey
    reason: str
    start_ms: float
    end_ms: float

    @property
    def duration_s(self) -> float:
        return (self.end_ms - self.start_ms) / 1000.0


@dataclass(frozen=True)
class Hold:
    """One time in position (an episode): a rep; a hold if it lasted ``hold_s``."""

    side: Side | str | None  # "left", "right", "both" or None
    start_ms: float
    end_ms: float
    held_s: float  # time that counted toward the hold (free of blocking faults)
    completed: bool
    peak_rom_deg: float | None


@dataclass(frozen=True)
class CheckResult:
    index: int
    t_ms: float
    state: str  # no_person | settling | unknown | rest | active
    working_side: Side | str | None
    reason: str | None  # for unknown / no_person: what is wrong, in words for the person
    missing: tuple[str, ...]
    measures: tuple[MeasureValue, ...]
    rom_deg: tuple[tuple[Side, float], ...]  # current ROM value per side (NaN if unknown)
    active_faults: tuple[ActiveFault, ...]
    unchecked_faults: tuple[str, ...]  # fault ids that could not be evaluated this frame
    hold_s: float  # hold timer of the current episode
    reps: tuple[tuple[str, int], ...]  # ("left", n), ("right", n) or ("both"/"all", n)
    holds_completed: int
    last_completed_side: Side | str | None
    #: Faults due this frame that the camera cannot see from where it stands (never flagged).
    unseen_faults: tuple[UnseenFault, ...] = ()
    variant: str | None = None  # id of the spec's variant the person is in, while active
    wrong_posture: bool = False  # clearly not the stretch's posture: nothing counted or timed

    def measure(self, name: str, side: SideKey = None) -> float:
        for m in self.measures:
            if m.name == name and m.side == side:
                return m.value
        raise KeyError(f"no measure {name!r} for side {side!r}")

    def rom(self, side: Side) -> float:
        return dict(self.rom_deg).get(side, math.nan)


@dataclass(frozen=True)
class Summary:
    stretch_id: str
    duration_s: float
    no_person_s: float
    unknown_s: float
    faults: tuple[FaultEvent, ...]
    holds: tuple[Hold, ...]
    reps: tuple[tuple[str, int], ...]
    holds_completed: int
    best_rom_deg: tuple[tuple[Side, float | None], ...]
    #: When faults were not checked because the view could not see them.
    not_seen: tuple[UnseenSpan, ...] = ()

    def not_seen_s(self) -> dict[tuple[str, SideKey], float]:
        """Seconds each (fault, side) went unchecked for the view."""
        out: dict[tuple[str, SideKey], float] = {}
        for span in self.not_seen:
            key = (span.fault_id, span.side)
            out[key] = out.get(key, 0.0) + span.duration_s
        return out

    @property
    def rom_asymmetry_deg(self) -> float | None:
        best = dict(self.best_rom_deg)
        if best.get("left") is None or best.get("right") is None:
            return None
        return abs(best["left"] - best["right"])  # type: ignore[operator]


def missing_reason(missing: tuple[str, ...]) -> str:
    """``("left_knee", "left_ankle")`` -> "I can't see your left knee and left ankle"."""
    names: list[str] = []
    for n in missing:
        h = human_name(n)
        if h not in names:
            names.append(h)
    if len(names) > 3:
        names = [*names[:3], "more"]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"I can't see your {listed}"


Values = dict[tuple[str, SideKey], MeasureValue]
