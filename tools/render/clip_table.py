"""Print the markdown table of sample clips from their truth files (and detection results).

    python3 tools/render/clip_table.py [sample_videos]

Detection figures come from tools/render/detection_results.json (written by check_detection.py).
"""
import glob
import json
import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    vids = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "sample_videos")
    rec = os.path.join(here, "detection_results.json")
    det = json.load(open(rec)) if os.path.exists(rec) else {}
    rows = []
    per_view = {}
    print("| clip | stretch | body | view (camera) | length | fault: side, when | "
          "MediaPipe detection | mean 2D error hips/knees/ankles |")
    print("|---|---|---|---|---|---|---|---|")
    for tf in sorted(glob.glob(os.path.join(vids, "*.truth.json"))):
        t = json.load(open(tf))
        cam = t["camera"]
        view = "%s (%s m high, %s m away)" % (cam.get("view"), cam.get("height_m"), cam.get("distance_m"))
        faults = "; ".join("%s: %s, %.1f-%.1f s" % (f["fault"], f["side"], f["start_s"], f["end_s"])
                           for f in t["faults"]) or "none (good form)"
        n = len(t["frames"])
        d = det.get(t["clip"] + ".mp4", {})
        rate = "%.0f%%" % (100 * d["detection_rate"]) if d else "-"
        err = "%.1f px" % d["mean_px_error_hip_knee_ankle"] if "mean_px_error_hip_knee_ankle" in d else "-"
        print("| %s.mp4 | %s | %s | %s | %.1f s | %s | %s | %s |" % (
            t["clip"], t["stretch"], t["body"], view, n / t["fps"], faults, rate, err))
        if "mean_px_error" in d:
            key = (t["posture"], cam.get("view"))
            per_view.setdefault(key, []).append(d)
    print()
    print("| posture, view | clips | detection | mean 2D error hips / knees / ankles / shoulders (px) |")
    print("|---|---|---|---|")
    for (posture, view), ds in sorted(per_view.items()):
        det = sum(x["detected"] for x in ds) / max(1, sum(x["frames"] for x in ds))
        m = {j: sum(x["mean_px_error"][j] for x in ds) / len(ds) for j in ("hip", "knee", "ankle", "shoulder")}
        print("| %s, %s | %d | %.0f%% | %.1f / %.1f / %.1f / %.1f |" % (
            posture, view, len(ds), 100 * det, m["hip"], m["knee"], m["ankle"], m["shoulder"]))


if __name__ == "__main__":
    main()
