"""What each fault compared with its line, frame by frame (``StretchChecker.fault_readings``,
read by ``benchmarks/margins.py``): kept only while the fault is due and seen from the view.

Synthetic knee drops (``tests/test_fault_views.py``): from the advised diagonal the other
knee's fall is read on that knee while the drop is held and never at rest; from the side the
far knee cannot be seen, so nothing is kept for it, while the near knee's bend still is."""

from __future__ import annotations

import pytest

from posecheck.coaching.checker import StretchChecker
from tests.helpers import run_checker
from tests.test_fault_views import FAULT_OFF_S, FAULT_ON_S, SPEC, _drop


def _readings(monkeypatch: pytest.MonkeyPatch, frames: list) -> list[tuple[float, tuple]]:
    """(t_s, the frame's fault readings) for every frame the checker saw."""
    kept: list[tuple[float, tuple]] = []
    update = StretchChecker.update

    def spy(self, frame, body=None):
        result = update(self, frame, body)
        kept.append((frame.t_ms / 1000.0, self.fault_readings))
        return result

    monkeypatch.setattr(StretchChecker, "update", spy)
    run_checker(SPEC, frames)
    return kept


def _values(kept, fault: str, side: str | None, lo_s: float, hi_s: float) -> list[float]:
    return [v for t, rs in kept if lo_s <= t <= hi_s for f, s, v in rs if (f, s) == (fault, side)]


def test_the_advised_view_keeps_the_fall_while_the_drop_is_held(monkeypatch) -> None:
    kept = _readings(monkeypatch, _drop("left", 25, 60))
    line = next(f for f in SPEC.faults if f.id == "other_knee_falls").above
    falling = _values(kept, "other_knee_falls", "right", FAULT_ON_S + 0.5, FAULT_OFF_S)
    assert falling and max(falling) > line, falling  # read past its line, on the right knee
    held = _values(kept, "other_knee_falls", "right", 5.0, FAULT_ON_S - 1.0)
    assert held and min(held) < line  # the same knee before it falls: inside the line
    assert _values(kept, "other_knee_falls", "right", 0.0, 2.0) == []  # at rest: not due
    assert _values(kept, "other_knee_falls", "left", 0.0, 20.0) == []  # the working knee


def test_from_the_side_the_far_knee_is_not_read(monkeypatch) -> None:
    kept = _readings(monkeypatch, _drop("left", 25, 85))  # the right knee is the far one
    assert _values(kept, "other_knee_falls", "right", 0.0, 20.0) == []
    assert any(rs for _, rs in kept)  # other faults are still read
