"""Test helpers: run a checker over synthetic frames and ask what it found."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from posecheck.body.camera import posture_from_position
from posecheck.body.stage import BodyStage
from posecheck.coaching.checker import CheckResult, FaultEvent, StretchChecker, Summary
from posecheck.pose.landmarks import PoseFrame
from posecheck.specs.schema import SPEC_DIR, StretchSpec, parse_spec


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

    def held(self, name: str, side: str | None) -> list[float]:
        """A measure's known values over the frames in position."""
        return [
            v.value
            for r in self.results
            if r.state == "active"
            for v in r.measures
            if v.name == name and v.side == side and v.known
        ]


def run_checker(spec: StretchSpec, frames: list[PoseFrame]) -> Run:
    """The checker over the frames, with the body stage (the camera, the fitted legs, the
    knees from the picture) when a measure reads them, as the pipeline runs it."""
    checker = StretchChecker(spec)
    measures = spec.measures.values()
    legs, knees = any(m.needs_leg_fit for m in measures), any(m.needs_knee_rays for m in measures)
    camera = any(m.needs_body_camera for m in measures)
    stage = (
        BodyStage(
            posture_from_position(spec.position),
            fit_legs=legs,
            min_visibility=spec.min_visibility,
            knee_rays=knees,
        )
        if legs or knees or camera
        else None
    )
    results = tuple(checker.update(f, None if stage is None else stage.update(f)) for f in frames)
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


#: The prone knee-bend check as it was before it moved to ``not_checked`` (MediaPipe cannot
#: read the bend from beyond the feet; see the spec): the tests of checking at rest and of
#: "not checked from this view" for the far leg keep it as their example.
_PRONE_KNEE_CHECK = """
measures:
  knee_bend: {metric: joint_flexion, joint: knee, space: world}
  hips_across:
    {metric: separation_ratio, a: left_hip, b: right_hip, ref_a: mid_shoulder, ref_b: mid_hip}
faults:
  - id: knee_bend_off
    message: Bend the knees to a right angle before you start each side.
    why: The rule before it moved to not_checked.
    measure: knee_bend
    side: each
    above: 125
    below: 70
    during: rest
    min_duration_s: 0.8
    severity: 1
    seen_when:
      measure: hips_across
      above: 0.2
      applies_to: far_side
      reason: From this side angle your far leg hides behind the near one.
"""


def check_back_data(stretch_id: str, extra_yaml: str, fault_id: str) -> dict:
    """The stretch's spec file, as data, with a check it lists as not checked put back:
    ``extra_yaml``'s measures and faults added, ``fault_id`` taken off ``not_checked``."""
    data = yaml.safe_load((SPEC_DIR / f"{stretch_id}.yaml").read_text("utf-8"))
    extra = yaml.safe_load(extra_yaml)
    data["measures"].update(extra["measures"])
    data["faults"] = data.get("faults", []) + extra["faults"]
    data["not_checked"] = [n for n in data["not_checked"] if n["id"] != fault_id]
    return data


def with_check_back(stretch_id: str, extra_yaml: str, fault_id: str) -> StretchSpec:
    """The stretch's spec with a check it lists as not checked put back (the rule before):
    :func:`check_back_data`, parsed."""
    data = check_back_data(stretch_id, extra_yaml, fault_id)
    return parse_spec(yaml.safe_dump(data, sort_keys=False), stretch_id)


#: Supine hip rotation's shoulder check as it was before it moved to ``not_checked``
#: (session 14: no reading told a shoulder lift from good form on dev; see the spec): the tests
#: of a fault checked whenever its body parts are seen and of the rise off the floor read
#: through the camera keep it as their example.
HIP_ROTATION_SHOULDER_CHECK = """
measures:
  shoulder_rise:
    metric: rise_off_floor
    point: shoulder
    reference: other_shoulder
    relative_to_start: true
    camera_from: body
    elevation_from: body
faults:
  - id: shoulders_lift
    message: Keep both shoulders on the mat by rolling less far.
    why: The rule before it moved to not_checked.
    measure: shoulder_rise
    side: each
    above: 0.11
    during: always
    severity: 2
"""


def hip_rotation_with_shoulder_check(during_always: bool = True) -> StretchSpec:
    """The supine hip rotation spec with its shoulder check put back (``during_always``:
    checked whenever the shoulders are seen, as it was; else only in position)."""
    extra = HIP_ROTATION_SHOULDER_CHECK
    if not during_always:
        extra = extra.replace("    during: always\n", "")
    return with_check_back("supine_hip_rotation", extra, "shoulders_lift")


def prone_with_knee_check() -> StretchSpec:
    """The prone hip IR spec with the knee-bend check at rest put back."""
    return with_check_back("prone_internal_rotation", _PRONE_KNEE_CHECK, "knee_bend_off")


def with_measure(spec: StretchSpec, name: str, **update: object) -> StretchSpec:
    """``spec`` with one measure's fields changed (e.g. another camera or space), to compare
    a reading against the spec's own."""
    measure = spec.measures[name].model_copy(update=update)
    return spec.model_copy(update={"measures": {**spec.measures, name: measure}})


def benchmark_rom_error_deg(
    spec: StretchSpec, clip: str, min_frames: int, signed: bool = False
) -> float:
    """Mean ROM error (degrees) of one benchmark clip replayed from its recording under
    ``spec``, over at least ``min_frames`` scored frames; ``signed``: the mean of measured -
    true (negative: the number reads short)."""
    from pathlib import Path

    from posecheck.review.analysis import analyze_recording
    from posecheck.review.truth import load_truth, score

    clips = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "clips"
    truth = load_truth(clips / f"{clip}.truth.json.gz")
    scored = score(analyze_recording(clips / f"{clip}.pose.json.gz", spec), truth)
    errors = scored.rom_signed_errors_deg if signed else scored.rom_errors_deg
    assert len(errors) >= min_frames, len(errors)
    return sum(errors) / len(errors)
