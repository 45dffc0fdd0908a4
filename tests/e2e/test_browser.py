"""End to end in a real browser: Debian's Chromium with a fake camera playing a real clip.

Starts ``streamlit run app.py`` on a free port, drives it with Playwright and saves
screenshots to ``test-artifacts/``. Never runs ``playwright install``: it uses
/usr/bin/chromium. Skipped (with the reason) when Chromium is missing, unless CI is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from posecheck.video_out import to_y4m

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHARED_MEDIA = REPO.parent / "shared" / "media"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
LIVE_CLIP = SHARED_MEDIA / "bridging.mp4"
REPLAY_CLIP = REPO / "sample_videos" / "prone_ir_hips_lift_female.mp4"

# Records what the page asks the browser to say (runs in every frame, before page scripts).
SPEECH_SPY = """
(() => {
  window.__spoken = [];
  const s = window.speechSynthesis;
  if (s) { s.speak = (u) => { window.__spoken.push(u.text); }; }
})();
"""


def _need(path: Path, what: str) -> None:
    if path.exists():
        return
    msg = f"{what} not found at {path}"
    if os.environ.get("CI"):
        pytest.fail(msg + " (CI is set, so browser tests must run)")
    pytest.skip(msg + "; install it (apt-get install chromium) to run browser tests")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not come up at {url}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need(CHROMIUM, "Chromium")
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    text = log.read_text(errors="replace")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "streamlit-server.log").write_text(text)


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need(LIVE_CLIP, "the shared clip")
    return to_y4m(LIVE_CLIP, tmp_path_factory.mktemp("camera") / "camera.y4m")


@pytest.fixture(scope="module")
def browser(fake_camera: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Chromium context with a fresh profile in a temporary folder."""
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            viewport={"width": 1400, "height": 1100},
            args=[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={fake_camera}",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            yield b
        finally:
            b.close()


def _new_page(browser: object, url: str) -> object:
    browser.grant_permissions(["camera"], origin=url)  # type: ignore[attr-defined]
    page = browser.new_page()  # type: ignore[attr-defined]
    page.add_init_script(SPEECH_SPY)
    page.set_default_timeout(30_000)
    return page


def _shot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def test_live_coaching_streams_annotated_video_and_cues(app_url: str, browser: object) -> None:
    page = _new_page(browser, app_url)
    page.goto(f"{app_url}/Live_coaching")
    page.get_by_role("heading", name="Live coaching").wait_for()
    page.get_by_text("Camera placement").wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]')
    # The navigation names the pages for people (not after the files: no "app", no "home").
    for label in ("Home", "Live coaching", "Replay review"):
        nav.get_by_text(label, exact=True).wait_for()
    assert nav.get_by_text("app", exact=True).count() == 0
    webrtc = page.frame_locator("iframe[title*='webrtc']").first
    webrtc.get_by_role("button", name="START").click()
    # The annotated video plays: the <video> in the component has advanced frames.
    video = webrtc.locator("video")
    video.wait_for(timeout=45_000)
    deadline = time.monotonic() + 60
    playing = False
    while time.monotonic() < deadline:
        state = video.evaluate("v => [v.readyState, v.currentTime, v.videoWidth]")
        if state[0] >= 2 and state[1] > 1.0 and state[2] > 0:
            playing = True
            break
        time.sleep(0.5)
    assert playing, f"the annotated video never played (readyState, t, width = {state})"
    # A real cue from the pipeline replaces the placeholder text.
    cue = page.locator(".posecheck-cue")
    deadline = time.monotonic() + 30
    text = ""
    while time.monotonic() < deadline:
        text = cue.first.inner_text()
        if text and "Press START" not in text and "Starting" not in text:
            break
        time.sleep(0.5)
    assert text and "Press START" not in text and "Starting" not in text, text
    time.sleep(2)  # let the overlay show a few processed frames for the screenshot
    _shot(page, "live_playing.png")
    video.screenshot(path=str(ARTIFACTS / "live_video.png"))
    spoken = page.evaluate("window.__spoken")
    (ARTIFACTS / "live_spoken.json").write_text(json.dumps(spoken, indent=1))
    assert spoken, "no cue was handed to speech synthesis"
    assert text in spoken, f"the cue on screen ({text!r}) was not spoken: {spoken}"
    # STOP ends the set and shows its results.
    webrtc.get_by_role("button", name="STOP").click()
    page.get_by_text("End of set").wait_for(timeout=30_000)
    page.get_by_text("Faults flagged").wait_for()
    time.sleep(1.0)  # the metrics finish rendering
    _shot(page, "live_end_of_set.png")
    page.close()


def test_replay_review_analyses_an_upload(app_url: str, browser: object) -> None:
    clip = REPLAY_CLIP if REPLAY_CLIP.exists() else LIVE_CLIP
    page = _new_page(browser, app_url)
    page.goto(f"{app_url}/Replay_review")
    page.get_by_role("heading", name="Replay review").wait_for()
    page.get_by_role("radio", name="Upload a video").check(force=True)
    page.locator("input[type=file]").set_input_files(str(clip))
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("heading", name="Timeline").wait_for(timeout=90_000)
    page.locator(".vega-embed").first.wait_for()
    page.get_by_role("heading", name="Fault events").wait_for()
    page.get_by_role("button", name="Report (JSON)").wait_for()
    page.set_viewport_size({"width": 1400, "height": 2300})
    time.sleep(1.5)  # the chart and video finish drawing
    _shot(page, "replay_review.png")
    # Choosing a fault event moves the frame scrubber to the frame it was flagged at.
    grid = page.locator("[data-testid='stDataFrame']")
    if grid.count():
        thumb = page.locator("[data-testid='stSliderThumbValue']")

        def scrubber() -> set[str]:  # (during a rerun the old slider may still be there)
            return set(thumb.all_inner_texts())

        before = scrubber()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 17, box["y"] + 52)  # the first row's selection box
        deadline = time.monotonic() + 20
        while (scrubber() == before or len(scrubber()) != 1) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert scrubber() != before, "choosing a fault did not move the scrubber"
        time.sleep(1.0)
        _shot(page, "replay_fault_selected.png")
    page.close()


def test_progress_page_at_desktop_and_phone_size(
    app_url: str, browser: object, private_history: Path
) -> None:
    """The Progress page of weeks of (made-up) saved sets, at desktop and phone size."""
    from datetime import datetime, timedelta, timezone

    from posecheck.review.sample import sample_sessions
    from posecheck.review.store import HistoryStore
    from posecheck.spec import load_by_id

    store = HistoryStore(private_history / "history.sqlite3")  # the server's history
    specs = [load_by_id(i) for i in ("prone_internal_rotation", "clamshell", "pigeon")]
    start = datetime.now(timezone.utc) - timedelta(days=75)
    for s in sample_sessions(specs, 36, start=start, frames=30):
        store.save(s)
    store.close()
    page = _new_page(browser, app_url)
    for name, (width, height) in (("desktop", (1280, 900)), ("phone", (390, 844))):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{app_url}/Progress")
        page.get_by_role("heading", name="Progress").first.wait_for()
        page.get_by_role("heading", name="Range of motion").wait_for()
        page.get_by_role("heading", name="Sessions per week").wait_for()
        page.locator(".vega-embed canvas, .vega-embed svg").nth(6).wait_for(timeout=30_000)
        time.sleep(1.5)  # the charts finish drawing
        _shot(page, f"progress_{name}.png")
        # The whole page (the app scrolls inside its own pane, so make the window tall).
        page.set_viewport_size({"width": width, "height": 5200 if width < 600 else 3600})
        time.sleep(1.5)
        _shot(page, f"progress_{name}_whole.png")
        body = page.inner_text("body")
        assert "prone_internal_rotation" not in body, "an id is shown instead of a name"
        assert "Prone hip internal rotation" in body and "give or take 15°" in body
    page.close()
