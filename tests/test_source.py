"""Frame sources: bad input gets a clear message naming the file."""

from pathlib import Path

import pytest

from posecheck.errors import SourceError
from posecheck.source import FALLBACK_FPS, VideoSource, frame_rate, open_source

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


def test_missing_unsupported_and_broken_files(tmp_path):
    with pytest.raises(SourceError, match=r"nope\.mp4: no such file"):
        VideoSource(tmp_path / "nope.mp4")
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(SourceError, match=r"notes\.txt: '\.txt' is not a supported format"):
        VideoSource(txt)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    with pytest.raises(SourceError, match=r"broken\.mp4: the video (could not be opened|has no)"):
        VideoSource(broken)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match=r"empty\.mp4"):
        VideoSource(empty)
    bad_image = tmp_path / "photo.jpg"
    bad_image.write_bytes(b"not a jpeg")
    with pytest.raises(SourceError, match=r"photo\.jpg: the image could not be decoded"):
        VideoSource(bad_image)


def test_video_frames_carry_timestamps_from_the_frame_rate():
    src = VideoSource(MEDIA / "bridging.mp4")
    assert (src.info.width, src.info.height, src.info.fps) == (640, 480, 30.0)
    frames = list(src.frames())
    assert len(frames) == 91
    assert frames[30].t_ms == pytest.approx(1000.0)


def test_still_image_is_one_frame():
    frames = list(open_source(str(MEDIA / "pose.jpg")).frames())
    assert len(frames) == 1 and frames[0].image.shape == (667, 1000, 3)


@pytest.mark.parametrize(
    ("reported", "used", "fallback"),
    [
        (0.0, FALLBACK_FPS, True),
        (float("nan"), FALLBACK_FPS, True),
        (90000.0, FALLBACK_FPS, True),
        (29.97, 29.97, False),
    ],
)
def test_a_file_reporting_no_frame_rate_gets_the_stated_fallback(reported, used, fallback):
    assert frame_rate(reported) == (used, fallback)
