"""Make test videos with PyAV: phone-style portrait clips, variable frame rate, cut-off files,
joined clips of different sizes, other codecs. Frames come from a committed sample clip."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
SAMPLE = SAMPLES / "prone_ir_good_female.mp4"


def sample_frames(n: int | None = None, path: Path = SAMPLE) -> list[np.ndarray]:
    """The first ``n`` frames (BGR) of a committed sample clip."""
    out: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            out.append(frame.to_ndarray(format="bgr24"))
            if n is not None and len(out) >= n:
                break
    return out


def write_clip(
    path: Path,
    frames: list[np.ndarray],
    *,
    times_ms: list[float] | None = None,
    fps: int = 30,
    codec: str = "libx264",
    rotation_deg: int | None = None,
    hflip: bool = False,
    fmt: str | None = None,
    bframes: bool = True,
    faststart: bool = False,
) -> Path:
    """Encode ``frames``; ``times_ms`` gives each frame's presentation time (else ``fps``),
    ``rotation_deg`` stores a display rotation (counterclockwise) as phones do, ``hflip`` a
    mirror flip after it (front cameras); ``faststart`` puts the MP4 index first, as the
    committed samples and most phones have it."""
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format=fmt, options=options) as out:
        stream = out.add_stream(codec, rate=fps)
        h, w = frames[0].shape[:2]
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        if not bframes:
            stream.codec_context.max_b_frames = 0
        if times_ms is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        if rotation_deg is not None or hflip:
            stream.set_display_rotation(rotation_deg or 0, hflip=hflip)
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
            if times_ms is not None:
                frame.pts, frame.time_base = round(times_ms[i]), Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def write_y4m(path: Path, width: int, height: int, n: int, rate: str = "30:1") -> Path:
    """A raw 4:2:0 .y4m of ``n`` grey frames with the frame rate header ``rate``."""
    header = f"YUV4MPEG2 W{width} H{height} F{rate} Ip A1:1 C420jpeg\n".encode()
    size = width * height + 2 * ((width + 1) // 2) * ((height + 1) // 2)
    path.write_bytes(header + (b"FRAME\n" + bytes([128]) * size) * n)
    return path


def joined_sizes(path: Path, first: list[np.ndarray], second: list[np.ndarray]) -> Path:
    """Two H.264 streams of different picture sizes joined into one .mkv at 30 fps, as a
    careless editor or a camera switching resolution produces."""
    raw = b""
    for i, frames in enumerate((first, second)):
        part = write_clip(path.with_name(f"part{i}.h264"), frames, fmt="h264", bframes=False)
        raw += part.read_bytes()
    joined = path.with_name("joined.h264")
    joined.write_bytes(raw)
    with av.open(str(joined), format="h264") as src, av.open(str(path), "w") as out:
        stream = out.add_stream_from_template(src.streams.video[0])
        n = 0
        for packet in src.demux(video=0):
            if packet.size == 0:
                continue
            packet.pts = packet.dts = n
            packet.duration = 1
            packet.time_base, packet.stream = Fraction(1, 30), stream
            out.mux(packet)
            n += 1
    return path


def mp4_boxes(path: Path) -> list[tuple[bytes, int, int]]:
    """Top-level MP4 boxes: (type, offset, size)."""
    data, pos, boxes = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size, kind = int.from_bytes(data[pos : pos + 4], "big"), data[pos + 4 : pos + 8]
        boxes.append((kind, pos, size))
        pos += size
    return boxes
