"""Replay review helpers without Streamlit: chart and table data, clip lists, uploads, frames.

- :func:`rom_rows` / :func:`fault_intervals` / :func:`fault_rows`: plain rows (lists of dicts)
  for the ROM timeline chart, its shaded fault intervals and the fault-event table.
- :func:`longest_hold_text`: how far the holds got, per side, in words.
- :func:`list_clips` and :func:`guess_stretch`: the sample clips and which stretch each shows;
  :func:`clip_label` names a sample clip in words (stretch, what to fix or good form, body).
- :func:`save_upload`: an uploaded file written to disk and checked, with a clear error.
- :func:`frame_at` / :func:`read_frame`: the record at a time, and the picture of the
  annotated MP4 at that record's time (seeking by time, as the analysis decoded it).
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from posecheck.coaching.checker import Hold
from posecheck.errors import SourceError
from posecheck.media.source import IMAGE_SUFFIXES, VIDEO_SUFFIXES, VideoSource
from posecheck.review.analysis import Analysis
from posecheck.specs.schema import StretchSpec

SAMPLE_DIR_ENV = "POSECHECK_SAMPLE_DIR"
#: Matches .streamlit/config.toml ``server.maxUploadSize``.
MAX_UPLOAD_MB = 200
#: Videos, and photos for a one-picture verdict (``posecheck.review.photo``).
UPLOAD_SUFFIXES: tuple[str, ...] = VIDEO_SUFFIXES + IMAGE_SUFFIXES
#: Taken by the uploader only to be answered: the iPhone's own photo format, not readable here.
HEIC_SUFFIXES: tuple[str, ...] = (".heic", ".heif")


@dataclass(frozen=True)
class FaultRow:
    """One flagged fault for the table: times in seconds, frame to show."""

    start_s: float
    end_s: float
    side: str
    fault: str
    message: str
    severity: int
    frame_index: int  # frame at the moment the fault was flagged


def frame_at(t_s: float, times_ms: Sequence[float]) -> int:
    """The index of the frame shown at ``t_s``: the last one at or before it (their times
    ``times_ms`` in order; a variable-frame-rate clip's frames keep their own times). Clamped
    to the clip; 0 for an empty one."""
    if not times_ms:
        return 0
    return max(bisect.bisect_right(times_ms, t_s * 1000.0 + 0.5) - 1, 0)


def rom_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """Long-format rows {t_s, side, rom_deg} for a line chart; unknown values are left out."""
    return angle_rows((r.t_ms, r.rom_left_deg, r.rom_right_deg) for r in analysis.records)


def angle_rows(
    frames: Iterable[tuple[float, float | None, float | None]],
) -> list[dict[str, Any]]:
    """Long-format rows {t_s, side, rom_deg} from (t_ms, left, right) per frame (an analysis's
    records, or the frames of a saved set); unknown values are left out. Sizes of the turn
    only: a reading past the start position the other way is 0 (no turn), never a negative
    angle, in every chart of it (the replay's timeline, the Progress page's one set, the PDF;
    the Progress page drew the knee drop down to -25 and the replay drew it as +25)."""
    rows: list[dict[str, Any]] = []
    for t_ms, left, right in frames:
        for side, v in (("left", left), ("right", right)):
            if v is not None:
                rows.append({"t_s": round(t_ms / 1000.0, 3), "side": side, "rom_deg": max(v, 0.0)})
    return rows


def longest_hold_text(holds: Iterable[Hold]) -> str:
    """ "Longest hold: left 12 s, right 9 s." (time that counted toward the hold, per side,
    whole seconds), or "" when nothing was held for a second: how far a hold got when it
    was not completed, which "0 holds completed" does not say."""
    best: dict[str, float] = {}
    for h in holds:
        side = h.side if h.side in ("left", "right") else ""
        best[side] = max(best.get(side, 0.0), h.held_s)
    if not best or max(best.values()) < 1.0:
        return ""
    parts = [f"{side} {s:.0f} s".strip() for side, s in sorted(best.items()) if s >= 1.0]
    return f"Longest hold: {', '.join(parts)}."


def fault_rows(analysis: Analysis) -> list[FaultRow]:
    """Every flagged fault, in time order; one still active at the end runs to the end."""
    times_ms = [r.t_ms for r in analysis.records]
    end_of_clip_s = analysis.records[-1].t_ms / 1000.0 if analysis.records else 0.0
    out = []
    for e in analysis.summary.faults:
        end_s = end_of_clip_s if e.end_ms is None else e.end_ms / 1000.0
        out.append(
            FaultRow(
                round(e.start_ms / 1000.0, 2),
                round(end_s, 2),
                e.side or "none",
                e.fault_id,
                e.message,
                e.severity,
                frame_at(e.flagged_ms / 1000.0, times_ms),
            )
        )
    return sorted(out, key=lambda r: (r.start_s, r.fault))


def fault_intervals(analysis: Analysis) -> list[dict[str, Any]]:
    """Rows {start_s, end_s, fault, side, message} for shading the chart."""
    return [
        {
            "start_s": r.start_s,
            "end_s": max(r.end_s, r.start_s + 0.05),
            "fault": r.fault,
            "side": r.side,
            "message": r.message,
        }
        for r in fault_rows(analysis)
    ]


def sample_dir() -> Path:
    """Where the replay page looks for clips: ``$POSECHECK_SAMPLE_DIR`` or ``sample_videos/``."""
    default = Path(__file__).resolve().parents[2] / "sample_videos"  # the repository's
    return Path(os.environ.get(SAMPLE_DIR_ENV) or default)


def list_clips(directory: str | Path) -> list[Path]:
    """Video files directly in ``directory`` (sorted); empty if it is missing."""
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(
        p
        for p in d.iterdir()
        if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES and p.stat().st_size > 0
    )


@dataclass(frozen=True)
class ClipFacts:
    """What a sample clip's ``.truth.json`` says it shows (ids: worded by :func:`clip_label`)."""

    stretch_id: str
    fault_ids: tuple[str, ...]
    body: str  # "female", "male", ""


def _truth_of(clip: str | Path) -> dict | None:
    """A clip's ``<stem>.truth.json`` as read, or None (missing, unreadable, not an object)."""
    clip = Path(clip)
    try:
        truth = json.loads(clip.with_name(clip.stem + ".truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return truth if isinstance(truth, dict) else None


def clip_facts(clip: str | Path) -> ClipFacts | None:
    """The stretch, faults and body of a clip from its ``<stem>.truth.json``, or None."""
    truth = _truth_of(clip)
    if truth is None:
        return None
    try:
        faults = tuple(dict.fromkeys(str(f["fault"]) for f in truth.get("faults") or ()))
        return ClipFacts(str(truth["stretch"]), faults, str(truth.get("body") or ""))
    except (KeyError, TypeError, AttributeError):
        return None


def clip_label(clip: str | Path, facts: ClipFacts | None, specs: Mapping[str, StretchSpec]) -> str:
    """A sample clip in words: "Prone hip internal rotation · to fix: Keep your hip bones on
    the floor. · female body" (the file name when its truth file says nothing usable)."""
    spec = specs.get(facts.stretch_id) if facts is not None else None
    if facts is None or spec is None:
        return Path(clip).name
    # Faults the spec checks, and those it lists as not checked from its view.
    messages = {n.id: n.message for n in spec.not_checked} | {f.id: f.message for f in spec.faults}
    fixes = [messages[f] for f in facts.fault_ids if f in messages]
    if len(fixes) < len(facts.fault_ids):  # a fault the spec no longer names
        return Path(clip).name
    parts = [spec.name, "to fix: " + " ".join(fixes) if fixes else "good form"]
    if facts.body:
        parts.append(f"{facts.body} body")
    return " · ".join(parts)


def guess_stretch(clip: str | Path, stretch_ids: list[str]) -> str | None:
    """Which stretch a clip shows: its ``<stem>.truth.json`` ``stretch`` field if present, else
    the spec id that the file name starts with, else the one sharing the longest prefix."""
    clip = Path(clip)
    truth = _truth_of(clip)
    if truth is not None and truth.get("stretch") in stretch_ids:
        return truth["stretch"]
    stem = clip.stem.lower()
    for sid in sorted(stretch_ids, key=len, reverse=True):
        if stem.startswith(sid):
            return sid
    best, best_len = None, 0
    for sid in stretch_ids:
        n = _common_prefix_len(stem, sid)
        if n > best_len and n >= 4:
            best, best_len = sid, n
    return best


def _common_prefix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def safe_name(name: str) -> str:
    """A file name safe to write: letters, digits, dot, dash, underscore."""
    base = Path(name).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[:120]


def save_upload(name: str, data: bytes, directory: str | Path) -> Path:
    """Write an uploaded video to ``directory`` and check it can be read.

    Raises :class:`SourceError` with a message for the person: unsupported format, too large,
    empty, or not a readable video. A file that fails the check is removed.
    """
    suffix = Path(name).suffix.lower()
    if suffix in HEIC_SUFFIXES:
        raise SourceError(
            f"'{name}' is an HEIC photo (an iPhone's own format), which cannot be read here. "
            "Upload it as a JPEG: share it by mail or AirDrop as JPEG, or set the iPhone's "
            "Settings → Camera → Formats to Most Compatible for the next photos."
        )
    if suffix not in UPLOAD_SUFFIXES:
        raise SourceError(
            f"'{name}' is not a supported video format (nor a photo). Use one of: "
            f"{', '.join(s.lstrip('.') for s in UPLOAD_SUFFIXES)}."
        )
    size_mb = len(data) / 1e6
    if size_mb > MAX_UPLOAD_MB:
        raise SourceError(
            f"'{name}' is {size_mb:.0f} MB; the limit is {MAX_UPLOAD_MB} MB. Trim the clip or "
            "export it at a lower resolution."
        )
    if not data:
        raise SourceError(f"'{name}' is empty. Record or export the clip again.")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    path = d / safe_name(name)
    path.write_bytes(data)
    try:
        VideoSource(path)
    except SourceError as exc:
        path.unlink(missing_ok=True)
        raise SourceError(str(exc).replace(str(path), f"'{name}'")) from None
    return path


def read_frame(video: str | Path, t_ms: float, rotate_deg: int = 0) -> np.ndarray | None:
    """The picture of ``video`` at ``t_ms`` (a record's time) as RGB, or None if it cannot be
    read: decoded as the analysis decoded it (turned by ``rotate_deg`` clockwise as well),
    found by its time, so the picture shown for a record is the frame that record was made
    from."""
    try:
        image = VideoSource(video, rotate_deg=rotate_deg).image_at(t_ms)
    except SourceError:
        return None
    return None if image is None else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
