"""A dated progress report for a physiotherapist, as PDF, made on this machine.

fpdf2 lays out the pages and matplotlib draws the charts (Agg, no pyplot, no browser); the
font is the DejaVu Sans that matplotlib ships, so nothing is fetched. Contents: profile and
period, adherence and sessions per week, a left/right table per stretch, a range-of-motion
trend chart per stretch with its uncertainty band, each stretch's latest set second by
second (the Progress page's "One set, second by second", from the same rows), the most
frequent faults, what the uncertainty means, and the not-medical-advice note.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from posecheck.coaching.live import SAFETY_NOTE
from posecheck.coaching.wording import reps_words
from posecheck.review.progress import (
    Adherence,
    SideSummary,
    WeekCount,
    adherence,
    deg_text,
    rom_points,
    side_summaries,
    weekly_sessions,
)
from posecheck.review.records import FaultTotal, RomFrame, SessionQuery, SessionRow
from posecheck.review.store import HistoryStore
from posecheck.review.timeline import angle_rows

SIDE_COLOURS = {"left": "#1f77b4", "right": "#ff7f0e"}
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
TOP_FAULTS = 8
MAX_LISTED = 60  # sessions listed at the end
_INK = (34, 34, 34)
_MUTED = (100, 100, 100)
_RULE = (200, 200, 200)


@dataclass(frozen=True)
class SetAngles:
    """One saved set's angles frame by frame, for its second-by-second chart."""

    row: SessionRow
    frames: tuple[RomFrame, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows (gathered from the store, or made up in a test)."""

    profile: str
    date_from: date | None
    date_to: date | None
    generated_at: datetime
    rows: tuple[SessionRow, ...]
    faults: tuple[FaultTotal, ...]
    sets: tuple[SetAngles, ...] = ()  # each stretch's latest set with angles, frame by frame

    @property
    def period_text(self) -> str:
        days = [r.local_day for r in self.rows]
        start = self.date_from or (min(days) if days else None)
        end = self.date_to or (max(days) if days else None)
        if start is None or end is None:
            return "no sessions saved"
        return f"{_day(start)} to {_day(end)}"


def gather(
    store: HistoryStore,
    *,
    profile: str,
    date_from: date | None = None,
    date_to: date | None = None,
    stretch_id: str | None = None,
    now: datetime | None = None,
) -> ReportData:
    q = SessionQuery(profile=profile, stretch_id=stretch_id, date_from=date_from, date_to=date_to)
    rows = tuple(store.sessions(q))
    return ReportData(
        profile=profile,
        date_from=date_from,
        date_to=date_to,
        generated_at=(now or datetime.now()).astimezone(),
        rows=rows,
        faults=tuple(store.fault_totals(q)),
        sets=latest_sets(store, rows),
    )


def latest_sets(store: HistoryStore, rows: Sequence[SessionRow]) -> tuple[SetAngles, ...]:
    """Each stretch's latest set that kept its angles frame by frame (sets saved before
    they were kept have none), in the order of the stretches' names."""
    latest: dict[str, SetAngles] = {}
    for row in sorted(rows, key=lambda r: r.started_at, reverse=True):
        if row.stretch_name in latest or row.rom_label is None:
            continue
        frames = store.session(row.session_id).rom_frames
        if frames:
            latest[row.stretch_name] = SetAngles(row, frames)
    return tuple(latest[name] for name in sorted(latest))


def _day(d: date) -> str:
    return d.strftime("%d %b %Y").lstrip("0")


# -- charts -----------------------------------------------------------------------------------
def _png(fig: Figure) -> io.BytesIO:
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    buf.seek(0)
    return buf


def _figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    fig.set_layout_engine("constrained")
    return fig


#: The note beside a date axis: the year alone (matplotlib's own read "2026-Dec" under "Dec").
_DATE_OFFSETS = ["", "%Y", "%Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]


def date_axis(ax: Axes) -> None:
    """Dates along the x axis in few words: days, months, and the year once beside them."""
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, offset_formats=_DATE_OFFSETS))


def trend_chart(rows: Sequence[SessionRow], title: str, label: str) -> io.BytesIO:
    """Best range of motion per side per session, with the ± uncertainty band (PNG)."""
    fig = _figure(7.0, 2.6)
    ax = fig.add_subplot()
    points = rom_points(rows)
    top = 10.0
    for side, colour in SIDE_COLOURS.items():
        pts = sorted((p for p in points if p.side == side), key=lambda p: p.started_at)
        if not pts:
            continue
        x = [p.started_at for p in pts]
        ax.fill_between(
            x,
            [max(p.low_deg, 0.0) for p in pts],
            [max(p.high_deg, 0.0) for p in pts],
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
        ax.plot(
            x,
            [max(p.best_deg, 0.0) for p in pts],
            color=colour,
            marker="o",
            markersize=3,
            linewidth=1.6,
            label=f"{side} side",
        )
        top = max(top, *(p.high_deg for p in pts))
    ax.set_ylim(0, top * 1.08)
    date_axis(ax)
    ax.set_ylabel("degrees")
    ax.set_title(f"{title}: best {label} per session", fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _png(fig)


def set_chart(s: SetAngles) -> io.BytesIO:
    """One set's angle per side, second by second (PNG): the rows the Progress page charts
    (:func:`posecheck.review.timeline.angle_rows`), sizes only (a reading past the start
    the other way is drawn at 0, never as a negative angle)."""
    fig = _figure(7.0, 2.2)
    ax = fig.add_subplot()
    rows = angle_rows((f.t_ms, f.left_deg, f.right_deg) for f in s.frames)
    top = 10.0
    for side, colour in SIDE_COLOURS.items():
        pts = [(r["t_s"], r["rom_deg"]) for r in rows if r["side"] == side]
        if not pts:
            continue
        ax.plot(*zip(*pts, strict=True), color=colour, linewidth=1.4, label=f"{side} side")
        top = max(top, *(v for _, v in pts))
    ax.set_ylim(0, top * 1.08)
    ax.set_xlabel("seconds into the set")
    ax.set_ylabel("degrees")
    label = s.row.rom_label or "range of motion"
    origin = "live set" if s.row.origin == "live" else "analysed clip"
    ax.set_title(
        f"{s.row.stretch_name}, {s.row.local_start:%d %b %Y %H:%M} ({origin}): {label}",
        fontsize=10,
        loc="left",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _png(fig)


def weekly_chart(weeks: Sequence[WeekCount]) -> io.BytesIO:
    fig = _figure(7.0, 1.8)
    ax = fig.add_subplot()
    ax.bar([w.week_start for w in weeks], [w.sessions for w in weeks], width=5, color="#4c7a5a")
    ax.set_ylabel("sessions")
    ax.set_title("Sessions per week (weeks start on Monday)", fontsize=10, loc="left")
    date_axis(ax)
    ax.yaxis.get_major_locator().set_params(integer=True)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _png(fig)


# -- the document -----------------------------------------------------------------------------
class _Report(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(*_MUTED)
        self.cell(0, 5, self._footer_text, align="L")
        self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*_INK)

    def heading(self, text: str, size: float = 12.5, keep_mm: float = 30) -> None:
        """A section heading, on a new page unless ``keep_mm`` of what follows fits under it."""
        if self.get_y() + 10 + keep_mm > self.h - 20:
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 9.5)

    def para(self, text: str, size: float = 9.5, colour: tuple[int, int, int] = _INK) -> None:
        self.set_font("DejaVu", "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, 4.8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*_INK)

    def grid(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        widths: Sequence[int],
    ) -> None:
        """A table; ``header`` None for a two-column list of names and values."""
        self.set_font("DejaVu", "", 8.5)
        self.set_draw_color(*_RULE)
        with self.table(
            col_widths=tuple(widths),
            line_height=5.2,
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
            first_row_as_headings=header is not None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(238, 242, 246)),
        ) as t:
            if header is not None:
                t.row(list(header))
            for r in rows:
                t.row(list(r))
        self.ln(2)

    def chart(self, png: io.BytesIO, height_mm: float) -> None:
        if self.get_y() + height_mm > self.h - 20:
            self.add_page()
        self.image(png, x=self.l_margin, w=self.epw, h=height_mm)
        self.ln(1)


def _first_latest(s: SideSummary, i: int) -> str:
    first, latest, best = s.first_deg[i], s.latest_deg[i], s.best_deg[i]
    if latest is None:
        return "not measured"
    if s.sessions == 1 or first == latest:
        return f"{deg_text(latest)} (best {deg_text(best)})"
    return f"{deg_text(first)} → {deg_text(latest)} (best {deg_text(best)})"


def _adherence_rows(a: Adherence) -> list[tuple[str, str]]:
    return [
        ("Sessions", f"{a.sessions}"),
        ("Days with a session", f"{a.active_days} of {a.days}"),
        ("Sessions per week", f"{a.sessions_per_week:g} (over {a.weeks:g} weeks)"),
        ("Holds completed", f"{a.holds_completed}"),
        ("Repetitions", f"{a.reps}"),
        ("Time stretching", f"{a.minutes:g} minutes"),
    ]


def _uncertainty_note(pdf: _Report, summaries: Sequence[SideSummary]) -> None:
    pdf.heading("How sure are these numbers?")
    uncertainties = ", ".join(
        f"{s.stretch_name}: ± {s.uncertainty_deg:g}°"
        for s in summaries
        if s.uncertainty_deg is not None
    )
    pdf.para(
        "Each angle is estimated from one ordinary camera with a pose model, not measured "
        "with a goniometer. The shaded band around each line is the measurement uncertainty "
        "for that stretch from its camera view"
        + (f" ({uncertainties})" if uncertainties else "")
        + ". A change smaller than the band may be measurement noise; a steady trend over "
        "several weeks is more telling than any single session. The camera placement shown "
        "in the app matters: another placement can shift the numbers."
    )


def render_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes."""
    rows = sorted(data.rows, key=lambda r: r.started_at)
    pdf = _Report(
        f"posecheck progress report · {data.profile} · {data.period_text} · "
        f"made {data.generated_at:%d %b %Y %H:%M}"
    )
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, "Hip stretching progress report", new_x="LMARGIN", new_y="NEXT")
    pdf.para(
        f"Profile: {data.profile}    Period: {data.period_text}    "
        f"Made: {_day(data.generated_at.date())} at {data.generated_at:%H:%M}",
        size=10,
    )
    pdf.ln(1)
    pdf.set_fill_color(253, 243, 220)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        4.8,
        f"{SAFETY_NOTE} The angles below were measured from a single camera by posecheck; "
        "they are estimates to follow a trend, not clinical goniometer readings.",
        fill=True,
        padding=2,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_fill_color(255, 255, 255)
    if not rows:
        pdf.heading("No sessions")
        pdf.para("No sessions were saved for this profile in this period.")
        return bytes(pdf.output())

    pdf.heading("Adherence")
    pdf.grid(None, _adherence_rows(adherence(rows, data.date_from, data.date_to)), (55, 123))
    pdf.chart(weekly_chart(weekly_sessions(rows, data.date_from, data.date_to)), 40)

    summaries = side_summaries(rows)
    pdf.heading("Left and right, per stretch")
    if summaries:
        pdf.grid(
            ("Stretch", "Sessions", "Left: first → latest", "Right: first → latest", "Difference"),
            [
                (
                    s.stretch_name,
                    str(s.sessions),
                    _first_latest(s, 0),
                    _first_latest(s, 1),
                    deg_text(s.latest_difference_deg),
                )
                for s in summaries
            ],
            (48, 18, 44, 44, 24),
        )
        pdf.para(
            "Best angle of each session. Difference: between the sides in the latest session "
            "that measured both.",
            size=8,
            colour=_MUTED,
        )
    else:
        pdf.para("None of these stretches measures a range of motion.")

    pdf.heading("Most frequent faults")
    if data.faults:
        pdf.grid(
            ("What the coach said", "Times", "Sessions"),
            [(f.message, str(f.times), str(f.sessions)) for f in data.faults[:TOP_FAULTS]],
            (134, 22, 22),
        )
    else:
        pdf.para("No form faults were flagged in these sessions.")

    if summaries:
        pdf.heading("Range of motion over time", keep_mm=64)
    for s in summaries:
        group = [r for r in rows if r.stretch_name == s.stretch_name]
        pdf.chart(trend_chart(group, s.stretch_name, s.rom_label or "range of motion"), 62)
    if data.sets:
        pdf.heading("One set, second by second", keep_mm=56)
        pdf.para(
            "The latest set of each stretch, as the angle went during it: holds show as "
            "plateaus, repetitions as peaks.",
            size=8,
            colour=_MUTED,
        )
    for one in data.sets:
        pdf.chart(set_chart(one), 52)
    if summaries:
        _uncertainty_note(pdf, summaries)
    pdf.heading("Sessions", keep_mm=20)
    pdf.para("Left and right: the best angle of the session.", size=8, colour=_MUTED)
    shown = rows[-MAX_LISTED:]
    if len(rows) > len(shown):
        pdf.para(f"The latest {len(shown)} of {len(rows)} sessions.", size=8, colour=_MUTED)
    pdf.grid(
        ("Date", "Stretch", "Holds", "Reps", "Left", "Right", "Faults"),
        [
            (
                f"{r.local_start:%d %b %Y %H:%M}",
                r.stretch_name,
                "-" if r.hold_target_s is None else str(r.holds_completed),
                reps_words(r.reps, finished=True),
                deg_text(r.best_left_deg),
                deg_text(r.best_right_deg),
                str(r.fault_events),
            )
            for r in shown
        ],
        (35, 51, 14, 30, 16, 16, 16),
    )
    pdf.heading("Note", keep_mm=10)
    pdf.para(SAFETY_NOTE)
    return bytes(pdf.output())
