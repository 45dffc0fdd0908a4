"""The history in the app (Streamlit AppTest): the Progress page, the profile chooser and save
switch, and saving a finished set once."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from posecheck.review.records import SessionQuery
from posecheck.review.sample import sample_sessions
from posecheck.review.store import HistoryStore
from posecheck.specs.schema import load_by_id

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
PROGRESS = "app_pages/Progress.py"
SPECS = [load_by_id(i) for i in ("prone_internal_rotation", "clamshell", "pigeon")]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def filled(data_dir: Path) -> HistoryStore:
    """Eight weeks of made-up practice for "Me", ending yesterday, and two sets for Sam."""
    store = HistoryStore(data_dir / "history.sqlite3")
    start = datetime.now(timezone.utc) - timedelta(days=60)
    for s in sample_sessions(SPECS, 30, start=start, frames=20):
        store.save(s)
    for s in sample_sessions(SPECS[:1], 2, start=start, profile="Sam", frames=20, seed=5):
        store.save(s)
    return store


def progress_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PROGRESS).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = (*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error)
    return "\n".join(str(m.value) for m in parts)


def test_empty_history_explains_how_sets_get_there(data_dir: Path) -> None:
    at = progress_page()
    assert any("No saved sets for Me yet" in i.value for i in at.info)
    assert at.sidebar.selectbox(key="profile").value == "Me"
    assert at.sidebar.toggle(key="save_history").value is True
    assert str(data_dir / "history.sqlite3") in texts(at), "the page says where the file is"


def test_progress_page_shows_every_part_in_words(filled: HistoryStore) -> None:
    at = progress_page()
    body = texts(at)
    for heading in (
        "Range of motion",
        "Left/right difference",
        "Holds, reps and faults, each session",
        "Sessions per week",
        "Sessions",
        "One set, second by second",
        "Export",
    ):
        assert f"#### {heading}" in body, heading
    assert "##### Prone hip internal rotation: best hip internal rotation" in body
    assert "##### Clamshell" in body and "##### Pigeon" not in body  # pigeon measures no angle
    assert "give or take 15°" in body and "give or take 8°" in body
    # A difference within the uncertainty is said to be one (as the set summary says it).
    pattern = r"give or take (\d+)°\)\. Latest: .*?difference between the sides (\d+)°(.*)"
    said = re.findall(pattern, body)
    assert said, body
    for spread, diff, rest in said:
        same = ", within what the camera can tell apart: treat both sides as the same."
        assert (rest == same) == (int(diff) <= int(spread)), (spread, diff, rest)
    assert any(rest for *_, rest in said), said  # the made-up history has such a case
    assert "Most frequent faults" in body
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sessions"] == "30"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2 + 1 + 3 + 1 + 1  # stretches, difference, h/r/f, weekly, one set
    # The difference chart names the stretches one a line, whole: in a row, a phone's narrow
    # chart cut off the third name (tests/e2e progress_phone_whole.png, session 13).
    legend = json.loads(charts[2].proto.spec)["encoding"]["color"]["legend"]
    assert legend["direction"] == "vertical" and legend["labelLimit"] == 0, legend
    # ... and the chart grows by a line for each, or the legend squeezes the lines flat.
    assert json.loads(charts[2].proto.spec)["height"] == 240 + 30 * (2 - 1)
    # Words, not ids: stretch names in the filter, no negative angles, no raw ids on the page.
    stretch = at.selectbox(key="progress_stretch")
    assert stretch.options == [
        "All stretches",
        "Clamshell",
        "Pigeon",
        "Prone hip internal rotation",
    ]
    assert "prone_internal_rotation" not in body and "-" + "°" not in body.replace(" ", "")
    table = at.dataframe[0].value
    assert list(table.columns)[:3] == ["when", "stretch", "how"] and len(table) == 30
    # Reps in words, the count first ("3 left, 2 right"; it said "left 3, right 2").
    assert table["reps"].str.fullmatch(r"none|\d+|\d+ left, \d+ right").all(), table["reps"]
    assert {b.label for b in at.get("download_button")} == {"Sessions (CSV)"}


def test_a_reading_past_the_start_is_charted_as_no_turn() -> None:
    """The Progress page's one set drew a knee drop down to -25 degrees (the knee fell the
    other way at the start), where the replay drew the same reading as +25 and the PDF as 0:
    one rule, in the rows all three chart (walking the app, session 14)."""
    from posecheck.review.timeline import angle_rows

    rows = angle_rows([(0.0, -25.0, 10.0), (100.0, None, -0.5), (200.0, 12.5, None)])
    assert rows == [
        {"t_s": 0.0, "side": "left", "rom_deg": 0.0},
        {"t_s": 0.0, "side": "right", "rom_deg": 10.0},
        {"t_s": 0.1, "side": "right", "rom_deg": 0.0},
        {"t_s": 0.2, "side": "left", "rom_deg": 12.5},
    ]
    replay = (REPO / "app_pages" / "Replay_review.py").read_text(encoding="utf-8")
    assert '"rom_deg"].abs()' not in replay, "the replay charts the same rows"


def test_one_saved_set_is_charted_second_by_second(filled: HistoryStore) -> None:
    """The angles a set kept frame by frame, for the set chosen (live sets and clips alike)."""
    at = progress_page()
    chosen = at.selectbox(key="progress_one_set")
    assert chosen.options and "Pigeon" not in " ".join(chosen.options)  # no angle measured
    newest = next(
        r
        for r in filled.sessions(SessionQuery(profile="Me", newest_first=True))
        if r.best_left_deg is not None or r.best_right_deg is not None
    )
    assert chosen.value.session_id == newest.session_id, "the set just done is shown first"
    spec = at.get("vega_lite_chart")[-1].proto.spec
    assert "seconds into the set" in spec and "degrees" in spec
    assert "of each side, second by second" in texts(at)  # what is measured, in words
    # ... with its uncertainty, as the charts above give it (the caption had none).
    spread = f"{newest.uncertainty_deg:g}°"
    assert newest.uncertainty_deg and (
        f"second by second, give or take {spread} from this camera view." in texts(at)
    )
    kept = filled.session(chosen.value.session_id).rom_frames
    assert len(kept) == 20
    chosen.select_index(len(chosen.options) - 1).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "seconds into the set" in at.get("vega_lite_chart")[-1].proto.spec


def test_filters_by_stretch_dates_and_profile(filled: HistoryStore) -> None:
    at = progress_page()
    at.selectbox(key="progress_stretch").set_value("clamshell").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Sessions"] == "10"
    assert "##### Prone hip" not in texts(at)
    today = datetime.now().date()
    at.date_input(key="progress_dates").set_value((today - timedelta(days=14), today)).run()
    shown = int({m.label: m.value for m in at.metric}["Sessions"])
    q = SessionQuery(
        profile="Me", stretch_id="clamshell", date_from=today - timedelta(days=14), date_to=today
    )
    assert shown == filled.count(q) and 0 < shown < 10
    at.sidebar.selectbox(key="profile").set_value("Sam").run()
    assert not at.exception
    assert "Saved sets of the profile “Sam”" in texts(at)


def test_pdf_report_is_made_on_request_and_downloadable(filled: HistoryStore) -> None:
    at = progress_page()
    button = next(b for b in at.button if b.label.startswith("Make a PDF report"))
    button.click().run()
    assert not at.exception, [e.message for e in at.exception]
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"Sessions (CSV)", "Download the PDF report"}
    assert at.session_state["report_pdf"].startswith(b"%PDF")


def test_delete_one_session_then_everything_with_confirmation(filled: HistoryStore) -> None:
    at = progress_page()
    newest = filled.sessions(SessionQuery(profile="Me", newest_first=True))[0]
    assert at.selectbox(key="delete_one").value == newest.session_id
    one = next(b for b in at.button if b.label == "Delete this session")
    assert one.disabled, "deleting a session needs the confirmation ticked"
    at.checkbox(key=f"delete_one_sure_{newest.session_id}").check().run()
    assert not next(b for b in at.button if b.label == "Delete this session").disabled
    # Another session chosen after the tick: asked again (the tick was for the other one).
    other = filled.sessions(SessionQuery(profile="Me", newest_first=True))[1]
    at.selectbox(key="delete_one").set_value(other.session_id).run()
    assert next(b for b in at.button if b.label == "Delete this session").disabled
    at.selectbox(key="delete_one").set_value(newest.session_id).run()
    at.checkbox(key=f"delete_one_sure_{newest.session_id}").check().run()
    next(b for b in at.button if b.label == "Delete this session").click().run()
    assert "The session was deleted." in texts(at)
    assert filled.count(SessionQuery(profile="Me")) == 29
    # Deleted meanwhile elsewhere (the command line, another window) after the tick: the
    # click deletes nothing else (the tick was for the one that is gone), no traceback.
    gone = filled.sessions(SessionQuery(profile="Me", newest_first=True))[0]
    at.checkbox(key=f"delete_one_sure_{gone.session_id}").check().run()
    filled.delete_session(gone.session_id)
    next(b for b in at.button if b.label == "Delete this session").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert filled.count(SessionQuery(profile="Me")) == 28
    everything = next(b for b in at.button if b.label == "Delete everything chosen")
    assert everything.disabled, "deleting everything needs the confirmation ticked"
    at.checkbox(key="delete_all_sure").check().run()
    next(b for b in at.button if b.label == "Delete everything chosen").click().run()
    assert not at.exception
    assert "28 sessions were deleted." in texts(at)
    assert filled.count(SessionQuery(profile="Me")) == 0
    assert filled.count(SessionQuery(profile="Sam")) == 2, "only Me's sessions were chosen"


def test_adding_a_profile_switches_to_it(data_dir: Path) -> None:
    at = progress_page()
    at.sidebar.text_input(key="new_profile").input("Grandad").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="profile").value == "Grandad"
    assert "Grandad" in at.sidebar.selectbox(key="profile").options
    at.sidebar.text_input(key="new_profile").input("x" * 39 + "\x07").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert any("control characters" in e.value for e in at.sidebar.error)
    # A blank name asks for one (it switched to "Me" without a word).
    at.sidebar.text_input(key="new_profile").input("   ").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert any("Type a name" in e.value for e in at.sidebar.error)
    assert at.sidebar.selectbox(key="profile").value == "Grandad"
    # "grandad" is Grandad: no second profile splitting one person's sets.
    at.sidebar.text_input(key="new_profile").input("Sam").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert at.sidebar.selectbox(key="profile").value == "Sam"
    at.sidebar.text_input(key="new_profile").input("grandad ").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="profile").value == "Grandad"
    names = at.sidebar.selectbox(key="profile").options
    assert [o for o in names if o.casefold() == "grandad"] == ["Grandad"]
    assert any("already a profile" in i.value for i in at.sidebar.info)
    assert not at.sidebar.error
    # One match, the store's: "Åsa" typed with a combining ring is the "Åsa" already there
    # (the page's own casefold missed it, so no notice said it was one profile).
    at.sidebar.text_input(key="new_profile").input("\u00c5sa").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert not any("already a profile" in i.value for i in at.sidebar.info)
    at.sidebar.text_input(key="new_profile").input("A\u030asa").run()
    next(b for b in at.sidebar.button if b.label == "Add").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="profile").value == "\u00c5sa"
    assert "A\u030asa" not in at.sidebar.selectbox(key="profile").options
    assert any("already a profile" in i.value for i in at.sidebar.info)


def _keep_script() -> None:
    """Saves one finished set through the app's helper (run by AppTest)."""
    import sys

    import streamlit as st

    sys.path.insert(0, st.session_state["repo"])
    from app_common import keep_in_history
    from posecheck.coaching.checker import Hold, Summary
    from posecheck.specs.schema import load_by_id

    spec = load_by_id("prone_internal_rotation")
    holds = (Hold("left", 0.0, 31000.0, 30.0, True, 30.0),) if st.session_state["did"] else ()
    summary = Summary(spec.id, 31.0, 0.0, 0.0, (), holds, (("left", len(holds)), ("right", 0)),
                      len(holds), (("left", 30.0), ("right", None)))  # fmt: skip
    keep_in_history(summary, spec, origin="live", key=st.session_state["set_key"])


@pytest.mark.parametrize("switch_on", [True, False])
def test_a_finished_set_is_saved_once_unless_switched_off(data_dir: Path, switch_on: bool) -> None:
    at = AppTest.from_function(_keep_script, default_timeout=60)
    at.session_state["repo"] = str(REPO)
    at.session_state["save_history"] = switch_on
    at.session_state["did"] = True
    at.session_state["set_key"] = "set-1"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.run()  # a rerun shows the same set: not saved twice
    store = HistoryStore(data_dir / "history.sqlite3")
    assert store.count() == (1 if switch_on else 0)
    if switch_on:
        assert "Saved to the history of “Me”" in at.caption[0].value
        row = store.sessions()[0]
        assert row.origin == "live" and row.best_left_deg == 30.0 and row.holds_completed == 1
        at.session_state["did"] = False  # a set where nothing happened
        at.session_state["set_key"] = "set-2"
        at.run()
        assert "Nothing to save" in at.caption[0].value and store.count() == 1
