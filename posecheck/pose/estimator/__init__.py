"""Pose estimation: the only package that imports mediapipe.

:class:`TasksPoseEstimator` runs MediaPipe's Tasks ``PoseLandmarker`` (BlazePose: a person
detector, then 33 landmarks in image and world coordinates) from a ``.task`` model file that
the set-up builds (:mod:`posecheck.pose.estimator.models`): ``lite``, ``full`` (default) or
``heavy``, or the user's own file through ``POSECHECK_MODEL``. Nothing is downloaded here.
Any other backend can stand beside it by implementing :class:`PoseEstimator`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from importlib import metadata
from typing import Protocol

import cv2
import numpy as np

from posecheck.errors import EstimatorError
from posecheck.media.source import Frame
from posecheck.pose.estimator.models import MODEL_NAMES, ModelFile, check_model_file, resolve_model
from posecheck.pose.landmarks import NUM_LANDMARKS, Pose, PoseFrame

__all__ = ["MODEL_NAMES", "MediaPipePoseEstimator", "PoseEstimator", "TasksPoseEstimator"]


class PoseEstimator(Protocol):
    """Turns frames into poses. Implementations may keep tracking state between frames."""

    def estimate(self, frame: Frame) -> PoseFrame: ...

    def close(self) -> None: ...


@contextlib.contextmanager
def _native_logs_muted() -> Iterator[None]:
    """Silence what MediaPipe's C++ prints straight to stderr (dozens of lines while loading a
    model). ``POSECHECK_NATIVE_LOGS=1`` lets them through, for debugging."""
    if os.environ.get("POSECHECK_NATIVE_LOGS"):
        yield
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class TasksPoseEstimator:
    """BlazePose through MediaPipe's Tasks ``PoseLandmarker``.

    ``still_images=True`` (IMAGE mode) runs detection on every frame, for unrelated photos;
    the default, VIDEO mode, tracks the person from frame to frame by the frames' timestamps,
    which is faster and steadier. ``model`` is ``lite``, ``full``, ``heavy`` or the path of a
    ``.task`` file; ``None`` means ``$POSECHECK_MODEL``, else ``full``.
    """

    def __init__(
        self,
        *,
        still_images: bool = False,
        model: str | os.PathLike[str] | None = None,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.model: ModelFile = resolve_model(model)
        check_model_file(self.model)
        try:
            import mediapipe as mp  # noqa: PLC0415  (kept local: importing it is slow)
            from mediapipe.tasks.python import vision  # noqa: PLC0415
            from mediapipe.tasks.python.core.base_options import BaseOptions  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EstimatorError(
                "mediapipe is not installed: run the README's set-up command (make run)"
            ) from exc
        self._mp = mp
        self._video = not still_images
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model.path)),
            running_mode=vision.RunningMode.VIDEO if self._video else vision.RunningMode.IMAGE,
            num_poses=1,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=False,
        )
        try:
            with _native_logs_muted():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise EstimatorError(
                f"{self.model.path} could not be loaded as a pose model "
                f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
            ) from exc
        self._last_ts_ms = -1
        self._warm = False

    def describe(self) -> dict[str, object]:
        """Who this estimator is, for a recording's header: the API, the model file (name and
        checksum) and the running mode."""
        try:
            version = metadata.version("mediapipe")
        except metadata.PackageNotFoundError:  # pragma: no cover - depends on the install
            version = None
        return {
            "name": f"{type(self).__module__}.{type(self).__qualname__}",
            "package": "mediapipe",
            "package_version": version,
            "settings": {
                "api": "tasks.PoseLandmarker",
                "model": self.model.name or self.model.path.name,
                "model_sha256": self.model.sha256,
                "still_images": not self._video,
            },
        }

    def estimate(self, frame: Frame) -> PoseFrame:
        h, w = frame.image.shape[:2]
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        # The first call prints set-up chatter from C++; later ones are quiet.
        with _native_logs_muted() if not self._warm else contextlib.nullcontext():
            if self._video:
                # VIDEO mode needs strictly increasing whole-millisecond timestamps.
                ts_ms = max(round(frame.t_ms), self._last_ts_ms + 1)
                self._last_ts_ms = ts_ms
                result = self._landmarker.detect_for_video(image, ts_ms)
            else:
                result = self._landmarker.detect(image)
        self._warm = True
        if not result.pose_landmarks:
            return PoseFrame(frame.index, frame.t_ms, w, h, None)
        landmarks = result.pose_landmarks[0]
        image_xy = np.empty((NUM_LANDMARKS, 2))
        visibility = np.empty(NUM_LANDMARKS)
        for i, lm in enumerate(landmarks):
            image_xy[i] = (lm.x * w, lm.y * h)
            visibility[i] = lm.visibility if lm.visibility is not None else 0.0
        world = None
        if result.pose_world_landmarks:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]])
        return PoseFrame(frame.index, frame.t_ms, w, h, Pose(image_xy, visibility, world))

    def close(self) -> None:
        with _native_logs_muted():
            self._landmarker.close()

    def __enter__(self) -> TasksPoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The name callers have used for the default MediaPipe estimator.
MediaPipePoseEstimator = TasksPoseEstimator
