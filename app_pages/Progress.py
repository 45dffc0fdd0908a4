"""Progress: saved sets over weeks, per stretch: range of motion per side with its uncertainty,
left/right difference, holds and reps, faults, sessions per week; CSV, PDF, deleting."""

from __future__ import annotations

import math
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from app_common import current_profile, history_store, safety_note
from posecheck.coaching.wording import reps_words
from posecheck.review.pdf import gather, render_pdf
from posecheck.review.progress import (
    adherence,
    deg_text,
    describe,
    origin_words,
    rom_points,
    sessions_csv,
    time_ticks,
    weekly_sessions,
)
from posecheck.review.records import HistoryError, SessionQuery, SessionRow
from posecheck.review.store import HistoryStore
from posecheck.review.timeline import angle_rows, safe_name

SIDE_COLOURS = {"left side": "#1f77b4", "right side": "#ff7f0e"}
ALL_STRETCHES = "All stretches"
CHART_HEIGHT = 230


def day_axis(days: pd.Series) -> alt.Axis:
    """A time axis that never repeats a date: ticks on whole days (one every few days over
    longer spans); sets of a day or two are told apart by their time of day."""
    span_days = (days.max() - days.min()).total_seconds() / 86400.0 if len(days) else 0.0
    if span_days < 2.0:  # ticks at the sets themselves (a few), each a different minute
        ticks = time_ticks([t.to_pydatetime() for t in days])
        return alt.Axis(
            format="%d %b, %H:%M",
            labelOverlap=True,
            values=[t.isoformat() for t in ticks],  # as Altair writes the data's own times
        )
    step = max(1, math.ceil(span_days / 7.0))
    return alt.Axis(format="%d %b", labelOverlap=True, tickCount={"interval": "day", "step": step})


def filters(store: HistoryStore, profile: str) -> SessionQuery:
    """Stretch and dates, chosen above the charts."""
    names = store.stretches(profile)
    today = date.today()
    earliest = store.first_started(profile)
    first = earliest.date() if earliest is not None else today
    c1, c2 = st.columns([2, 3])
    stretch = c1.selectbox(
        "Stretch",
        [ALL_STRETCHES, *sorted(names, key=lambda i: names[i])],
        key="progress_stretch",
        format_func=lambda i: names.get(i, i),
    )
    picked = c2.date_input(
        "Dates",
        value=(max(first, today - timedelta(days=90)), today),
        min_value=first - timedelta(days=365),
        max_value=today + timedelta(days=1),
        key="progress_dates",
        format="DD/MM/YYYY",
        help="From the first to the last day to show (the last 90 days at first).",
    )
    start, end = (*picked, None, None)[:2] if isinstance(picked, tuple) else (picked, None)
    return SessionQuery(
        profile=profile,
        stretch_id=None if stretch == ALL_STRETCHES else stretch,
        date_from=start,
        date_to=end or start,
    )


def headline(rows: list[SessionRow], q: SessionQuery) -> None:
    a = adherence(rows, q.date_from, q.date_to)
    # A row that wraps on a phone, instead of five stacked columns.
    with st.container(horizontal=True, gap="medium"):
        st.metric("Sessions", a.sessions, width="content")
        st.metric("Sessions per week", f"{a.sessions_per_week:g}", width="content")
        st.metric("Days with a session", f"{a.active_days} of {a.days}", width="content")
        st.metric("Holds completed", a.holds_completed, width="content")
        st.metric("Time stretching", f"{a.minutes:g} min", width="content")


def rom_chart(rows: list[SessionRow], label: str) -> alt.LayerChart:
    df = pd.DataFrame(
        [
            {
                "day": p.started_at.replace(tzinfo=None),
                "side": f"{p.side} side",
                "best": max(p.best_deg, 0.0),
                "low": max(p.low_deg, 0.0),
                "high": max(p.high_deg, 0.0),
            }
            for p in rom_points(rows)
        ]
    )
    sides = alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values()))
    colour = alt.Color("side:N", title=None, scale=sides, legend=alt.Legend(orient="bottom"))
    x = alt.X("day:T", title=None, axis=day_axis(df["day"]))
    band = (
        alt.Chart(df)
        .mark_area(opacity=0.15)
        .encode(
            x=x,
            y=alt.Y("low:Q", title="degrees"),
            y2="high:Q",
            color=alt.Color("side:N", scale=sides, legend=None),
        )
    )
    line = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("best:Q", title="degrees", scale=alt.Scale(zero=True)),
            color=colour,
            tooltip=[
                alt.Tooltip("day:T", title="when", format="%d %b %Y %H:%M"),
                alt.Tooltip("side:N"),
                alt.Tooltip("best:Q", title=f"best {label} (degrees)", format=".0f"),
            ],
        )
    )
    # Independent colour scales: the legend is the lines' (the bands' would be pale).
    return alt.layer(band, line).resolve_scale(color="independent").properties(height=CHART_HEIGHT)


def per_session_chart(df: pd.DataFrame, field: str, title: str, colour: str) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_bar(color=colour)
        .encode(
            x=alt.X("day:T", title=None, axis=day_axis(df["day"])),
            y=alt.Y(f"{field}:Q", title=title, axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[
                alt.Tooltip("day:T", title="when", format="%d %b %Y %H:%M"),
                "stretch:N",
                alt.Tooltip(f"{field}:Q", title=title),
            ],
        )
        .properties(height=180)
    )


def show_stretches(rows: list[SessionRow]) -> None:
    measured = [r for r in rows if r.rom_label is not None]
    if not measured:
        st.caption("None of these stretches measures a range of motion.")
    for name in sorted({r.stretch_name for r in measured}):
        group = [r for r in measured if r.stretch_name == name]
        label = group[-1].rom_label or "range of motion"
        st.markdown(f"##### {name}: best {label}, each session")
        st.altair_chart(rom_chart(group, label), width="stretch")
        last = group[-1]
        u = f"give or take {last.uncertainty_deg:g}°" if last.uncertainty_deg else ""
        diff = next((r.asymmetry_deg for r in reversed(group) if r.asymmetry_deg is not None), None)

        def said(v: float | None) -> str:
            return "not measured" if v is None else deg_text(v)

        st.caption(
            f"Shaded: the measurement uncertainty from this camera view ({u}). "
            f"Latest: left {said(last.best_left_deg)}, right {said(last.best_right_deg)}"
            + ("" if diff is None else f"; difference between the sides {deg_text(diff)}")
            + (  # the words the set summary and the replay use for the same case
                ", within what the camera can tell apart: treat both sides as the same"
                if diff is not None and last.uncertainty_deg and abs(diff) <= last.uncertainty_deg
                else ""
            )
            + "."
        )


def session_table(rows: list[SessionRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "when": r.local_start.strftime("%a %d %b %Y, %H:%M"),
                "stretch": r.stretch_name,
                "how": origin_words(r),
                "holds": "-" if r.hold_target_s is None else str(r.holds_completed),
                "reps": reps_words(r.reps, finished=True),
                "best left": deg_text(r.best_left_deg),
                "best right": deg_text(r.best_right_deg),
                "difference": deg_text(r.asymmetry_deg),
                "faults": str(r.fault_events),
            }
            for r in reversed(rows)
        ]
    )


def exports(store: HistoryStore, rows: list[SessionRow], q: SessionQuery, profile: str) -> None:
    st.markdown("#### Export")
    c1, c2 = st.columns(2)
    c1.download_button(
        "Sessions (CSV)",
        data=lambda: sessions_csv(rows),  # made when clicked, not on every rerun
        file_name=safe_name(f"posecheck-{profile}-sessions.csv"),
        mime="text/csv",
        help="One line per session, for a spreadsheet.",
    )
    sig = f"{profile}|{q}|{len(rows)}|{rows[-1].session_id}"
    if st.session_state.get("report_sig") != sig:
        st.session_state.pop("report_pdf", None)
    if "report_pdf" not in st.session_state:
        if c2.button("Make a PDF report for your physiotherapist"):
            with st.spinner("Making the report…"):
                data = gather(
                    store,
                    profile=profile,
                    date_from=q.date_from,
                    date_to=q.date_to,
                    stretch_id=q.stretch_id,
                )
                st.session_state["report_pdf"] = render_pdf(data)
                st.session_state["report_sig"] = sig
            st.rerun()
    else:
        stamp = date.today().isoformat()
        c2.download_button(
            "Download the PDF report",
            data=st.session_state["report_pdf"],
            file_name=safe_name(f"posecheck-report-{profile}-{stamp}.pdf"),
            mime="application/pdf",
            type="primary",
        )
    st.caption(
        "The report covers the profile, stretch and dates chosen above: range of motion per "
        "side over time, each stretch's latest set second by second, a left/right table, how "
        "regularly you stretched, the most frequent faults and how sure the numbers are."
    )


def deleting(store: HistoryStore, rows: list[SessionRow], profile: str) -> None:
    with st.expander("Delete saved sessions"):
        labels = {r.session_id: describe(r) for r in reversed(rows)}  # newest first
        chosen = st.selectbox(
            "One session", list(labels), format_func=labels.__getitem__, key="delete_one"
        )
        # Ticked for this one session only: choosing another one asks again.
        sure_one = st.checkbox(
            "Yes, delete this session. This cannot be undone.",
            key=f"delete_one_sure_{chosen}",
            value=False,
        )
        if st.button("Delete this session", disabled=not sure_one, key="delete_one_button"):
            try:
                store.delete_session(chosen)
            except HistoryError:  # deleted meanwhile (another window, the command line)
                st.session_state["progress_problem"] = (
                    "That session was already deleted (in another window, perhaps)."
                )
            else:
                st.session_state["progress_notice"] = "The session was deleted."
            st.rerun()
        st.divider()
        scope = st.radio(
            "Everything",
            [f"All of {profile}'s sessions", "All sessions of every profile, and the profiles"],
            key="delete_scope",
        )
        sure = st.checkbox(
            "Yes, delete them. This cannot be undone.", key="delete_all_sure", value=False
        )
        if st.button("Delete everything chosen", disabled=not sure, key="delete_all_button"):
            with st.spinner("Deleting…"):  # overwritten on disk: a few seconds for thousands
                n = store.delete_all(None if scope.startswith("All sessions") else profile)
            st.session_state["progress_notice"] = f"{n} sessions were deleted."
            st.session_state.pop("delete_all_sure", None)
            st.rerun()


def one_set(store: HistoryStore, rows: list[SessionRow]) -> None:
    """A chosen saved set's angles, second by second (kept for live sets and analysed clips
    at the stretch's analysis rate)."""
    st.markdown("#### One set, second by second")
    measured = [  # newest first: the set just done is the one a person looks for
        r for r in reversed(rows) if r.best_left_deg is not None or r.best_right_deg is not None
    ]
    if not measured:
        st.caption("None of these sets measured a range of motion.")
        return
    choice = st.selectbox(
        "Set",
        measured,
        format_func=lambda r: (
            f"{r.local_start:%d %b %Y %H:%M} · {r.stretch_name} · "
            f"{'live' if r.origin == 'live' else 'clip'}"
        ),
        key="progress_one_set",
    )
    frames = store.session(choice.session_id).rom_frames
    df = pd.DataFrame(angle_rows((f.t_ms, f.left_deg, f.right_deg) for f in frames))
    if df.empty:
        st.caption("This set kept no angles frame by frame (sets saved before they were kept).")
        return
    df["side"] = df["side"] + " side"
    label = choice.rom_label or "range of motion"
    sides = alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values()))
    spread = (  # as the charts above say it beside the same numbers
        f", give or take {choice.uncertainty_deg:g}° from this camera view"
        if choice.uncertainty_deg
        else ""
    )
    st.caption(f"{label[:1].upper()}{label[1:]} of each side, second by second{spread}.")
    st.altair_chart(
        alt.Chart(df)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("t_s:Q", title="seconds into the set"),
            y=alt.Y("rom_deg:Q", title="degrees"),  # the caption names it (long titles got cut)
            color=alt.Color("side:N", title=None, scale=sides, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("t_s:Q", title="seconds", format=".1f"),
                alt.Tooltip("side:N"),
                alt.Tooltip("rom_deg:Q", title="degrees", format=".0f"),
            ],
        )
        .properties(height=CHART_HEIGHT),
        width="stretch",
    )


def main() -> None:
    st.set_page_config(page_title="Progress · posecheck", layout="wide")
    st.title("Progress")
    safety_note()
    store = history_store()
    if store is None:
        return
    notice = st.session_state.pop("progress_notice", None)
    if notice:
        st.success(notice)
    problem = st.session_state.pop("progress_problem", None)
    if problem:
        st.warning(problem)
    profile = current_profile()
    st.caption(
        f"Saved sets of the profile “{profile}” (change it in the sidebar). Kept only on this "
        f"computer, in {store.path}."
    )
    if not store.count(SessionQuery(profile=profile)):
        st.info(
            f"No saved sets for {profile} yet. Sets you finish on the Live coaching page and "
            "clips you analyse on the Replay review page are saved here, unless you switch "
            "saving off in the sidebar."
        )
        return
    q = filters(store, profile)
    rows = store.sessions(q)
    if not rows:
        st.info("No saved sets for this stretch in these dates. Choose other dates above.")
        return
    headline(rows, q)
    st.markdown("#### Range of motion")
    show_stretches(rows)

    df = pd.DataFrame(
        [
            {
                "day": r.local_start.replace(tzinfo=None),
                "stretch": r.stretch_name,
                "holds": r.holds_completed if r.hold_target_s is not None else None,
                "reps": r.reps_total,
                "faults": r.fault_events,
                "difference": r.asymmetry_deg,
            }
            for r in rows
        ]
    )
    st.markdown("#### Left/right difference")
    diff = df.dropna(subset=["difference"])
    if diff.empty:
        st.caption("No session measured both sides.")
    else:
        st.altair_chart(
            alt.Chart(diff)
            .mark_line(point=True)
            .encode(
                x=alt.X("day:T", title=None, axis=day_axis(diff["day"])),
                y=alt.Y("difference:Q", title="degrees"),
                # One name a line: in a row, a phone's narrow chart cut off the third name.
                color=alt.Color(
                    "stretch:N",
                    title=None,
                    legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
                ),
                tooltip=[alt.Tooltip("day:T", format="%d %b %Y"), "stretch:N", "difference:Q"],
            )
            # The chart's height holds its legend (the chart fits its box): a line more for
            # each stretch after the first keeps the lines' own height.
            .properties(height=240 + 30 * (diff["stretch"].nunique() - 1)),
            width="stretch",
        )
    st.markdown("#### Holds, reps and faults, each session")
    charts = [("reps", "reps", "#6b5b95"), ("faults", "faults flagged", "#c0504d")]
    if df["holds"].notna().any():  # no empty chart for stretches done in repetitions
        charts.insert(0, ("holds", "holds completed", "#4c7a5a"))
    for col, (field, title, colour) in zip(st.columns(len(charts)), charts, strict=True):
        col.altair_chart(per_session_chart(df, field, title, colour), width="stretch")
    top = store.fault_totals(q)[:5]
    if top:
        st.markdown(
            "**Most frequent faults**\n"
            + "\n".join(
                f"- {f.message} ({f.times}× in {f.sessions} "
                f"{'session' if f.sessions == 1 else 'sessions'})"
                for f in top
            )
        )
    st.markdown("#### Sessions per week")
    counts = weekly_sessions(rows)
    weeks = pd.DataFrame(
        [
            {
                "week of": w.week_start,
                "to": w.week_start + timedelta(days=7),
                "n": w.sessions,
            }
            for w in counts
        ]
    )
    # At least four weeks wide: one week's bar filled the whole chart, under a row of the
    # same day repeated.
    end = counts[-1].week_start + timedelta(days=7)
    start = min(counts[0].week_start, end - timedelta(days=28))
    mondays = [start + timedelta(days=7 * i) for i in range((end - start).days // 7 + 1)]

    def local(d: date) -> str:  # as the bars' times reach the chart (local, no zone)
        return f"{d.isoformat()}T00:00:00"

    st.altair_chart(
        alt.Chart(weeks)
        .mark_bar(color="#4c7a5a", stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "week of:T",
                title="week starting",
                # Ticks on the Mondays the weeks start on (Vega's own weeks start on Sunday).
                axis=alt.Axis(format="%d %b", values=[local(d) for d in mondays]),
                scale=alt.Scale(domain=[local(start), local(end)]),
            ),
            x2="to:T",
            y=alt.Y("n:Q", title="sessions", axis=alt.Axis(tickMinStep=1)),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("week of:T", format="%d %b %Y"),
                alt.Tooltip("n:Q", title="sessions"),
            ],
        )
        .properties(height=180),
        width="stretch",
    )
    st.markdown("#### Sessions")
    st.dataframe(session_table(rows), hide_index=True, width="stretch", height=260)
    one_set(store, rows)
    exports(store, rows, q, profile)
    deleting(store, rows, profile)


main()
