"""Render a synthetic stretch clip with exactly known joint angles.

Run headless with Blender 3.4 (one thread, please):

    blender -b -t 1 -P tools/render/render_clip.py -- MOTION.yaml OUTDIR [options]

Options (after the two positional arguments):
    --preview T[,T...]   render only PNG stills at these times (s) into OUTDIR, no video
    --engine workbench|cycles   (default: workbench, ~0.5 s/frame; cycles ~7 s/frame, no denoiser)
    --samples N          Cycles samples (default 12)
    --keep-frames        keep the PNG frames after encoding
    --max-frames N       stop after N frames (for timing tests)
    --aa 8|5|FXAA|OFF    Workbench anti-aliasing samples (default 8)

Writes OUTDIR/NAME.mp4 and OUTDIR/NAME.truth.json (see tools/render/README.md).

The body comes from the CC0 MakeHuman data files in ../shared/assets/makehuman (relative to the
repository root, or the folder in $POSECHECK_MAKEHUMAN_DIR); they are read in place, never copied. All code here is the project's own.
"""
import array
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import time

import bpy
import yaml
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Matrix, Quaternion, Vector

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
# POSECHECK_MAKEHUMAN_DIR names the folder when the repository is not next to shared/ (a git
# worktree elsewhere)
ASSETS = os.environ.get("POSECHECK_MAKEHUMAN_DIR") or os.path.normpath(
    os.path.join(REPO, "..", "shared", "assets", "makehuman")
)

FPS = 10
WIDTH, HEIGHT = 640, 480
BODY_VERTS = 13380          # vertices 0..13379 of base.obj are the skin ("body" group)
SIDES = ("left", "right")
SFX = {"left": "l", "right": "r"}
SIGN = {"left": -1.0, "right": 1.0}   # sign of abduction / rotation about body Y / Z per side

# ---------------------------------------------------------------- asset loading

def load_obj(path):
    verts, faces, group = [], [], None
    with open(path) as fh:
        for line in fh:
            if line.startswith("v "):
                x, y, z = (float(a) for a in line.split()[1:4])
                verts.append([x, y, z])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f ") and group == "body":
                faces.append([int(tok.split("/")[0]) - 1 for tok in line.split()[1:]])
    return verts, faces


def apply_target(verts, path, weight=1.0):
    with gzip.open(path, "rt") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 4 or line.startswith("#"):
                continue
            i = int(parts[0])
            v = verts[i]
            v[0] += weight * float(parts[1])
            v[1] += weight * float(parts[2])
            v[2] += weight * float(parts[3])


def to_blender(v):
    # MakeHuman: decimetres, Y up, front +Z  ->  Blender: metres, Z up, front -Y
    return Vector((v[0] * 0.1, -v[2] * 0.1, v[1] * 0.1))


BODIES = {
    "male": [("caucasian-male-young.target.gz", 1.0),
             ("male-young-averagemuscle-averageweight-idealproportions.target.gz", 1.0)],
    "female": [("caucasian-female-young.target.gz", 1.0)],
}

# ---------------------------------------------------------------- small math helpers

def rx(deg):
    return Matrix.Rotation(math.radians(deg), 3, "X")


def ry(deg):
    return Matrix.Rotation(math.radians(deg), 3, "Y")


def rz(deg):
    return Matrix.Rotation(math.radians(deg), 3, "Z")


def frame_from_axis(z_axis, ref=Vector((0.0, 1.0, 0.0))):
    """Orthonormal frame (columns x, y, z) whose z is z_axis and whose y is nearest ref."""
    z = z_axis.normalized()
    y = (ref - ref.dot(z) * z).normalized()
    x = y.cross(z)
    return Matrix((x, y, z)).transposed()


def frame_cols(x, y, z):
    return Matrix((x, y, z)).transposed()


def rigid(rot3, p_rest, p_posed):
    """4x4 rigid transform taking p_rest to p_posed with rotation rot3."""
    m = rot3.to_4x4()
    m.translation = p_posed - rot3 @ p_rest
    return m


def rotate_about(v, axis, deg):
    return Matrix.Rotation(math.radians(deg), 3, axis.normalized()) @ v

# ---------------------------------------------------------------- postures

POSTURES = {
    # world rotation of the pelvis frame (X = subject's left, Y = posterior, Z = superior)
    "standing": Matrix.Identity(3),
    "seated": Matrix.Identity(3),
    "kneeling": Matrix.Identity(3),
    "supine": rx(-90),                 # back on the floor, head towards +Y, left side at +X
    "prone": ry(180) @ rx(-90),        # face down, head towards +Y, left side at -X
    # lying on the left side, head towards +Y, front facing +X
    "side_lying_left": frame_cols(Vector((0, 0, -1)), Vector((-1, 0, 0)), Vector((0, 1, 0))),
    # lying on the right side, head towards +Y, front facing -X
    "side_lying_right": frame_cols(Vector((0, 0, 1)), Vector((1, 0, 0)), Vector((0, 1, 0))),
    "quadruped": ry(180) @ rx(-90),
}

# default parameter values per posture (any can be overridden in the motion's base / keys)
LEG_DEFAULT = dict(hip_flexion_deg=0.0, hip_abduction_deg=0.0, hip_internal_rotation_deg=0.0,
                   knee_flexion_deg=0.0, ankle_plantarflexion_deg=0.0,
                   shoulder_flexion_deg=0.0, shoulder_abduction_deg=10.0,
                   shoulder_rotation_deg=0.0, elbow_flexion_deg=5.0,
                   knee_in_deg=0.0, ankle_offset_x_m=0.0, ankle_offset_y_m=0.0,
                   ankle_offset_z_m=0.0, planted=0.0, foot_follows=0.0)
BODY_DEFAULT = dict(pelvis_lift_m=0.0, pelvis_roll_deg=0.0, pelvis_tilt_deg=0.0, pelvis_obliquity_deg=0.0,
                    trunk_flexion_deg=0.0, trunk_lateral_deg=0.0, trunk_rotation_deg=0.0,
                    shoulder_lift_m=0.0, head_flexion_deg=0.0, head_rotation_deg=0.0,
                    head_lateral_deg=0.0, pelvis_x_m=0.0, pelvis_y_m=0.0)
POSTURE_DEFAULTS = {
    "prone": dict(left=dict(ankle_plantarflexion_deg=25.0, shoulder_abduction_deg=12.0,
                            shoulder_rotation_deg=0.0),
                  right=dict(ankle_plantarflexion_deg=25.0, shoulder_abduction_deg=12.0),
                  body=dict(head_rotation_deg=0.0, head_flexion_deg=-10.0)),
    "supine": dict(left=dict(shoulder_abduction_deg=15.0), right=dict(shoulder_abduction_deg=15.0),
                   body=dict(head_flexion_deg=5.0)),
    "seated": dict(left=dict(hip_flexion_deg=90.0), right=dict(hip_flexion_deg=90.0), body={}),
}

# ---------------------------------------------------------------- the figure


def body_targets(body):
    """(target file relative to the assets folder, weight) pairs of a motion's ``body``.

    ``body`` is ``male`` or ``female`` (the two bodies of the sample clips), or a mapping with
    ``targets: [[file, weight], ...]`` (files under ``macrodetails/``, blended by
    ``tools/render/bodies.py``) and ``sex``.
    """
    if isinstance(body, str):
        return BODIES[body]
    return [(str(f), float(w)) for f, w in body["targets"]]


def body_sex(body):
    return body if isinstance(body, str) else body["sex"]


def body_id(body):
    return body if isinstance(body, str) else body["id"]


class Figure:
    def __init__(self, body, clothes=None):
        verts, faces = load_obj(os.path.join(ASSETS, "base.obj"))
        for fname, w in body_targets(body):
            if w:
                apply_target(verts, os.path.join(ASSETS, fname), w)
        groups = json.load(open(os.path.join(ASSETS, "basemesh_vertex_groups.json")))
        rig = json.load(open(os.path.join(ASSETS, "rig.game_engine.json")))
        weights = json.load(open(os.path.join(ASSETS, "weights.game_engine.json")))["weights"]
        bverts = [to_blender(v) for v in verts]
        ground = min(v.z for v in bverts[:BODY_VERTS])
        for v in bverts:
            v.z -= ground

        def cube(name):
            a, b = groups[name][0]
            pts = bverts[a:b + 1]
            return sum(pts, Vector()) / len(pts)

        def end(spec):
            if spec.get("strategy") == "CUBE":
                return cube(spec["cube_name"])
            idx = spec["vertex_indices"]
            return sum((bverts[i] for i in idx), Vector()) / len(idx)

        self.rig = rig
        self.rest_heads = {b: end(s["head"]) for b, s in rig.items()}
        self.rest_tails = {b: end(s["tail"]) for b, s in rig.items()}
        self.J = {}   # rest joint positions
        for s, c in SFX.items():
            self.J[s + "_hip"] = cube("joint-%s-upper-leg" % c)
            self.J[s + "_knee"] = cube("joint-%s-knee" % c)
            self.J[s + "_ankle"] = cube("joint-%s-ankle" % c)
            self.J[s + "_shoulder"] = cube("joint-%s-shoulder" % c)
            self.J[s + "_elbow"] = cube("joint-%s-elbow" % c)
            self.J[s + "_wrist"] = cube("joint-%s-hand" % c)
            self.J[s + "_toe"] = cube("joint-%s-toe-2-4" % c) if ("joint-%s-toe-2-4" % c) in groups else self.rest_tails["ball_" + c]
        self.hip_mid = (self.J["left_hip"] + self.J["right_hip"]) / 2
        self.L_thigh = {s: (self.J[s + "_hip"] - self.J[s + "_knee"]).length for s in SIDES}
        self.L_shin = {s: (self.J[s + "_knee"] - self.J[s + "_ankle"]).length for s in SIDES}
        self.L_trunk = (self.rest_heads["upperarm_l"] - self.rest_heads["spine_01"]).length
        self.build_mesh(bverts[:BODY_VERTS], faces, weights, body_sex(body), clothes)
        self.build_armature()

    # -- mesh and clothes
    def build_mesh(self, bverts, faces, weights, body, clothes=None):
        me = bpy.data.meshes.new("body")
        me.from_pydata([tuple(v) for v in bverts], [], faces)
        me.update()
        for p in me.polygons:
            p.use_smooth = True
        ob = bpy.data.objects.new("body", me)
        bpy.context.scene.collection.objects.link(ob)
        dom_w = [0.0] * BODY_VERTS
        dom_b = [""] * BODY_VERTS
        for bone, lst in weights.items():
            vg = ob.vertex_groups.new(name=bone)
            by_w = {}
            for vi, w in lst:
                if vi < BODY_VERTS and w > 0:
                    by_w.setdefault(round(w, 4), []).append(vi)
                    if w > dom_w[vi]:
                        dom_w[vi], dom_b[vi] = w, bone
            for w, idx in by_w.items():
                vg.add(idx, w, "REPLACE")
        # clothes: pick a material per face from the dominant bone of its vertices
        palette = dict(CLOTHES[body])
        clothes = dict(clothes or {})
        leggings = clothes.pop("leggings", body == "female")
        palette.update({k: tuple(v) for k, v in clothes.items()})
        mats = {}
        for name, col in palette.items():
            m = bpy.data.materials.new(name)
            m.diffuse_color = (*col, 1.0)
            m.use_nodes = True
            bsdf = m.node_tree.nodes["Principled BSDF"]
            bsdf.inputs["Base Color"].default_value = (*col, 1.0)
            bsdf.inputs["Roughness"].default_value = 0.8 if name != "skin" else 0.55
            if "Specular" in bsdf.inputs:
                bsdf.inputs["Specular"].default_value = 0.2
            mats[name] = len(me.materials)
            me.materials.append(m)
        head_top = self.rest_heads["head"].z + 0.07
        head_back = self.rest_heads["head"].y + 0.0
        part_of = {}
        for b in weights:
            part_of[b] = PARTS.get(b.rsplit("_", 1)[0] if b[-2:] in ("_l", "_r") else b,
                                   "skin")
        if leggings:
            part_of["calf_l"] = part_of["calf_r"] = "pants"
        for p in me.polygons:
            vs = p.vertices
            votes = {}
            for vi in vs:
                part = part_of.get(dom_b[vi], "skin")
                co = bverts[vi]
                if dom_b[vi] in ("head", "neck_01") and (co.z > head_top or (
                        co.z > head_top - 0.09 and co.y > head_back + 0.02)):
                    part = "hair"
                votes[part] = votes.get(part, 0) + 1
            p.material_index = mats[max(votes, key=votes.get)]
        self.mesh_ob = ob

    # -- armature from the joint-helper cubes
    def build_armature(self):
        arm = bpy.data.armatures.new("rig")
        ob = bpy.data.objects.new("rig", arm)
        bpy.context.scene.collection.objects.link(ob)
        bpy.context.view_layer.objects.active = ob
        bpy.ops.object.mode_set(mode="EDIT")
        for name in self.rig:
            eb = arm.edit_bones.new(name)
            eb.head = self.rest_heads[name]
            tail = self.rest_tails[name]
            if (tail - eb.head).length < 1e-4:
                tail = eb.head + Vector((0, 0, 0.05))
            eb.tail = tail
            eb.roll = 0.0
        for name, spec in self.rig.items():
            if spec.get("parent"):
                arm.edit_bones[name].parent = arm.edit_bones[spec["parent"]]
                arm.edit_bones[name].use_connect = False
        bpy.ops.object.mode_set(mode="OBJECT")
        for pb in ob.pose.bones:
            pb.rotation_mode = "QUATERNION"
        self.rest = {b.name: b.matrix_local.copy() for b in arm.bones}
        mod = self.mesh_ob.modifiers.new("skin", "ARMATURE")
        mod.object = ob
        mod.use_vertex_groups = True
        self.mesh_ob.parent = ob
        self.arm_ob = ob
        # rest frames of the limb segments (z along the segment, pointing towards the body)
        J = self.J
        self.rest_frames = {}
        for s in SIDES:
            self.rest_frames[s + "_thigh"] = frame_from_axis(J[s + "_hip"] - J[s + "_knee"])
            self.rest_frames[s + "_shin"] = frame_from_axis(J[s + "_knee"] - J[s + "_ankle"])
            self.rest_frames[s + "_upperarm"] = frame_from_axis(J[s + "_shoulder"] - J[s + "_elbow"])
            self.rest_frames[s + "_lowerarm"] = frame_from_axis(J[s + "_elbow"] - J[s + "_wrist"])

    # -- kinematics: parameters -> world deformation matrix per bone and joint positions
    def solve(self, posture, P, side_params, body, pelvis_pos, planted=None):
        """Return (D per bone, joint world positions, per-side frames)."""
        J, H = self.J, self.hip_mid
        Q = POSTURES[posture]
        lift = body["pelvis_lift_m"]
        Cp = Q @ rz(body["pelvis_roll_deg"]) @ rx(body["pelvis_tilt_deg"]) \
            @ ry(-body["pelvis_obliquity_deg"])
        pel_pos = pelvis_pos + Vector((body["pelvis_x_m"], body["pelvis_y_m"], lift))
        D = {}
        D["pelvis"] = rigid(Cp, H, pel_pos)
        D["Root"] = Matrix.Identity(4)
        # automatic compensation for a lifted pelvis in prone / supine
        auto_hip = 0.0
        trunk_extra = 0.0
        if posture == "prone" and lift:
            auto_hip = math.degrees(math.asin(max(-1, min(1, lift / self.L_thigh["left"]))))
            trunk_extra = math.degrees(math.asin(max(-1, min(1, lift / self.L_trunk))))
        elif posture == "supine" and lift:
            trunk_extra = -math.degrees(math.asin(max(-1, min(1, lift / self.L_trunk))))
        if posture == "supine" and body["shoulder_lift_m"]:
            trunk_extra += math.degrees(math.asin(max(-1, min(1, body["shoulder_lift_m"] / self.L_trunk))))
        # spine chain
        f = body["trunk_flexion_deg"] + trunk_extra
        lat, rot = body["trunk_lateral_deg"], body["trunk_rotation_deg"]
        C = Cp
        prevD = D["pelvis"]
        for bone in ("spine_01", "spine_02", "spine_03"):
            C = C @ rx(f / 3) @ ry(lat / 3) @ rz(rot / 3)
            p = self.rest_heads[bone]
            D[bone] = rigid(C, p, prevD @ p)
            prevD = D[bone]
        Cs3 = C
        for bone in ("clavicle_l", "clavicle_r"):
            D[bone] = D["spine_03"]
        hf, hr, hl = body["head_flexion_deg"], body["head_rotation_deg"], body["head_lateral_deg"]
        for bone in ("neck_01", "head"):
            C = C @ rx(hf / 2) @ ry(hl / 2) @ rz(hr / 2)
            p = self.rest_heads[bone]
            D[bone] = rigid(C, p, prevD @ p)
            prevD = D[bone]
        pos = {}
        frames = {}
        for s in SIDES:
            c, sg, lp = SFX[s], SIGN[s], side_params[s]
            # arm
            Fu = Cs3 @ rx(-lp["shoulder_flexion_deg"]) @ ry(sg * lp["shoulder_abduction_deg"]) \
                @ rz(sg * lp["shoulder_rotation_deg"])
            Fl = Fu @ rx(-lp["elbow_flexion_deg"])
            sh = D["spine_03"] @ J[s + "_shoulder"]
            D["upperarm_" + c] = rigid(Fu @ self.rest_frames[s + "_upperarm"].transposed(),
                                       J[s + "_shoulder"], sh)
            el = D["upperarm_" + c] @ J[s + "_elbow"]
            D["lowerarm_" + c] = rigid(Fl @ self.rest_frames[s + "_lowerarm"].transposed(),
                                       J[s + "_elbow"], el)
            wr = D["lowerarm_" + c] @ J[s + "_wrist"]
            pos[s + "_shoulder"], pos[s + "_elbow"], pos[s + "_wrist"] = sh, el, wr
            # leg
            hip = D["pelvis"] @ J[s + "_hip"]
            if planted and s in planted:
                ank_target, knee_ref, foot_rot = planted[s]
                ank = ank_target + Vector((lp["ankle_offset_x_m"], lp["ankle_offset_y_m"],
                                           lp["ankle_offset_z_m"]))
                Ft, Fs, knee = self.leg_ik(s, hip, ank, knee_ref, lp["knee_in_deg"], Cp)
                Ff = Fs @ rx(lp["ankle_plantarflexion_deg"]) if lp["foot_follows"] else foot_rot
            else:
                Ft = Cp @ rx(-(lp["hip_flexion_deg"] + auto_hip)) \
                    @ ry(sg * lp["hip_abduction_deg"]) @ rz(sg * lp["hip_internal_rotation_deg"])
                Fs = Ft @ rx(lp["knee_flexion_deg"])
                Ff = Fs @ rx(lp["ankle_plantarflexion_deg"])
                knee = None
            D["thigh_" + c] = rigid(Ft @ self.rest_frames[s + "_thigh"].transposed(), J[s + "_hip"], hip)
            knee = D["thigh_" + c] @ J[s + "_knee"]
            D["calf_" + c] = rigid(Fs @ self.rest_frames[s + "_shin"].transposed(), J[s + "_knee"], knee)
            ank = D["calf_" + c] @ J[s + "_ankle"]
            D["foot_" + c] = rigid(Ff @ self.rest_frames[s + "_shin"].transposed(), J[s + "_ankle"], ank)
            D["ball_" + c] = D["foot_" + c]
            pos[s + "_hip"], pos[s + "_knee"], pos[s + "_ankle"] = hip, knee, ank
            pos[s + "_toe"] = D["foot_" + c] @ J[s + "_toe"]
            frames[s] = (Ft, Fs, Ff)
        for name in self.rig:
            if name not in D:
                # hands and fingers move with the forearm
                D[name] = D["lowerarm_" + name[-1]]
        return D, pos, frames, Cp

    def leg_ik(self, s, hip, ank, knee_ref, knee_in, Cp):
        """Knee on the circle around the hip-ankle axis; knee_in rotates it medially."""
        L1, L2 = self.L_thigh[s], self.L_shin[s]
        d_vec = ank - hip
        d = min(d_vec.length, L1 + L2 - 1e-4)
        u = d_vec.normalized()
        a = (L1 * L1 - L2 * L2 + d * d) / (2 * d)
        r = math.sqrt(max(L1 * L1 - a * a, 0.0))
        w0 = (knee_ref - knee_ref.dot(u) * u).normalized()
        medial = Cp @ Vector((-1.0 if s == "left" else 1.0, 0, 0))
        sgn = 1.0 if u.cross(w0).dot(medial) >= 0 else -1.0
        w = rotate_about(w0, u, sgn * knee_in)
        knee = hip + a * u + r * w
        zt = (hip - knee).normalized()
        zs = (knee - ank).normalized()
        # hinge axis: the knee flexes about x so that the ankle goes towards +y of the thigh frame
        y_t = (ank - knee) - (ank - knee).dot(zt) * zt
        if y_t.length < 1e-6:
            y_t = Cp @ Vector((0, 1, 0))
        y_t.normalize()
        x = y_t.cross(zt)
        Ft = frame_cols(x, y_t, zt)
        Fs = frame_cols(x, zs.cross(x), zs)
        return Ft, Fs, knee

    def apply_pose(self, D):
        arm = self.arm_ob.data
        for b in arm.bones:
            R = self.rest[b.name]
            if b.parent is None:
                basis = R.inverted() @ D[b.name] @ R
            else:
                basis = R.inverted() @ D[b.parent.name].inverted() @ D[b.name] @ R
            pb = self.arm_ob.pose.bones[b.name]
            loc, rot, _ = basis.decompose()
            pb.location = loc
            pb.rotation_quaternion = rot
            pb.scale = (1, 1, 1)
        bpy.context.view_layer.update()

    def min_z(self):
        dg = bpy.context.evaluated_depsgraph_get()
        ev = self.mesh_ob.evaluated_get(dg)
        me = ev.to_mesh()
        co = array.array("f", [0.0]) * (len(me.vertices) * 3)
        me.vertices.foreach_get("co", co)
        mz = min(co[2::3])
        ev.to_mesh_clear()
        return mz + self.arm_ob.location.z


PARTS = {  # bone (without side suffix) -> clothing part
    "pelvis": "pants", "spine_01": "pants", "thigh": "pants", "calf": "skin",
    "foot": "socks", "ball": "socks",
    "spine_02": "shirt", "spine_03": "shirt", "clavicle": "shirt", "upperarm": "shirt",
    "neck_01": "skin", "head": "skin", "lowerarm": "skin",
}
CLOTHES = {
    "male": {"skin": (0.72, 0.48, 0.36), "shirt": (0.75, 0.18, 0.08), "pants": (0.05, 0.07, 0.22),
             "socks": (0.85, 0.85, 0.82), "hair": (0.08, 0.05, 0.03)},
    "female": {"skin": (0.55, 0.36, 0.26), "shirt": (0.05, 0.50, 0.50), "pants": (0.18, 0.06, 0.22),
               "socks": (0.85, 0.85, 0.82), "hair": (0.12, 0.07, 0.04)},
}

# ---------------------------------------------------------------- scene


def make_material(name, col, rough=0.8):
    m = bpy.data.materials.new(name)
    m.diffuse_color = (*col, 1.0)
    m.use_nodes = True
    bsdf = m.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*col, 1.0)
    bsdf.inputs["Roughness"].default_value = rough
    return m


def add_box(name, size, loc, mat):
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=loc)
    ob = bpy.context.active_object
    ob.name = name
    ob.scale = size
    ob.data.materials.append(mat)
    return ob


def build_scene(cam_spec, mat_spec, engine, samples, props=(), room=None, aa="8"):
    sc = bpy.context.scene
    room = room or {}
    for ob in list(bpy.data.objects):
        if ob.name not in ("body", "rig"):
            bpy.data.objects.remove(ob)
    floor_m = make_material("floor", tuple(room.get("floor", (0.42, 0.28, 0.16))), 0.6)
    wall_m = make_material("wall", tuple(room.get("wall", (0.78, 0.76, 0.70))), 0.9)
    mat_m = make_material("mat", tuple(mat_spec.get("color", (0.45, 0.58, 0.68))), 0.9)
    add_box("floor", (12, 12, 0.02), (0, 0, -0.01), floor_m)
    ml, mw = mat_spec.get("length_m", 1.83), mat_spec.get("width_m", 0.61)
    along = mat_spec.get("along", "y")
    size = (mw, ml, 0.006) if along == "y" else (ml, mw, 0.006)
    add_box("mat", size, (mat_spec.get("x", 0.0), mat_spec.get("y", 0.0), 0.003), mat_m)
    # props: boxes such as a bolster or a block (size and centre in metres, rotation in degrees)
    for i, prop in enumerate(props):
        pm = make_material("prop%d" % i, tuple(prop.get("color", (0.30, 0.32, 0.45))), 0.9)
        ob = add_box(prop.get("name", "prop%d" % i), prop["size_m"], prop["at_m"], pm)
        ob.rotation_euler = tuple(math.radians(a) for a in prop.get("rot_deg", (0, 0, 0)))
    # camera
    tgt = Vector(cam_spec["target"])
    if "position" in cam_spec:
        cpos = Vector(cam_spec["position"])
    else:
        az = math.radians(cam_spec.get("azimuth_deg", 0.0))
        dist = cam_spec.get("distance_m", 2.0)
        cpos = Vector((tgt.x + dist * math.sin(az), tgt.y - dist * math.cos(az),
                       cam_spec.get("height_m", 1.0)))
    cam_data = bpy.data.cameras.new("cam")
    cam_data.lens = cam_spec.get("lens_mm", 24.0)
    cam_data.sensor_width = 36.0
    cam_data.sensor_fit = "HORIZONTAL"
    cam = bpy.data.objects.new("cam", cam_data)
    sc.collection.objects.link(cam)
    cam.location = cpos
    look = (tgt - cpos).to_track_quat("-Z", "Y")
    roll = Quaternion(Vector((0.0, 0.0, 1.0)), math.radians(cam_spec.get("roll_deg", 0.0)))
    cam.rotation_euler = (look @ roll).to_euler()
    sc.camera = cam
    # walls: behind the subject as seen from the camera, plus a side wall
    horiz = Vector((tgt.x - cpos.x, tgt.y - cpos.y, 0)).normalized()
    back = tgt.xy.to_3d() + horiz * cam_spec.get("wall_behind_m", 1.6)
    wall = add_box("wall", (8, 0.05, 3.0), (back.x, back.y, 1.5), wall_m)
    wall.rotation_euler = (0, 0, math.atan2(horiz.y, horiz.x) + math.pi / 2)
    side = Vector((-horiz.y, horiz.x, 0))
    if cam_spec.get("side_wall", True):
        sw_pos = tgt.xy.to_3d() + side * 2.2
        sw = add_box("wall2", (8, 0.05, 3.0), (sw_pos.x, sw_pos.y, 1.5), wall_m)
        sw.rotation_euler = (0, 0, math.atan2(side.y, side.x) + math.pi / 2)
    # room lighting: ceiling panel + window-ish sun + ambient
    light = bpy.data.lights.new("ceiling", "AREA")
    light.energy = 300.0 if engine != "workbench" else 900.0
    light.size = 1.5
    lo = bpy.data.objects.new("ceiling", light)
    lo.location = (tgt.x + 0.3, tgt.y - 0.3, 2.6)
    sc.collection.objects.link(lo)
    sun = bpy.data.lights.new("window", "SUN")
    sun.energy = 1.5
    sun.angle = math.radians(15)
    so = bpy.data.objects.new("window", sun)
    so.rotation_euler = (math.radians(50), 0, math.radians(30))
    sc.collection.objects.link(so)
    world = bpy.data.worlds.new("room")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.55, 0.55, 0.55, 1)
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.6
    sc.world = world
    # render settings
    sc.render.resolution_x, sc.render.resolution_y = WIDTH, HEIGHT
    sc.render.resolution_percentage = 100
    sc.render.fps = FPS
    sc.render.image_settings.file_format = "PNG"
    sc.render.threads_mode = "FIXED"
    sc.render.threads = 1
    if engine == "workbench":
        sc.render.engine = "BLENDER_WORKBENCH"
        sh = sc.display.shading
        sh.light = "STUDIO"
        sh.color_type = "MATERIAL"
        sh.show_shadows = True
        sh.shadow_intensity = room.get("shadow_intensity", 0.4)
        if "studio_light" in room:
            sh.studio_light = room["studio_light"]
        sh.studiolight_rotate_z = math.radians(room.get("light_rotate_deg", 0.0))
        if "shadow_direction" in room:
            sc.display.light_direction = tuple(room["shadow_direction"])
        sh.show_cavity = False
        sc.display.render_aa = aa
    else:
        sc.render.engine = "CYCLES"
        cy = sc.cycles
        cy.device = "CPU"
        cy.samples = samples
        cy.use_adaptive_sampling = False
        cy.use_denoising = False
        cy.max_bounces = 3
        cy.diffuse_bounces = 2
        cy.glossy_bounces = 1
        cy.transmission_bounces = 0
        cy.transparent_max_bounces = 0
        cy.sample_clamp_indirect = 3.0
        cy.filter_width = 1.8
        cy.tile_size = 256
        sc.view_settings.view_transform = "Filmic"
        sc.view_settings.look = "Medium High Contrast"
    return cam, cpos, tgt

# ---------------------------------------------------------------- motion


def smooth(x):
    return x * x * (3 - 2 * x)


class Motion:
    def __init__(self, spec):
        self.spec = spec
        self.posture = spec["posture"]
        pd = POSTURE_DEFAULTS.get(self.posture, {})
        base = spec.get("base", {})
        state = {"left": dict(LEG_DEFAULT), "right": dict(LEG_DEFAULT), "body": dict(BODY_DEFAULT)}
        for part in state:
            state[part].update(pd.get(part, {}))
            state[part].update(base.get("both", {}) if part != "body" else {})
            state[part].update(base.get(part, {}) or {})
        for part in ("left", "right"):
            if "knee_open_deg" in state[part]:
                state[part]["knee_in_deg"] = -float(state[part].pop("knee_open_deg"))
            for flag in ("planted", "foot_follows"):
                state[part][flag] = 1.0 if state[part].get(flag) else 0.0
        self.base = json.loads(json.dumps(state))
        self.keys = []
        for k in spec["keys"]:
            st = json.loads(json.dumps(self.keys[-1][1] if self.keys else state))
            for part in ("left", "right", "body"):
                for name, val in (k.get(part) or {}).items():
                    if name == "knee_open_deg":
                        name, val = "knee_in_deg", -val
                    st[part][name] = float(val)
                for name, val in (k.get("both") or {}).items() if part != "body" else ():
                    if name == "knee_open_deg":
                        name, val = "knee_in_deg", -val
                    st[part][name] = float(val)
            self.keys.append((float(k["t"]), st))
        self.duration = float(spec.get("duration_s", self.keys[-1][0]))

    def at(self, t):
        keys = self.keys
        if t <= keys[0][0]:
            return keys[0][1]
        for (t0, s0), (t1, s1) in zip(keys, keys[1:]):
            if t0 <= t <= t1:
                x = 0.0 if t1 == t0 else smooth((t - t0) / (t1 - t0))
                return {p: {n: s0[p][n] + (s1[p][n] - s0[p][n]) * x for n in s0[p]} for p in s0}
        return keys[-1][1]

# ---------------------------------------------------------------- truth helpers


def r2(x):
    return round(x, 2) + 0.0   # no "-0.0" in the JSON


def hip_angles(Cp, Ft, side):
    e = (Cp.transposed() @ Ft).to_euler("ZYX")
    sg = SIGN[side]
    return (-math.degrees(e.x), math.degrees(e.y) * sg, math.degrees(e.z) * sg)


def knee_angle(Ft, Fs):
    rel = Ft.transposed() @ Fs
    return math.degrees(math.atan2(rel[2][1], rel[1][1]))


def thigh_opening(pos, side):
    """Angle of hip->knee out of the midline plane (square to the hip line), as the spec's
    thigh_opening metric measures it; positive = out to the side."""
    other = "right" if side == "left" else "left"
    out = (pos[side + "_hip"] - pos[other + "_hip"]).normalized()
    thigh = (pos[side + "_knee"] - pos[side + "_hip"]).normalized()
    return math.degrees(math.asin(max(-1.0, min(1.0, thigh.dot(out)))))


def trunk_turn_toward_other(pos, side):
    """Shoulder line against hip line about the trunk axis, positive when the chest has turned
    toward the other side than ``side`` (the spec's trunk_twist with toward: other)."""
    mid_sh = (pos["left_shoulder"] + pos["right_shoulder"]) / 2
    mid_hip = (pos["left_hip"] + pos["right_hip"]) / 2
    axis = (mid_sh - mid_hip).normalized()
    across = pos["left_hip"] - pos["right_hip"]
    across = (across - across.dot(axis) * axis).normalized()
    forward = across.cross(axis)
    shoulders = pos["left_shoulder"] - pos["right_shoulder"]
    toward_left = math.degrees(math.atan2(-shoulders.dot(forward), shoulders.dot(across)))
    return -toward_left if side == "left" else toward_left


def rom_for(stretch, side, joints, planted_sides, pos):
    j = joints[side]
    if stretch in ("prone_internal_rotation", "standing_band_rotation"):
        return r2(j["hip_internal_rotation_deg"])
    if stretch in ("supine_knee_drop", "supine_knee_fallout", "supine_hip_rotation"):
        return r2(j["knee_in_deg"]) if side in planted_sides else None
    if stretch in ("seated_butterfly", "clamshell"):
        return r2(-j["knee_in_deg"]) if side in planted_sides else None
    # the bent leg is the working side of the two seated stretches
    if stretch == "seated_cross_ankle_rotation":
        return r2(thigh_opening(pos, side)) if j["knee_flexion_deg"] > 45 else None
    if stretch == "seated_internal_rotation_twist":
        return r2(trunk_turn_toward_other(pos, side)) if j["knee_flexion_deg"] > 45 else None
    return None   # figure_four, reclined_hero, pigeon, band_walk: no ROM in their specs

# ---------------------------------------------------------------- main


def parse_args():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if len(argv) < 2:
        print(__doc__)
        sys.exit(2)
    opts = dict(motion=argv[0], outdir=argv[1], preview=None, engine="workbench", samples=12,
                keep=False, max_frames=None, aa="8")
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--preview":
            opts["preview"] = [float(x) for x in argv[i + 1].split(",")]
            i += 1
        elif a == "--engine":
            opts["engine"] = argv[i + 1]
            i += 1
        elif a == "--samples":
            opts["samples"] = int(argv[i + 1])
            i += 1
        elif a == "--max-frames":
            opts["max_frames"] = int(argv[i + 1])
            i += 1
        elif a == "--aa":
            opts["aa"] = argv[i + 1]
            i += 1
        elif a == "--keep-frames":
            opts["keep"] = True
        i += 1
    return opts


def main():
    opts = parse_args()
    spec = yaml.safe_load(open(opts["motion"]))
    name = spec["clip"]
    outdir = os.path.abspath(opts["outdir"])
    os.makedirs(outdir, exist_ok=True)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    t_start = time.time()
    fig = Figure(spec["body"], spec.get("clothes"))
    motion = Motion(spec)
    posture = motion.posture
    planted_sides = [s for s in SIDES if motion.base[s].get("planted")]
    # neutral pose: ground contact and planted-foot targets
    neutral = motion.at(0.0)
    nb = dict(neutral["body"], pelvis_lift_m=0.0, pelvis_roll_deg=0.0, shoulder_lift_m=0.0)
    nsides = {s: dict(neutral[s], knee_in_deg=0.0) for s in SIDES}
    origin = Vector((0.0, 0.0, 0.0))
    D, pos, frames, Cp = fig.solve(posture, neutral, nsides, nb, origin)
    fig.apply_pose(D)
    ground = spec.get("pelvis_height_m")
    h = -fig.min_z() - 0.006 if ground is None else float(ground)
    pelvis_pos = Vector((0.0, 0.0, h))
    D, pos, frames, Cp = fig.solve(posture, neutral, nsides, nb, pelvis_pos)
    planted = {}
    for s in planted_sides:
        # the knee's direction away from the hip-ankle axis (its bending plane); the part of
        # hip->knee along the axis must not count, or a leg swinging sideways turns its knee in
        kref = pos[s + "_knee"] - pos[s + "_hip"]
        kax = (pos[s + "_ankle"] - pos[s + "_hip"]).normalized()
        kref = kref - kref.dot(kax) * kax
        planted[s] = (pos[s + "_ankle"].copy(), kref, frames[s][2].copy())
    cam, cpos, tgt = build_scene(spec["camera"], spec.get("mat", {}), opts["engine"], opts["samples"],
                                 spec.get("props", ()), spec.get("room"), opts["aa"])
    print("setup %.1fs, pelvis height %.3f" % (time.time() - t_start, h))

    frames_dir = os.path.join(outdir, name + "_frames")
    os.makedirs(frames_dir, exist_ok=True)
    times = opts["preview"] if opts["preview"] else \
        [i / FPS for i in range(int(round(motion.duration * FPS)))]
    if opts["max_frames"]:
        times = times[:opts["max_frames"]]
    sc = bpy.context.scene
    truth_frames = []
    t_render = 0.0
    # Camera, lights and room are fixed for the clip, so a frame whose bone matrices equal the
    # previous frame's (a still hold) is the same picture: Workbench is deterministic, so the
    # previous PNG is copied instead of rendered again (about a quarter of a clip's frames).
    prev_key, prev_png = None, None
    for fi, t in enumerate(times):
        st = motion.at(t)
        sides = {s: st[s] for s in SIDES}
        D, pos, frs, Cp = fig.solve(posture, st, sides, st["body"], pelvis_pos, planted)
        pose_key = tuple(tuple(v for row in D[b] for v in row) for b in sorted(D))
        fig.apply_pose(D)
        joints = {}
        for s in SIDES:
            Ft, Fs, Ff = frs[s]
            fl, ab, ir = hip_angles(Cp, Ft, s)
            jd = {"hip_flexion_deg": r2(fl), "hip_abduction_deg": r2(ab),
                  "hip_internal_rotation_deg": r2(ir),
                  "knee_flexion_deg": r2(knee_angle(Ft, Fs))}
            if s in planted:
                jd["knee_in_deg"] = r2(st[s]["knee_in_deg"])
            shin = (pos[s + "_ankle"] - pos[s + "_knee"]).normalized()
            jd["shin_from_vertical_deg"] = r2(math.degrees(math.acos(max(-1, min(1, abs(shin.z))))))
            joints[s] = jd
        px = {}
        for s in SIDES:
            for jn in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle"):
                v = world_to_camera_view(sc, cam, pos[s + "_" + jn])
                px[s + "_" + jn] = [round(v.x * WIDTH, 1), round((1 - v.y) * HEIGHT, 1)]
        body_out = {k: round(v, 4) + 0.0 for k, v in st["body"].items()}
        truth_frames.append({
            "t_ms": int(round(t * 1000)),
            "joints": joints,
            "body": body_out,
            "rom_deg": {s: rom_for(spec["stretch"], s, joints, planted, pos) for s in SIDES},
            "pelvis_height_m": round(((pos["left_hip"] + pos["right_hip"]) / 2).z, 4),
            "joints_px": px,
        })
        sc.render.filepath = os.path.join(frames_dir, "%05d.png" % fi if not opts["preview"]
                                          else "%s_t%05.2f.png" % (name, t))
        t0 = time.time()
        if pose_key == prev_key and opts["engine"] == "workbench" and not opts["preview"]:
            shutil.copyfile(prev_png, sc.render.filepath)
            note = " (same pose: copied)"
        else:
            bpy.ops.render.render(write_still=True)
            note = ""
        prev_key, prev_png = pose_key, sc.render.filepath
        t_render += time.time() - t0
        print("frame %d/%d t=%.1f %.2fs%s" % (fi + 1, len(times), t, time.time() - t0, note), flush=True)
    spf = t_render / max(1, len(times))
    print("RENDER_STATS frames=%d s_per_frame=%.2f total=%.1fs" % (len(times), spf, time.time() - t_start))
    if opts["preview"]:
        for f in os.listdir(frames_dir):
            shutil.move(os.path.join(frames_dir, f), os.path.join(outdir, f))
        os.rmdir(frames_dir)
        return
    mp4 = os.path.join(outdir, name + ".mp4")
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-framerate", str(FPS), "-i",
                    os.path.join(frames_dir, "%05d.png"), "-c:v", "libx264", "-preset", "slow",
                    "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-threads", "1",
                    mp4], check=True)
    truth = {
        "clip": name,
        "stretch": spec["stretch"],
        "body": body_id(spec["body"]),
        "posture": posture,
        "fps": FPS, "width": WIDTH, "height": HEIGHT,
        "camera": {"view": spec["camera"].get("view"), "position_m": [round(c, 3) for c in cpos],
                   "look_at_m": [round(c, 3) for c in tgt],
                   "lens_mm": cam.data.lens, "sensor_width_mm": cam.data.sensor_width,
                   "azimuth_deg": spec["camera"].get("azimuth_deg"),
                   "height_m": round(cpos.z, 3),
                   "distance_m": spec["camera"].get("distance_m"),
                   "roll_deg": spec["camera"].get("roll_deg", 0.0)},
        "render": {"engine": opts["engine"], "samples": opts["samples"], "aa": opts["aa"],
                   "s_per_frame": round(spf, 2),
                   "motion_file": os.path.relpath(os.path.abspath(opts["motion"]), REPO)},
        "description": spec.get("description", ""),
        "frames": truth_frames,
        "faults": spec.get("faults", []),
        "expected": spec.get("expected", {}),
        **({"near_misses": spec["near_misses"]} if "near_misses" in spec else {}),
        **({"generation": spec["generation"]} if "generation" in spec else {}),
        "conventions": {
            "sides": "subject's anatomical left/right",
            "joints_px": "projected joint centres (hip/knee/ankle/shoulder/elbow/wrist) from the posed skeleton, pixels, origin top-left",
            "hip angles": "thigh relative to pelvis: R = Rx(-flexion) Ry(abduction) Rz(internal rotation), intrinsic",
            "knee_in_deg": "rotation of the leg about its hip-ankle axis, positive = knee moves medially (feet-planted legs only)",
            "shin_from_vertical_deg": "angle between knee->ankle and the world vertical",
        },
    }
    with open(os.path.join(outdir, name + ".truth.json"), "w") as fh:
        json.dump(truth, fh, indent=1)
    if not opts["keep"]:
        shutil.rmtree(frames_dir)
    print("WROTE", mp4)


if __name__ == "__main__":
    main()
