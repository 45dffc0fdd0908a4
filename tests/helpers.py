"""Test helpers: run a checker over synthetic frames and ask what it found."""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.coaching.checker import CheckResult, FaultEvent, StretchChecker, Summary
from posecheck.pose.landmarks import PoseFrame
from posecheck.specs.schema import StretchSpec


@dataclass(frozen=True)
class Run:
    results: tuple[CheckResult, ...]
    summary: Summary

    def events(self, fault_id: str, side: str | None = "any") -> list[FaultEvent]:
        return [
            e
            for e in self.summary.faults
            if e.fault_id == fault_id and (side == "any" or e.side == side)
        ]

    def fault_ids(self) -> set[str]:
        return {e.fault_id for e in self.summary.faults}

    def states(self) -> set[str]:
        return {r.state for r in self.results}


def run_checker(spec: StretchSpec, frames: list[PoseFrame]) -> Run:
    checker = StretchChecker(spec)
    results = tuple(checker.update(f) for f in frames)
    return Run(results, checker.summary())


def assert_flagged(
    run: Run,
    fault_id: str,
    side: str | None,
    onset_s: float,
    end_s: float | None = None,
    within_s: float = 1.0,
) -> FaultEvent:
    """The fault was flagged on ``side`` within ``within_s`` of ``onset_s`` and, if ``end_s``
    is given, released within ``within_s`` after it; no other side got it."""
    events = run.events(fault_id)
    assert events, f"{fault_id} never flagged; flagged: {sorted(run.fault_ids())}"
    sides = {e.side for e in events}
    assert sides == {side}, f"{fault_id} flagged on {sides}, expected {side}"
    first = min(events, key=lambda e: e.flagged_ms)
    delay_s = first.flagged_ms / 1000 - onset_s
    assert -0.5 <= delay_s <= within_s, f"{fault_id} flagged {delay_s:.2f} s after onset"
    if end_s is not None:
        last = max(events, key=lambda e: e.start_ms)
        assert last.end_ms is not None, f"{fault_id} never released"
        assert last.end_ms / 1000 <= end_s + within_s, (
            f"{fault_id} released at {last.end_ms / 1000:.2f} s, fault ended at {end_s} s"
        )
    return first


class NoEstimator:
    """For a Pipeline fed landmarks directly (``process_pose``): the estimator is never used."""

    def estimate(self, frame: object) -> PoseFrame:  # pragma: no cover - never called
        raise AssertionError("landmarks are fed directly")

    def close(self) -> None:
        pass
