"""Writing browser-playable H.264 MP4 (PyAV's libx264), and the .y4m a fake camera plays."""

from __future__ import annotations

import contextlib
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from posecheck.errors import OutputError
from posecheck.outputs import AtomicFile, describe_os_error

MP4_SUFFIXES = (".mp4", ".m4v", ".mov")


def ffmpeg_exe() -> str:
    import imageio_ffmpeg  # noqa: PLC0415

    return imageio_ffmpeg.get_ffmpeg_exe()


class Mp4Writer:
    """Encode BGR frames as H.264 MP4 (yuv420p, faststart) that browsers play.

    The file is written beside ``path`` under a temporary name and renamed into place by
    :meth:`close`; :meth:`discard` (or leaving a ``with`` block by an exception, Ctrl-C
    included) removes it, so a failed or interrupted run never leaves a partial video that
    plays as if complete. Frames keep their own times when ``write`` is given ``t_ms``.
    """

    def __init__(self, path: str | Path, width: int, height: int, fps: float) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in MP4_SUFFIXES:
            raise OutputError(
                f"{self.path}: an annotated video needs a name ending in .mp4 "
                f"(e.g. {self.path.stem or 'out'}.mp4)."
            )
        self._size = (max(2, width - width % 2), max(2, height - height % 2))
        self._period_ms = 1000.0 / (fps if fps > 0 else 10.0)
        self._last_pts = -1
        self._count = 0
        self._atomic: AtomicFile | None = AtomicFile(self.path)
        try:
            self._out = av.open(
                str(self._atomic.tmp), "w", format="mp4", options={"movflags": "+faststart"}
            )
            stream = self._out.add_stream(
                "libx264", rate=Fraction(fps or 10).limit_denominator(1001)
            )
            stream.width, stream.height = self._size
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": "23", "preset": "veryfast"}
            stream.thread_type = "AUTO"  # x264 encodes on its own threads, beside the analysis
            stream.codec_context.time_base = Fraction(1, 1000)
            self._stream = stream
        except (OSError, av.error.FFmpegError) as exc:
            self._abort(exc)

    def _abort(self, exc: BaseException) -> None:
        """Remove the temporary file and raise the project's error for ``exc``."""
        self.discard()
        if isinstance(exc, OSError) and exc.errno is not None:
            raise OutputError(describe_os_error(self.path, exc)) from None
        raise OutputError(f"{self.path}: the video could not be written ({exc}).") from None

    def write(self, image: np.ndarray, t_ms: float | None = None) -> None:
        """Add a frame, shown at ``t_ms`` (default: the next frame at the nominal rate)."""
        w, h = self._size
        ih, iw = image.shape[:2]
        if (iw, ih) != (w, h):
            canvas = np.zeros((h, w, 3), np.uint8)
            canvas[: min(h, ih), : min(w, iw)] = image[:h, :w]
            image = canvas
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        pts = round(t_ms if t_ms is not None else self._count * self._period_ms)
        frame.pts = max(pts, self._last_pts + 1)
        frame.time_base = Fraction(1, 1000)
        self._last_pts = frame.pts
        self._count += 1
        try:
            self._out.mux(self._stream.encode(frame))
        except (OSError, av.error.FFmpegError) as exc:
            self._abort(exc)

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._atomic is None:
            return
        try:
            self._out.mux(self._stream.encode())
            self._out.close()
        except (OSError, av.error.FFmpegError) as exc:
            self._abort(exc)
        atomic, self._atomic = self._atomic, None
        atomic.commit()

    def discard(self) -> None:
        """Stop and remove the unfinished file (nothing is left at ``path``)."""
        if self._atomic is None:
            return
        out = getattr(self, "_out", None)
        if out is not None:
            with contextlib.suppress(OSError, av.error.FFmpegError):
                out.close()
        atomic, self._atomic = self._atomic, None
        atomic.discard()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


def to_y4m(
    src: str | Path, dst: str | Path, *, width: int = 640, height: int = 480, fps: int = 30
) -> Path:
    """Convert a video to the raw .y4m that Chromium's fake camera plays."""
    dst = Path(dst)
    cmd = [
        ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-i",
        str(src),
        "-vf",
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,fps={fps}",
        "-pix_fmt",
        "yuv420p",
        str(dst),
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    return dst
