"""Property: whatever text a spec file holds, loading it gives a spec or a SpecError naming the
file and a line; never another exception, never a spec holding a non-finite number."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.errors import SpecError
from posecheck.specs.schema import SPEC_DIR, StretchSpec, parse_spec

GOOD_LINES = (SPEC_DIR / "prone_internal_rotation.yaml").read_text().splitlines()
SOURCE = "fuzz.yaml"

#: Values that broke loaders before, plus YAML's odd corners.
NASTY = [
    "!!int x", "!!float x", "!!bool x", "!!timestamp x", "!!binary ?", "!!set {a}",
    "!!python/object/apply:os.system ['true']", ".nan", ".inf", "-.inf", "1e999", "1.0e999",
    "9" * 5000, "~", "[]", "{}", "[[[[[[]]]]]]", "&a [*a]", "*nope", "<<: *a", "'x", '"\\x"',
    "\t1", "- 1", "? a", "yes", "0x1F", "0o17", "12:30:00", "2001-12-14", "-0", "1_000",
    "[" * 200 + "]" * 200, "{a: 1, a: 2}", "|\n  text", ">-", "%YAML 1.1", "---", "...",
]  # fmt: skip

values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=20),
)


@st.composite
def mutated_spec(draw: st.DrawFn) -> str:
    """The good spec with a few lines changed: a value replaced, a line repeated, removed, or
    re-indented."""
    lines = list(GOOD_LINES)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "repeat", "delete", "indent", "insert"]))
        key, sep, _ = lines[i].partition(":")
        if action == "value" and sep:
            lines[i] = f"{key}: {draw(values)}"
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        else:
            lines.insert(i, draw(values))
    return "\n".join(lines) + "\n"


def check(text: str) -> None:
    try:
        spec = parse_spec(text, SOURCE)
    except SpecError as exc:
        for line in str(exc).splitlines():
            assert line.startswith(f"{SOURCE}: "), line
            assert " line " in line or "line 1:" in line, line
        return
    assert isinstance(spec, StretchSpec)
    dumped = json.dumps(spec.model_dump(mode="json"), allow_nan=False)  # no NaN/Infinity
    assert all(math.isfinite(v) for v in _numbers(json.loads(dumped)))


def _numbers(value: object):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield float(value)


FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI stays reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(mutated_spec())
def test_a_mutated_spec_loads_or_fails_with_a_spec_error(text: str) -> None:
    check(text)


@FUZZ
@given(st.text(max_size=200))
def test_any_text_loads_or_fails_with_a_spec_error(text: str) -> None:
    check(text)
