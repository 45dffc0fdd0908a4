"""Frame sources: bad input gets a clear message naming the file."""

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.errors import SourceError
from posecheck.media.source import FALLBACK_FPS, VideoSource, frame_rate, open_source
from posecheck.media.video_out import ffmpeg_exe
from tests.clips import SAMPLE, joined_sizes, mp4_boxes, sample_frames, write_clip, write_y4m

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


# -- phone footage and damaged files (issue #10): each made here from a committed sample clip --


def close_to(a: np.ndarray, b: np.ndarray) -> bool:
    """Same picture up to compression noise."""
    return a.shape == b.shape and float(np.abs(a.astype(int) - b.astype(int)).mean()) < 8


@pytest.mark.parametrize(("rotation_deg", "stored_turns"), [(90, -1), (-90, 1), (180, 2)])
def test_portrait_phone_clip_comes_out_upright(tmp_path, rotation_deg, stored_turns):
    """A phone stores its pixels sideways plus a display rotation; frames must be upright."""
    upright = sample_frames(8)
    sideways = [np.rot90(f, stored_turns) for f in upright]
    clip = write_clip(tmp_path / "phone.mp4", sideways, rotation_deg=rotation_deg)
    src = VideoSource(clip)
    assert (src.info.width, src.info.height) == (640, 480)
    assert src.info.rotation_deg == rotation_deg % 360
    frames = list(src.frames())
    assert len(frames) == 8
    assert all(close_to(f.image, u) for f, u in zip(frames, upright, strict=True))
    assert all(f.image.flags["C_CONTIGUOUS"] for f in frames)


def test_variable_frame_rate_frames_carry_their_real_times(tmp_path):
    """Phones record at a variable rate: a frame's time is its presentation time, not
    index / average fps (which put the frame after a pause seconds away from its real time)."""
    times = [i * 33 for i in range(10)] + [2500 + i * 50 for i in range(10)]
    clip = write_clip(tmp_path / "vfr.mp4", sample_frames(20), times_ms=times)
    src = VideoSource(clip)
    got = [f.t_ms for f in src.frames()]
    assert got == pytest.approx(times, abs=1.0)
    info = src.decoded_info()
    assert info.variable_frame_rate and not info.warnings
    steady = VideoSource(write_clip(tmp_path / "cfr.mp4", sample_frames(20)))
    assert [f.t_ms for f in steady.frames()][-1] == pytest.approx(19 * 1000 / 30, abs=1.0)
    assert not steady.decoded_info().variable_frame_rate


def test_a_cut_off_file_says_so(tmp_path):
    """Index first (as the samples are): the frames that remain are read and the report says
    the file ends early. Index last (cut before it): a clear 'incomplete' error."""
    assert [b[0] for b in mp4_boxes(SAMPLE)][:2] == [b"ftyp", b"moov"]
    data = SAMPLE.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    src = VideoSource(cut)
    n = sum(1 for _ in src.frames())
    full = src.info.frame_count
    assert 0 < n < full
    (warning,) = src.decoded_info().warnings
    assert f"only {n} of {full} frames" in warning and "ends early" in warning
    whole = VideoSource(SAMPLE)
    assert sum(1 for _ in whole.frames()) == full and not whole.decoded_info().warnings

    mkv = write_clip(tmp_path / "whole.mkv", sample_frames(90))
    cut_mkv = tmp_path / "cut.mkv"
    cut_mkv.write_bytes(mkv.read_bytes()[: mkv.stat().st_size * 2 // 3])
    src = VideoSource(cut_mkv)
    assert sum(1 for _ in src.frames()) < 80
    assert "ends early" in src.decoded_info().warnings[0]

    index_last = write_clip(tmp_path / "index_last.mp4", sample_frames(20))
    assert mp4_boxes(index_last)[-1][0] == b"moov"
    cut2 = tmp_path / "cut2.mp4"
    cut2.write_bytes(index_last.read_bytes()[:-200])
    with pytest.raises(SourceError, match=r"cut2\.mp4: the file is incomplete .* cut off"):
        VideoSource(cut2)


def test_a_picture_size_change_mid_stream_is_fitted_and_stated(tmp_path):
    frames = sample_frames(30)
    small = [np.ascontiguousarray(f[::2, ::2]) for f in frames[15:]]
    clip = joined_sizes(tmp_path / "joined.mkv", frames[:15], small)
    src = VideoSource(clip)
    out = list(src.frames())
    assert len(out) == 30 and {f.image.shape for f in out} == {(480, 640, 3)}
    assert close_to(out[20].image, frames[20])  # scaled back, not garbage
    (warning,) = src.decoded_info().warnings
    assert "picture size changes at 0.5 s (from 640x480 to 320x240)" in warning


def test_av1_video_is_decoded(tmp_path):
    small = [np.ascontiguousarray(f[::4, ::4]) for f in sample_frames(6)]
    clip = write_clip(tmp_path / "av1.mp4", small, codec="libsvtav1")
    src = VideoSource(clip)
    assert "av1" in src.info.codec
    assert len(list(src.frames())) == 6


def test_an_unknown_codec_is_named_as_the_problem(tmp_path):
    data = bytearray(SAMPLE.read_bytes())
    at = data.rfind(b"avc1")  # the sample entry in the index, not the brand in ftyp
    data[at : at + 4] = b"zzzz"
    clip = tmp_path / "odd_codec.mp4"
    clip.write_bytes(bytes(data))
    with pytest.raises(SourceError, match=r"odd_codec\.mp4: the video uses a codec this "):
        VideoSource(clip)


def test_absurd_frame_rate_falls_back_and_says_so(tmp_path):
    src = VideoSource(write_y4m(tmp_path / "odd_rate.y4m", 320, 240, 5, rate="100000:1"))
    assert src.info.fps_is_fallback and src.info.fps == FALLBACK_FPS
    assert [f.t_ms for f in src.frames()] == pytest.approx([i * 1000 / 30 for i in range(5)])
    (warning,) = src.decoded_info().warnings
    assert "no usable frame rate; 30 fps was assumed" in warning


def test_a_tiny_picture_is_refused(tmp_path):
    with pytest.raises(SourceError, match=r"tiny\.y4m: the picture is only 1x1 pixels"):
        VideoSource(write_y4m(tmp_path / "tiny.y4m", 1, 1, 3))


def test_a_camera_on_its_side_is_turned_upright_on_request(tmp_path):
    """No flag to read: the person says how the camera stood (--rotate)."""
    upright = sample_frames(4)
    clip = write_clip(tmp_path / "side.mp4", [np.rot90(f, 1) for f in upright])  # 90° left
    assert not close_to(next(VideoSource(clip).frames()).image, upright[0])
    src = VideoSource(clip, rotate_deg=90)
    assert (src.info.width, src.info.height) == (640, 480)
    assert all(close_to(f.image, u) for f, u in zip(src.frames(), upright, strict=True))
    with pytest.raises(SourceError, match="use 0, 90, 180 or 270"):
        VideoSource(clip, rotate_deg=45)


def test_cover_art_is_not_taken_for_the_recording(tmp_path):
    cover = tmp_path / "cover.png"
    cv2.imwrite(str(cover), np.zeros((64, 64, 3), np.uint8))
    clip = write_clip(tmp_path / "clip.mp4", sample_frames(5))
    out = tmp_path / "with_cover.mkv"  # Matroska keeps the cover as the first video track
    cmd = [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(clip), "-i", str(cover)]
    cmd += ["-map", "1", "-map", "0", "-c", "copy", "-c:v:0", "png"]
    cmd += ["-disposition:v:0", "attached_pic", str(out)]
    subprocess.run(cmd, check=True)
    src = VideoSource(out)
    assert (src.info.width, src.info.height, src.info.codec) == (640, 480, "h264")
    assert len(list(src.frames())) == 5


@pytest.mark.parametrize(("rotation_deg", "turns"), [(0, 0), (90, 1), (180, 2), (270, 3)])
def test_a_front_camera_clip_with_a_mirror_flip_comes_out_the_right_way_round(
    tmp_path, rotation_deg, turns
):
    """A front camera's display matrix says: turn, then mirror. FFmpeg's rotation alone reads a
    mirror as a half turn (the clip would come out upside down)."""
    upright = sample_frames(6)
    # what is shown = mirror(turn(stored)), so stored = turn back(mirror(upright))
    stored = [np.rot90(u[:, ::-1], -turns) for u in upright]
    clip = write_clip(tmp_path / "selfie.mp4", stored, rotation_deg=rotation_deg, hflip=True)
    src = VideoSource(clip)
    assert src.info.mirrored is True and src.info.rotation_deg == rotation_deg  # JSON-ready
    assert (src.info.width, src.info.height) == (640, 480)
    frames = list(src.frames())
    assert len(frames) == 6
    assert all(close_to(f.image, u) for f, u in zip(frames, upright, strict=True))


@pytest.mark.parametrize(("suffix", "kind"), [(".mp4", "JPEG"), (".mov", "PNG")])
def test_a_photo_renamed_as_a_video_is_read_as_a_photo(media, tmp_path, suffix, kind):
    """A JPEG or PNG named .mp4 is a photo, whatever its name says: one frame, the photo's
    size, and one line saying so."""
    image = cv2.imread(str(media / "pose.jpg"))
    ext = ".jpg" if kind == "JPEG" else ".png"
    ok, data = cv2.imencode(ext, image)
    assert ok
    renamed = tmp_path / f"holiday{suffix}"
    renamed.write_bytes(data.tobytes())
    src = VideoSource(renamed)
    assert src.info.kind == "image" and (src.info.width, src.info.height) == (1000, 667)
    frames = list(src.frames())
    assert len(frames) == 1 and frames[0].image.shape == image.shape
    (warning,) = src.info.warnings
    assert warning.startswith(f"this file is a {kind} picture, not a video")
    assert "analysed as a photo" in warning and "\n" not in warning
    assert VideoSource(SAMPLE).info.kind == "video"  # a real video is still a video
