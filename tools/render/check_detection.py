"""Check that MediaPipe Pose finds the rendered person in a sample clip.

    /work/main/.venv/bin/python tools/render/check_detection.py CLIP.mp4 [CLIP2.mp4 ...]
        [--json] [--dump DIR]

For each clip prints the fraction of frames with a person detected and, when CLIP.truth.json
beside it has "joints_px", the mean pixel error of hips, knees and ankles (and shoulders)
against the projected joint centres of the posed skeleton. It also reports how many frames are
better explained with left/right swapped (a label swap by the estimator).
--dump DIR writes every 10th frame with the landmarks (dots) and the truth (crosses) drawn.
Results are also recorded in tools/render/detection_results.json (by clip name) unless
--no-record is given; tools/render/clip_table.py reads that file.
"""
import json
import math
import os
import sys

import cv2
import mediapipe as mp

LM = {"left_shoulder": 11, "right_shoulder": 12, "left_elbow": 13, "right_elbow": 14,
      "left_wrist": 15, "right_wrist": 16, "left_hip": 23, "right_hip": 24,
      "left_knee": 25, "right_knee": 26, "left_ankle": 27, "right_ankle": 28}
MAIN = ["hip", "knee", "ankle"]


def swap(name):
    return name.replace("left", "@").replace("right", "left").replace("@", "right")


def check(path, dump=None):
    truth_path = path[:-4] + ".truth.json"
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else None
    cap = cv2.VideoCapture(path)
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    n = det = 0
    errs = {j: [] for j in MAIN + ["shoulder"]}
    swapped = compared = 0
    fi = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        h, w = img.shape[:2]
        res = pose.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
        n += 1
        fr = truth["frames"][fi] if truth and fi < len(truth["frames"]) else None
        if res.pose_landmarks:
            det += 1
            lm = res.pose_landmarks.landmark
            pts = {k: (lm[i].x * w, lm[i].y * h) for k, i in LM.items()}
            if fr and "joints_px" in fr:
                tp = fr["joints_px"]
                e_same = e_swap = 0.0
                for j in MAIN:
                    for s in ("left", "right"):
                        k = s + "_" + j
                        e_same += math.dist(pts[k], tp[k])
                        e_swap += math.dist(pts[swap(k)], tp[k])
                compared += 1
                if e_swap < e_same:
                    swapped += 1
                for j in errs:
                    for s in ("left", "right"):
                        k = s + "_" + j
                        errs[j].append(math.dist(pts[k], tp[k]))
            if dump and fi % 10 == 0:
                for k, p in pts.items():
                    c = (0, 255, 0) if k.startswith("left") else (0, 0, 255)
                    cv2.circle(img, (int(p[0]), int(p[1])), 4, c, -1)
        if dump and fi % 10 == 0:
            if fr and "joints_px" in fr:
                for k, p in fr["joints_px"].items():
                    c = (0, 160, 0) if k.startswith("left") else (0, 0, 160)
                    cv2.drawMarker(img, (int(p[0]), int(p[1])), c, cv2.MARKER_CROSS, 10, 2)
            os.makedirs(dump, exist_ok=True)
            cv2.imwrite(os.path.join(dump, "%s_%04d.png" % (os.path.basename(path)[:-4], fi)), img)
        fi += 1
    pose.close()
    out = {"clip": os.path.basename(path), "frames": n, "detected": det,
           "detection_rate": round(det / n, 3) if n else 0.0}
    if compared:
        allm = [e for j in MAIN for e in errs[j]]
        out["mean_px_error_hip_knee_ankle"] = round(sum(allm) / len(allm), 1)
        out["mean_px_error"] = {j: round(sum(v) / len(v), 1) for j, v in errs.items() if v}
        out["frames_better_with_lr_swapped"] = swapped
    return out


def main():
    args = sys.argv[1:]
    as_json = "--json" in args
    dump = None
    if "--dump" in args:
        dump = args[args.index("--dump") + 1]
        args.remove("--dump")
        args.remove(dump)
    clips = [a for a in args if not a.startswith("--")]
    if not clips:
        print(__doc__)
        sys.exit(2)
    record = os.path.join(os.path.dirname(os.path.abspath(__file__)), "detection_results.json")
    for c in clips:
        r = check(c, dump)
        if "--no-record" not in args:
            allr = json.load(open(record)) if os.path.exists(record) else {}
            allr[r["clip"]] = r
            with open(record, "w") as fh:
                json.dump(allr, fh, indent=1, sort_keys=True)
        if as_json:
            print(json.dumps(r))
        else:
            line = "%s: detected %d/%d frames (%.0f%%)" % (r["clip"], r["detected"], r["frames"],
                                                          100 * r["detection_rate"])
            if "mean_px_error" in r:
                line += "; mean px error hips/knees/ankles %.1f %s; frames better with L/R swapped: %d" % (
                    r["mean_px_error_hip_knee_ankle"], r["mean_px_error"], r["frames_better_with_lr_swapped"])
            print(line)


if __name__ == "__main__":
    main()
