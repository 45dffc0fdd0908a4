"""Frame sources: timestamped frames from a video file, a still image or a webcam.

Timestamps come from the source (frame index / fps for files), never from the wall clock, so a
recorded video always gives the same analysis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posecheck.errors import SourceError

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".y4m")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
#: Used when a video file reports no frame rate; stated in the report.
FALLBACK_FPS = 30.0


@dataclass(frozen=True)
class Frame:
    """One image (BGR, uint8, HxWx3) and when it was taken, in ms from the start."""

    index: int
    t_ms: float
    image: np.ndarray


@dataclass(frozen=True)
class SourceInfo:
    path: str
    kind: str  # "video", "image" or "camera"
    width: int
    height: int
    fps: float
    frame_count: int  # 0 when unknown (cameras)
    fps_is_fallback: bool = False

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


def frame_rate(reported_fps: float) -> tuple[float, bool]:
    """The frame rate to use and whether it is the fallback (the file's was 0 or absurd)."""
    if 0.5 <= reported_fps <= 480.0:
        return reported_fps, False
    return FALLBACK_FPS, True


class VideoSource:
    """Frames of a video file or a still image, read lazily.

    >>> src = VideoSource("clip.mp4")          # doctest: +SKIP
    >>> for frame in src.frames(): ...          # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such file. Check the path and try again.")
        if not self.path.is_file():
            raise SourceError(f"{self.path}: is not a file. Give the path of a video or image.")
        suffix = self.path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            self.info = self._probe_image()
        elif suffix in VIDEO_SUFFIXES:
            self.info = self._probe_video()
        else:
            supported = ", ".join(VIDEO_SUFFIXES + IMAGE_SUFFIXES)
            raise SourceError(
                f"{self.path}: '{suffix or '(no extension)'}' is not a supported format. "
                f"Use one of: {supported}."
            )

    def _probe_image(self) -> SourceInfo:
        image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceError(
                f"{self.path}: the image could not be decoded. It may be damaged; "
                "re-save it as JPEG or PNG."
            )
        h, w = image.shape[:2]
        self._image = image
        return SourceInfo(str(self.path), "image", w, h, 0.0, 1)

    def _probe_video(self) -> SourceInfo:
        cap = cv2.VideoCapture(str(self.path))
        try:
            if not cap.isOpened():
                raise SourceError(
                    f"{self.path}: the video could not be opened. It may be damaged or use a "
                    "codec this machine lacks; re-encode it as H.264 MP4."
                )
            ok, first = cap.read()
            if not ok or first is None:
                raise SourceError(
                    f"{self.path}: the video has no readable frames. It may be empty or "
                    "damaged; record or export it again."
                )
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            h, w = first.shape[:2]
        finally:
            cap.release()
        fps, fallback = frame_rate(fps)
        return SourceInfo(str(self.path), "video", w, h, fps, max(count, 1), fallback)

    def frames(self) -> Iterator[Frame]:
        """Yield every frame with its timestamp (index / fps)."""
        if self.info.kind == "image":
            yield Frame(0, 0.0, self._image)
            return
        cap = cv2.VideoCapture(str(self.path))
        try:
            index = 0
            while True:
                ok, image = cap.read()
                if not ok or image is None:
                    break
                yield Frame(index, index * 1000.0 / self.info.fps, image)
                index += 1
        finally:
            cap.release()


class CameraSource:
    """Frames from a local webcam by index; timestamps from the capture's own clock."""

    def __init__(self, index: int = 0) -> None:
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise SourceError(
                f"camera {index}: could not be opened. Check it is connected and not in use "
                "by another program, or pick another camera index."
            )
        w = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or FALLBACK_FPS)
        self.info = SourceInfo(f"camera:{index}", "camera", w, h, fps, 0)

    def frames(self) -> Iterator[Frame]:
        index = 0
        try:
            while True:
                ok, image = self._cap.read()
                if not ok:
                    break
                t_ms = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
                yield Frame(index, t_ms, image)
                index += 1
        finally:
            self._cap.release()


def open_source(spec: str | Path | int) -> VideoSource | CameraSource:
    """A video/image path, or a webcam index (an int or a string of digits)."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    return VideoSource(spec)
