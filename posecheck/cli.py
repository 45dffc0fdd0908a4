"""Command line: ``posecheck analyze``, ``posecheck specs list|validate|show``, and the
history's ``posecheck history ...`` and ``posecheck report`` (in :mod:`posecheck.review`).

Bad input exits non-zero with a one-line reason (no traceback).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from posecheck.coaching.wording import reps_words
from posecheck.errors import PosecheckError
from posecheck.outputs import check_outputs, describe_os_error, write_text_atomic
from posecheck.quiet import native_logs_silenced
from posecheck.review.commands import add_commands, add_save_options, save_analysis


def _specs() -> ModuleType:
    """The spec library, imported when a command needs it: with pydantic and the metrics it
    takes most of a second, which ``history`` and ``report`` do not need."""
    import posecheck.specs.schema as specs  # noqa: PLC0415

    return specs


def _spec_dir(args: argparse.Namespace) -> str:
    return args.dir or str(_specs().SPEC_DIR)


class _CtrlC:
    """Ctrl-C as a flag that stays set. Python raises ``KeyboardInterrupt`` once, where the
    main thread happens to be; when that is inside a finaliser (a native object freed
    mid-run) the exception is printed and dropped, and the run went on to the end and exited
    0 (test_ctrl_c_exits_130..., CI under load, session 14). :class:`_Progress` raises it
    again at the next frame, and :func:`main` treats a run that ended after a press as
    interrupted."""

    def __init__(self) -> None:
        self.pressed = False

    def __call__(self, signum: int, frame: object) -> None:
        self.pressed = True
        raise KeyboardInterrupt


class _Progress:
    """A one-line progress bar on stderr (only when it is a terminal, or forced); each frame
    it raises a Ctrl-C pressed since the last (``ctrl_c``)."""

    def __init__(self, enabled: bool, ctrl_c: _CtrlC | None = None) -> None:
        self.enabled = enabled
        self.ctrl_c = ctrl_c

    def __call__(self, done: int, total: int) -> None:
        if self.ctrl_c is not None and self.ctrl_c.pressed:
            raise KeyboardInterrupt
        if not self.enabled:
            return
        width = 30
        frac = min(1.0, done / total) if total else 0.0
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        sys.stderr.write(f"\ranalysing [{bar}] {done}/{total or '?'} frames")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _deg(value: float | None) -> str:
    return "not measured" if value is None else f"{value} deg"


def _cmd_analyze(args: argparse.Namespace) -> int:
    from posecheck.coaching.framing import not_seen_text  # noqa: PLC0415
    from posecheck.coaching.wording import not_checked_sentence  # noqa: PLC0415
    from posecheck.media.video_out import MP4_SUFFIXES  # noqa: PLC0415
    from posecheck.overlay import annotate_step  # noqa: PLC0415
    from posecheck.pose.recording import is_recording  # noqa: PLC0415
    from posecheck.review.analysis import analyze_recording, analyze_video  # noqa: PLC0415
    from posecheck.review.photo import is_photo  # noqa: PLC0415
    from posecheck.review.report import report_dict, write_report  # noqa: PLC0415

    if is_photo(args.video):
        return _analyze_photo(args)
    if not (args.spec or args.stretch):
        raise PosecheckError(
            "say which stretch the video shows: --stretch ID (see 'posecheck specs list'); "
            "only a photo can go without it."
        )
    specs = _specs()
    spec = specs.load_spec(args.spec) if args.spec else specs.load_by_id(args.stretch)
    # Every output is checked before the (long) analysis: writable, and never an input.
    check_outputs(
        {"the input video": args.video, "the spec file": args.spec},
        {"--annotate": (args.annotate, MP4_SUFFIXES), "--report": (args.report, ())},
    )
    progress = _Progress(sys.stderr.isatty() and not args.quiet, getattr(args, "ctrl_c", None))
    if is_recording(args.video):
        if args.annotate:
            raise PosecheckError(
                "--annotate needs the video itself: a recording holds only the landmarks."
            )
        analysis = analyze_recording(args.video, spec, progress=progress)
    else:
        with native_logs_silenced(not args.verbose):
            analysis = analyze_video(
                args.video,
                spec,
                annotate_to=args.annotate,
                draw=annotate_step,
                progress=progress,
                rotate_deg=args.rotate,
                model=args.model,
                rate_hz=math.inf if args.every_frame else None,
            )
    save_analysis(analysis, args)  # --save / --profile: keep it in the local history
    if args.report:
        write_report(analysis, args.report)
    rep = report_dict(analysis)
    if args.json:
        print(json.dumps(rep, indent=2, allow_nan=False))
        return 0
    print(
        f"{spec.name}: {rep['duration_s']} s analysed, "
        f"reps {reps_words(rep['reps'], finished=True)}, "
        f"holds completed {rep['holds_completed']}"
    )
    for warning in rep["warnings"]:
        print(f"  warning: {warning}")
    if rep.get("camera"):
        print(f"  camera: {rep['camera']['words']}")
        if rep["camera"]["advice"]:
            print(f"  {rep['camera']['advice']}")
    if rep["rom"]:
        r = rep["rom"]
        print(
            f"  best {r['label']}: left {_deg(r['best_left_deg'])}, "
            f"right {_deg(r['best_right_deg'])} (estimate, +/- {r['uncertainty_deg']} deg)"
        )
    for f in rep["faults"]:
        end = "end" if f["end_s"] is None else f"{f['end_s']:.1f}"
        side = "" if f["side"] == "none" else f["side"]
        print(f"  {f['start_s']:6.1f}-{end:>6} s  {side:<5}  {f['message']}")
    for entry in rep["not_checked_from_view"]:
        print(f"  {not_seen_text(entry)}")
    if spec.not_checked:
        print(f"  {not_checked_sentence(spec)}")
    if rep["no_person_s"]:
        print(f"  nobody in view for {rep['no_person_s']} s")
        if rep["no_person_s"] > 0.5 * (rep["duration_s"] or 0) and not args.rotate:
            print("  (if the camera stood on its side, try --rotate 90 or --rotate 270)")
    if args.report:
        print(f"report: {args.report}")
    if args.annotate:
        print(f"annotated video: {args.annotate}")
    return 0


def _analyze_photo(args: argparse.Namespace) -> int:
    """One photo: a one-frame verdict (no hold time, no reps), or without a stretch, the
    stretches it may show."""
    from posecheck.review.photo import analyze_photo, photo_lines, photo_report  # noqa: PLC0415

    for option, given in (("--annotate", args.annotate), ("--save", args.save)):
        if given:
            raise PosecheckError(
                f"{option} is for videos: a photo gets a one-picture verdict "
                "(--report writes it as JSON)."
            )
    check_outputs(
        {"the input photo": args.video, "the spec file": args.spec},
        {"--report": (args.report, ())},
    )
    specs = _specs()
    spec = None
    if args.spec or args.stretch:
        spec = specs.load_spec(args.spec) if args.spec else specs.load_by_id(args.stretch)
    with native_logs_silenced(not args.verbose):
        analysis = analyze_photo(
            args.video,
            spec,
            None if spec else specs.load_all(),
            model=args.model,
            rotate_deg=args.rotate,
        )
    rep = photo_report(analysis)
    if args.report:
        write_text_atomic(args.report, json.dumps(rep, indent=2, allow_nan=False))
    if args.json:
        print(json.dumps(rep, indent=2, allow_nan=False))
        return 0
    print("\n".join(photo_lines(analysis)))
    if args.report:
        print(f"report: {args.report}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    specs = _specs()
    specs.spec_folder(_spec_dir(args))
    for spec in specs.load_all(_spec_dir(args)).values():
        dose = f"hold {spec.dose.hold_s:g} s" if spec.dose.kind == "hold" else "reps"
        print(
            f"{spec.id:<32} {spec.name:<36} {dose}, {spec.dose.reps_per_side} per side, "
            f"camera: {spec.camera.view}"
        )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    specs = _specs()
    paths = [Path(p) for p in args.paths] or specs.spec_folder(_spec_dir(args))
    failed = 0
    for path in paths:
        try:
            specs.load_spec(path)
            print(f"ok      {path}")
        except PosecheckError as exc:
            failed += 1
            print(f"invalid {exc}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_show(args: argparse.Namespace) -> int:
    from posecheck.coaching.wording import NOT_CHECKED_WHY  # noqa: PLC0415

    spec = _specs().load_by_id(args.id, _spec_dir(args))
    print(f"{spec.name} ({spec.position})\n{spec.summary}\n")
    for i, step in enumerate(spec.instructions, 1):
        print(f"{i}. {step}")
    print(
        f"\nCamera ({spec.camera.view}, {spec.camera.height_m} m high, "
        f"{spec.camera.distance_m} m away): {spec.camera.placement}"
    )
    print("\nChecked:")
    for f in spec.faults:
        print(f"  - {f.message}  [{f.id}]")
    if not spec.faults:
        print("  nothing from this view")
    if spec.not_checked:
        print(f"\nNot checked from this view ({NOT_CHECKED_WHY}):")
        for n in spec.not_checked:
            print(f"  - {n.message} ({n.reason})")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(_specs().json_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="posecheck",
        description="Camera form coach for hip "
        "internal-rotation stretches (form feedback, not medical advice).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyse a recorded video or image")
    a.add_argument(
        "video",
        help="video (mp4, mov, avi, mkv, webm), image, or recording (.pose.json.gz) file",
    )
    which = a.add_mutually_exclusive_group()
    which.add_argument(
        "--stretch",
        help="stretch id (see 'posecheck specs list'); a photo without one gets the stretches "
        "it may show",
    )
    which.add_argument("--spec", help="path of a spec YAML file")
    a.add_argument("--report", help="write the JSON report here")
    a.add_argument("--annotate", help="write an annotated MP4 here")
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    a.add_argument(
        "--rotate",
        type=int,
        choices=(0, 90, 180, 270),
        default=0,
        help="turn the picture clockwise first, for a camera that stood on its side",
    )
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    add_save_options(a)
    a.add_argument(
        "--verbose", action="store_true", help="show the pose model's and decoder's own logs"
    )
    a.add_argument(
        "--model",
        help="pose model: lite (fastest), full (default, what the checks are tuned on) or heavy "
        "(closer knee and ankle points, ~3x slower; the checks read worse with it), "
        "or the path of a pose landmarker .task file; default $POSECHECK_MODEL or full",
    )
    a.add_argument(
        "--every-frame",
        action="store_true",
        help="run the pose model on every frame (default: as often as the stretch's checks "
        "need, at least 10 a second)",
    )
    a.set_defaults(func=_cmd_analyze)

    s = sub.add_parser("specs", help="list, validate or show stretch specs")
    s.add_argument("--dir", help="spec directory (default: the stretch_specs folder)")
    ssub = s.add_subparsers(dest="specs_command", required=True)
    ssub.add_parser("list", help="list the stretches").set_defaults(func=_cmd_list)
    v = ssub.add_parser("validate", help="check spec files (all by default)")
    v.add_argument("paths", nargs="*")
    v.set_defaults(func=_cmd_validate)
    sh = ssub.add_parser("show", help="show one stretch's instructions and checks")
    sh.add_argument("id")
    sh.set_defaults(func=_cmd_show)
    ssub.add_parser("schema", help="print the JSON Schema of the spec format").set_defaults(
        func=_cmd_schema
    )
    add_commands(sub)  # history list|show|export|delete, report
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.ctrl_c = _CtrlC()
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, args.ctrl_c) if main_thread else None
    try:
        code = int(args.func(args))
        if not args.ctrl_c.pressed:
            return code
        raise KeyboardInterrupt  # pressed, and the raise was dropped on the way (_CtrlC)
    except PosecheckError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path the checks above did not foresee
        where = exc.filename or "a file"
        print(f"posecheck: {describe_os_error(where, exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nposecheck: interrupted; no partial output was left.", file=sys.stderr)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    # Interrupted: free what the stopped run left in reference cycles (a pose landmarker being
    # made when the key came) now, while its modules are loaded; at the interpreter's exit its
    # finaliser failed with "'NoneType' object is not callable" under the message (CI, once).
    gc.collect()
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
