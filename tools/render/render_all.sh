#!/bin/sh
# Render every motion in tools/render/motions (or the ones given) into sample_videos/, one at a
# time on one thread, then check each clip with MediaPipe.
#   sh tools/render/render_all.sh [motions/NAME.yaml ...]
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT="$REPO/sample_videos"
PY="$REPO/.venv/bin/python"
mkdir -p "$OUT"
if [ $# -eq 0 ]; then set -- "$HERE"/motions/*.yaml; fi
for m in "$@"; do
  name=$(basename "$m" .yaml)
  echo "== $name"
  blender -b -t 1 -P "$HERE/render_clip.py" -- "$m" "$OUT" > "/tmp/render_$name.log" 2>&1 || true
  grep -E "RENDER_STATS|WROTE|^Error|Traceback" "/tmp/render_$name.log" || true
  [ -x "$PY" ] && "$PY" "$HERE/check_detection.py" "$OUT/$name.mp4" 2>/dev/null | tail -1
done
