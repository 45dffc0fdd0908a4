"""Writing browser-playable H.264 MP4 with the ffmpeg binary that ships in imageio-ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from posecheck.errors import SourceError


def ffmpeg_exe() -> str:
    import imageio_ffmpeg  # noqa: PLC0415

    return imageio_ffmpeg.get_ffmpeg_exe()


class Mp4Writer:
    """Pipe BGR frames into ffmpeg (libx264, yuv420p, faststart). Use as a context manager."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        w, h = width - width % 2, height - height % 2
        self._size = (w, h)
        cmd = [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-s",
            f"{w}x{h}",
            "-r",
            f"{fps:.3f}",
            "-i",
            "-",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            str(self.path),
        ]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stdin = self._proc.stdin
        if self._stdin is None:  # pragma: no cover - Popen always gives a pipe here
            raise SourceError(f"{self.path}: could not start ffmpeg")

    def write(self, image: np.ndarray) -> None:
        w, h = self._size
        self._stdin.write(np.ascontiguousarray(image[:h, :w]).tobytes())

    def close(self) -> None:
        self._stdin.close()
        err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
        if self._proc.wait() != 0:
            raise SourceError(f"{self.path}: the video could not be written ({err.strip()})")

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
