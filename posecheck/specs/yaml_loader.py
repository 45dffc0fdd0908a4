"""Reading spec YAML so that every problem has a line: a strict safe loader and the helpers
that turn a YAML node path or mark into a line and a field name for the error message.

PyYAML's safe loader lets some problems escape as Python exceptions (``!!int x`` is a
``ValueError``, deep nesting a ``RecursionError``) and accepts what a spec must not hold
(duplicate keys, ``.nan``, ``.inf``); :class:`SpecLoader` turns each into a YAML error at its
line, and :func:`yaml_error` into a :class:`SpecError` naming the file, the field and the line.
"""

from __future__ import annotations

import math

import yaml

from posecheck.errors import SpecError


def yaml_line(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (closest known parent).

    Location parts that are not in the file (pydantic's union tags such as the metric name)
    are skipped: they do not move the position.
    """
    node, line = root, None
    for key in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    node, line = v, k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
    if node is not None and not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        line = node.start_mark.line + 1
    return line


def format_loc(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key in ("function-after", "function-wrap") or "[" in str(key):
            continue  # pydantic's internal tags (discriminated unions, validators)
        else:
            parts.append(("." if parts else "") + str(key))
    return "".join(parts) or "(top level)"


#: Deeper YAML than this is not a spec (and would exhaust Python's recursion limit).
MAX_DEPTH = 50


_TAG_WORDS = {"int": "whole number", "float": "number", "bool": "true/false", "timestamp": "date"}


def _shown(value: object, limit: int = 24) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


class SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the checks a spec file needs: a duplicate key, a number that
    is not finite (``.nan``, ``.inf``), nesting deeper than :data:`MAX_DEPTH` and a value its
    tag cannot make (``!!int x``) are YAML errors at their line, never Python exceptions."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._checked: set[int] = set()

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            tag = node.tag.rsplit(":", 1)[-1]
            kind = _TAG_WORDS.get(tag, f"'{tag}' value")
            raise yaml.constructor.ConstructorError(
                None, None, f"{_shown(node.value)} is not a valid {kind}", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if id(node) not in self._checked:  # before merge keys (<<) are flattened in
            self._checked.add(id(node))
            first: dict[object, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                if key_node.value in first:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"'{key_node.value}' is given twice (first on line "
                        f"{first[key_node.value]}); keep one",
                        key_node.start_mark,
                    )
                first[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{_shown(node.value)} is not a finite number", node.start_mark
            )
        return value


SpecLoader.add_constructor("tag:yaml.org,2002:float", SpecLoader.construct_yaml_float)


def compose(text: str) -> tuple[yaml.Node | None, object]:
    """The YAML node tree (for line numbers) and the data it holds."""
    loader = SpecLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def loc_at(root: yaml.Node | None, mark: yaml.Mark | None) -> tuple[int | str, ...] | None:
    """The field path of the node that starts at ``mark`` (a key names its own field)."""
    if root is None or mark is None:
        return None
    stack: list[tuple[yaml.Node, tuple[int | str, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.start_mark.index == mark.index and loc:
            return loc
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else "?"
                if k.start_mark.index == mark.index:
                    return (*loc, key)
                stack.append((v, (*loc, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*loc, i)) for i, v in enumerate(node.value))
    return None


def yaml_error(text: str, source: str, exc: yaml.YAMLError) -> SpecError:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark else "unknown line"
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: no mark, a position
        where = f"line {text[: exc.position].count(chr(10)) + 1}"
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        problem = f"the character {char!r} is not allowed in YAML; remove it"
    loc = None
    if isinstance(exc, yaml.constructor.ConstructorError):
        try:
            loc = loc_at(yaml.compose(text, Loader=SpecLoader), mark)
        except yaml.YAMLError:
            loc = None
    elif mark is not None and "nested" in problem:  # too deep to compose: its top-level field
        keys = [ln.split(":")[0] for ln in text.splitlines()[: mark.line + 1] if ln[:1].isalpha()]
        loc = tuple(keys[-1:])
    if loc:
        return SpecError(f"{source}: {where}: field '{format_loc(loc)}': {problem}")
    return SpecError(f"{source}: {where}: not valid YAML: {problem}")
