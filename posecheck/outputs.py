"""Output files that never destroy a recording and are never left half written.

Before any work, :func:`check_outputs` refuses an output that is an input (or another output),
a folder, a device, a name too long for the disk or a place that cannot be written, with a
message naming the path and what to do. While writing, :func:`atomic_path` gives a temporary
file beside the target and renames it into place only when the writing succeeded, so an
interrupted, failed or concurrent run leaves either the old file or a whole new one.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from posecheck.errors import OutputError

_PART = ".part"


def describe_os_error(path: str | Path, exc: OSError) -> str:
    """A one-line message for an ``OSError`` while writing ``path``: what and what to do."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        what = "the disk is full (or the file is too large for it); free some space or write "
        what += "to another disk"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = "no permission to write there; choose a folder you can write to"
    elif code == errno.ENAMETOOLONG:
        what = "the file name is too long for this disk; use a shorter name"
    elif code == errno.ENOTDIR:
        what = "part of the path is a file, not a folder; check the path"
    elif code == errno.ENOENT:
        what = "no file can be created there; check the path and choose a normal folder"
    elif code == errno.EISDIR:
        what = "that is a folder; give a file name inside it"
    else:
        what = f"it could not be written ({exc.strerror or exc}); check the path and the disk"
    return f"{path}: {what}."


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _temp_name(target: Path) -> Path:
    """A fresh hidden name beside ``target`` that keeps its suffix (muxers go by it)."""
    stem = target.stem[:60]
    return target.with_name(f".{stem}.{secrets.token_hex(4)}{_PART}{target.suffix}")


class AtomicFile:
    """A new, empty temporary file beside ``path`` (``.tmp``; missing folders are made) that
    :meth:`commit` moves onto ``path`` in one step and :meth:`discard` removes. A symlinked
    ``path`` keeps its link: the file it points to is replaced."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._target = self.path.resolve()
        self.tmp = _temp_name(self._target)
        try:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except OSError as exc:
            raise OutputError(describe_os_error(path, exc)) from None

    def commit(self) -> None:
        try:
            os.replace(self.tmp, self._target)
        except OSError as exc:
            self.discard()
            raise OutputError(describe_os_error(self.path, exc)) from None

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary file beside ``path`` to write; on success it replaces ``path``, on
    any failure or interruption it is removed. An ``OSError`` becomes an :class:`OutputError`
    naming ``path`` and what to do."""
    atomic = AtomicFile(path)
    try:
        yield atomic.tmp
    except OSError as exc:
        atomic.discard()
        raise OutputError(describe_os_error(path, exc)) from None
    except BaseException:
        atomic.discard()
        raise
    atomic.commit()


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_path`."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    return Path(path)


def _same_file(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: str | Path, option: str, suffixes: tuple[str, ...] = ()) -> Path:
    """Refuse an output ``path`` that cannot be written, before any work is done.

    ``option`` names it in messages (e.g. ``--report``); ``suffixes`` are the allowed ones.
    Creates missing parent folders. Returns the path resolved (symlinks followed).
    """
    p = Path(path)
    if suffixes and p.suffix.lower() not in suffixes:
        example = f"{p.stem or 'out'}{suffixes[0]}"
        raise OutputError(
            f"{option} {path}: the file name needs the suffix {suffixes[0]} (e.g. {example})."
        )
    try:
        if len(os.fsencode(p.name)) > _name_max(p.parent if p.parent.is_dir() else Path(".")):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
        if p.is_dir():
            raise OutputError(f"{option} {path}: that is a folder; give a file name inside it.")
        if p.exists() and not p.is_file():
            raise OutputError(
                f"{option} {path}: that is not a regular file (a device or pipe); give a file name."
            )
        if any(parent.exists() and not parent.is_dir() for parent in p.parents):
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        p.parent.mkdir(parents=True, exist_ok=True)
        real = p.resolve()
        probe = _temp_name(real)
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{option} {describe_os_error(path, exc)}") from None
    return real


def check_outputs(
    inputs: Mapping[str, str | Path | None],
    outputs: Mapping[str, tuple[str | Path | None, tuple[str, ...]]],
) -> dict[str, Path]:
    """Check every output before the work: writable, not an input, not another output.

    ``inputs`` maps a description ("the input video") to a path; ``outputs`` maps an option
    ("--report") to (path or None, allowed suffixes). Returns the resolved output paths.
    """
    sources = {what: Path(p).resolve() for what, p in inputs.items() if p is not None}
    checked: dict[str, Path] = {}
    for option, (path, suffixes) in outputs.items():
        if path is None:
            continue
        real = check_output(path, option, suffixes)
        for what, src in sources.items():
            if _same_file(real, src):
                raise OutputError(
                    f"{option} {path}: that is {what}; writing it would destroy it. "
                    "Choose another file name."
                )
        for other, done in checked.items():
            if _same_file(real, done):
                raise OutputError(
                    f"{option} {path}: {other} writes the same file; give each its own name."
                )
        checked[option] = real
    return checked
