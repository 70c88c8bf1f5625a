"""Checking an evidence pack against its own manifest (used by ``verify_evidence_pack``)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from .pack import MANIFEST


@dataclass
class PackReport:
    """``intact`` when every listed file is present with its SHA-256 and nothing else is in the ZIP."""

    files_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def pack_verify(path: str) -> PackReport:
    """Compare each file in the ZIP at ``path`` with ``manifest.json``: missing, extra and altered files."""
    report = PackReport()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"{path} is not a readable ZIP file ({exc}).")
        return report
    with archive:
        try:
            manifest = json.loads(archive.read(MANIFEST))
            listed = {item["path"]: item["sha256"] for item in manifest["files"]}
        except KeyError:
            report.problems.append(f"{MANIFEST} is missing or does not list the files.")
            return report
        except (ValueError, TypeError, zipfile.BadZipFile):
            report.problems.append(f"{MANIFEST} is not a valid manifest.")
            return report
        present = {name for name in archive.namelist() if name != MANIFEST and not name.endswith("/")}
        for name in sorted(set(listed) - present):
            report.problems.append(f"missing: {name} is in the manifest but not in the pack")
        for name in sorted(present - set(listed)):
            report.problems.append(f"extra: {name} is in the pack but not in the manifest")
        for name in sorted(present & set(listed)):
            report.files_checked += 1
            if _member_sha256(archive, name) != listed[name]:
                report.problems.append(f"altered: {name} does not match its SHA-256 in the manifest")
    return report


def _member_sha256(archive: zipfile.ZipFile, name: str) -> str | None:
    sha = hashlib.sha256()
    try:
        with archive.open(name) as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                sha.update(block)
    except (zipfile.BadZipFile, OSError):
        return None  # a damaged member (bad CRC) counts as altered
    return sha.hexdigest()
