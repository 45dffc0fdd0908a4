"""Reports: the summary of an analysis as JSON, and the per-frame table as CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from posecheck.body.camera import CameraEstimate
from posecheck.body.camera_words import advice, describe
from posecheck.coaching.framing import camera_guide
from posecheck.coaching.pipeline import FrameRecord
from posecheck.outputs import write_text_atomic
from posecheck.review.analysis import Analysis
from posecheck.specs.schema import StretchSpec

REPORT_VERSION = 1


def _r(v: float | None, nd: int = 2) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(v, nd)


def camera_dict(estimate: CameraEstimate, spec: StretchSpec) -> dict[str, Any] | None:
    """The camera estimated from the body: numbers, words, and advice (None: unknown)."""
    if not estimate.known:
        return None
    guide = camera_guide(spec)
    return {
        "azimuth_deg": _r(estimate.azimuth_deg, 1),
        "azimuth_uncertainty_deg": _r(estimate.uncertainty_deg, 1),
        "elevation_deg": _r(estimate.elevation_deg, 1),
        "distance_m": _r(estimate.distance_m, 2),
        "roll_deg": _r(estimate.roll_deg, 1),
        "conventions": "azimuth 0 beyond the feet (lying) or in front (upright), positive "
        "toward the person's left (lying on the side: the front); elevation above the floor "
        "plane seen from the hips",
        "words": describe(estimate, guide.posture),
        "advice": advice(estimate, guide),
    }


def report_dict(analysis: Analysis) -> dict[str, Any]:
    """A JSON-safe report: source, stretch, summary of faults, holds, reps and ROM."""
    s, spec, info = analysis.summary, analysis.spec, analysis.source
    best = dict(s.best_rom_deg)
    return {
        "report_version": REPORT_VERSION,
        "disclaimer": "Form feedback from a camera, not medical advice.",
        "source": {
            "path": info.path,
            "kind": info.kind,
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
            "fps_is_fallback": info.fps_is_fallback,
            "frames": len(analysis.records),
            "rotation_deg": info.rotation_deg,
            "mirrored": info.mirrored,
            "variable_frame_rate": info.variable_frame_rate,
            "codec": info.codec,
        },
        "warnings": list(info.warnings),
        "stretch": {"id": spec.id, "name": spec.name, "camera_view": spec.camera.view},
        "camera": camera_dict(analysis.camera, spec),
        "duration_s": _r(s.duration_s),
        "no_person_s": _r(s.no_person_s),
        "unknown_s": _r(s.unknown_s),
        "reps": dict(s.reps),
        "holds_completed": s.holds_completed,
        "hold_target_s": spec.dose.hold_s if spec.dose.kind == "hold" else None,
        "holds": [
            {
                "side": h.side,
                "start_s": _r(h.start_ms / 1000),
                "end_s": _r(h.end_ms / 1000),
                "held_s": _r(h.held_s),
                "completed": h.completed,
                "peak_rom_deg": _r(h.peak_rom_deg, 1),
            }
            for h in s.holds
        ],
        "faults": [
            {
                "fault": e.fault_id,
                "side": e.side or "none",
                "message": e.message,
                "severity": e.severity,
                "start_s": _r(e.start_ms / 1000),
                "flagged_s": _r(e.flagged_ms / 1000),
                "end_s": None if e.end_ms is None else _r(e.end_ms / 1000),
                "worst_value": _r(e.worst_value, 3),
            }
            for e in s.faults
        ],
        # The spec's faults this view cannot see, in plain words (its `why` stays out).
        "not_checked": [
            {"fault": n.id, "message": n.message, "reason": n.reason} for n in spec.not_checked
        ],
        # Faults the camera could not see from where it stood, and for how long: not checked
        # from this view (never flagged), with what to change.
        "not_checked_from_view": [
            {
                "fault": fault_id,
                "side": side or "none",
                "message": next((f.message for f in spec.faults if f.id == fault_id), ""),
                "seconds": _r(seconds, 1),
                "reason": next(
                    (u.reason for u in s.not_seen if (u.fault_id, u.side) == (fault_id, side)),
                    "",
                ),
            }
            for (fault_id, side), seconds in s.not_seen_s().items()
        ],
        "rom": None
        if spec.rom is None
        else {
            "label": spec.rom.label,
            "unit": "deg",
            "best_left_deg": _r(best.get("left"), 1),
            "best_right_deg": _r(best.get("right"), 1),
            "asymmetry_deg": _r(s.rom_asymmetry_deg, 1),
            "uncertainty_deg": spec.rom.uncertainty_deg,
        },
    }


def write_report(analysis: Analysis, path: str | Path) -> Path:
    """Write the JSON report atomically (a failed write leaves any old file untouched)."""
    text = json.dumps(report_dict(analysis), indent=2, allow_nan=False)
    return write_text_atomic(path, text)


CSV_FIELDS = (
    "index",
    "t_ms",
    "state",
    "working_side",
    "rom_left_deg",
    "rom_right_deg",
    "hold_s",
    "faults",
    "cue",
    "posture",
)


def frames_csv(analysis: Analysis) -> str:
    """The per-frame table of an analysed video or recording."""
    return records_csv(analysis.records)


def records_csv(records: Iterable[FrameRecord]) -> str:
    """One row per frame record (a video's, or a live set's at its analysis rate)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for rec in records:
        row = asdict(rec)
        row["faults"] = ";".join(rec.faults)
        writer.writerow(row)
    return buf.getvalue()
