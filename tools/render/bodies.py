"""The benchmark's adult bodies, blended from MakeHuman's CC0 macrodetail targets.

A MakeHuman body is the base mesh plus a weighted sum of shape targets. The weights follow
from a few slider values, each 0..1 (the blending rules are written out here; the MakeHuman
program's own configuration is not used):

* ``gender``: 0 female .. 1 male (female targets weigh 1 - g, male targets g);
* ``age``: 0.5 young adult (25) .. 1.0 old (90); young weighs 1 - 2 (a - 0.5), old 2 (a - 0.5);
* ``muscle``, ``weight``: 0.5 average; below it the ``min`` targets, above it the ``max``
  targets take over linearly (at 0 or 1 only the extreme target counts);
* ``height``: 0.5 average (no target); below it ``minheight``, above it ``maxheight``;
* ``proportions``: 0.5 neither; above it ``idealproportions``, below it ``uncommonproportions``;
* ``african``, ``asian``, ``caucasian``: ethnic mix, normalised to sum 1.

The ``universal`` targets carry gender x age x muscle x weight, the ethnic ones
ethnicity x gender x age, the ``height`` and ``proportions`` ones also muscle x weight.

Plain Python (no Blender), so the generator can write the blended target list into a motion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MACRO = "macrodetails"


@dataclass(frozen=True)
class Body:
    id: str
    split: str  # dev | test: a body is in one split only
    gender: float
    age: float
    muscle: float
    weight: float
    height: float
    proportions: float
    african: float
    asian: float
    caucasian: float

    @property
    def sex(self) -> str:
        return "male" if self.gender >= 0.5 else "female"

    def describe(self) -> str:
        years = 25 + (self.age - 0.5) * 2 * 65
        eth = max(("african", "asian", "caucasian"), key=lambda e: getattr(self, e))
        return (
            f"{self.sex}, about {years:.0f} years, {eth}-looking mix, muscle {self.muscle:.2f}, "
            f"weight {self.weight:.2f}, height {self.height:.2f}, proportions {self.proportions:.2f}"
        )


# 16 adult bodies spread over sex, age (25-70), ethnicity, weight, muscle, height and
# proportions. The test split holds 5 of them (chosen to span the same range as dev).
BODIES: tuple[Body, ...] = (
    #    id     split  gender age  muscle weight height prop  afr  asi  cau
    Body("b01", "dev", 1.0, 0.50, 0.50, 0.50, 0.55, 0.8, 0.0, 0.0, 1.0),
    Body("b02", "dev", 0.0, 0.50, 0.50, 0.45, 0.45, 0.7, 0.0, 0.0, 1.0),
    Body("b03", "dev", 1.0, 0.60, 0.75, 0.60, 0.75, 0.6, 1.0, 0.0, 0.0),
    Body("b04", "dev", 0.0, 0.55, 0.35, 0.80, 0.30, 0.4, 0.0, 1.0, 0.0),
    Body("b05", "dev", 1.0, 0.80, 0.35, 0.85, 0.40, 0.3, 0.0, 0.2, 0.8),
    Body("b06", "dev", 0.0, 0.75, 0.50, 0.65, 0.60, 0.5, 0.7, 0.0, 0.3),
    Body("b07", "dev", 0.9, 0.50, 0.90, 0.30, 0.85, 0.9, 0.3, 0.3, 0.4),
    Body("b08", "dev", 0.1, 0.50, 0.60, 0.20, 0.65, 0.8, 0.0, 0.5, 0.5),
    Body("b09", "dev", 1.0, 0.65, 0.45, 0.95, 0.20, 0.5, 0.0, 1.0, 0.0),
    Body("b10", "dev", 0.0, 0.85, 0.30, 0.35, 0.25, 0.4, 1.0, 0.0, 0.0),
    Body("b11", "dev", 0.7, 0.55, 0.55, 0.55, 0.50, 0.6, 0.5, 0.0, 0.5),
    Body("b12", "test", 1.0, 0.55, 0.60, 0.75, 0.65, 0.6, 0.0, 0.0, 1.0),
    Body("b13", "test", 0.0, 0.60, 0.40, 0.90, 0.40, 0.5, 1.0, 0.0, 0.0),
    Body("b14", "test", 1.0, 0.75, 0.30, 0.40, 0.30, 0.4, 0.0, 1.0, 0.0),
    Body("b15", "test", 0.0, 0.50, 0.70, 0.30, 0.80, 0.8, 0.2, 0.3, 0.5),
    Body("b16", "test", 0.8, 0.85, 0.50, 0.60, 0.55, 0.3, 0.4, 0.2, 0.4),
)

#: A second test set (session 10): five more bodies, none like a dev body, rendered after the
#: first test split had been used for a decision (benchmarks/README.md: "If test figures are
#: used to choose between versions, they stop being a test: ... render new test bodies").
#: Their clips are numbered from ``generate.SECOND_TEST_FROM`` so the first plan stays as it was.
SECOND_TEST: tuple[Body, ...] = (
    #    id     split  gender age  muscle weight height prop  afr  asi  cau
    Body("b17", "test", 1.0, 0.52, 0.65, 0.55, 0.92, 0.7, 0.6, 0.0, 0.4),
    Body("b18", "test", 0.0, 0.70, 0.30, 0.72, 0.15, 0.4, 0.0, 0.7, 0.3),
    Body("b19", "test", 1.0, 0.90, 0.40, 0.68, 0.45, 0.5, 0.2, 0.2, 0.6),
    Body("b20", "test", 0.0, 0.52, 0.70, 0.22, 0.72, 0.9, 0.8, 0.0, 0.2),
    Body("b21", "test", 0.5, 0.62, 0.50, 0.97, 0.55, 0.6, 0.1, 0.4, 0.5),
)

#: A second dev set (session 11): four bodies at the extremes the eleven dev bodies lack (a tall
#: slim woman; a short, very heavy, old man with uncommon proportions; a heavy, muscular body
#: between the sexes; a very tall, lean, very muscular young man), so that a line tuned on dev
#: can be checked on bodies it was not tuned on without looking at test. Their clips are
#: numbered from ``generate.SECOND_DEV_FROM``.
SECOND_DEV: tuple[Body, ...] = (
    #    id     split  gender age  muscle weight height prop  afr  asi  cau
    Body("b22", "dev", 0.0, 0.55, 0.25, 0.12, 0.95, 0.9, 0.4, 0.0, 0.6),
    Body("b23", "dev", 1.0, 0.95, 0.20, 1.00, 0.12, 0.2, 0.0, 0.5, 0.5),
    Body("b24", "dev", 0.35, 0.75, 0.85, 0.85, 0.55, 0.15, 0.8, 0.0, 0.2),
    Body("b25", "dev", 1.0, 0.50, 0.98, 0.10, 0.98, 1.0, 0.0, 0.3, 0.7),
)
ALL_BODIES: tuple[Body, ...] = BODIES + SECOND_TEST + SECOND_DEV
BY_ID = {b.id: b for b in ALL_BODIES}


def _pair(value: float, low: str, mid: str | None, high: str) -> list[tuple[str, float]]:
    """Weights of the low / mid / high targets for a slider value with 0.5 as the middle."""
    if value < 0.5:
        w = (0.5 - value) / 0.5
        out = [(low, w), (mid, 1.0 - w)]
    else:
        w = (value - 0.5) / 0.5
        out = [(high, w), (mid, 1.0 - w)]
    return [(name, w) for name, w in out if name is not None and w > 1e-6]


def targets(body: Body) -> list[tuple[str, float]]:
    """(file under the makehuman assets folder, weight) for every target the body uses."""
    genders = [(g, w) for g, w in (("female", 1 - body.gender), ("male", body.gender)) if w > 0]
    young = 1.0 - (body.age - 0.5) / 0.5
    ages = [(a, w) for a, w in (("young", young), ("old", 1.0 - young)) if w > 1e-6]
    muscles = _pair(body.muscle, "minmuscle", "averagemuscle", "maxmuscle")
    weights = _pair(body.weight, "minweight", "averageweight", "maxweight")
    total_eth = body.african + body.asian + body.caucasian
    eths = [
        (e, getattr(body, e) / total_eth)
        for e in ("african", "asian", "caucasian")
        if getattr(body, e) > 0
    ]
    heights = _pair(body.height, "minheight", None, "maxheight")
    props = _pair(body.proportions, "uncommonproportions", None, "idealproportions")
    out: dict[str, float] = {}

    def add(name: str, w: float) -> None:
        out[name] = out.get(name, 0.0) + w

    for g, wg in genders:
        for a, wa in ages:
            for e, we in eths:
                add(f"{MACRO}/{e}-{g}-{a}.target.gz", wg * wa * we)
            for m, wm in muscles:
                for wt, ww in weights:
                    base = wg * wa * wm * ww
                    add(f"{MACRO}/universal-{g}-{a}-{m}-{wt}.target.gz", base)
                    for h, wh in heights:
                        add(f"{MACRO}/height/{g}-{a}-{m}-{wt}-{h}.target.gz", base * wh)
                    for p, wp in props:
                        add(f"{MACRO}/proportions/{g}-{a}-{m}-{wt}-{p}.target.gz", base * wp)
    return [(name, round(w, 5)) for name, w in sorted(out.items()) if w > 1e-4]


def motion_body(body: Body) -> dict:
    """The ``body`` entry of a motion YAML for ``render_clip.py``."""
    return {
        "id": body.id,
        "sex": body.sex,
        "sliders": {k: v for k, v in asdict(body).items() if k not in ("id", "split")},
        "targets": [[name, w] for name, w in targets(body)],
    }
