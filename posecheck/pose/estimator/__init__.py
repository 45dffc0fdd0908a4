"""Pose estimation: the only package that imports mediapipe.

:class:`TasksPoseEstimator` runs MediaPipe's Tasks ``PoseLandmarker`` (BlazePose: a person
detector, then 33 landmarks in image and world coordinates) from a ``.task`` model file that
the set-up builds (:mod:`posecheck.pose.estimator.models`): ``lite``, ``full`` (default) or
``heavy``, or the user's own file through ``POSECHECK_MODEL``. Nothing is downloaded here.
Any other backend can stand beside it by implementing :class:`PoseEstimator`.
"""

from __future__ import annotations

import contextlib
import functools
import math
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
from posecheck.pose.people import Box, PersonFollower, distinct

#: Seconds of video between two looks for other people in view (see TasksPoseEstimator).
PEOPLE_PROBE_S = 2.0
#: How many people the model looks for while others are in view, and in a photo.
CROWD_POSES = 2
#: When nobody is found, look again at the middle of the picture this much closer (1 / ZOOM of
#: its width and height, scaled up). BlazePose's person detector keys on the head and misses
#: a small body lying face down, seen from beyond the feet with the lower legs up: on the
#: benchmark's dev split two prone clips (r0182, camera 46 degrees round; r0169, a wide lens
#: 6 m away) were "nobody in view" on every frame; looking 1.5x closer finds them on 8 of 10
#: and 12 of 16 sampled frames, where a lower detection confidence (0.2) found 9 of 10 and 4
#: of 16. Frames where the person is found are never looked at twice.
ZOOM = 1.5
#: Then closer still, the middle half: r0182's lower legs turning out hid it from the first
#: look for 2 s (22 frames); 2x closer found it on 11 of 11 of those frames.
ZOOM_AGAIN = 2.0

__all__ = [
    "MODEL_NAMES",
    "PEOPLE_PROBE_S",
    "ZOOM",
    "MediaPipePoseEstimator",
    "PoseEstimator",
    "TasksPoseEstimator",
]


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

    More than one person in view: looking for two people on every frame took 1.3-2.2x the
    inference time even with only one person there (the person detector then runs on every
    frame; ``benchmarks/speed.py --people``), so by default the model looks for one, and every
    ``people_probe_s`` seconds of video a second model instance (the lite model) looks for
    others in that frame (a photo is always searched for several). While
    others are in view, a model looking for two runs instead, and the estimator follows one
    person from frame to frame (:class:`posecheck.pose.people.PersonFollower`: the same person
    as before; at the start the largest, most central one). Each :class:`PoseFrame` says how
    many others are in view, where the followed person is, and marks a change of person.
    ``num_poses`` > 1 looks for that many people on every frame; ``people_probe_s=None``
    never looks for others. A frame where nobody is found is searched again at its middle,
    ``zoom`` times closer and then ``ZOOM_AGAIN`` times (``zoom=None``: not at all).
    """

    def __init__(
        self,
        *,
        still_images: bool = False,
        model: str | os.PathLike[str] | None = None,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        num_poses: int = 1,
        people_probe_s: float | None = PEOPLE_PROBE_S,
        zoom: float | None = ZOOM,
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
        self._base_options = BaseOptions
        self._options = functools.partial(
            vision.PoseLandmarkerOptions,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=False,
        )
        self._vision = vision
        if not self._video and people_probe_s is not None:
            num_poses = max(num_poses, CROWD_POSES)  # a photo: one search finds everyone
        self.num_poses = num_poses
        self._probe_ms = None if people_probe_s is None else people_probe_s * 1000.0
        self._landmarker = self._create(self._video, num_poses)
        self._crowd = None  # made when first needed
        # The probe is made now, with the main model, not on the first frame: live, the first
        # frames of a set must not wait for a model to load.
        looks = self._video and self._probe_ms is not None and num_poses == 1
        self._probe = self._create(False, CROWD_POSES, _probe_model(self.model)) if looks else None
        self._zoom = zoom if zoom is not None and zoom > 1.0 else None
        self._zoomed = None  # the landmarker for the closer look, made when first needed
        self._next_probe_ms = -math.inf
        self._crowd_until_ms = -math.inf  # others were last seen a while before this
        self._last_ts_ms = -1
        self._warm = False
        self._follower = PersonFollower()

    def _create(self, video: bool, num_poses: int, model: ModelFile | None = None):
        """A PoseLandmarker of ``model`` (default: this estimator's)."""
        model = model or self.model
        mode = self._vision.RunningMode.VIDEO if video else self._vision.RunningMode.IMAGE
        options = self._options(
            base_options=self._base_options(model_asset_path=str(model.path)),
            running_mode=mode,
            num_poses=num_poses,
        )
        try:
            with _native_logs_muted():
                return self._vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise EstimatorError(
                f"{self.model.path} could not be loaded as a pose model "
                f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
            ) from exc

    def describe(self) -> dict[str, object]:
        """Who this estimator is, for a recording's header: the API, the model file (name and
        checksum) and the running mode."""
        try:
            version = metadata.version("mediapipe")
        except metadata.PackageNotFoundError:  # pragma: no cover - depends on the install
            version = None
        settings: dict[str, object] = {
            "api": "tasks.PoseLandmarker",
            "model": self.model.name or self.model.path.name,
            "model_sha256": self.model.sha256,
            "still_images": not self._video,
        }
        if self.num_poses != 1 and self._video:  # one person: as recordings have always been
            settings["num_poses"] = self.num_poses
        if self._zoom is not None:
            again = [ZOOM_AGAIN] if self._zoom < ZOOM_AGAIN else []
            settings["zoom_when_nobody"] = [self._zoom, *again]
        return {
            "name": f"{type(self).__module__}.{type(self).__qualname__}",
            "package": "mediapipe",
            "package_version": version,
            "settings": settings,
        }

    def _others_in(self, image: object, w: int, h: int) -> bool:
        """The people probe: does this frame show more than one person?"""
        if self._probe is None:
            self._probe = self._create(False, CROWD_POSES, _probe_model(self.model))
        found = self._probe.detect(image).pose_landmarks
        boxes = [Box.of(*_image_landmarks(lms, w, h), w, h) for lms in found]
        return len(distinct(boxes)) > 1

    def _pick_landmarker(self, image: object, t_ms: float, w: int, h: int):
        """The model instance for this frame: the usual one, or while other people are in
        view, one that looks for two (the probe decides, at its own rate)."""
        if self._probe_ms is None or self.num_poses > 1 or not self._video:
            return self._landmarker
        if t_ms >= self._next_probe_ms and t_ms >= self._crowd_until_ms:
            self._next_probe_ms = t_ms + self._probe_ms
            if self._others_in(image, w, h):
                self._crowd_until_ms = t_ms + 2 * self._probe_ms
        if t_ms < self._crowd_until_ms:
            if self._crowd is None:
                self._crowd = self._create(True, CROWD_POSES)
            return self._crowd
        return self._landmarker

    def estimate(self, frame: Frame) -> PoseFrame:
        h, w = frame.image.shape[:2]
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        # The first call prints set-up chatter from C++; later ones are quiet.
        with _native_logs_muted() if not self._warm else contextlib.nullcontext():
            landmarker = self._pick_landmarker(image, frame.t_ms, w, h)
            if self._video:
                # VIDEO mode needs strictly increasing whole-millisecond timestamps.
                ts_ms = max(round(frame.t_ms), self._last_ts_ms + 1)
                self._last_ts_ms = ts_ms
                result = landmarker.detect_for_video(image, ts_ms)
            else:
                result = landmarker.detect(image)
        self._warm = True
        people = [_image_landmarks(lms, w, h) for lms in result.pose_landmarks]
        if not people and self._zoom is not None:
            result, people = self._closer_look(rgb)
        if not people:
            if self._video:
                self._follower.reset()
            return PoseFrame(frame.index, frame.t_ms, w, h, None)
        if not self._video:  # unrelated photos: no person to keep to
            self._follower.reset()
        choice = self._follower.choose([Box.of(xy, vis, w, h) for xy, vis in people])
        if choice is not None and choice.others and landmarker is self._crowd:
            self._crowd_until_ms = frame.t_ms + 2 * (self._probe_ms or 0.0)
        pick = choice.index if choice is not None else 0
        image_xy, visibility = people[pick]
        world = None
        if len(result.pose_world_landmarks) > pick:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[pick]])
        pose = Pose(image_xy, visibility, world)
        if choice is None:
            return PoseFrame(frame.index, frame.t_ms, w, h, pose)
        return PoseFrame(
            frame.index, frame.t_ms, w, h, pose, choice.others, choice.followed, choice.switched
        )

    def _closer_look(self, rgb: np.ndarray) -> tuple[object, list[tuple[np.ndarray, np.ndarray]]]:
        """Nobody found: the middle of the picture, ``zoom`` times closer, then ``ZOOM_AGAIN``
        times closer still (photo-mode searches, so a person found only this way is searched
        for afresh each frame). Returns the result and its people in the whole picture's
        pixels."""
        result, people = self._look_at_middle(rgb, self._zoom)
        if not people and self._zoom < ZOOM_AGAIN:
            result, people = self._look_at_middle(rgb, ZOOM_AGAIN)
        return result, people

    def _look_at_middle(
        self, rgb: np.ndarray, zoom: float
    ) -> tuple[object, list[tuple[np.ndarray, np.ndarray]]]:
        h, w = rgb.shape[:2]
        cw, ch = round(w / zoom), round(h / zoom)
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        crop = cv2.resize(rgb[y0 : y0 + ch, x0 : x0 + cw], (w, h), interpolation=cv2.INTER_CUBIC)
        if self._zoomed is None:
            self._zoomed = self._create(False, self.num_poses)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=crop)
        result = self._zoomed.detect(image)
        offset = np.array([x0, y0], dtype=float)
        people = []
        for lms in result.pose_landmarks:
            xy, vis = _image_landmarks(lms, cw, ch)
            people.append((xy + offset, vis))
        return result, people

    def close(self) -> None:
        with _native_logs_muted():
            for landmarker in (self._landmarker, self._probe, self._crowd, self._zoomed):
                if landmarker is not None:
                    landmarker.close()

    def __enter__(self) -> TasksPoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _probe_model(model: ModelFile) -> ModelFile:
    """The model the people probe runs: ``lite`` (the same person detector as the others, and
    the cheapest landmarks; the probe only needs where people are), else the estimator's."""
    try:
        lite = resolve_model("lite")
        check_model_file(lite)
    except EstimatorError:
        return model
    return lite


def _image_landmarks(landmarks: list, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(33 x 2 pixel positions, 33 visibilities) of one detected person."""
    image_xy = np.empty((NUM_LANDMARKS, 2))
    visibility = np.empty(NUM_LANDMARKS)
    for i, lm in enumerate(landmarks):
        image_xy[i] = (lm.x * w, lm.y * h)
        visibility[i] = lm.visibility if lm.visibility is not None else 0.0
    return image_xy, visibility


# The name callers have used for the default MediaPipe estimator.
MediaPipePoseEstimator = TasksPoseEstimator
