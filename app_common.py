"""What the app's pages share: loading specs, choosing a stretch, the safety note, and the
history (profile chooser, save switch, saving a finished set).

Part of the app (Streamlit is imported here, never in the ``posecheck`` library). It sits
beside ``app.py``, outside ``app_pages/``, so it is plainly not a page.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from posecheck.analysis import Analysis, FrameRecord
from posecheck.checker import Summary
from posecheck.errors import EstimatorError
from posecheck.estimator.models import ENV_MODEL, check_model_file, resolve_model
from posecheck.live import SAFETY_NOTE, LiveProcessor, available_specs, spec_dir
from posecheck.review.records import (
    PROFILE_MAX_CHARS,
    HistoryError,
    clean_profile,
    session_from_summary,
)
from posecheck.review.store import HistoryStore, default_path
from posecheck.spec import StretchSpec

#: The stretch the app opens with: the classic hip internal-rotation stretch and test.
DEFAULT_STRETCH = "prone_internal_rotation"
#: The pose models a person can choose, in words.
POSE_MODELS = {
    "full": "Full (recommended)",
    "lite": "Lite (faster, for a slow computer)",
    "heavy": "Heavy (most accurate, about 3x slower: best for recordings)",
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
    if st.session_state.get(key) not in ids:
        st.session_state[key] = DEFAULT_STRETCH if DEFAULT_STRETCH in ids else ids[0]
    chosen = st.selectbox("Stretch", ids, key=key, format_func=lambda i: specs[i].name)
    return specs[chosen]


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
        help="Which MediaPipe pose model finds your body. Full suits most computers; heavy "
        "is steadier on hard poses but slower, so live it shows fewer frames a second.",
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
    try:
        name = store.add_profile(st.session_state.get("new_profile", ""))
    except HistoryError as exc:
        st.session_state["profile_error"] = str(exc)
        return
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
    saved[key] = f":material/history: Saved to {profile}'s history (see the Progress page)."
    st.caption(saved[key])


def keep_live_set(proc: LiveProcessor, spec: StretchSpec) -> None:
    """Save the live set that just ended (once)."""
    last = proc.latest()
    if last is not None:
        key = f"live:{spec.id}:{last.seq}:{last.arrived_s}"
        keep_in_history(proc.summary(), spec, origin="live", key=key)


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
