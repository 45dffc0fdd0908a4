"""One time in position (an episode): its side, hold time, ROM samples and posture verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from posecheck.coaching.peaks import steady_peak
from posecheck.pose.landmarks import SIDES, Side

#: Rolling window for the "best" ROM, so one noisy frame is not a record.
ROM_WINDOW_S = 1.0


@dataclass
class Episode:
    side: Side | str | None
    start_ms: float
    held_s: float = 0.0
    rom_samples: list[tuple[float, Side, float]] = field(default_factory=list)
    posture: list[bool | None] = field(default_factory=list)  # PostureWatch verdict per frame
    top: float = -math.inf  # the position measure's furthest value (toward "in") so far
    legs_swapped: bool = False  # this frame the estimator has the legs the wrong way round
    #: the last frame (ms) the legs read swapped, else None
    swapped_ms: float | None = None
    #: past the exit line, kept in position by ``active.stays_while`` since (ms), else None
    stayed_since_ms: float | None = None
    #: entered by the position measure's own reading before a start existed
    #: (``active.clear_past``): it lasts while that reading stays clear
    from_look: bool = False
    #: the reading out of position since (ms), else None (``Phases._went_out``)
    out_since_ms: float | None = None
    #: a hold's readings out of position since ``out_since_ms``, and back in since then
    #: (unknown ones not counted; ``Phases._went_out``)
    out_readings: int = 0
    back_readings: int = 0
    #: ``held_s`` when the reading went under the exit line (the time under it is not held)
    held_at_out_s: float = 0.0

    @property
    def leaving(self) -> bool:
        """The reading went out and has not been back in since."""
        return self.out_since_ms is not None and self.back_readings == 0

    def went_out(self, t_ms: float) -> None:
        """The reading went out of position at ``t_ms`` (a moment out begins)."""
        self.out_since_ms, self.held_at_out_s = t_ms, self.held_s
        self.out_readings, self.back_readings = 1, 0

    def came_back(self) -> None:
        """The moment out is over: forgotten, or the end of this time in position."""
        self.out_since_ms, self.out_readings, self.back_readings = None, 0, 0

    def discard_rom_since(self, t_ms: float) -> None:
        """Forget ROM samples from a fault's onset on: faulty form is not a record."""
        self.rom_samples = [s for s in self.rom_samples if s[0] < t_ms]

    def steady_peak(self, side: Side) -> float | None:
        """Highest median over time in any ``ROM_WINDOW_S`` (one noisy frame is not a
        record), the same live, with frames dropped, as in replay (:mod:`..peaks`)."""
        return steady_peak([(t, v) for t, s, v in self.rom_samples if s == side], ROM_WINDOW_S)

    def peak(self) -> float | None:
        peaks = [p for p in (self.steady_peak(s) for s in SIDES) if p is not None]
        return max(peaks) if peaks else None


def add_peaks(best: dict[Side, float], ep: Episode) -> None:
    """Raise ``best`` (per side) to the episode's steady peaks where they are higher."""
    for side in SIDES:
        peak = ep.steady_peak(side)
        if peak is not None:
            best[side] = max(best.get(side, -math.inf), peak)
