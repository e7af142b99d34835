"""Which data files the frozen app needs, and where: read from pyproject.toml, so the wheel and the
PyInstaller bundle ship the same files (build.spec imports this; tests/test_packaging.py checks it).

models/ and resources/ are installed as the packages digitdesk.models and digitdesk.resources
([tool.setuptools.package-dir]). PyInstaller cannot follow that renaming, so each file goes to the
folder its package name implies (digitdesk/models, digitdesk/resources), with the package's
__init__.py: importlib.resources (digitdesk.paths) then finds them inside the bundle, never in the
working directory.
"""
from __future__ import annotations

import tomllib
from pathlib import Path


def renamed_packages(root: Path) -> dict[str, Path]:
    """Packages whose folder is not named after them: {'digitdesk.models': root/'models', ...}."""
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    return {name: root / folder for name, folder in setuptools.get("package-dir", {}).items()
            if Path(folder) != Path(*name.split("."))}


def package_datas(root: Path) -> list[tuple[str, str]]:
    """(source file, destination folder in the bundle) for every data file of the renamed packages."""
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    pairs = []
    for name, folder in renamed_packages(root).items():
        patterns = ["__init__.py", *setuptools.get("package-data", {}).get(name, [])]
        files = sorted({p for pattern in patterns for p in folder.glob(pattern) if p.is_file()})
        target = Path(*name.split("."))
        pairs += [(str(p), (target / p.relative_to(folder).parent).as_posix()) for p in files]
    return pairs
