"""Frame sources: timestamped, upright frames from a video file, a still image or a webcam.

Video files are decoded with PyAV (FFmpeg's libraries), which gives every frame its presentation
timestamp and the display rotation a phone stores beside its sideways pixels. So a frame's
``t_ms`` is its real time from the first frame (a variable-frame-rate phone clip keeps its
timing), and frames come out upright. What decoding finds wrong (the file ends early, damaged
parts, the picture size changes, no stated frame rate) is collected in words: read it from
:meth:`VideoSource.decoded_info` after the frames, for the CLI and the report.
Timestamps never come from the wall clock, so a recording always gives the same analysis.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from posecheck.errors import SourceError

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".y4m")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
#: Used when a video file reports no frame rate; stated in the report.
FALLBACK_FPS = 30.0
#: Smaller pictures cannot show a body; refused with a message.
MIN_SIDE_PX = 32
_REENCODE = "re-encode or export it as H.264 MP4 (most phones and editors can)"


@dataclass(frozen=True)
class Frame:
    """One upright image (BGR, uint8, HxWx3) and when it was taken, in ms from the start."""

    index: int
    t_ms: float
    image: np.ndarray


@dataclass(frozen=True)
class SourceInfo:
    path: str
    kind: str  # "video", "image" or "camera"
    width: int  # of the upright picture
    height: int
    fps: float
    frame_count: int  # 0 when unknown (cameras); for videos, what the file says
    fps_is_fallback: bool = False
    #: counterclockwise degrees the stored pixels were turned to stand upright (a phone's flag,
    #: plus any turn asked for)
    rotation_deg: int = 0
    #: the file asks for its picture to be shown mirrored (a phone's front camera): done
    mirrored: bool = False
    codec: str = ""
    #: frames are not evenly spaced (phones); their times come from the file, known after decoding
    variable_frame_rate: bool = False
    #: what is wrong with the file, in words for the person (some known only after decoding)
    warnings: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


def frame_rate(reported_fps: float) -> tuple[float, bool]:
    """The frame rate to use and whether it is the fallback (the file's was 0 or absurd)."""
    if 0.5 <= reported_fps <= 480.0:
        return reported_fps, False
    return FALLBACK_FPS, True


def _display(av_frame: av.VideoFrame) -> tuple[int, bool]:
    """How to show this frame upright, from its display matrix: counterclockwise quarter turns,
    then whether to mirror it left to right (a front camera's mirror flip).

    The matrix maps stored to shown pixels; a mirror makes its determinant negative. FFmpeg's
    own rotation reading takes a mirror for a half turn (it would show the clip upside down),
    so the mirror is taken out of the matrix first (its first column negated, as FFmpeg's
    ``av_display_matrix_flip`` puts it in) and the rotation read from what remains.
    """
    matrix = None
    try:  # ``get`` by type: PyAV 19 iterates the container's types, PyAV 18 its entries
        data = av_frame.side_data.get(av.sidedata.sidedata.Type.DISPLAYMATRIX)
        if data is not None:
            matrix = np.frombuffer(bytes(data), dtype="<i4")[:9].astype(float)
    except (AttributeError, ValueError, TypeError):
        matrix = None
    if matrix is None or len(matrix) < 9:
        return _quarter_turns(av_frame), False
    a, b, c, d = matrix[0], matrix[1], matrix[3], matrix[4]
    mirrored = bool(a * d - b * c < 0)
    if mirrored:
        a, c = -a, -c
    if not (a or b):
        return 0, False
    return round(-math.degrees(math.atan2(b, a)) / 90) % 4, mirrored


def _quarter_turns(av_frame: av.VideoFrame) -> int:
    """Counterclockwise quarter turns that show this frame upright (PyAV's rotation)."""
    try:
        rotation = float(av_frame.rotation or 0)
    except (AttributeError, ValueError, TypeError):
        return 0
    return 0 if math.isnan(rotation) else round(rotation / 90) % 4


def _stored_size(av_frame: av.VideoFrame, sar: Fraction | None) -> tuple[int, int]:
    """(width, height) of the stored picture with non-square pixels (``sar``) widened."""
    w, h = av_frame.width, av_frame.height
    if sar and 0.1 < sar < 10 and sar != 1:
        w = max(2, round(w * float(sar)))
    return w, h


def _upright_size(av_frame: av.VideoFrame, sar: Fraction | None, extra: int) -> tuple[int, int]:
    """(width, height) as shown: non-square pixels widened, the rotation applied."""
    w, h = _stored_size(av_frame, sar)
    return (h, w) if (_display(av_frame)[0] + extra) % 2 else (w, h)


def _upright(av_frame: av.VideoFrame, sar: Fraction | None, extra: int) -> np.ndarray:
    """The frame as BGR, upright: its display matrix (rotation, mirror) plus ``extra``
    counterclockwise turns."""
    w, h = _stored_size(av_frame, sar)
    if (w, h) == (av_frame.width, av_frame.height):
        image = av_frame.to_ndarray(format="bgr24")
    else:
        image = av_frame.to_ndarray(format="bgr24", width=w, height=h)
    turns, mirrored = _display(av_frame)
    turns = (turns + extra) % 4
    if turns:
        image = np.rot90(image, turns)
    if mirrored:
        image = image[:, ::-1]
    return np.ascontiguousarray(image) if turns or mirrored else image


def _letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``image`` to fit ``width`` x ``height`` keeping its shape; pad with black."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    out = np.zeros((height, width, 3), np.uint8)
    x, y = (width - nw) // 2, (height - nh) // 2
    out[y : y + nh, x : x + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return out


def _mp4_incomplete(path: Path) -> bool:
    """True when an MP4/MOV file's top-level boxes run past its end, or its index is missing:
    the signature of a recording cut off while copying or recording."""
    known = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"moof"}
    size, pos, seen = path.stat().st_size, 0, set()
    with path.open("rb") as f:
        while pos + 8 <= size:
            f.seek(pos)
            head = f.read(16)
            box_size, kind = int.from_bytes(head[:4], "big"), head[4:8]
            if kind not in known and kind not in (b"mfra", b"sidx", b"pdin", b"styp"):
                return False  # not a box structure we understand: say nothing
            if box_size == 1 and len(head) == 16:
                box_size = int.from_bytes(head[8:16], "big")
            elif box_size == 0:
                box_size = size - pos
            if box_size < 8 or pos + box_size > size:
                return True
            seen.add(kind)
            pos += box_size
    return bool(seen) and b"moov" not in seen


#: How still-image files begin (their "magic" bytes), and the name a person knows them by.
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"BM", "BMP"),
)


def still_image_kind(path: Path) -> str | None:
    """ "JPEG", "PNG", "BMP" or "WebP" when the file's content is a still image whatever its
    name says (a photo renamed .mp4); None otherwise."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    for magic, name in _IMAGE_SIGNATURES:
        # "BM" could begin other data: a BMP also states its own file size.
        bmp_size_ok = name != "BMP" or int.from_bytes(head[2:6], "little") == path.stat().st_size
        if head.startswith(magic) and bmp_size_ok:
            return name
    return None


_STILL_CODECS = {"png", "bmp", "gif", "webp", "tiff"}


def _video_stream(container: av.container.InputContainer) -> av.VideoStream | None:
    """The recording's picture stream: the first video stream that is not cover art (an
    attached picture, a still image, or a one-picture PNG track as Matroska stores covers)."""

    def moving(stream: av.VideoStream) -> int:
        still = av.stream.Disposition.attached_pic | av.stream.Disposition.still_image
        codec = stream.codec_context.name if stream.codec_context else ""
        return int(not stream.disposition & still) + int(codec not in _STILL_CODECS)

    streams = list(container.streams.video)
    return max(streams, key=moving) if streams else None


class _Decode:
    """What one pass over a video found (counts and warnings)."""

    def __init__(self) -> None:
        self.read_error: str | None = None
        self.bad_packets = 0
        self.frames = 0
        self.guessed_times = 0
        self.uneven = 0
        self.last_ms = 0.0
        self.size_change: tuple[float, int, int] | None = None


def _av_frames(container: av.container.InputContainer, stream: av.VideoStream, state: _Decode):
    """Decoded frames; a damaged packet is skipped and counted, a read error ends the file."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.FFmpegError as exc:
            state.read_error = str(exc)
            return
        try:
            decoded = packet.decode()
        except av.error.FFmpegError:
            state.bad_packets += 1
            continue
        yield from decoded


class VideoSource:
    """Frames of a video file or a still image, read lazily.

    >>> src = VideoSource("clip.mp4")          # doctest: +SKIP
    >>> for frame in src.frames(): ...          # doctest: +SKIP
    >>> src.decoded_info().warnings             # doctest: +SKIP

    ``rotate_deg`` (0, 90, 180 or 270) turns every picture clockwise on top of any rotation
    flag: for a camera that stood on its side, which leaves no flag.
    """

    def __init__(self, path: str | Path, rotate_deg: int = 0) -> None:
        self.path = Path(path)
        self._state = _Decode()
        if rotate_deg not in (0, 90, 180, 270):
            raise SourceError(f"rotate by {rotate_deg} degrees: use 0, 90, 180 or 270.")
        self._extra_turns = (-rotate_deg // 90) % 4
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such file. Check the path and try again.")
        if not self.path.is_file():
            raise SourceError(f"{self.path}: is not a file. Give the path of a video or image.")
        suffix = self.path.suffix.lower()
        still = still_image_kind(self.path) if suffix in VIDEO_SUFFIXES else None
        if suffix in IMAGE_SUFFIXES:
            self.info = self._probe_image()
        elif still is not None:
            self.info = self._probe_image(
                f"this file is a {still} picture, not a video (only its name ends in "
                f"{suffix}), so it was analysed as a photo."
            )
        elif suffix in VIDEO_SUFFIXES:
            self.info = self._probe_video()
        else:
            supported = ", ".join(VIDEO_SUFFIXES + IMAGE_SUFFIXES)
            raise SourceError(
                f"{self.path}: '{suffix or '(no extension)'}' is not a supported format. "
                f"Use one of: {supported}."
            )

    def _probe_image(self, warning: str | None = None) -> SourceInfo:
        image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)  # applies EXIF orientation
        if image is None:
            raise SourceError(
                f"{self.path}: the image could not be decoded. It may be damaged; "
                "re-save it as JPEG or PNG."
            )
        if self._extra_turns:
            image = np.ascontiguousarray(np.rot90(image, self._extra_turns))
        h, w = image.shape[:2]
        self._check_size(w, h)
        self._image = image
        warnings = (warning,) if warning else ()
        return SourceInfo(str(self.path), "image", w, h, 0.0, 1, warnings=warnings)

    def _check_size(self, w: int, h: int) -> None:
        if min(w, h) < MIN_SIDE_PX:
            raise SourceError(
                f"{self.path}: the picture is only {w}x{h} pixels, too small to show a body. "
                "Use a recording of at least 320x240."
            )

    def _open(self) -> av.container.InputContainer:
        try:
            return av.open(str(self.path), mode="r")
        except (av.error.FFmpegError, OSError) as exc:
            if self.path.stat().st_size == 0:
                reason = "the file is empty (0 bytes); record or export it again."
            elif self.path.suffix.lower() in (".mp4", ".mov", ".m4v") and _mp4_incomplete(
                self.path
            ):
                reason = (
                    "the file is incomplete (it ends before its index), so it was probably "
                    "cut off while copying or recording. Copy or export it again."
                )
            else:
                reason = (
                    f"the video could not be opened ({getattr(exc, 'strerror', None) or exc}). "
                    f"It may be damaged or not a video; {_REENCODE}."
                )
            raise SourceError(f"{self.path}: {reason}") from None

    def _probe_video(self) -> SourceInfo:
        with self._open() as container:
            if _video_stream(container) is None:
                raise SourceError(
                    f"{self.path}: the file has no video picture (only sound or data). "
                    "Give a video recording."
                )
            stream = _video_stream(container)
            if stream.codec_context is None:
                raise SourceError(
                    f"{self.path}: the video uses a codec this machine cannot decode; {_REENCODE}."
                )
            codec = stream.codec_context.name
            first = next(_av_frames(container, stream, _Decode()), None)
            if first is None:
                raise SourceError(
                    f"{self.path}: no frame of its {codec} video could be decoded. The file "
                    f"may be damaged or its codec unsupported here; {_REENCODE}."
                )
            self._origin_s = first.time or 0.0
            w, h = _upright_size(first, stream.sample_aspect_ratio, self._extra_turns)
            turns, mirrored = _display(first)
            turns = (turns + self._extra_turns) % 4
            rate = stream.average_rate or stream.guessed_rate
            fps, fallback = frame_rate(float(rate) if rate else 0.0)
            count = stream.frames
            if not count and stream.duration and stream.time_base:
                count = round(float(stream.duration * stream.time_base) * fps)
            if not count and container.duration:
                count = round(container.duration / av.time_base * fps)
        self._check_size(w, h)
        warnings = ()
        if fallback:
            warnings = (
                f"the video states no usable frame rate; {FALLBACK_FPS:g} fps was assumed, "
                "so its times and durations may be off",
            )
        return SourceInfo(
            str(self.path),
            "video",
            w,
            h,
            fps,
            max(int(count or 0), 1),
            fallback,
            rotation_deg=turns * 90,
            mirrored=mirrored,
            codec=codec,
            warnings=warnings,
        )

    def frames(self) -> Iterator[Frame]:
        """Yield every frame, upright, with its presentation time from the first frame."""
        self._state = _Decode()
        if self.info.kind == "image":
            self._state.frames = 1
            yield Frame(0, 0.0, self._image)
            return
        with self._open() as container:
            stream = _video_stream(container)
            stream.thread_type = "AUTO"
            end_s = float(stream.duration * stream.time_base) if stream.duration else 0.0
            if not end_s and container.duration:  # e.g. Matroska: only the file's duration
                end_s = container.duration / av.time_base
            self._expected = (stream.frames, end_s)
            yield from self._frames(container, stream)

    def _frames(self, container: av.container.InputContainer, stream: av.VideoStream):
        state, info = self._state, self.info
        period_ms = 1000.0 / info.fps
        origin_ms: float | None = None
        prev_ms: float | None = None
        sar = stream.sample_aspect_ratio
        for av_frame in _av_frames(container, stream, state):
            # A file without a believable frame rate has unbelievable times too: use the fallback.
            t_ms = None if av_frame.time is None or info.fps_is_fallback else av_frame.time * 1e3
            if t_ms is not None and origin_ms is None:
                origin_ms = t_ms
            if t_ms is not None:
                t_ms -= origin_ms
            if t_ms is None or (prev_ms is not None and t_ms <= prev_ms):
                state.guessed_times += 1
                t_ms = 0.0 if prev_ms is None else prev_ms + period_ms
            elif prev_ms is not None and abs(t_ms - prev_ms - period_ms) > 0.25 * period_ms:
                state.uneven += 1
            image = _upright(av_frame, sar, self._extra_turns)
            h, w = image.shape[:2]
            if (w, h) != (info.width, info.height):
                if state.size_change is None:
                    state.size_change = (t_ms, w, h)
                image = _letterbox(image, info.width, info.height)
            yield Frame(state.frames, t_ms, image)
            state.frames += 1
            prev_ms = state.last_ms = t_ms

    def image_at(self, t_ms: float) -> np.ndarray | None:
        """The picture :meth:`frames` gives for time ``t_ms`` (the last frame at or before it),
        decoded the same way (upright, mirrored back, fitted to the first frame's size) after
        a seek to the key frame before it. None outside the clip. Seeking by time, not frame
        number, keeps a variable-frame-rate clip's frames at their own times."""
        if self.info.kind == "image":
            return self._image if t_ms >= 0 else None
        if t_ms < 0 or math.isnan(t_ms):
            return None
        period_ms = 1000.0 / self.info.fps
        if self.info.fps_is_fallback:  # times made up from the frame count: count the frames
            shown = None
            for frame in self.frames():
                if frame.t_ms > t_ms + 0.5:
                    break
                shown = frame
            return None if shown is None or t_ms - shown.t_ms > period_ms else shown.image
        with self._open() as container:
            stream = _video_stream(container)
            found, last_ms, after = self._seek_frame(
                container, stream, self._origin_s + t_ms / 1000.0, t_ms
            )
            if found is None and after:  # the seek landed past the time: read from the start
                found, last_ms, after = self._seek_frame(container, stream, self._origin_s, t_ms)
            if found is None or last_ms is None or (not after and t_ms - last_ms > period_ms):
                return None  # after the last frame
            image = _upright(found, stream.sample_aspect_ratio, self._extra_turns)
        h, w = image.shape[:2]
        if (w, h) != (self.info.width, self.info.height):
            image = _letterbox(image, self.info.width, self.info.height)
        return image

    def _seek_frame(
        self,
        container: av.container.InputContainer,
        stream: av.VideoStream,
        seek_s: float,
        t_ms: float,
    ) -> tuple[av.VideoFrame | None, float | None, bool]:
        """(the last frame at or before ``t_ms`` after seeking to ``seek_s``, its time, whether
        a frame after ``t_ms`` was found)."""
        pts = int(seek_s / stream.time_base) if stream.time_base else 0
        try:
            container.seek(max(pts, 0), stream=stream, backward=True)
        except av.error.FFmpegError:
            container.seek(0)
        found, last_ms = None, None
        for av_frame in _av_frames(container, stream, _Decode()):
            if av_frame.time is None:
                continue
            frame_ms = (av_frame.time - self._origin_s) * 1000.0
            if frame_ms > t_ms + 0.5:
                return found, last_ms, True
            found, last_ms = av_frame, frame_ms
        return found, last_ms, False

    def decoded_info(self) -> SourceInfo:
        """The info with what the last pass over the frames found: warnings in words and
        whether the frame rate varies. Call it after :meth:`frames` is exhausted."""
        if self.info.kind != "video" or not self._state.frames:
            return self.info
        state, info = self._state, self.info
        warnings = list(info.warnings)
        expected, end_s = getattr(self, "_expected", (0, 0.0))
        short = (expected and state.frames < expected - max(2, 0.02 * expected)) or (
            end_s and state.last_ms / 1000 + 2 / info.fps < end_s - 1.0
        )
        if state.read_error or short:
            of = f" of {expected}" if expected else ""
            warnings.append(
                f"the file ends early or is damaged: only {state.frames}{of} frames "
                f"({state.last_ms / 1000:.1f} s) could be read, so the rest was not analysed. "
                "It may have been cut off while copying or recording; copy or export it again."
            )
        if state.bad_packets and not short:
            warnings.append(
                f"{state.bad_packets} damaged part(s) of the video could not be decoded and "
                "were skipped."
            )
        if state.size_change is not None:
            t_ms, w, h = state.size_change
            warnings.append(
                f"the picture size changes at {t_ms / 1000:.1f} s (from {info.width}x"
                f"{info.height} to {w}x{h}), as if clips were joined; later frames were scaled "
                "to fit, so check the results from there on."
            )
        if state.guessed_times and not info.fps_is_fallback:
            warnings.append(
                f"{state.guessed_times} frame(s) carry no usable time; their times were "
                f"estimated at {info.fps:g} fps."
            )
        vfr = state.uneven > max(2, 0.05 * state.frames)
        return dataclasses.replace(info, warnings=tuple(warnings), variable_frame_rate=vfr)


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
