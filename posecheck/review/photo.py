"""One photo, one verdict: is the person in the stretch's position, and why.

A still picture has no start position, no movement and no time, so it gets what one picture
can show: in position or not (from the spec's ``active`` line and ``looks``, the same rule the
checker enters a hold by), the working side, a recognised variant with its cue, the angles,
the faults visible in this picture, and every fault that is not checked here with the reason
(this camera view cannot see it, it is judged against your start, it needs movement, or a body
part is out of sight). No hold time and no repetitions.

``suggest`` runs every stretch's rule on the picture for a photo given without a stretch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from posecheck.coaching.checker import (
    MeasureValue,
    Values,
    clear_side,
    entering_side,
    fault_sides,
    look_measures,
    looks_right,
    measure_still,
    missing_reason,
    variant_of,
)
from posecheck.coaching.posture import contradicts, read_posture
from posecheck.coaching.wording import deg_text, fault_label
from posecheck.media.source import Frame, SourceInfo, VideoSource
from posecheck.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from posecheck.pose.landmarks import SIDES, Pose
from posecheck.specs.metrics import FromMeasure, LowerOf, StartOr
from posecheck.specs.schema import StretchSpec

#: Reasons a fault is not judged from one picture, in a person's words.
NEEDS_START = "it is measured as a change from your start position; a short video shows it"
NEEDS_MOVEMENT = "it is about how you move; a short video shows it"
NEEDS_POSITION = "it is checked once you are in position"
THIS_VIEW = "the camera cannot see it reliably from this view; check it yourself"


@dataclass(frozen=True)
class Angle:
    """A measured angle: the ROM (``label`` from the spec) or another measure in degrees."""

    name: str
    label: str
    side: str | None
    value_deg: float
    is_rom: bool = False
    uncertainty_deg: float = 0.0  # the ROM's, from this camera view (the spec's); 0: none known


@dataclass(frozen=True)
class SeenFault:
    fault_id: str
    side: str | None
    message: str
    severity: int
    value: float


@dataclass(frozen=True)
class Unchecked:
    fault_id: str
    side: str | None
    message: str
    reason: str  # in a person's words


@dataclass(frozen=True)
class PhotoVerdict:
    """What one picture says about one stretch."""

    stretch_id: str
    name: str
    person_found: bool
    in_position: bool | None  # None: this picture cannot tell
    side: str | None  # working side: "left", "right", "both" or None
    why: str
    variant_id: str | None
    variant_name: str | None
    cue: str  # the variant's cue toward the spec's form, else the spec's good cue, or ""
    angles: tuple[Angle, ...]
    faults: tuple[SeenFault, ...]
    not_checked: tuple[Unchecked, ...]
    posture: str  # "sitting or standing up", "lying down", ... ("" when unsure)


def _words_list(items: list[str]) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _position_why(spec: StretchSpec, values: Values) -> tuple[bool | None, str]:
    """(in position?, why) when the body does not enter the position: what is missing."""
    pos = spec.active
    sides = SIDES if spec.sided[pos.measure] else (None,)
    own = [values[(pos.measure, s)] for s in sides]
    hidden = [n for mv in own if not mv.known for n in mv.missing]
    if hidden and (pos.combine == "both" or all(not mv.known for mv in own)):
        return None, f"{missing_reason(tuple(hidden))}, so I cannot tell."
    sign = 1.0 if pos.direction == "up" else -1.0
    past = [mv.side for mv in own if mv.known and sign * mv.value > sign * pos.enter]
    if not past or (pos.combine == "both" and len(past) < len(own)):
        return False, f"Not in position: I don't see {pos.shows or 'the position yet'}."
    key = past[0] if pos.combine == "any" else ("both" if sides == SIDES else None)
    wrong = [lk for lk in pos.looks if not looks_right(spec, values, (lk,), key)]
    hidden = [n for lk in wrong for mv in look_measures(spec, values, lk, key) for n in mv.missing]
    if hidden:
        return None, f"{missing_reason(tuple(hidden))}, so I cannot tell."
    return False, f"Not in position: I don't see {_words_list([lk.shows for lk in wrong])}."


def _from_own_reading(spec: StretchSpec, values: Values) -> tuple[bool | None, str | None, str]:
    """(in position?, working side, why) for a position judged as a change from the start:
    in position only where the measure's own reading is past every resting reading
    (``active.clear_past``), else this picture cannot tell."""
    side = clear_side(spec, values)
    if side is not None:
        shows = spec.active.shows or f"your {side} leg well past where a leg at rest reads"
        return True, side, f"In position ({side} side): I see {shows}."
    how_far = "how far you move from your start position"
    if spec.active.clear_past is not None:
        how_far += ", and this picture is not far enough past rest to be sure"
    return (
        None,
        None,
        f"One photo cannot tell: this stretch is judged by {how_far}. Film a short video "
        "that starts at rest.",
    )


def _faults(
    spec: StretchSpec, values: Values, in_position: bool | None, working: str | None
) -> tuple[list[SeenFault], list[Unchecked]]:
    seen: list[SeenFault] = []
    unchecked: list[Unchecked] = []
    for fault in spec.faults:
        metric = spec.measures[fault.measure]
        if isinstance(metric, FromMeasure):
            unchecked.append(Unchecked(fault.id, None, fault.message, NEEDS_MOVEMENT))
            continue
        if metric.relative_to_start or (
            isinstance(metric, LowerOf) and spec.measures[metric.of].relative_to_start
        ):
            unchecked.append(Unchecked(fault.id, None, fault.message, NEEDS_START))
            continue
        if fault.during == "rest" and in_position:
            continue  # a check of the resting position; this picture is in the stretch
        if fault.during == "active" and not in_position:
            if in_position is None:
                unchecked.append(Unchecked(fault.id, None, fault.message, NEEDS_POSITION))
            continue
        for side in fault_sides(fault, working):
            mv: MeasureValue = values[(fault.measure, side)]
            if not mv.known:
                why = missing_reason(mv.missing) if mv.missing else NEEDS_POSITION
                unchecked.append(Unchecked(fault.id, side, fault.message, why))
            elif fault.violated_by(mv.value):
                seen.append(SeenFault(fault.id, side, fault.message, fault.severity, mv.value))
    for n in spec.not_checked:
        unchecked.append(Unchecked(n.id, None, n.message, THIS_VIEW))
    return sorted(seen, key=lambda f: -f.severity), unchecked


def _angles(spec: StretchSpec, values: Values, working: str | None) -> list[Angle]:
    """Every angle measured in the picture, per side; a measure that reads the other leg from
    the working side ("the back leg" of a pigeon on its front leg) on the working side only."""
    out: list[Angle] = []
    rom = spec.rom.measure if spec.rom is not None else None
    # a start_or repeats the angle it reads before a start: shown once, as the number when
    # it is the spec's rom measure, else under the name of the angle it repeats
    rom_metric = spec.measures[rom] if rom is not None else None
    repeated = rom_metric.before_start if isinstance(rom_metric, StartOr) else None
    for name, metric in spec.measures.items():
        if (
            metric.unit != "deg"
            or isinstance(metric, FromMeasure)
            or (isinstance(metric, StartOr) and name != rom)
            or name == repeated
            or metric.relative_to_start
        ):
            continue
        label = spec.rom.label if name == rom and spec.rom else name.replace("_", " ")
        sides = SIDES if spec.sided[name] else (None,)
        from_working = any(p.startswith("other_") for p in metric.parts())
        if working in SIDES and from_working and sides == SIDES:
            sides = (working,)  # type: ignore[assignment]
        for side in sides:
            mv = values[(name, side)]
            if mv.known:
                # one picture has no start: a start_or number reads its before-start scale
                number = spec.rom if name == rom else None
                value = number.reported(mv.value, started=False) if number else mv.value
                spread = number.uncertainty_deg if number else 0.0
                out.append(Angle(name, label, side, round(value, 1), number is not None, spread))
    return sorted(out, key=lambda a: not a.is_rom)


def judge_pose(spec: StretchSpec, pose: Pose | None) -> PhotoVerdict:
    """The verdict of one picture's pose (None: nobody found) for one stretch."""
    if pose is None:
        return PhotoVerdict(
            spec.id, spec.name, False, None, None,
            "I can't find a person in this photo. Make sure your whole body is in the "
            "picture, well lit, and try again.",
            None, None, "", (), (), (), "",
        )  # fmt: skip
    values = measure_still(spec, pose)
    reading = read_posture(pose, spec.min_visibility)
    posture = reading.words
    if contradicts(spec, reading):
        in_position: bool | None = False
        working: str | None = None
        why = f"Not in position: you look to be {posture}; this stretch is done {spec.position}."
    elif spec.measures[spec.active.measure].relative_to_start:
        in_position, working, why = _from_own_reading(spec, values)
    else:
        found, working = entering_side(spec, values)
        if found:
            in_position = True
            side = f" ({working} side)" if working in SIDES else ""
            why = f"In position{side}: I see {spec.active.shows or 'the position'}."
        else:
            in_position, why = _position_why(spec, values)
    variant = variant_of(spec, values, working) if in_position else None
    cue = variant.cue if variant is not None else (spec.good_cue if in_position else "")
    seen, unchecked = _faults(spec, values, in_position, working)
    if seen:
        cue = seen[0].message
    return PhotoVerdict(
        spec.id,
        spec.name,
        True,
        in_position,
        working,
        why,
        variant.id if variant else None,
        variant.name if variant else None,
        cue,
        tuple(_angles(spec, values, working)),
        tuple(seen),
        tuple(unchecked),
        posture,
    )


@dataclass(frozen=True)
class Suggestion:
    stretch_id: str
    name: str
    variant_name: str | None


def suggest(pose: Pose | None, specs: dict[str, StretchSpec]) -> list[Suggestion]:
    """The stretches this picture shows a person in position for, fewest faults first."""
    found = []
    for spec in specs.values():
        v = judge_pose(spec, pose)
        if v.in_position:
            found.append((len(v.faults), spec.name, Suggestion(spec.id, spec.name, v.variant_name)))
    return [s for _, _, s in sorted(found, key=lambda x: (x[0], x[1]))]


@dataclass(frozen=True)
class PhotoAnalysis:
    """A photo through the estimator: the source, the pose, and the verdict(s)."""

    source: SourceInfo
    pose: Pose | None
    verdict: PhotoVerdict | None  # for the stretch asked for
    suggestions: tuple[Suggestion, ...]  # without a stretch: what the photo may show
    posture: str


def estimate_photo(
    path: str | Path,
    *,
    estimator: PoseEstimator | None = None,
    model: str | Path | None = None,
    rotate_deg: int = 0,
) -> tuple[SourceInfo, Pose | None]:
    """The pose in one image file (the estimator in still-image mode)."""
    source = VideoSource(path, rotate_deg=rotate_deg)
    frame: Frame = next(iter(source.frames()))
    est = estimator or MediaPipePoseEstimator(still_images=True, model=model)
    try:
        pose = est.estimate(frame).pose
    finally:
        est.close()
    return source.info, pose


def analyze_photo(
    path: str | Path,
    spec: StretchSpec | None,
    specs: dict[str, StretchSpec] | None = None,
    *,
    estimator: PoseEstimator | None = None,
    model: str | Path | None = None,
    rotate_deg: int = 0,
) -> PhotoAnalysis:
    """One photo: the verdict for ``spec``, or without one, the stretches it may show."""
    info, pose = estimate_photo(path, estimator=estimator, model=model, rotate_deg=rotate_deg)
    return photo_analysis(info, pose, spec, specs)


def photo_analysis(
    info: SourceInfo,
    pose: Pose | None,
    spec: StretchSpec | None,
    specs: dict[str, StretchSpec] | None = None,
) -> PhotoAnalysis:
    """The verdict of a pose already estimated (judging it as another stretch needs no second
    run of the estimator)."""
    verdict = judge_pose(spec, pose) if spec is not None else None
    suggestions = tuple(suggest(pose, specs or {})) if spec is None else ()
    return PhotoAnalysis(info, pose, verdict, suggestions, read_posture(pose).words)


def is_photo(path: str | Path) -> bool:
    from posecheck.media.source import IMAGE_SUFFIXES  # noqa: PLC0415

    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def _side_text(side: str | None) -> str:
    return f"{side} " if side in SIDES else ""


def angle_text(g: Angle) -> str:
    """An angle of a photo for people: "42°, give or take 8°" for the number the stretch
    reports (its uncertainty from this camera view, as a video's summary gives it: the
    photo's table and the CLI showed the number alone), "124°" for the other angles (none
    is known for them)."""
    text = deg_text(g.value_deg)
    return f"{text}, give or take {g.uncertainty_deg:.0f}°" if g.uncertainty_deg else text


def photo_lines(a: PhotoAnalysis) -> list[str]:
    """The verdict as lines of text for a person (the CLI's output)."""
    v = a.verdict
    if v is None:
        if a.pose is None:
            return ["No person found in this photo: make sure your whole body is in the picture."]
        lines = [f"One photo{': you look to be ' + a.posture if a.posture else ''}."]
        if a.suggestions:
            lines.append("It looks like the position of:")
            lines += [
                f"  - {s.name}{f' ({s.variant_name})' if s.variant_name else ''}  "
                f"[--stretch {s.stretch_id}]"
                for s in a.suggestions
            ]
        else:
            lines.append("It does not look like the position of any stretch I can judge from one "
                         "picture.")  # fmt: skip
        lines.append("Give --stretch ID for the full verdict.")
        return lines
    lines = [f"{v.name}: one photo (a single picture has no hold time or repetitions)"]
    if not v.person_found:
        return [*lines, f"  {v.why}"]
    verdict = {True: "yes", False: "no", None: "can't tell from one photo"}[v.in_position]
    lines.append(f"  in position: {verdict}")
    lines.append(f"  {v.why}")
    if v.variant_name:
        lines.append(f"  recognised as: {v.variant_name}")
    if v.cue:
        lines.append(f"  tip: {v.cue}")
    for g in v.angles:
        lines.append(f"  {_side_text(g.side)}{g.label}: {angle_text(g)}")
    if v.faults:
        lines.append("  seen in this photo:")
        lines += [f"    - {fault_label(f.message, f.side)}" for f in v.faults]
    elif v.in_position:
        lines.append("  no fault seen in this photo")
    if v.not_checked:
        lines.append("  not checked from this photo:")
        lines += [f"    - {unchecked_text(n)}" for n in v.not_checked]
    return lines


def unchecked_text(n: Unchecked) -> str:
    """ "Sit up tall; lift your chest (it is measured as a change from your start ...)"."""
    return f"{fault_label(n.message.rstrip('.'), n.side)} ({n.reason})"


def _r(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 2)


def photo_report(a: PhotoAnalysis) -> dict:
    """The JSON report of a photo (``kind: photo``): no durations, holds or reps."""
    v = a.verdict
    out: dict = {
        "report_version": 1,
        "kind": "photo",
        "disclaimer": "Form feedback from a camera, not medical advice.",
        "source": {"path": a.source.path, "width": a.source.width, "height": a.source.height},
        "person_found": a.pose is not None,
        "posture": a.posture or None,
    }
    if v is None:
        out["suggestions"] = [
            {"stretch": s.stretch_id, "name": s.name, "variant": s.variant_name}
            for s in a.suggestions
        ]
        return out
    out.update(
        {
            "stretch": {"id": v.stretch_id, "name": v.name},
            "in_position": v.in_position,
            "side": v.side,
            "why": v.why,
            "variant": None
            if v.variant_id is None
            else {"id": v.variant_id, "name": v.variant_name},
            "cue": v.cue,
            "angles": [
                {"measure": g.name, "label": g.label, "side": g.side, "deg": _r(g.value_deg),
                 "rom": g.is_rom, "uncertainty_deg": g.uncertainty_deg or None}
                for g in v.angles
            ],
            "faults": [
                {"fault": f.fault_id, "side": f.side or "none", "message": f.message,
                 "severity": f.severity, "value": _r(f.value)}
                for f in v.faults
            ],
            "not_checked": [
                {"fault": n.fault_id, "side": n.side or "none", "message": n.message,
                 "reason": n.reason}
                for n in v.not_checked
            ],
        }
    )  # fmt: skip
    return out
