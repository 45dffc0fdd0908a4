"""What the app's pages share: loading specs, choosing a stretch, the safety note, and the
history (profile chooser, save switch, saving a finished set).

Part of the app (Streamlit is imported here, never in the ``posecheck`` library). It sits
beside ``app.py``, outside ``app_pages/``, so it is plainly not a page.
"""

from __future__ import annotations

import html
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import streamlit as st
from PIL import Image

from posecheck.coaching.checker import Summary
from posecheck.coaching.live import SAFETY_NOTE, available_specs, spec_dir
from posecheck.coaching.pipeline import FrameRecord
from posecheck.errors import EstimatorError
from posecheck.pose.estimator.models import ENV_MODEL, check_model_file, resolve_model
from posecheck.review.analysis import Analysis
from posecheck.review.records import (
    PROFILE_MAX_CHARS,
    HistoryError,
    clean_profile,
    session_from_summary,
)
from posecheck.review.store import HistoryStore, default_path
from posecheck.specs.schema import StretchSpec

#: The stretch the app opens with: the classic hip internal-rotation stretch and test.
DEFAULT_STRETCH = "prone_internal_rotation"
#: The pose models a person can choose, in words.
POSE_MODELS = {
    "full": "Full (recommended)",
    "lite": "Lite (faster, for a slow computer)",
    "heavy": "Heavy (about 3x slower; the checks were tuned on Full)",
}


@st.cache_data(show_spinner=False)
def _specs(stamps: tuple[tuple[str, float], ...]) -> tuple[dict[str, StretchSpec], list[str]]:
    return available_specs()


def load_specs() -> dict[str, StretchSpec]:
    """All stretch specs, re-read when a file is added or changed; broken ones reported."""
    stamps = tuple((str(p), p.stat().st_mtime) for p in sorted(spec_dir().glob("*.yaml")))
    specs, errors = _specs(stamps)
    for err in errors:
        st.warning(f"A stretch file could not be loaded and is left out:\n\n{err}")
    return specs


def stretch_selector(specs: dict[str, StretchSpec], key: str) -> StretchSpec | None:
    """A select box of all stretches by name; returns the chosen spec."""
    if not specs:
        st.error(f"No stretch specs found in {spec_dir()}.")
        return None
    ids = sorted(specs, key=lambda i: specs[i].name)
    keep(key, DEFAULT_STRETCH if DEFAULT_STRETCH in ids else ids[0])
    if st.session_state.get(key) not in ids:
        st.session_state[key] = DEFAULT_STRETCH if DEFAULT_STRETCH in ids else ids[0]
    chosen = st.selectbox("Stretch", ids, key=key, format_func=lambda i: specs[i].name)
    remember_widget(key)
    return specs[chosen]


#: A metric's value wraps onto a second line where its column is narrow, instead of being cut
#: off ("12 left, 12 ri…" in the set summary at 700 px, session 14); every page (app.py).
METRIC_CSS = """
<style>
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] { overflow: visible !important; }
[data-testid="stMetricValue"] p { white-space: normal !important; }
</style>
"""


def metric_words(text: str) -> str:
    """A metric's value that may wrap: each "12 left" kept whole on its line (no-break
    spaces inside a pair, the break after a comma): "12 left, 12 right" wraps as "12 left,"
    over "12 right" (with plain spaces it broke as "12 left, 12" over "right")."""
    return ", ".join(part.replace(" ", "\u00a0") for part in text.split(", "))


def safety_note() -> None:
    st.caption(f":material/health_and_safety: {SAFETY_NOTE}")


@st.cache_data(show_spinner=False, max_entries=8)
def _model_problem(path: str, stamp: tuple[float, int], choice: str) -> str | None:
    try:
        check_model_file(resolve_model(choice))
    except EstimatorError as exc:
        return str(exc)
    return None


def pose_model_selector() -> str:
    """The pose model (sidebar), kept across pages; says so if it is not set up."""
    options = dict(POSE_MODELS)
    own = os.environ.get(ENV_MODEL)
    if own and own not in options:
        options[own] = f"Your own ({Path(own).name})"
    current = st.session_state.get("pose_model", own or "full")
    keys = list(options)
    chosen = st.sidebar.selectbox(
        "Pose model",
        keys,
        index=keys.index(current) if current in keys else 0,
        format_func=options.__getitem__,
        help="Which MediaPipe pose model finds your body. Full suits most computers and is "
        "what the checks were tuned on; heavy finds knees and ankles a little closer but reads "
        "the angles worse, and live it shows fewer frames a second.",
    )
    st.session_state["pose_model"] = chosen
    path = resolve_model(chosen).path
    stamp = (path.stat().st_mtime, path.stat().st_size) if path.is_file() else (0.0, 0)
    problem = _model_problem(str(path), stamp, chosen)
    if problem:
        st.sidebar.error(problem)
    return chosen


# -- history (posecheck.review): the profile, the save switch, saving a set ---------------------
@st.cache_resource(show_spinner=False)
def _history_store(path: str) -> HistoryStore:
    return HistoryStore(path)


def history_store() -> HistoryStore | None:
    """The local history, or None (with the reason shown) if it cannot be used."""
    try:
        store = _history_store(str(default_path()))
    except HistoryError as exc:
        st.error(f"Your history cannot be used: {exc}", icon=":material/error:")
        return None
    notice = store.take_notice()
    if notice:
        st.warning(notice, icon=":material/warning:")
    return store


def current_profile() -> str:
    return clean_profile(st.session_state.get("profile"))


def _add_profile(store: HistoryStore) -> None:
    typed = str(st.session_state.get("new_profile", "")).strip()
    st.session_state.pop("profile_notice", None)
    if not typed:  # (a blank name meant the default profile: a silent switch to "Me")
        st.session_state["profile_error"] = "Type a name for the new profile first."
        return
    try:  # the store matches names (one fold, the same for saves, the CLI and this)
        name = store.add_profile(typed)
    except HistoryError as exc:
        st.session_state["profile_error"] = str(exc)
        return
    if name != typed:  # "sam" beside "Sam" would split one person's sets in two
        st.session_state["profile_notice"] = f"“{name}” is already a profile: switched to it."
    st.session_state["profile"] = name
    st.session_state["new_profile"] = ""
    st.session_state.pop("profile_error", None)


def history_sidebar() -> None:
    """Whose sets these are, and whether to keep them (shown on every page)."""
    store = history_store()
    if store is None:
        return
    names = [p.name for p in store.profiles()]
    current = current_profile()
    if current not in names:
        names.append(current)
    st.session_state["profile"] = current
    with st.sidebar:
        st.selectbox(
            "Profile",
            sorted(names, key=str.casefold),
            key="profile",
            help="Whose sets these are. Several people can share this computer.",
        )
        with st.expander("Add a profile"):
            st.text_input("Name", key="new_profile", max_chars=PROFILE_MAX_CHARS)
            st.button("Add", key="add_profile", on_click=_add_profile, args=(store,))
            if st.session_state.get("profile_error"):
                st.error(st.session_state["profile_error"])
            if st.session_state.get("profile_notice"):
                st.info(st.session_state["profile_notice"])
        st.toggle(
            "Save my sets to my history",
            key="save_history",
            value=True,
            help="Each live set and each analysed clip is saved on this computer only "
            "(summaries and angles, never video). See the Progress page.",
        )


def keep_in_history(
    summary: Summary | None,
    spec: StretchSpec,
    *,
    origin: str,
    key: str,
    records: Sequence[FrameRecord] = (),
    source_name: str | None = None,
) -> None:
    """Save a finished set once (``key`` names it), unless saving is switched off or nothing
    happened in it; says so under the set's results."""
    if summary is None or not st.session_state.get("save_history", True):
        return
    saved: dict[str, str] = st.session_state.setdefault("saved_sets", {})
    if key in saved:
        st.caption(saved[key])
        return
    if not (summary.holds or summary.faults or any(n for _, n in summary.reps)):
        st.caption("Nothing to save from this set: no hold, rep or fault was seen.")
        return
    store = history_store()
    if store is None:
        return
    profile = current_profile()
    new = session_from_summary(
        summary, spec, profile=profile, origin=origin, records=records, source_name=source_name
    )
    try:
        store.save(new)
    except HistoryError as exc:
        st.error(f"This set could not be saved to your history: {exc}")
        return
    saved[key] = f":material/history: Saved to the history of “{profile}” (see the Progress page)."
    st.caption(saved[key])


def keep_replay(analysis: Analysis, clip_name: str, key: str) -> None:
    """Save an analysed clip (once per clip and stretch)."""
    keep_in_history(
        analysis.summary,
        analysis.spec,
        origin="replay",
        key=f"replay:{key}",
        records=analysis.records,
        source_name=clip_name,
    )


# -- voice and sounds -----------------------------------------------------------------------

#: Speaks cues and plays short sounds in the app's own page (a components-v2 element: no
#: iframe, nothing fetched). A new sentence waits for the one being spoken to finish (only the
#: newest waiting one is kept), so speech is never cut mid-sentence. Sounds come from WebAudio
#: oscillators. What was said and played is kept in window.__posecheckSaid / __posecheckSounds.
_VOICE_JS = """
export default function(component) {
  const data = component.data;
  if (!data) return;
  const w = window;
  const st = w.__posecheckVoice || (w.__posecheckVoice = {seen: {}, queue: [], busy: false});
  if (st.seen[data.id]) return;
  st.seen[data.id] = true;
  w.__posecheckSaid = w.__posecheckSaid || [];
  w.__posecheckSounds = w.__posecheckSounds || [];
  const tones = {chime: [[784, 0, 0.35], [1175, 0.2, 0.7]], tick: [[660, 0, 0.09]],
                 countdown: [[523, 0, 0.12]], go: [[988, 0, 0.3]], alert: [[392, 0, 0.25]]};
  for (const kind of data.sounds || []) {
    w.__posecheckSounds.push(kind);
    try {
      const C = w.AudioContext || w.webkitAudioContext;
      if (!C || !tones[kind]) continue;
      const a = st.audio || (st.audio = new C());
      if (a.state === "suspended") a.resume();
      for (const [f, t0, t1] of tones[kind]) {
        const o = a.createOscillator(), g = a.createGain(), now = a.currentTime;
        o.type = "sine"; o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, now + t0);
        g.gain.exponentialRampToValueAtTime(0.25, now + t0 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, now + t1);
        o.connect(g); g.connect(a.destination); o.start(now + t0); o.stop(now + t1 + 0.05);
      }
    } catch (e) { /* no sound device: the words on screen carry it */ }
  }
  const say = data.say || [];
  if (!say.length || !w.speechSynthesis || !w.SpeechSynthesisUtterance) return;
  st.queue = [say[say.length - 1]];
  st.rate = data.rate || 1.0;
  const pump = () => {
    if (st.busy || !st.queue.length) return;
    const text = st.queue.shift();
    const u = new w.SpeechSynthesisUtterance(text);
    u.rate = st.rate;
    st.busy = true;
    const done = () => { if (st.busy) { st.busy = false; setTimeout(pump, 150); } };
    u.onend = done; u.onerror = done;
    setTimeout(done, 2000 + 120 * text.length / st.rate);  // if onend never comes
    w.__posecheckSaid.push(text);
    w.speechSynthesis.speak(u);
  };
  pump();
}
"""

#: The space bar presses the camera's START / STOP (the streamlit-webrtc component is an
#: iframe from this same server), unless the focus is in a text field or on a control.
_SPACE_JS = """
export default function() {
  const w = window;
  if (w.__posecheckSpace) return;
  w.__posecheckSpace = true;
  w.document.addEventListener("keydown", (e) => {
    if (e.code !== "Space" || e.repeat) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
    const frame = w.document.querySelector("iframe[title*='webrtc']");
    const doc = frame && frame.contentDocument;
    if (!doc) return;
    const button = [...doc.querySelectorAll("button")].find(
      (b) => /^(START|STOP)$/.test(b.innerText.trim()));
    if (button) { e.preventDefault(); button.click(); }
  });
}
"""


def _component(name: str, js: str) -> st.components.v2.types.ComponentRenderer:
    """Register (again: an identical definition is a no-op) and return the mount command. Done
    at each use rather than at import, because the registry belongs to the running server and
    this module outlives one (tests start several)."""
    return st.components.v2.component(name, js=js)


def space_starts_and_stops() -> None:
    """Let the space bar press START / STOP on this page."""
    _component("posecheck_space_key", _SPACE_JS)(key="posecheck_space_key")


def voice(say: list[str], sounds: list[str], rate: float = 1.0) -> None:
    """Say the words (the newest waits for the sentence being spoken) and play the sounds."""
    if not say and not sounds:
        return
    data = {"id": uuid.uuid4().hex, "say": say, "sounds": sounds, "rate": rate}
    _component("posecheck_voice", _VOICE_JS)(data=data)


# -- words on the page ------------------------------------------------------------------------

CUE_STYLE = {
    "fault": ("#b42318", "#fdecea"),
    "unknown": ("#8a5a00", "#fff4dc"),
    "no_person": ("#8a5a00", "#fff4dc"),
    "positive": ("#1e6b33", "#e8f5ec"),
    "step": ("#1f3b63", "#eaf1fb"),
    "info": ("#1f3b63", "#eaf1fb"),
}


def cue_html(text: str, kind: str, headline: str = "", progress: float | None = None) -> str:
    """The cue (an aria-live region, so screen readers announce it) beside a big status line:
    the countdown or the hold timer, readable from the mat."""
    fg, bg = CUE_STYLE.get(kind, ("#222", "#f3f3f3"))
    bar = ""
    if progress is not None:
        pct = max(0.0, min(1.0, progress)) * 100
        bar = (
            '<div style="height:0.6rem;background:#ddd;border-radius:0.3rem;margin-top:0.3rem">'
            f'<div style="height:100%;width:{pct:.0f}%;background:{fg};border-radius:0.3rem">'
            "</div></div>"
        )
    head = (
        f'<div class="posecheck-headline" style="font-size:3rem;font-weight:700;'
        f'line-height:1.1;color:{fg}">{html.escape(headline)}</div>'
        if headline
        else ""
    )
    return (
        f'<div class="posecheck-cuebox" style="background:{bg};padding:0.8rem 1rem;'
        f'border-radius:0.6rem;">{head}'
        f'<div class="posecheck-cue" data-kind="{kind}" role="status" aria-live="polite" '
        f'style="font-size:1.9rem;line-height:1.25;font-weight:600;color:{fg}">'
        f"{html.escape(text)}</div>{bar}</div>"
    )


def camera_notice(text: str | None) -> None:
    """Where the camera should go, calmly (a quiet box, not a warning); nothing when
    ``text`` is None. Live and Replay show the camera message here."""
    if text:
        st.info(text, icon=":material/videocam:")


# -- the page icon (drawn here: no emoji font or icon font fetched from anywhere) -------------


def page_icon() -> Image.Image:
    """A 64x64 icon: a green figure with a bent leg on a mat."""
    img = np.full((64, 64, 3), 255, np.uint8)
    green = (40, 140, 70)
    cv2.rectangle(img, (4, 50), (60, 56), (200, 225, 235), -1)
    cv2.circle(img, (16, 20), 7, green, -1, cv2.LINE_AA)
    cv2.line(img, (20, 28), (34, 44), green, 5, cv2.LINE_AA)
    cv2.line(img, (34, 44), (48, 30), green, 5, cv2.LINE_AA)
    cv2.line(img, (48, 30), (56, 46), green, 5, cv2.LINE_AA)
    return Image.fromarray(img)


def keep(key: str, default: object) -> None:
    """Give a widget key its last value again after a visit to another page (Streamlit drops
    the state of widgets that were not drawn)."""
    store = st.session_state.setdefault("_kept", {})
    if key not in st.session_state:
        st.session_state[key] = store.get(key, default)


def remember_widget(key: str) -> None:
    st.session_state.setdefault("_kept", {})[key] = st.session_state.get(key)
