"""Writing a file so that a failure never leaves half of it: written beside it, then renamed over it."""
from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def written_whole(path: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary path beside `path` to write to; once the block ends without an error it
    replaces `path`, else it is removed and `path` is left as it was. A symlink is followed (its
    target is replaced, the link stays); a folder, pipe or device is refused with OSError."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        raise OSError(errno.EEXIST, "it exists and is not a regular file (a folder, pipe or device)", str(path))
    partial = path.with_name(path.name + ".partial")
    try:
        yield partial
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
