"""Where does the ROM error come from? Per clip, against the camera, body, side and amplitude.

    .venv/bin/python benchmarks/rom_breakdown.py --split dev [--index PATH] [--variants ...]

Every clip of the split whose stretch has a ROM measure is replayed from its recording
(as ``accuracy.py`` does) once per *variant* of the ROM measure:

- ``spec``: the spec as it is;
- ``true``: an on-screen measure (one with camera angles, :class:`CameraView`) given the
  clip's TRUE camera azimuth and elevation from its truth file, instead of the spec's
  advised view (its camera section): the error left is not the camera's;
- ``body``: the same measure with the camera estimated from the body (``camera_from: body``,
  azimuth and elevation);
- ``swing``: the measure read through the camera estimated from the body
  (``space: camera``, :mod:`posecheck.body.swing`), relative to the start as the spec says;
  ``swing_abs``: the same, not relative to the start;
- ``model``: hip rotation read from the fitted leg model (``space: model``,
  :mod:`posecheck.body.legfit`);
- ``cam`` / ``world``: a thigh opening (seated cross-ankle) with the knee from the picture at
  MediaPipe's depth (``space: camera``), or MediaPipe's 3D knee (``space: world``);
- ``every_view``: the ROM measure read from every camera placement, without its
  ``unseen_toward_deg`` (the seated cross-ankle's "not measured from this view").

Printed: one line per clip (true camera, body, working side, amplitude, the estimate's
camera error, ROM mean absolute error and bias per variant), then per stretch. ``--screen``
splits an on-screen measure's error into its geometry's (the truth's projected joints) and
the landmarks' (MediaPipe's), both through the true camera; ``--lobo`` fits corrections per
stretch to the raw reading (without the spec's ``rom.correction``, whose numbers are these
fits': a scale, an offset, and for a measure counted from the start a scale that grows with
the sine of the starting value; beside them an affine fit, and a constant, the other bodies'
mean true angle whatever the reading: an affine fit that scores no better than the constant has
learned the benchmark's amplitudes, not the reading) and scores them leave-one-body-out.
``--crossed-knee`` (seated cross-ankle) prints, per crossed side, where the recording puts the
crossed knee across the body against the truth's projected knee while the opposite hand presses
it and while it does not, beside the camera's side (round toward the crossed leg or away from
it) and the ROM error. ``--best`` scores the number a person keeps, the best per side as
reported, against the truth's best, beside the spec's ``rom.uncertainty_deg``. ``--landmarks``
compares the
recordings' knee and ankle points on screen with the truth's projected joints (pixels), and
counts the frames where the legs are swapped (the other leg's truth fits both points better),
for each folder given by ``--recordings`` (default: the recordings beside the truth; give two
folders to compare two pose models, e.g. ``--recordings CLIPS /work/rec-heavy``).
``--starts`` checks the starting values of the ROM measures counted from the rest start: when
each side's start was taken, the largest true angle inside its start window, how far it is
from the *rest start* (the measure's median raw reading over the frames where the truth has
both sides at rest), and the ROM error in position as it is and with the rest start instead
(the same frames, each shifted by the start's error). ``--twist`` (seated twist) sets the
spec's 3D turn beside the shoulder line's and the hip line's yaw through each frame's camera
solve, counted from the first second. ``--blend`` (the lying knee rolls) replays each clip
once with its on-screen reading and its swing plane through the body's camera side by side,
and scores the number as the screen alone, the swing plane alone, and their mean up to each
of several azimuths (``KneeRoll.swing_until_deg``), per stretch, then chooses the azimuth on
all bodies but one and scores the one left out, for each body in turn (the three stretches
pooled). ``--start-template`` (prone) solves the
camera's start template (``template.prone_start``) on the truth's projected joints and on the
recording's landmarks, at the true focal length, in its own proportions and in an adult's:
whether the template matches the body or MediaPipe's picture of it. ``--choose`` adds, per
stretch, the
leave-one-body-out figure of choosing between the ``--variants`` (the one with the lower mean
error on the other bodies, scored on the body left out). The findings are written down in
docs/measurement.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import INDEX, RECORDING_SUFFIX, TRUTH_SUFFIX, read_index  # noqa: E402

from posecheck.body.geometry import wrap_deg  # noqa: E402
from posecheck.review.truth import load_truth, mean, score  # noqa: E402

VARIANTS = ("spec", "true", "body", "swing", "swing_abs", "model", "cam", "world", "every_view")


def true_camera(truth_path: Path) -> tuple[float, float]:
    """The clip's true camera azimuth and elevation (``accuracy.true_camera_deg``)."""
    from accuracy import true_camera_deg

    return true_camera_deg(truth_path)


@dataclass
class ClipRom:
    clip: str
    stretch: str
    row: dict[str, str]
    true_az: float
    true_el: float
    est_az: float = math.nan
    est_el: float = math.nan
    mae: dict[str, float] = field(default_factory=dict)
    bias: dict[str, float] = field(default_factory=dict)
    errors: dict[str, list[float]] = field(default_factory=dict)


def read_from_every_view(spec):
    """The spec with its ROM measure read from every camera placement: without the
    measure's ``unseen_toward_deg`` (the seated cross-ankle's opening), else as it is."""
    name = spec.rom.measure
    m = spec.measures[name]
    if getattr(m, "unseen_toward_deg", None) is None:
        return spec
    measures = {**spec.measures, name: m.model_copy(update={"unseen_toward_deg": None})}
    return spec.model_copy(update={"measures": measures})


def with_camera(spec, variant: str, az: float, el: float):
    """The spec with its ROM measure's camera set for a variant (None: not applicable)."""
    from posecheck.specs.metrics import CameraView

    name = spec.rom.measure
    m = spec.measures[name]
    if variant == "spec":
        return spec
    if variant == "every_view":
        every = read_from_every_view(spec)
        return None if every is spec else every
    if variant in ("cam", "world"):
        # thigh_opening: the knee from the picture at MediaPipe's depth, or MediaPipe's 3D
        if m.metric != "thigh_opening":
            return None
        update = {"space": "camera" if variant == "cam" else "world"}
        measures = {**spec.measures, name: m.model_copy(update=update)}
        return spec.model_copy(update={"measures": measures})
    if not isinstance(m, CameraView) or getattr(m, "space", "image") not in ("image", "camera"):
        return None
    if variant == "model":
        if m.metric != "hip_internal_rotation":
            return None
        update = {"space": "model"}
    elif variant in ("swing", "swing_abs"):
        update = {"space": "camera", "camera_from": "body"}
        if variant == "swing_abs":
            update["relative_to_start"] = False
    elif variant == "true":
        seen = m.model_copy(update={"camera_from": "spec"}).seen_from(min(80.0, abs(az)), el)
        return spec.model_copy(update={"measures": {**spec.measures, name: seen}})
    else:
        update = {"camera_from": "body", "elevation_from": "body"}
    measures = {**spec.measures, name: m.model_copy(update=update)}
    return spec.model_copy(update={"measures": measures})


def replay(row: dict[str, str], clips: Path, variants: tuple[str, ...]) -> ClipRom | None:
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth_path = clips / f"{clip}{TRUTH_SUFFIX}"
    truth = load_truth(truth_path)
    spec = load_by_id(truth.stretch)
    if spec.rom is None:
        return None
    az, el = true_camera(truth_path)
    out = ClipRom(clip, truth.stretch, row, az, el)
    for v in variants:
        s = with_camera(spec, v, az, el)
        if s is None:
            continue
        analysis = analyze_recording(clips / f"{clip}{RECORDING_SUFFIX}", s)
        sc = score(analysis, truth)
        out.mae[v] = mean(list(sc.rom_errors_deg))
        out.bias[v] = mean(list(sc.rom_signed_errors_deg))
        out.errors[v] = list(sc.rom_signed_errors_deg)
        if v == "spec":
            out.est_az, out.est_el = analysis.camera.azimuth_deg, analysis.camera.elevation_deg
    return out


def screen_split(
    row: dict[str, str], clips: Path, roll_sign: float = 1.0
) -> tuple[str, list[float], list[float], list[float], list[float]] | None:
    """For an on-screen ROM measure: its signed error per frame (moving frames, |true| >=
    10 degrees, relative to the first frame) computed from the TRUE projected joints and
    from MediaPipe's landmarks, both through the true camera. The first is the error of the
    measure's geometry alone, the second adds the landmarks' error."""
    import numpy as np

    from posecheck.body.camera import CameraEstimate
    from posecheck.body.geometry import PoseGeometry
    from posecheck.body.stage import BodyState
    from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, index_of
    from posecheck.pose.recording import load_recording
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth_path = clips / f"{clip}{TRUTH_SUFFIX}"
    truth = load_truth(truth_path)
    spec = load_by_id(truth.stretch)
    az, el = true_camera(truth_path)
    s = None if spec.rom is None else with_camera(spec, "true", az, el)
    if s is None:
        return None
    metric = s.measures[s.rom.measure]
    swing_metric = metric.model_copy(update={"space": "camera", "camera_from": "body"})
    with gzip.open(truth_path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    frames = data["frames"]
    cam = data["camera"]
    true_cam = CameraEstimate(
        az,
        el,
        float(cam["distance_m"]),
        roll_sign * float(cam.get("roll_deg", 0.0)),
        float(cam["lens_mm"]) / float(cam["sensor_width_mm"]) * float(data["width"]),
        0.0,
        0.0,
        1,
        0.0,
    )
    body = BodyState(true_cam, (), int(data["width"]), int(data["height"]))
    rec = load_recording(clips / f"{clip}{RECORDING_SUFFIX}").frames

    def truth_pose(joints: dict[str, list[float]]) -> Pose:
        xy = np.full((NUM_LANDMARKS, 2), np.nan)
        vis = np.zeros(NUM_LANDMARKS)
        for name, p in joints.items():
            xy[index_of(name)] = p
            vis[index_of(name)] = 1.0
        return Pose(xy, vis, None)

    geo_err: list[float] = []
    lm_err: list[float] = []
    sw_geo: list[float] = []
    sw_lm: list[float] = []
    for side in ("left", "right"):
        start_t = start_m = None
        start_sw: tuple[float, float] | None = None
        for fr, pf in zip(frames, rec, strict=False):
            true = fr["rom_deg"].get(side)
            t_val = metric.compute(PoseGeometry(truth_pose(fr["joints_px"]), 0.5), side)
            m_val = (
                math.nan if pf.pose is None else metric.compute(PoseGeometry(pf.pose, 0.5), side)
            )
            sw_t = swing_metric.compute(PoseGeometry(truth_pose(fr["joints_px"]), 0.5, body), side)
            sw_m = (
                math.nan
                if pf.pose is None
                else swing_metric.compute(PoseGeometry(pf.pose, 0.5, body), side)
            )
            if start_t is None:
                start_t, start_m, start_sw = t_val, m_val, (sw_t, sw_m)
                continue
            if true is None or abs(true) < 10:
                continue
            geo_err.append(t_val - start_t - true)
            lm_err.append(m_val - start_m - true)
            rel = 1.0 if metric.relative_to_start else 0.0
            sw_geo.append(sw_t - rel * start_sw[0] - true)
            sw_lm.append(sw_m - rel * start_sw[1] - true)
    return clip, geo_err, lm_err, sw_geo, sw_lm


def _absolute_rom(spec):
    """``spec`` reporting its ROM measure's raw reading, not counted from the start: the
    same measure added under another name (the position and the faults keep the original)."""
    data = spec.model_dump(exclude_unset=True, by_alias=True)
    rom = spec.measures[spec.rom.measure].model_dump(exclude_unset=True)
    data["measures"]["rom_absolute"] = {**rom, "relative_to_start": False, "start_in": "rest"}
    data["rom"]["measure"] = "rom_absolute"
    return type(spec).model_validate(data)


def rom_pairs(row: dict[str, str], clips: Path) -> list[tuple[str, str, float, float, float]]:
    """(stretch, body, measured, true, start) per working side and frame in position, as
    ``posecheck.review.truth.score`` counts them, the spec as it is but for its learned
    ``rom.correction``: the raw reading, which a correction is fitted to. ``start`` is the
    measure's starting value where it counts from one (else 0)."""
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    truth = load_truth(clips / f"{row['clip']}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    if spec.rom is None:
        return []
    spec = spec.model_copy(update={"rom": spec.rom.model_copy(update={"correction": None})})
    recording = clips / f"{row['clip']}{RECORDING_SUFFIX}"
    records = analyze_recording(recording, spec).records
    absolute = records
    if spec.measures[spec.rom.measure].relative_to_start:
        absolute = analyze_recording(recording, _absolute_rom(spec)).records
    out = []
    # the frames ``score`` counts: in position, the working side, measured and true known
    for rec, ab in zip(records, absolute, strict=True):
        if rec.state != "active" or rec.index >= len(truth.rom_deg):
            continue
        for i, side in enumerate(("left", "right")):
            m = (rec.rom_left_deg, rec.rom_right_deg)[i]
            a = (ab.rom_left_deg, ab.rom_right_deg)[i]
            true = truth.rom_deg[rec.index][i]
            if rec.working_side in (side, "both") and m is not None and true is not None:
                start = 0.0 if a is None else a - m
                out.append((truth.stretch, row["body"], m, true, start))
    return out


def leave_one_body_out(pairs: list[tuple[str, str, float, float, float]]) -> None:
    """Corrections per stretch (true = scale x measured; measured + offset; for a measure
    counted from the start, true = measured x (scale + k x sin(start)), a form the specs no
    longer offer: docs/measurement.md; true = a x measured + b; and a constant, the mean
    true angle, which ignores the reading), fitted on all bodies but one and scored on that one,
    in turn."""
    import numpy as np

    by: dict[str, list[tuple[str, float, float, float]]] = defaultdict(list)
    for stretch, body, m, t, start in pairs:
        by[stretch].append((body, m, t, start))
    print(
        f"{'stretch':<32} bodies frames {'none':>11} {'scale':>11} {'offset':>11} "
        f"{'start':>11} {'affine':>11} {'constant':>11}  all-dev fit"
    )
    for stretch, rows in sorted(by.items()):
        b = np.array([r[0] for r in rows])
        m = np.array([r[1] for r in rows])
        t = np.array([r[2] for r in rows])
        x = np.c_[m, m * np.sin(np.radians([r[3] for r in rows]))]
        errs: dict[str, list[float]] = {
            "none": [],
            "scale": [],
            "offset": [],
            "start": [],
            "affine": [],
            "constant": [],
        }
        line = np.c_[m, np.ones_like(m)]
        for body in sorted(set(b)):
            fit, held = b != body, b == body
            scale = float(m[fit] @ t[fit] / (m[fit] @ m[fit])) if m[fit] @ m[fit] > 0 else 1.0
            offset = float(np.mean(t[fit] - m[fit]))
            by_start = np.linalg.lstsq(x[fit], t[fit], rcond=None)[0]
            affine = np.linalg.lstsq(line[fit], t[fit], rcond=None)[0]
            errs["none"] += list(m[held] - t[held])
            errs["scale"] += list(scale * m[held] - t[held])
            errs["offset"] += list(m[held] + offset - t[held])
            errs["start"] += list(x[held] @ by_start - t[held])
            errs["affine"] += list(line[held] @ affine - t[held])
            # the other bodies' mean true angle, whatever the reading: what an affine fit
            # with a slope near 0 amounts to (not a measurement)
            errs["constant"] += list(float(np.mean(t[fit])) - t[held])
        cells = [f(mean([abs(e) for e in v])) + "/" + f(mean(v), "{:+.1f}") for v in errs.values()]
        k = np.linalg.lstsq(x, t, rcond=None)[0]
        slope = np.linalg.lstsq(line, t, rcond=None)[0]
        print(
            f"{stretch:<32} {len(set(b)):>6} {len(m):>6} "
            + " ".join(f"{c:>11}" for c in cells)
            + f"  scale {float(m @ t / (m @ m)):.2f}, offset {float(np.mean(t - m)):+.1f},"
            f" start: scale {k[0]:.2f} + {k[1]:.2f} sin(start),"
            f" affine {slope[0]:.2f} x {slope[1] + 0.0:+.1f}"
        )


#: The leg points compared with the truth's projected joints in ``--landmarks``.
LEG_POINTS = ("knee", "ankle")


@dataclass(frozen=True)
class LandmarkError:
    """One clip's screen error of the leg points in one recording."""

    clip: str
    stretch: str
    errors_px: dict[str, list[float]]  # point name -> per frame and side, pixels
    frames: int  # frames with a pose and truth
    swapped: int  # frames where both legs' points fit the other leg's truth better


def landmark_error(row: dict[str, str], clips: Path, recordings: Path) -> LandmarkError | None:
    """The recording's knee and ankle points against the truth's projected joints."""
    import numpy as np

    from posecheck.pose.landmarks import index_of
    from posecheck.pose.recording import load_recording

    clip = row["clip"]
    rec_path = recordings / f"{clip}{RECORDING_SUFFIX}"
    if not rec_path.exists():
        return None
    with gzip.open(clips / f"{clip}{TRUTH_SUFFIX}", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    errors: dict[str, list[float]] = {p: [] for p in LEG_POINTS}
    frames = swapped = 0
    for fr, pf in zip(data["frames"], load_recording(rec_path).frames, strict=False):
        joints = fr.get("joints_px") or {}
        if pf.pose is None or not all(
            f"{s}_{p}" in joints for s in ("left", "right") for p in LEG_POINTS
        ):
            continue
        frames += 1
        straight = crossed = 0.0
        for p in LEG_POINTS:
            for side, other in (("left", "right"), ("right", "left")):
                seen = pf.pose.image_xy[index_of(f"{side}_{p}")]
                d = float(np.linalg.norm(seen - np.asarray(joints[f"{side}_{p}"])))
                errors[p].append(d)
                straight += d
                crossed += float(np.linalg.norm(seen - np.asarray(joints[f"{other}_{p}"])))
        swapped += crossed < 0.5 * straight
    return LandmarkError(clip, data.get("stretch", row["stretch"]), errors, frames, swapped)


def landmarks_table(
    rows: list[dict[str, str]], clips: Path, folders: list[Path], jobs: int
) -> None:
    """Per stretch (and overall): the mean and median screen error of knees and ankles, and
    the frames with the legs swapped, one column group per recordings folder."""
    import numpy as np

    found: list[dict[str, LandmarkError]] = []
    for folder in folders:
        job = partial(landmark_error, clips=clips, recordings=folder)
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            found.append({r.clip: r for r in pool.map(job, rows, chunksize=2) if r is not None})
    common = sorted(set.intersection(*(set(d) for d in found)))
    by: dict[str, list[str]] = defaultdict(list)
    for clip in common:
        by[found[0][clip].stretch].append(clip)
    by["all"] = common
    print(f"{len(common)} clips in every folder; per folder: knee and ankle screen error mean /")
    print("median (px), frames with the legs swapped / frames")
    for i, folder in enumerate(folders):
        print(f"  [{i}] {folder}")
    head = " ".join(
        f"{'[' + str(i) + '] knee':>12} {'ankle':>11} {'swapped':>12}" for i in range(len(folders))
    )
    print(f"{'stretch':<32} clips {head}")
    for name, names in sorted(by.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        cells = []
        for d in found:
            rs = [d[c] for c in names]
            for p in LEG_POINTS:
                e = [x for r in rs for x in r.errors_px[p]]
                avg, mid = (float(np.mean(e)), float(np.median(e))) if e else (math.nan,) * 2
                cells.append(f"{f(avg)}/{f(mid)}")
            cells.append(f"{sum(r.swapped for r in rs)}/{sum(r.frames for r in rs)}")
        print(f"{name:<32} {len(names):>5} " + " ".join(f"{c:>12}" for c in cells))
    print()
    print("clips whose swapped frames differ:")
    for clip in common:
        counts = [d[clip].swapped for d in found]
        if len(set(counts)) > 1:
            print(f"  {clip}: " + ", ".join(f"[{i}] {n}" for i, n in enumerate(counts)))


#: The truth is "at rest" where both sides' true angle is under this (degrees).
REST_DEG = 3.0
#: A start this close to the rest start (degrees) is counted as right in the summary.
START_OK_DEG = 2.0


@dataclass
class StartCheck:
    clip: str
    stretch: str
    onset_s: float  # the movement's onset after the first frame (index.csv)
    found_s: float  # the person's first frame (NaN: never found)
    #: per side: (start taken at, s from the first frame; largest true angle in its start
    #: window; start minus the rest start), NaN where not taken or no rest frame
    sides: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    errors: list[float] = field(default_factory=list)  # in position, as it is
    errors_rest: list[float] = field(default_factory=list)  # the same frames, rest start


def start_check(row: dict[str, str], clips: Path) -> StartCheck | None:
    """One clip's starting values against the truth (``--starts``); None when its ROM measure
    is not counted from the rest start."""
    import numpy as np

    from posecheck.coaching.pipeline import Pipeline
    from posecheck.pose.recording import RecordedEstimator, load_recording
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth = load_truth(clips / f"{clip}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    if spec.rom is None:
        return None
    name = spec.rom.measure
    metric = spec.measures[name]
    if not metric.relative_to_start or metric.from_position:
        return None
    estimator = RecordedEstimator(load_recording(clips / f"{clip}{RECORDING_SUFFIX}"))
    pipeline = Pipeline(spec, estimator)
    found_ms = math.nan
    taken: dict[str, tuple[float, float]] = {}  # side: (t_ms, start)
    rest_raw: dict[str, list[float]] = defaultdict(list)
    frames = []  # (t_ms, true (left, right), result)
    for frame in estimator.frames():
        result = pipeline.process_pose(frame).result
        if frame.pose is not None and math.isnan(found_ms):
            found_ms = frame.t_ms
        if frame.index >= len(truth.rom_deg):
            continue
        true = truth.rom_deg[frame.index]
        frames.append((frame.t_ms, true, result))
        at_rest = all(v is not None and abs(v) < REST_DEG for v in true)
        for mv in result.measures:
            if mv.name != name or mv.side is None or math.isnan(mv.raw):
                continue
            if at_rest:
                rest_raw[mv.side].append(mv.raw)
            if mv.known and mv.side not in taken:
                taken[mv.side] = (frame.t_ms, mv.raw - mv.value)
    out = StartCheck(clip, truth.stretch, float(row.get("onset_s") or "nan"), found_ms / 1000.0)
    shift: dict[str, float] = {}
    for i, side in enumerate(("left", "right")):
        t_ms, start = taken.get(side, (math.nan, math.nan))
        rest = float(np.median(rest_raw[side])) if rest_raw[side] else math.nan
        window = [
            abs(true[i])
            for t, true, _ in frames
            if true[i] is not None and t_ms - spec.baseline_s * 1000.0 <= t < t_ms
        ]
        shift[side] = wrap_deg(start - rest)
        out.sides[side] = (t_ms / 1000.0, max(window, default=math.nan), shift[side])
    for _, true, result in frames:
        if result.state != "active":
            continue
        for i, (side, measured) in enumerate(result.rom_deg):
            if (
                result.working_side in (side, "both")
                and true[i] is not None
                and not math.isnan(measured)
            ):
                out.errors.append(measured - true[i])
                if not math.isnan(shift[side]):
                    out.errors_rest.append(measured + shift[side] - true[i])
    return out


def starts_table(rows: list[dict[str, str]], clips: Path, jobs: int) -> None:
    """``--starts``: the per-clip and per-stretch table of :func:`start_check`."""
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = [r for r in pool.map(partial(start_check, clips=clips), rows, chunksize=2) if r]
    found.sort(key=lambda r: (r.stretch, r.clip))
    print(
        "start: s from the first frame it was taken at; window: the largest true angle in its "
        "start window; error: start minus the rest start (the raw reading while the truth is "
        f"at rest, both sides under {REST_DEG:.0f} deg). ROM in position, MAE/bias: as it is, "
        "and the same frames from the rest start"
    )
    side_head = " ".join(f"{s + ' start/window/error':>24}" for s in ("left", "right"))
    print(f"{'clip':<52} onset found {side_head} {'as it is':>12} {'rest start':>12}")
    by: dict[str, list[StartCheck]] = defaultdict(list)
    for r in found:
        by[r.stretch].append(r)
        by["all"].append(r)
        cells = " ".join(
            f"{f(t) + '/' + f(w, '{:.0f}') + '/' + f(e, '{:+.1f}'):>24}"
            for t, w, e in r.sides.values()
        )
        print(
            f"{r.clip:<52} {f(r.onset_s):>5} {f(r.found_s):>5} {cells} "
            f"{_mae_bias(r.errors):>12} {_mae_bias(r.errors_rest):>12}"
        )
    print()
    print(
        f"{'stretch':<32} clips {'as it is':>12} {'rest start':>12} "
        f"{'starts within ' + f(START_OK_DEG, '{:.0f}') + ' deg of rest':>26}  (pooled frames)"
    )
    for name, rs in sorted(by.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        e0 = [e for r in rs for e in r.errors]
        e1 = [e for r in rs for e in r.errors_rest]
        taken = [e for r in rs for _, _, e in r.sides.values() if not math.isnan(e)]
        near = sum(abs(e) <= START_OK_DEG for e in taken)
        print(
            f"{name:<32} {len(rs):>5} {_mae_bias(e0):>12} {_mae_bias(e1):>12} "
            f"{f'{near} of {len(taken)}':>26}"
        )


def _mae_bias(errors: list[float]) -> str:
    return f(mean([abs(e) for e in errors])) + "/" + f(mean(errors), "{:+.1f}")


def twist_check(row: dict[str, str], clips: Path) -> tuple[str, list[tuple[float, ...]]] | None:
    """``--twist`` (seated twist): per frame in position and working side, the true turn, the
    spec's 3D reading, and the shoulder line's and the hip line's yaw in camera coordinates
    (each frame's own camera solve), counted from their median over the first second."""
    import numpy as np

    from posecheck.body.camera import solve_pnp
    from posecheck.pose.landmarks import index_of
    from posecheck.pose.recording import load_recording
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth = load_truth(clips / f"{clip}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    rec = load_recording(clips / f"{clip}{RECORDING_SUFFIX}").frames

    def yaws(frame) -> tuple[float, float]:
        pose = frame.pose
        sol = None if pose is None else solve_pnp(pose, frame.width, frame.height)
        if sol is None:
            return (math.nan, math.nan)
        w = pose.world_xyz
        out = []
        for a, b in (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")):
            v = sol.rotation @ (w[index_of(a)] - w[index_of(b)])
            out.append(math.degrees(math.atan2(float(v[2]), float(v[0]))))
        return out[0], out[1]

    first = [f for f in rec if f.pose is not None]
    first = [f for f in first if f.t_ms - first[0].t_ms <= 1000.0] if first else []
    if not first:
        return None
    s0, h0 = np.nanmedian(np.array([yaws(f) for f in first]), axis=0)
    found: list[tuple[float, ...]] = []
    for r in analyze_recording(clips / f"{clip}{RECORDING_SUFFIX}", spec).records:
        if r.state != "active" or r.index >= len(truth.rom_deg):
            continue
        for sign, measured, true in (
            (-1.0, r.rom_left_deg, truth.rom_deg[r.index][0]),
            (1.0, r.rom_right_deg, truth.rom_deg[r.index][1]),
        ):
            if measured is None or true is None:
                continue
            ys, yh = yaws(rec[r.index])
            found.append((true, measured, sign * (ys - s0), sign * (yh - h0)))
    return clip, found


def twist_table(rows: list[dict[str, str]], clips: Path, jobs: int) -> None:
    """``--twist``: the per-clip table of :func:`twist_check`."""
    rows = [r for r in rows if r["stretch"] == "seated_internal_rotation_twist"]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = [x for x in pool.map(partial(twist_check, clips=clips), rows) if x is not None]
    heads = ("3D (spec)", "shoulder yaw", "shoulder-hip yaw")
    print(f"{'clip':<52} {'true':>5} " + " ".join(f"{h:>16}" for h in heads) + "  hip yaw")
    pooled: list[tuple[float, ...]] = []
    for clip, fs in sorted(found):
        if not fs:
            continue
        pooled += fs
        cells = _twist_cells(fs)
        med_true = sorted(f[0] for f in fs)[len(fs) // 2]
        med_hip = sorted(f[3] for f in fs)[len(fs) // 2]
        print(
            f"{clip:<52} {med_true:5.0f} "
            + " ".join(f"{c:>16}" for c in cells)
            + f"  {med_hip:+5.0f}"
        )
    print(f"{'all':<52} {'':>5} " + " ".join(f"{c:>16}" for c in _twist_cells(pooled)))


def _twist_cells(fs: list[tuple[float, ...]]) -> list[str]:
    errs = (
        [f[1] - f[0] for f in fs],
        [f[2] - f[0] for f in fs],
        [f[2] - f[3] - f[0] for f in fs],
    )
    return [_mae_bias(e) for e in errs]


def best_check(row: dict[str, str], clips: Path) -> tuple[str, str, list[float]] | None:
    """``--best``: per side, the best ROM of the set as reported (the spec as it is, learned
    correction and all) less the truth's best: the number a person keeps (the report, the
    history, the Progress chart), which ``rom.uncertainty_deg`` goes beside."""
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    truth = load_truth(clips / f"{row['clip']}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    if spec.rom is None:
        return None
    sc = score(analyze_recording(clips / f"{row['clip']}{RECORDING_SUFFIX}", spec), truth)
    return truth.stretch, row["clip"], [e for _, e in sc.best_rom_error_deg]


def best_table(rows: list[dict[str, str]], clips: Path, jobs: int) -> None:
    """``--best``: per stretch, the best per side against the truth's (mean absolute error,
    bias, 90th percentile, largest) beside the spec's ``rom.uncertainty_deg`` and the share
    of sides within it."""
    import numpy as np

    from posecheck.specs.schema import load_by_id

    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = [x for x in pool.map(partial(best_check, clips=clips), rows) if x is not None]
    by: dict[str, list[float]] = defaultdict(list)
    for stretch, _, errors in found:
        by[stretch] += errors
    print(f"{'stretch':<32} sides {'MAE/bias':>11}   p90   max  uncertainty  within")
    for stretch, errors in sorted(by.items()):
        if not errors:
            continue
        size = np.abs(np.array(errors))
        within = load_by_id(stretch).rom.uncertainty_deg
        print(
            f"{stretch:<32} {len(errors):>5} {_mae_bias(errors):>11} "
            f"{np.percentile(size, 90):5.1f} {size.max():5.1f} {within:12g} "
            f"{np.mean(size <= within) * 100:5.0f} %"
        )


#: ``--start-template``: the prone start template's proportions compared (hip and shoulder
#: half-widths, shin; the trunk 0.50 and thighs 0.44): the template's own (None: MediaPipe's
#: picture, chosen on dev bodies) and an average adult's skeleton.
START_TEMPLATES = {"picture's": None, "adult's": (0.09, 0.19, 0.42)}
#: ``--start-template``: the frames solved, from the first (the start hold's first seconds).
START_TEMPLATE_S = 1.5


def start_template_check(row: dict[str, str], clips: Path) -> tuple[str, float, list[float]] | None:
    """``--start-template`` (prone): the start template's camera azimuth less the true one, each
    the median over the frames of the first ``START_TEMPLATE_S`` with both legs at rest
    (``REST_DEG``), at the true focal length; per template of ``START_TEMPLATES``, solved on the
    truth's projected joints and on the recording's landmarks (in that order)."""
    import numpy as np

    from posecheck.body.template import prone_start, start_view_deg
    from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, index_of
    from posecheck.pose.recording import load_recording

    if row["stretch"] != "prone_internal_rotation":
        return None
    truth_path = clips / f"{row['clip']}{TRUTH_SUFFIX}"
    with gzip.open(truth_path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    az, _ = true_camera(truth_path)
    cam, w, h = data["camera"], data["width"], data["height"]
    focal = cam["lens_mm"] / cam["sensor_width_mm"] * w
    recording = load_recording(clips / f"{row['clip']}{RECORDING_SUFFIX}")
    pictures: list[tuple[Pose | None, Pose | None]] = []
    for fr, pf in zip(data["frames"], recording.frames, strict=False):
        if fr["t_ms"] - data["frames"][0]["t_ms"] > START_TEMPLATE_S * 1000.0:
            break
        joints = fr.get("joints_px") or {}
        if any(abs(v or 0.0) >= REST_DEG for v in fr["rom_deg"].values()):
            continue
        xy, vis = np.zeros((NUM_LANDMARKS, 2)), np.zeros(NUM_LANDMARKS)
        for name, point in joints.items():
            xy[index_of(name)], vis[index_of(name)] = point, 1.0
        pictures.append((Pose(xy, vis), pf.pose))
    errors = []
    for sizes in START_TEMPLATES.values():
        kw = (
            {}
            if sizes is None
            else dict(zip(("hip_half_width", "shoulder_half_width", "shin"), sizes, strict=True))
        )
        template = prone_start(90.0, **kw)
        for which in (0, 1):
            views = [
                v[0]
                for p in pictures
                if p[which] is not None
                and (v := start_view_deg(p[which], w, h, "prone", focal, template=template))
            ]
            errors.append(wrap_deg(float(np.median(views)) - az) if views else math.nan)
    return row["clip"], az, errors


def start_template_table(rows: list[dict[str, str]], clips: Path, jobs: int) -> None:
    """``--start-template``: per clip and overall, the start template's azimuth error on the
    truth's joints and on MediaPipe's picture, per template (mean absolute error, the share
    within 10 degrees, the mean error with the camera on the person's left and on their right)."""
    import numpy as np

    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = [x for x in pool.map(partial(start_template_check, clips=clips), rows) if x]
    heads = [f"{t} {p}" for t in START_TEMPLATES for p in ("joints", "MediaPipe")]
    print(f"prone start template at the true focal length, first {START_TEMPLATE_S} s at rest:")
    print("azimuth error (estimate less truth) on the truth's joints and on MediaPipe's picture")
    print(f"{'clip':<52} {'true az':>7} " + " ".join(f"{h:>26}" for h in heads))
    for clip, az, errors in found:
        print(f"{clip:<52} {az:+7.0f} " + " ".join(f"{e:+26.1f}" for e in errors))
    print(f"{'':<52} {'':>7} " + " ".join(f"{'MAE / <=10 / left / right':>26}" for _ in heads))
    cells = []
    for i in range(len(heads)):
        e = np.array([x[2][i] for x in found])
        az = np.array([x[1] for x in found])
        ok = np.isfinite(e)
        e, az = e[ok], az[ok]
        if not len(e):
            cells.append("-")
            continue
        left = f"{e[az > 0].mean():+.1f}" if np.any(az > 0) else "-"
        right = f"{e[az < 0].mean():+.1f}" if np.any(az < 0) else "-"
        cells.append(
            f"{np.mean(np.abs(e)):.1f} / {np.mean(np.abs(e) <= 10) * 100:.0f}% / {left} / {right}"
        )
    print(
        f"{'all (' + str(len(found)) + ' clips)':<52} {'':>7} "
        + " ".join(f"{c:>26}" for c in cells)
    )


#: ``--crossed-knee``: the chest turned at least this far (the truth's trunk rotation) counts
#: as pressing (the opposite hand on the crossed knee).
PRESS_TURN_DEG = 20.0


@dataclass(frozen=True)
class CrossedSide:
    """One crossed side of a seated cross-ankle clip (``--crossed-knee``)."""

    side: str
    toward_deg: float  # the camera's true azimuth, + round toward the crossed leg's side
    press_px: float  # the crossed knee's median on-screen error across the body, + outward
    free_px: float  # the same while the chest is square (not pressing)
    press_frames: int
    rom_errors: tuple[float, ...]  # per frame in position: reading - truth


def crossed_knee_check(row: dict[str, str], clips: Path) -> tuple[str, list[CrossedSide]] | None:
    """``--crossed-knee`` (seated cross-ankle): per crossed side, where the recording puts
    the crossed knee on screen against the truth's projected knee, across the body (+ out,
    away from the other hip; - toward the midline), while the opposite hand presses it (the
    chest turned, :data:`PRESS_TURN_DEG`) and while it does not, beside the camera's side
    and the ROM error in position."""
    import numpy as np

    from posecheck.pose.landmarks import index_of
    from posecheck.pose.recording import load_recording
    from posecheck.review.analysis import analyze_recording
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth_path = clips / f"{clip}{TRUTH_SUFFIX}"
    truth = load_truth(truth_path)
    if truth.stretch != "seated_cross_ankle_rotation":
        return None
    with gzip.open(truth_path, "rt", encoding="utf-8") as fh:
        frames = json.load(fh)["frames"]
    rec = load_recording(clips / f"{clip}{RECORDING_SUFFIX}").frames
    # the reading itself, from every camera placement (not the spec's "not measured from here")
    spec = read_from_every_view(load_by_id(truth.stretch))
    records = analyze_recording(clips / f"{clip}{RECORDING_SUFFIX}", spec)
    az = float(row["camera_azimuth_deg"])  # + round toward the person's left
    out: list[CrossedSide] = []
    for i, side in enumerate(("left", "right")):
        other = "right" if side == "left" else "left"
        press: list[float] = []
        free: list[float] = []
        rom: list[float] = []
        for r in records.records:
            true = truth.rom_deg[r.index][i] if r.index < len(truth.rom_deg) else None
            pose = rec[r.index].pose if r.index < len(rec) else None
            if r.state != "active" or true is None or pose is None:
                continue
            measured = (r.rom_left_deg, r.rom_right_deg)[i]
            if r.working_side in (side, "both") and measured is not None:
                rom.append(measured - true)
            joints = frames[r.index]["joints_px"]
            outward = np.sign(joints[f"{side}_hip"][0] - joints[f"{other}_hip"][0])
            err = float(pose.image_xy[index_of(f"{side}_knee")][0] - joints[f"{side}_knee"][0])
            turned = abs(frames[r.index]["body"]["trunk_rotation_deg"]) >= PRESS_TURN_DEG
            (press if turned else free).append(float(outward) * err)
        if rom:
            out.append(
                CrossedSide(
                    side,
                    az if side == "left" else -az,
                    float(np.median(press)) if press else math.nan,
                    float(np.median(free)) if free else math.nan,
                    len(press),
                    tuple(rom),
                )
            )
    return clip, out


def crossed_knee_table(rows: list[dict[str, str]], clips: Path, jobs: int) -> None:
    """``--crossed-knee``: the per-side table of :func:`crossed_knee_check`, then the sides
    grouped by the camera's side (toward the crossed leg, about in front, away from it)."""
    rows = [r for r in rows if r["stretch"] == "seated_cross_ankle_rotation"]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = [x for x in pool.map(partial(crossed_knee_check, clips=clips), rows) if x]
    print(
        f"{'clip':<56} side  camera toward  knee px pressing (frames)  knee px free  ROM MAE/bias"
    )
    groups: dict[str, list[CrossedSide]] = defaultdict(list)
    for clip, sides in sorted(found):
        for c in sides:
            print(
                f"{clip:<56} {c.side:<5} {c.toward_deg:+13.1f} {f(c.press_px, '{:+.0f}'):>17} "
                f"({c.press_frames:3d}) {f(c.free_px, '{:+.0f}'):>13}  "
                f"{_mae_bias(list(c.rom_errors))}"
            )
            key = (
                "toward the crossed leg (>= +10)"
                if c.toward_deg >= 10
                else "away from it (<= -10)"
                if c.toward_deg <= -10
                else "about in front"
            )
            groups[key].append(c)
    for key, cs in groups.items():
        errs = [e for c in cs for e in c.rom_errors]
        bad = sum(1 for c in cs if abs(mean(list(c.rom_errors))) > 10)
        print(f"camera {key}: {len(cs)} sides, {bad} read 10 or more off, ROM {_mae_bias(errs)}")


#: ``--blend``: the azimuths (degrees round) up to which the swing plane is averaged in.
BLEND_UNTIL_DEG = (60.0, 70.0, 75.0, 80.0, 85.0, 90.0)


def blend_frames(
    row: dict[str, str], clips: Path
) -> list[tuple[str, str, float, float, float, float]] | None:
    """``--blend``: per working side and frame in position, (stretch, body, true, on-screen
    reading, swing plane through the body's camera, that camera's azimuth), both counted
    from their own start. None when the ROM measure is not an on-screen knee roll."""
    from posecheck.coaching.pipeline import Pipeline
    from posecheck.pose.recording import RecordedEstimator, load_recording
    from posecheck.specs.metrics import KneeRoll
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth = load_truth(clips / f"{clip}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    if spec.rom is None or not isinstance(spec.measures[spec.rom.measure], KneeRoll):
        return None
    m = spec.measures[spec.rom.measure]
    if m.space != "image":
        return None
    screen = m.model_copy(update={"swing_until_deg": None})
    plane = screen.model_copy(
        update={"space": "camera", "camera_from": "body", "elevation_from": "body"}
    )
    # validated again, not copied: which measures are per side is worked out at load
    measures = {**spec.measures, "_screen": screen, "_plane": plane}
    fields = {k: getattr(spec, k) for k in type(spec).model_fields}
    spec = type(spec).model_validate({**fields, "measures": measures})
    estimator = RecordedEstimator(load_recording(clips / f"{clip}{RECORDING_SUFFIX}"))
    pipeline = Pipeline(spec, estimator)
    out = []
    for frame in estimator.frames():
        step = pipeline.process_pose(frame)
        r = step.result
        if r.state != "active" or frame.index >= len(truth.rom_deg):
            continue
        cam = step.body.camera
        az = abs(cam.azimuth_deg) if cam.known else math.nan
        for i, side in enumerate(("left", "right")):
            true = truth.rom_deg[frame.index][i]
            if r.working_side not in (side, "both") or true is None:
                continue
            a, b = r.measure("_screen", side), r.measure("_plane", side)
            if not math.isnan(a):
                out.append((truth.stretch, row["body"], true, a, b, az))
    return out


def _blended(screen: float, plane: float, az: float, until: float | None) -> float:
    """The number as ``swing_until_deg: until`` makes it (None: the screen alone)."""
    if until is None or math.isnan(plane) or not az <= until:
        return screen
    return (screen + plane) / 2.0


def blend_table(rows: list[dict[str, str]], clips: Path, jobs: int) -> None:
    """``--blend``: the table of :func:`blend_frames`."""
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = [
            x
            for fs in pool.map(partial(blend_frames, clips=clips), rows, chunksize=2)
            if fs
            for x in fs
        ]
    choices: tuple[float | None, ...] = (None, *BLEND_UNTIL_DEG)
    stretches = sorted({x[0] for x in found})

    def errors(until: float | None, keep) -> list[float]:
        return [_blended(a, b, az, until) - t for st, body, t, a, b, az in found if keep(st, body)]

    def p90(es: list[float]) -> str:
        return f(sorted(abs(e) for e in es)[int(0.9 * (len(es) - 1))] if es else math.nan)

    print("ROM in position, MAE/bias/p90: the on-screen reading alone, and averaged with the")
    print("swing plane through the body's camera up to each azimuth; 'plane': the plane alone")
    print(f"{'number':<14} " + " ".join(f"{s:>30}" for s in [*stretches, "all"]))
    for until in (*choices, "plane"):
        cells = []
        for name in [*stretches, "all"]:
            if until == "plane":
                es = [b - t for st, _, t, _, b, _ in found if name in (st, "all") and b == b]
            else:
                es = errors(until, lambda st, _b, n=name: n in (st, "all"))
            cells.append(_mae_bias(es) + "/" + p90(es))
        label = "screen" if until is None else until if until == "plane" else f"mean <= {until:.0f}"
        print(f"{label:<14} " + " ".join(f"{c:>30}" for c in cells))
    bodies = sorted({x[1] for x in found})
    scored: dict[str, list[float]] = defaultdict(list)
    picks: dict[str, int] = defaultdict(int)
    for held in bodies:

        def others(_st: str, body: str, held: str = held) -> bool:
            return body != held

        pick = min(choices, key=lambda u: mean([abs(e) for e in errors(u, others)]))
        picks["screen" if pick is None else f"{pick:.0f}"] += 1
        for st, body, t, a, b, az in found:
            if body == held:
                scored[st].append(_blended(a, b, az, pick) - t)
    print()
    print(
        "left one body out (the azimuth chosen on the other bodies, pooled): "
        + ", ".join(f"{k} {n}" for k, n in picks.items())
    )
    for name in [*stretches, "all"]:
        es = [e for st, v in scored.items() if name in (st, "all") for e in v]
        print(f"  {name:<30} {_mae_bias(es)}/{p90(es)}")


def choose_by_body(results: list[ClipRom], variants: tuple[str, ...]) -> None:
    """``--choose``: per stretch, choose the variant with the lower mean error over the other
    bodies' frames and score it on the body left out, for each body in turn."""
    print()
    print(f"{'stretch':<32} bodies {'left one body out':>18}  chosen")
    by: dict[str, list[ClipRom]] = defaultdict(list)
    for r in results:
        by[r.stretch].append(r)
    for name, rs in sorted(by.items()):
        usable = [v for v in variants if any(r.errors.get(v) for r in rs)]
        if len(usable) < 2:
            continue
        bodies = sorted({r.row["body"] for r in rs})
        scored: list[float] = []
        chosen: dict[str, int] = defaultdict(int)

        def pooled(group: list[ClipRom], v: str) -> float:
            return mean([abs(e) for r in group for e in r.errors.get(v, [])])

        for body in bodies:
            others = [r for r in rs if r.row["body"] != body]
            pick = min(usable, key=lambda v: (math.isnan(pooled(others, v)), pooled(others, v)))
            chosen[pick] += 1
            scored += [e for r in rs if r.row["body"] == body for e in r.errors.get(pick, [])]
        picks = ", ".join(f"{v} {n}" for v, n in chosen.items())
        print(f"{name:<32} {len(bodies):>6} {_mae_bias(scored):>18}  {picks}")


def f(v: float, p: str = "{:.1f}") -> str:
    return "-" if v != v else p.format(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--index", type=Path, default=INDEX)
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    ap.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument(
        "--screen",
        action="store_true",
        help="on-screen measures: error from the true joints vs MediaPipe's, true camera",
    )
    ap.add_argument(
        "--lobo",
        action="store_true",
        help="corrections per stretch (and a constant), validated leave-one-body-out",
    )
    ap.add_argument(
        "--landmarks",
        action="store_true",
        help="knee and ankle screen error against the truth's joints, and swapped legs",
    )
    ap.add_argument(
        "--recordings",
        type=Path,
        nargs="+",
        help="with --landmarks: recordings folders to compare (default: beside the truth)",
    )
    ap.add_argument(
        "--starts",
        action="store_true",
        help="relative ROM measures: when the start was taken, and its error against rest",
    )
    ap.add_argument(
        "--choose",
        action="store_true",
        help="per stretch: choose among --variants leaving one body out, scored on it",
    )
    ap.add_argument(
        "--twist",
        action="store_true",
        help="seated twist: the 3D turn against the shoulders' and hips' yaw through the camera",
    )
    ap.add_argument(
        "--blend",
        action="store_true",
        help="lying knee rolls: the screen reading averaged with the swing plane, by azimuth",
    )
    ap.add_argument(
        "--best",
        action="store_true",
        help="the best ROM per side against the truth's, beside the spec's uncertainty",
    )
    ap.add_argument(
        "--crossed-knee",
        action="store_true",
        help="seated cross-ankle: the crossed knee's screen error pressing or not, by camera side",
    )
    ap.add_argument(
        "--start-template",
        action="store_true",
        help="prone: the start template's camera azimuth on the truth's joints and on "
        "MediaPipe's picture, in its own proportions and an adult's",
    )
    ap.add_argument("--stretch", nargs="+", help="only these stretches (ids)")
    ap.add_argument("--roll-sign", type=float, default=1.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    rows = read_index(args.split, args.index)
    if args.stretch:
        rows = [r for r in rows if r["stretch"] in args.stretch]
    if args.landmarks:
        clips = args.index.parent / "clips"
        landmarks_table(rows, clips, args.recordings or [clips], args.jobs)
        return
    tables = {
        "starts": starts_table,
        "twist": twist_table,
        "blend": blend_table,
        "best": best_table,
        "crossed_knee": crossed_knee_table,
        "start_template": start_template_table,
    }
    for flag, table in tables.items():
        if getattr(args, flag):
            table(rows, args.index.parent / "clips", args.jobs)
            return
    if args.lobo:
        job = partial(rom_pairs, clips=args.index.parent / "clips")
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            leave_one_body_out([p for ps in pool.map(job, rows, chunksize=2) for p in ps])
        return
    if args.screen:
        job = partial(screen_split, clips=args.index.parent / "clips", roll_sign=args.roll_sign)
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            found = [r for r in pool.map(job, rows, chunksize=2) if r is not None]
        print(
            "true camera; image: the spec's on-screen measure, swing: space camera; "
            "joints: the truth's projected joints, MediaPipe: the recording's landmarks"
        )
        heads = ("image joints", "image MediaPipe", "swing joints", "swing MediaPipe")
        print(f"{'clip':<52} " + " ".join(f"{h:>16}" for h in heads))
        for clip, *errs in sorted(found):
            cells = [f(mean([abs(e) for e in es])) + "/" + f(mean(es), "{:+.1f}") for es in errs]
            print(f"{clip:<52} " + " ".join(f"{c:>16}" for c in cells))
        return
    job = partial(replay, clips=args.index.parent / "clips", variants=tuple(args.variants))
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = [r for r in pool.map(job, rows, chunksize=2) if r is not None]
    results.sort(key=lambda r: (r.stretch, r.clip))
    cols = " ".join(f"{v + ' MAE/bias':>16}" for v in args.variants)
    print(f"{'clip':<52} body side  az(el)true  az(el)err  peak {cols}")
    for r in results:
        az_err = (r.est_az - r.true_az + 180) % 360 - 180
        vals = " ".join(
            f"{f(r.mae.get(v, math.nan)) + '/' + f(r.bias.get(v, math.nan), '{:+.1f}'):>16}"
            for v in args.variants
        )
        print(
            f"{r.clip:<52} {r.row['body']:<4} {r.row['working_side']:<5} "
            f"{r.true_az:+5.0f}({r.true_el:3.0f}) {az_err:+5.0f}({r.est_el - r.true_el:+4.0f}) "
            f"{float(r.row['rom_peak_deg'] or 'nan'):4.0f} {vals}"
        )
    print()
    by: dict[str, list[ClipRom]] = defaultdict(list)
    for r in results:
        by[r.stretch].append(r)
    print(f"{'stretch':<32} clips {cols}")
    for name, rs in sorted(by.items()):
        vals = []
        for v in args.variants:
            errs = [e for r in rs for e in r.errors.get(v, [])]
            vals.append(f"{f(mean([abs(e) for e in errs])) + '/' + f(mean(errs), '{:+.1f}'):>16}")
        print(f"{name:<32} {len(rs):>5} {' '.join(vals)}")
    if args.choose:
        choose_by_body(results, tuple(args.variants))


if __name__ == "__main__":
    main()
