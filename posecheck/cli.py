"""Command line: ``posecheck analyze``, ``posecheck specs list|validate|show``.

Bad input exits non-zero with a one-line reason (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from posecheck.errors import PosecheckError
from posecheck.spec import SPEC_DIR, json_schema, load_all, load_by_id, load_spec, spec_paths


class _Progress:
    """A one-line progress bar on stderr (only when it is a terminal, or forced)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        frac = min(1.0, done / total) if total else 0.0
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        sys.stderr.write(f"\ranalysing [{bar}] {done}/{total or '?'} frames")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _cmd_analyze(args: argparse.Namespace) -> int:
    from posecheck.analysis import analyze_recording, analyze_video  # noqa: PLC0415
    from posecheck.recording import is_recording  # noqa: PLC0415
    from posecheck.report import report_dict, write_report  # noqa: PLC0415

    spec = load_spec(args.spec) if args.spec else load_by_id(args.stretch)
    progress = _Progress(sys.stderr.isatty() and not args.quiet)
    if is_recording(args.video):
        if args.annotate:
            raise PosecheckError(
                "--annotate needs the video itself: a recording holds only the landmarks."
            )
        analysis = analyze_recording(args.video, spec, progress=progress)
    else:
        analysis = analyze_video(args.video, spec, annotate_to=args.annotate, progress=progress)
    if args.report:
        write_report(analysis, args.report)
    rep = report_dict(analysis)
    if args.json:
        print(json.dumps(rep, indent=2))
        return 0
    print(
        f"{spec.name}: {rep['duration_s']} s analysed, reps {rep['reps']}, "
        f"holds completed {rep['holds_completed']}"
    )
    if rep["rom"]:
        r = rep["rom"]
        print(
            f"  best {r['label']}: left {r['best_left_deg']} deg, right {r['best_right_deg']} deg"
            f" (estimate, +/- {r['uncertainty_deg']} deg)"
        )
    for f in rep["faults"]:
        end = "end" if f["end_s"] is None else f"{f['end_s']:.1f}"
        print(f"  {f['start_s']:6.1f}-{end:>6} s  {f['side']:<5}  {f['message']}")
    if rep["no_person_s"]:
        print(f"  nobody in view for {rep['no_person_s']} s")
    if args.report:
        print(f"report: {args.report}")
    if args.annotate:
        print(f"annotated video: {args.annotate}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for spec in load_all(args.dir).values():
        dose = f"hold {spec.dose.hold_s:g} s" if spec.dose.kind == "hold" else "reps"
        print(
            f"{spec.id:<32} {spec.name:<36} {dose}, {spec.dose.reps_per_side} per side, "
            f"camera: {spec.camera.view}"
        )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or spec_paths(args.dir)
    failed = 0
    for path in paths:
        try:
            load_spec(path)
            print(f"ok      {path}")
        except PosecheckError as exc:
            failed += 1
            print(f"invalid {exc}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_show(args: argparse.Namespace) -> int:
    spec = load_by_id(args.id, args.dir)
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
    for n in spec.not_checked:
        print(f"  - not checked: {n.message} ({n.reason})")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
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
    which = a.add_mutually_exclusive_group(required=True)
    which.add_argument("--stretch", help="stretch id (see 'posecheck specs list')")
    which.add_argument("--spec", help="path of a spec YAML file")
    a.add_argument("--report", help="write the JSON report here")
    a.add_argument("--annotate", help="write an annotated MP4 here")
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=_cmd_analyze)

    s = sub.add_parser("specs", help="list, validate or show stretch specs")
    s.add_argument("--dir", default=str(SPEC_DIR), help="spec directory")
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
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PosecheckError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
