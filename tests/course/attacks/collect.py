"""Class 8: collect. The submissions an instructor downloads are files learners made; each of these is built to
stop or corrupt `dlcourse collect` (and every later grade run): JSON nested past any recursive reader, a zip
bomb, a zip entry whose header lies, names that are not student ids (reserved names, newlines, formulas,
right-to-left overrides, paths out of the folder), a symlink, an oversized notebook. Each must be skipped with
its reason while the rest of the class is collected."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

from .catalogue import Attack, Check

K = "collect"


def _student_version(root: Path) -> bytes:
    return (root / "lessons" / "01-linear-regression" / "01-linear-regression.ipynb").read_bytes()


def _deep(folder: Path, root: Path) -> list[str]:
    (folder / "atk-deep-json.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return ["atk-deep-json.ipynb"]


def _huge(folder: Path, root: Path) -> list[str]:
    data = _student_version(root)
    padding = b" " * (25 * 2**20)
    (folder / "atk-huge-notebook.ipynb").write_bytes(data[:-2] + b', "padding": "' + padding + b'"}\n')
    return ["atk-huge-notebook.ipynb"]


def _symlink(folder: Path, root: Path) -> list[str]:
    os.symlink(root / "solutions" / "01-linear-regression" / "01-linear-regression.ipynb",
               folder / "atk-symlink-notebook.ipynb")
    os.symlink("/etc", folder / "atk-symlink-dir")
    return ["atk-symlink-notebook.ipynb", "atk-symlink-dir"]


def _reserved(folder: Path, root: Path) -> list[str]:
    names = ["template.db.ipynb", "gradebook.ipynb", "work.ipynb", "results.json.ipynb"]
    for name in names:
        (folder / name).write_bytes(_student_version(root))
    return names


def _formula(folder: Path, root: Path) -> list[str]:
    names = ["+1+1.ipynb", "-2+3.ipynb", "@SUM(A1).ipynb", "=1+1.ipynb"]
    for name in names:
        (folder / name).write_bytes(_student_version(root))
    return names


# Zip entries: (name, bytes or a writer) in the class's zip.
def _zip_bomb(zf: zipfile.ZipFile, root: Path) -> list[str]:
    zf.writestr("atk-zip-bomb.ipynb", b"\0" * (15 * 2**20), compress_type=zipfile.ZIP_DEFLATED)
    return ["atk-zip-bomb.ipynb"]


def _zip_lying(zf: zipfile.ZipFile, root: Path) -> list[str]:
    zf.writestr("atk-zip-lying-size.ipynb", _student_version(root) + b" " * (40 * 2**20),
                compress_type=zipfile.ZIP_DEFLATED)
    return ["atk-zip-lying-size.ipynb"]


def _zip_names(zf: zipfile.ZipFile, root: Path) -> list[str]:
    names = ["atk-evil\nname.ipynb", "../../atk-escape.ipynb", "/tmp/atk-absolute.ipynb", "atk-x/../../atk-up.ipynb",
             "atk-\u202eredli.ipynb", "atk-back\\slash.ipynb"]
    for name in names:
        zf.writestr(zipfile.ZipInfo(name), _student_version(root))
    return names


def lie_about_sizes(archive: Path, name: str, claimed: int = 1000) -> None:
    """Rewrite the uncompressed size of one entry in both of its headers (a zip bomb that lies)."""
    data = bytearray(archive.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            n = struct.unpack_from("<H", data, start + name_len_at)[0]
            if bytes(data[start + name_at:start + name_at + n]) == encoded:
                struct.pack_into("<I", data, start + size_at, claimed)
            start += 4
    archive.write_bytes(data)


def _refused(run, attack) -> tuple[bool, str]:
    """Every file of the attack is listed as skipped with a reason, and no student folder was made for it."""
    skipped = run.skipped()
    missing = [n for n in run.written[attack.name] if run.shown(n) not in skipped]
    escaped = [p for p in run.escapes() if p.exists()]
    made = [p.name for p in run.root.joinpath("course", "submitted").iterdir()
            if p.name.startswith(("atk-deep", "atk-huge", "atk-symlink", "atk-zip", "atk-evil", "atk-escape",
                                  "atk-absolute", "atk-up", "atk-\u202e", "atk-back", "template", "gradebook",
                                  "work", "results", "+", "-", "@", "="))]
    if missing or escaped or made:
        return False, f"not refused: {missing}; written outside the course: {escaped}; collected as: {made}"
    reasons = "; ".join(sorted({skipped[run.shown(n)][:60] for n in run.written[attack.name]}))
    return True, f"skipped: {reasons}"


CHECK = Check("refused with a reason, the rest collected", _refused)

ATTACKS = [
    Attack("deep-json", K, "a notebook whose JSON nests 100 000 levels (RecursionError in a recursive reader)",
           collect_only=True, write=_deep, check=CHECK),
    Attack("huge-notebook", K, "a 25 MB notebook", collect_only=True, write=_huge, check=CHECK),
    Attack("symlink-notebook", K, "a symlink to the instructor's solution, and a symlinked folder (/etc)",
           collect_only=True, write=_symlink, check=CHECK),
    Attack("reserved-ids", K, "student ids the grader uses itself: template.db, gradebook, work, results.json",
           collect_only=True, write=_reserved, check=CHECK),
    Attack("formula-ids", K, "student ids that a spreadsheet reads as formulas: +1+1, -2+3, @SUM(A1), =1+1",
           collect_only=True, write=_formula, check=CHECK),
    Attack("zip-bomb", K, "a zip entry that inflates 15 MB of zeros from a few KB", collect_only=True,
           write=_zip_bomb, zipped=True, check=CHECK),
    Attack("zip-lying-size", K, "a zip entry whose headers claim 1000 bytes but inflate to 40 MB",
           collect_only=True, write=_zip_lying, zipped=True, check=CHECK),
    Attack("zip-names", K, "zip entries named with a newline, ../.., an absolute path, a right-to-left "
           "override and a backslash", collect_only=True, write=_zip_names, zipped=True, check=CHECK),
]
