"""Where results go: confined folder names, a checked ``--out`` and staged writing.

A scenario's or experiment's ``name`` becomes a folder under ``results/`` when no ``--out`` is
given, so it must be one plain folder name: ``../x`` or an absolute path would write outside
the results root. ``--out`` must be a non-empty path that is not a symbolic-link loop.

``mergesim run`` and ``mergesim plan`` write their files into a hidden sibling folder
(:func:`staged_folder`) and move them into place only when every file is complete, so a failure
half-way (a full disk, a figure that cannot be drawn) leaves the destination as it was, and the
one-line message names the path the user gave, not the hidden folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mergesim.errors import UserError

__all__ = ["MAX_NAME_CHARS", "RESULTS_ROOT", "check_out", "folder_name", "out_dir", "staged_folder"]

#: The folder results go to when no ``--out`` is given.
RESULTS_ROOT = Path("results")
#: Longest name (characters) of a results folder: file systems allow 255 bytes, and a sweep
#: adds ``-smoke`` and staging adds a prefix and a random suffix.
MAX_NAME_CHARS = 120


def folder_name(name: str, *, source: str | None, key: str = "name") -> str:
    """``name`` if it is one plain folder name under the results root.

    Raises:
        UserError: Empty, ``.`` or ``..``, holding a path separator, a control character, or
            longer than :data:`MAX_NAME_CHARS` (one line naming ``source`` and ``key``).
    """
    allowed = (
        f"allowed: one folder name of at most {MAX_NAME_CHARS} characters, without / or \\ "
        f"(results go to {RESULTS_ROOT}/<name>; choose another place with --out)"
    )
    shown = name if name.isprintable() else repr(name)
    if name.strip() in ("", ".", "..") or "/" in name or "\\" in name or os.sep in name:
        raise UserError(
            f"value {shown!r} leaves the results folder; {allowed}", source=source, key=key
        )
    if not name.isprintable() or len(name) > MAX_NAME_CHARS:
        raise UserError(
            f"value {shown!r} is not a usable folder name; {allowed}", source=source, key=key
        )
    return name


def check_out(out: str | os.PathLike[str]) -> Path:
    """A ``--out`` path, checked before any work: non-empty and not a symbolic-link loop.

    Raises:
        UserError: ``--out ''`` (it would write into the working folder) or a path through a
            symbolic-link loop (one line).
    """
    text = os.fspath(out)
    if not text.strip():
        raise UserError("empty path; allowed: a folder path (e.g. results/my_run)", source="--out")
    if "\0" in text:
        raise UserError("path holds a NUL byte; allowed: a folder path", source="--out")
    path = Path(text)
    try:
        path.resolve(strict=False)
        os.stat(path)
    except RuntimeError:  # Path.resolve on a loop (Python 3.12)
        raise _loop(text) from None
    except FileNotFoundError:
        pass  # created later
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _loop(text) from None
        if e.errno == errno.ENAMETOOLONG:
            raise UserError("path too long; allowed: a shorter folder path", source=text) from None
        # Anything else (a path through a file, no permission) is reported when writing.
    if path.exists() and not path.is_dir():
        raise UserError(
            "is not a folder (a file of that name exists); choose another --out", source=text
        )
    return path


def _loop(text: str) -> UserError:
    return UserError(
        "is a symbolic-link loop (Too many levels of symbolic links); choose another --out",
        source=text,
    )


def out_dir(out: str | os.PathLike[str] | None, name: str, *, source: str | None) -> Path:
    """The results folder of a command: ``--out`` checked, or ``results/<name>`` with ``name``
    checked (:func:`folder_name`)."""
    if out is not None:
        return check_out(out)
    return check_out(RESULTS_ROOT / folder_name(name, source=source))


@contextlib.contextmanager
def staged_folder(dest: Path) -> Iterator[Path]:
    """A hidden sibling folder to write into; its files are moved into ``dest`` on success.

    On failure the staging folder is removed and ``dest`` is untouched (not created if it did
    not exist). A write error is re-raised naming ``dest`` (the path the user gave). Files
    already in ``dest`` that the command does not write are kept; files it writes replace their
    old versions one by one (``os.replace``).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name[:60]}.", suffix=".partial"))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; a plain mkdir would not
        _move_into(tmp, dest)
    except OSError as e:
        raise OSError(e.errno, e.strerror, os.fspath(dest)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _move_into(src: Path, dest: Path) -> None:
    if not dest.exists():
        os.replace(src, dest)
        return
    for entry in src.iterdir():
        target = dest / entry.name
        if entry.is_dir() and target.is_dir():
            _move_into(entry, target)
        else:
            os.replace(entry, target)


def _umask() -> int:
    # os.umask can only be read by setting it; restore it at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask
