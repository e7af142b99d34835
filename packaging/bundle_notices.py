"""What goes beside the bundle's executable, for whoever receives the folder: a README.txt saying what it
is and how to run it, the licences of everything bundled (licenses/), and on Linux the menu-entry
installer. Called by build.spec once the folder is collected.
"""
from __future__ import annotations

import re
import shutil
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

LICENSE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.IGNORECASE)
# The standard texts of licences some wheels name without shipping (Qt's LGPL-3.0, flatbuffers'
# Apache-2.0), kept in the repository so every system's bundle carries them
STANDARD_TEXTS = Path(__file__).resolve().parent / "licenses"
TEXTS_FOR = {"LGPL-3.0": ("LGPL-3.0.txt", "GPL-3.0.txt"),   # the LGPL-3.0 is the GPL-3.0 plus its exceptions
             "Apache": ("Apache-2.0.txt",)}

README = """DigitDesk {version}: reads handwritten digits (draw them, drop scans and photos, or hold paper up
to a webcam).

{commands}
{extra}
Nothing is written inside this folder. Settings and the drawing left on the Draw tab live in the
system's settings folder, your handwriting samples in its app-data folder (DigitDesk/DigitDesk in
each; the project's README has the paths for each system).

Model trained on MNIST and on UNIPEN pen data (CC BY 4.0: I. Guyon, L. Schomaker, R. Plamondon,
M. Liberman and S. Janet, "UNIPEN project of on-line data exchange and recognizer benchmarks",
ICPR 1994; Unipen Consortium 1999, doi 10.5281/zenodo.1195803).
The licences of the software bundled here: licenses/THIRD-PARTY.txt.
"""
LINUX_EXTRA = (f"  {'sh install-desktop-entry.sh':<32} add DigitDesk to your application menu (again after\n"
               f"  {'':<32} moving this folder; --uninstall removes it)\n")


def runtime_distributions(root: str = "digitdesk") -> list[metadata.Distribution]:
    """The installed distributions DigitDesk needs at run time (its requirements and theirs, no extras)."""
    found: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in found:
            continue
        found[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return [dist for key, dist in sorted(found.items()) if key != root]


def _licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression") or ""
    if not expression and len(meta.get("License") or "") < 100:   # some put the whole text there
        expression = meta.get("License") or ""
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return expression or ", ".join(classifiers) or "see its files below"


def write_licences(folder: Path) -> None:
    """licenses/THIRD-PARTY.txt (name, version, licence of each) and each one's own licence files."""
    target = folder / "licenses"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    lines = ["The software bundled with DigitDesk, and its licences.", ""]
    python_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / \
        "LICENSE.txt"
    if not python_licence.is_file():
        python_licence = Path(sys.base_prefix) / "LICENSE.txt"   # Windows
    if python_licence.is_file():
        shutil.copy(python_licence, target / "Python-LICENSE.txt")
    where = "Python-LICENSE.txt" if python_licence.is_file() else "text: https://docs.python.org/3/license.html"
    lines.append(f"Python {sys.version.split()[0]}: PSF-2.0 ({where})")
    for dist in runtime_distributions():
        name, version = dist.metadata["Name"], dist.version
        copied = []
        for file in dist.files or []:
            if LICENSE_FILE.search(str(file)):
                source = Path(dist.locate_file(file))
                if source.is_file():   # kept where it was: numpy alone has a dozen LICENSE.txt
                    destination = target / name / Path(str(file))
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(source, destination)
                    copied.append(destination)
        licence = _licence_of(dist)
        texts = next((files for key, files in TEXTS_FOR.items() if key in licence), ()) if not copied else ()
        for text in texts:
            (target / name).mkdir(exist_ok=True)
            shutil.copy(STANDARD_TEXTS / text, target / name / text)
            copied.append(target / name / text)
        where = f" (in {name}/)" if copied else " (text: https://spdx.org/licenses/)"
        lines.append(f"{name} {version}: {licence}{where}")
    (target / "THIRD-PARTY.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_notices(folder: Path, root: Path, version: str, app: str, cli: str) -> None:
    """README.txt, licenses/ and (Linux) the menu-entry installer beside the executable in `folder`.
    `app` opens the window; `cli` is the one that prints (Windows: the console twin)."""
    linux = sys.platform.startswith("linux")
    folder.mkdir(parents=True, exist_ok=True)
    commands = "\n".join(f"  {command:<32} {what}" for command, what in (
        (app, "open the app (or double-click it)"),
        (f"{cli} --selftest", "read the built-in sample digits: one JSON line, exit status 0 = all right"),
        (f"{cli} predict FILES...", f"the command line; {cli} --help says more")))
    (folder / "README.txt").write_text(README.format(version=version, commands=commands,
                                                     extra=LINUX_EXTRA if linux else ""), encoding="utf-8")
    write_licences(folder)
    if linux:
        for name in ("install-desktop-entry.sh", "digitdesk.desktop"):
            shutil.copy(root / "packaging" / "linux" / name, folder / name)
