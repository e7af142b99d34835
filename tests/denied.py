"""A folder nobody may look into, whoever runs the tests (root ignores chmod 000)."""
import os
from pathlib import Path


def deny(monkeypatch, locked: Path) -> None:
    """Listing `locked`, and looking at any path inside it, raise PermissionError from now on."""
    real_scandir, real_stat = os.scandir, os.stat

    def denied(path):
        return PermissionError(13, "Permission denied", str(path))

    def scandir(path="."):
        if Path(os.fsdecode(path)) == locked:
            raise denied(path)
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and Path(os.fsdecode(path)).parent == locked:
            raise denied(path)
        return real_stat(path, *args, **kwargs)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
