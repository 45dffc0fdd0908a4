"""Pose estimation: the only module that imports mediapipe.

``MediaPipePoseEstimator`` wraps the legacy ``mp.solutions.pose.Pose`` of mediapipe 0.10.21,
whose wheel carries the BlazePose model (``model_complexity=1``), so nothing is downloaded.
Another backend (for example the Tasks ``PoseLandmarker`` with a user-supplied ``.task`` file)
can be added beside it by implementing :class:`PoseEstimator`.
"""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from posecheck.errors import EstimatorError
from posecheck.landmarks import NUM_LANDMARKS, Pose, PoseFrame
from posecheck.source import Frame


class PoseEstimator(Protocol):
    """Turns frames into poses. Implementations may keep tracking state between frames."""

    def estimate(self, frame: Frame) -> PoseFrame: ...

    def close(self) -> None: ...


class MediaPipePoseEstimator:
    """BlazePose through MediaPipe's legacy solution API.

    ``still_images=True`` runs detection on every frame (for unrelated photos); the default,
    video mode, tracks the person from frame to frame, which is faster and steadier.
    """

    def __init__(
        self,
        *,
        still_images: bool = False,
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        try:
            import mediapipe as mp  # noqa: PLC0415  (kept local: importing it is slow)
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EstimatorError(
                "mediapipe is not installed. Run the README's set-up command "
                "(it installs mediapipe==0.10.21)."
            ) from exc
        if not hasattr(mp, "solutions"):  # pragma: no cover - depends on the install
            raise EstimatorError(
                "this mediapipe has no legacy pose solution; install mediapipe==0.10.21."
            )
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=still_images,
            model_complexity=model_complexity,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )

    def estimate(self, frame: Frame) -> PoseFrame:
        h, w = frame.image.shape[:2]
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return PoseFrame(frame.index, frame.t_ms, w, h, None)
        image_xy = np.empty((NUM_LANDMARKS, 2))
        visibility = np.empty(NUM_LANDMARKS)
        for i, lm in enumerate(result.pose_landmarks.landmark):
            image_xy[i] = (lm.x * w, lm.y * h)
            visibility[i] = lm.visibility
        world = None
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark])
        return PoseFrame(frame.index, frame.t_ms, w, h, Pose(image_xy, visibility, world))

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
