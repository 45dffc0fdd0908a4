"""Recordings: the estimator's per-frame output, stored, so a clip can be replayed without it.

A recording is what the estimator said about every frame of a video, written once and read
back in milliseconds: the benchmark replays hundreds of them instead of running MediaPipe,
and ``posecheck analyze RECORDING --stretch ID`` analyses one like a video. Re-record when
the estimator changes (``benchmarks/record.py``); the header says which one made it.

File format ``posecheck.pose.recording`` version 2: gzipped JSON (``*.pose.json.gz``), one object::

    format        "posecheck.recording"
    version       2 (version 1, without the people columns, is read as well)
    estimator     {"name", "package", "package_version", "settings", ...}: who made it
    source        {"file", "kind", "width", "height", "fps", "frame_count", "sha256"}
    recorded_utc  ISO 8601 time of recording
    landmarks     the 33 landmark names, in order (BlazePose)
    scale         {"image_xy": 100, "visibility": 1000, "world_xyz": 10000}
    frames        columns, one entry per frame:
        t_ms        frame time, ms from the start (as the source gave it)
        image_xy    null (nobody found) or 66 ints: x0, y0, x1, y1, ... in pixels x 100
                    (origin top-left, x right, y down)
        visibility  null or 33 ints: visibility 0..1 x 1000
        world_xyz   null or 99 ints: x0, y0, z0, ... in metres x 10000 (MediaPipe's world
                    landmarks: origin between the hips, camera-aligned axes)
        others      other people seen besides the one followed (ints; version 2)
        followed    where the followed person is among them, e.g. "on the left of the
                    picture" ("" when alone; version 2)
        switched    1 where the estimator changed to another person, else 0 (version 2)

Values are rounded to 0.01 px, 0.001 and 0.1 mm: far below the estimator's own noise, and a
5 s clip at 10 fps takes about 20 KB. Frame ``i`` of the arrays is the video's frame ``i``.
A reader refuses other formats and newer versions with a message saying what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.errors import SourceError
from posecheck.media.source import Frame, SourceInfo, VideoSource
from posecheck.pose.landmarks import LANDMARK_NAMES, NUM_LANDMARKS, Pose, PoseFrame

FORMAT = "posecheck.recording"
VERSION = 2
READABLE = (1, 2)  # version 1: no people columns (one person, never switched)
SUFFIX = ".pose.json.gz"
SCALE = {"image_xy": 100, "visibility": 1000, "world_xyz": 10000}


@dataclass(frozen=True)
class Recording:
    """A whole recording: header fields and the frames as :class:`PoseFrame`."""

    estimator: dict[str, Any]
    source: dict[str, Any]
    recorded_utc: str
    frames: tuple[PoseFrame, ...]

    @property
    def info(self) -> SourceInfo:
        """The recorded video's description, as the analysis reports it."""
        s = self.source
        return SourceInfo(
            s.get("file", "recording"),
            s.get("kind", "video"),
            int(s["width"]),
            int(s["height"]),
            float(s["fps"]),
            len(self.frames),
        )


def is_recording(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIX)


def estimator_info(estimator: object, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Who made a recording: the estimator's own ``describe()`` if it has one, else its class,
    the mediapipe package version and the constructor's settings (defaults unless given)."""
    describe = getattr(estimator, "describe", None)
    if callable(describe):
        return dict(describe())
    cls = type(estimator)
    if settings is None:
        params = inspect.signature(cls.__init__).parameters.values()
        settings = {
            p.name: p.default
            for p in params
            if p.default is not inspect.Parameter.empty and isinstance(p.default, int | float)
        }
    try:
        version = metadata.version("mediapipe")
    except metadata.PackageNotFoundError:
        version = None
    return {
        "name": f"{cls.__module__}.{cls.__qualname__}",
        "package": "mediapipe",
        "package_version": version,
        "settings": settings,
    }


def _ints(values: np.ndarray, scale: int) -> list[int]:
    return [int(v) for v in np.rint(np.asarray(values, dtype=np.float64).ravel() * scale)]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_recording(
    path: str | Path,
    frames: list[PoseFrame] | tuple[PoseFrame, ...],
    info: SourceInfo,
    estimator: dict[str, Any],
    source_sha256: str | None = None,
) -> Path:
    """Write a recording (atomically: a half-written file never replaces a good one)."""
    path = Path(path)
    cols: dict[str, list] = {
        "t_ms": [],
        "image_xy": [],
        "visibility": [],
        "world_xyz": [],
        "others": [],
        "followed": [],
        "switched": [],
    }
    for pf in frames:
        cols["t_ms"].append(round(float(pf.t_ms), 3))
        cols["others"].append(int(pf.others_in_view))
        cols["followed"].append(pf.followed)
        cols["switched"].append(int(pf.switched))
        pose = pf.pose
        cols["image_xy"].append(None if pose is None else _ints(pose.image_xy, 100))
        cols["visibility"].append(None if pose is None else _ints(pose.visibility, 1000))
        cols["world_xyz"].append(
            None if pose is None or pose.world_xyz is None else _ints(pose.world_xyz, 10000)
        )
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "estimator": estimator,
        "source": {
            "file": Path(info.path).name,
            "kind": info.kind,
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
            "frame_count": len(frames),
            "sha256": source_sha256,
        },
        "recorded_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "landmarks": list(LANDMARK_NAMES),
        "scale": SCALE,
        "frames": cols,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(doc, fh, separators=(",", ":"))
    tmp.replace(path)
    return path


def _array(values: list[int] | None, scale: int, shape: tuple[int, ...]) -> np.ndarray | None:
    if values is None:
        return None
    return np.asarray(values, dtype=np.float64).reshape(shape) / scale


def load_recording(path: str | Path) -> Recording:
    """Read a recording; a file that is not one (or too new) raises :class:`SourceError`."""
    path = Path(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file. Check the path and try again.") from None
    except (OSError, ValueError) as exc:
        raise SourceError(
            f"{path}: not a readable recording ({exc}). Record the video again with "
            "benchmarks/record.py."
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SourceError(f"{path}: not a posecheck recording (no '{FORMAT}' header).")
    if doc.get("version") not in READABLE:
        raise SourceError(
            f"{path}: recording format version {doc.get('version')}; this posecheck reads "
            f"versions {', '.join(map(str, READABLE))}. Update posecheck or record the video "
            "again."
        )
    try:
        if doc["landmarks"] != list(LANDMARK_NAMES):
            raise ValueError("its landmark list is not BlazePose's 33 landmarks")
        scale, cols, src = doc["scale"], doc["frames"], doc["source"]
        w, h = int(src["width"]), int(src["height"])
        n = len(cols["t_ms"])
        others = cols.get("others") or [0] * n  # version 1: one person, never switched
        followed = cols.get("followed") or [""] * n
        switched = cols.get("switched") or [0] * n
        if not len(others) == len(followed) == len(switched) == n:
            raise ValueError("its people columns do not have one entry per frame")
        frames = []
        for i, t_ms in enumerate(cols["t_ms"]):
            xy = _array(cols["image_xy"][i], scale["image_xy"], (NUM_LANDMARKS, 2))
            pose = None
            if xy is not None:
                vis = _array(cols["visibility"][i], scale["visibility"], (NUM_LANDMARKS,))
                world = _array(cols["world_xyz"][i], scale["world_xyz"], (NUM_LANDMARKS, 3))
                pose = Pose(xy, vis, world)
            frames.append(
                PoseFrame(
                    i,
                    float(t_ms),
                    w,
                    h,
                    pose,
                    int(others[i]),
                    str(followed[i]),
                    bool(switched[i]),
                )
            )
        return Recording(doc["estimator"], src, doc.get("recorded_utc", ""), tuple(frames))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SourceError(
            f"{path}: damaged recording ({exc}). Record the video again with benchmarks/record.py."
        ) from None


class RecordedEstimator:
    """A :class:`~posecheck.pose.estimator.PoseEstimator` that answers from a recording.

    ``estimate(frame)`` returns what the estimator said about that frame index; with
    :meth:`frames` the recording replays without any video.
    """

    def __init__(self, recording: Recording) -> None:
        self.recording = recording

    def frames(self) -> tuple[PoseFrame, ...]:
        return self.recording.frames

    def estimate(self, frame: Frame) -> PoseFrame:
        frames = self.recording.frames
        if not 0 <= frame.index < len(frames):
            raise SourceError(
                f"frame {frame.index} is not in the recording ({len(frames)} frames): the "
                "recording belongs to another video."
            )
        return frames[frame.index]

    def close(self) -> None:
        """Nothing to release."""


def record_video(
    video: str | Path,
    out: str | Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    model: str | None = None,
) -> Recording:
    """Run the estimator over a video and save what it said (the one MediaPipe pass).

    ``model`` is the pose model (``lite``, ``full``, ``heavy`` or a ``.task`` path; ``None``:
    the estimator's default)."""
    from posecheck.pose.estimator import MediaPipePoseEstimator  # noqa: PLC0415  (slow import)

    source = VideoSource(video)
    estimator = MediaPipePoseEstimator(still_images=source.info.kind == "image", model=model)
    frames: list[PoseFrame] = []
    try:
        info = estimator_info(estimator)
        if "still_images" in info.get("settings", {}):
            info["settings"]["still_images"] = source.info.kind == "image"
        for frame in source.frames():
            frames.append(estimator.estimate(frame))
            if progress is not None:
                progress(frame.index + 1, source.info.frame_count)
    finally:
        estimator.close()
    save_recording(out, frames, source.info, info, _sha256(Path(video)))
    return load_recording(out)
