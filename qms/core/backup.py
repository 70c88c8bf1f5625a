"""Backup and restore: one archive holding the database (as ``dumpdata`` JSON), the uploaded files and a
manifest with every file's SHA-256, so a fresh instance can be brought to exactly the same state.

The archive (``.tar.gz``)::

    manifest.json    format, created_at, app version, database vendor, applied migrations per app,
                     row count per model, and {path: {sha256, size}} for every other member
    database.json    ``dumpdata --all`` of every app (contenttypes, auth, audit included), no natural keys,
                     times to the microsecond (the audit chain's hashes cover them)
    media/...        the MEDIA_ROOT tree

The dump is taken in one transaction: REPEATABLE READ on PostgreSQL (one snapshot while the site keeps
running); on SQLite the project's IMMEDIATE transactions hold writers off until the dump is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers import json as django_json
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "qms-backup/1"
MANIFEST_NAME = "manifest.json"
DATABASE_NAME = "database.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
# Not data: Celery beat's "the schedule changed" marker, which beat's own signals set again while the
# restored schedule rows load (telling a running beat to reload them, as it should).
NOT_BACKED_UP = frozenset({"django_celery_beat.periodictasks"})
DUMP_FORMAT = "qms-backup-json"


class FullPrecisionEncoder(django_json.DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; the audit chain's hashes cover microseconds."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    """Django's JSON fixture format (``loaddata`` reads it as ``.json``), times kept to the microsecond."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = FullPrecisionEncoder


Deserializer = django_json.Deserializer
serializers.register_serializer(DUMP_FORMAT, __name__)


class BackupError(Exception):
    """The archive cannot be written, or cannot (or may not) be restored; the message says why."""


@dataclass
class RestoreReport:
    rows: int
    models: int
    files: int
    chain_intact: bool
    chain_message: str
    warnings: list[str] = field(default_factory=list)


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qms-portal")
    except PackageNotFoundError:
        import tomllib

        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh)["project"]["version"]


def dumped_models(using: str = DEFAULT_DB_ALIAS) -> list[type]:
    """The models the archive holds (concrete, managed tables, less ``NOT_BACKED_UP``), in a stable order."""
    tables = set(connections[using].introspection.table_names())
    return sorted(
        (
            model
            for model in apps.get_models()
            if model._meta.managed
            and not model._meta.proxy
            and not model._meta.swapped
            and model._meta.db_table in tables
            and model._meta.label_lower not in NOT_BACKED_UP
        ),
        key=lambda model: model._meta.label_lower,
    )


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.using(using).count() for model in dumped_models(using)}


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def _copy_hashing(source, target_path: Path) -> dict:
    """Copy an open binary file to ``target_path``; return its SHA-256 and size as copied."""
    sha, size = hashlib.sha256(), 0
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with open(target_path, "wb") as out:
        while block := source.read(CHUNK):
            sha.update(block)
            size += len(block)
            out.write(block)
    return {"sha256": sha.hexdigest(), "size": size}


def _hash_file(path: Path) -> dict:
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            sha.update(block)
            size += len(block)
    return {"sha256": sha.hexdigest(), "size": size}


def default_backup_path() -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"qms-backup-{stamp}.tar.gz"


def _dump_database(target: Path, using: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Dump every row, count rows and read the migration state, all from one snapshot."""
    connection = connections[using]
    connection.ensure_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            # Must be the transaction's first statement: everything below then reads one snapshot.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        migrations = applied_migrations(using)
        counts = row_counts(using)
        call_command(
            "dumpdata",
            all=True,
            format=DUMP_FORMAT,
            exclude=sorted(NOT_BACKED_UP),
            database=using,
            output=str(target),
            verbosity=0,
        )
    return counts, migrations


def backup_create(*, output: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> Path:
    """Write one archive (database dump, uploaded files, manifest with hashes) and return its path.

    The archive appears under its final name only once complete.
    """
    output = Path(output) if output else default_backup_path()
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as staging_name:
        staging = Path(staging_name)
        created_at = timezone.now()
        counts, migrations = _dump_database(staging / DATABASE_NAME, using)
        files = {DATABASE_NAME: _hash_file(staging / DATABASE_NAME)}
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink()):
                relative = path.relative_to(media_root).as_posix()
                # Copied while hashed: a file changed later cannot make the archive disagree with its manifest.
                with open(path, "rb") as source:
                    files[MEDIA_PREFIX + relative] = _copy_hashing(source, staging / "media" / relative)
        manifest = {
            "format": FORMAT,
            "created_at": created_at.isoformat(),
            "app_version": app_version(),
            "database_vendor": connections[using].vendor,
            "migrations": migrations,
            "row_counts": counts,
            "files": files,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        partial = staging / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(staging / MANIFEST_NAME, arcname=MANIFEST_NAME)
            for name in files:
                tar.add(staging / name, arcname=name)
        partial.replace(output)
    return output


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.getmember(MANIFEST_NAME)
            handle = tar.extractfile(member)
            manifest = json.load(handle)
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup of this format (expected {FORMAT}).")
    return manifest


def _unpack_verified(archive: Path, target: Path) -> dict:
    """Unpack into ``target`` and check every file against the manifest; refuse anything that differs."""
    manifest = read_manifest(archive)
    expected = manifest["files"]
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"The archive holds “{member.name}”, which is not a plain file; refused.")
            # The "data" filter refuses absolute paths and paths leaving the target folder.
            tar.extractall(target, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"The archive cannot be unpacked ({exc}).") from exc
    found = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} - {MANIFEST_NAME}
    if extra := sorted(found - set(expected)):
        raise BackupError(f"The archive holds files its manifest does not list: {', '.join(extra[:5])}; refused.")
    if missing := sorted(set(expected) - found):
        raise BackupError(f"The archive lacks files its manifest lists: {', '.join(missing[:5])}; refused.")
    for name, want in expected.items():
        if _hash_file(target / name) != want:
            raise BackupError(f"{name} does not match the hash in the manifest: the archive was altered; refused.")
    return manifest


def _holds_data(using: str) -> str:
    """Why the target cannot be restored into without ``--force`` ("" when it is a fresh instance)."""
    users = get_user_model()._base_manager.using(using).count()
    if users:
        return f"the database already holds {users} user account(s)"
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        return f"{media_root} already holds uploaded files"
    return ""


def _check_migrations(manifest: dict, using: str) -> None:
    current = applied_migrations(using)
    archived = manifest["migrations"]
    differing = sorted(app for app in set(current) | set(archived) if current.get(app) != archived.get(app))
    if differing:

        def latest(state: dict, app: str) -> str:
            return (state.get(app) or ["none"])[-1]

        details = "; ".join(
            f"{app}: archive at {latest(archived, app)}, here at {latest(current, app)}" for app in differing[:5]
        )
        raise BackupError(
            "The archive was taken at another migration state than this database "
            f"({details}). Restore with the code version the backup was taken with "
            f"({manifest.get('app_version', 'unknown')}), migrated to the same state."
        )


def _reset_sequences(using: str) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), dumped_models(using))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _replace_media(source: Path) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    count = 0
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            target = media_root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            count += 1
    return count


def backup_restore(
    *,
    archive: Path,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] = lambda message: None,
) -> RestoreReport:
    """Bring this instance to the archive's state: database rows, sequences and uploaded files.

    Refuses a tampered archive, one taken at another migration state, and (without ``force``) a target
    that already holds data. The database part is one transaction: a failure leaves it as it was.
    Ends by verifying the audit trail's hash chain (without recording the check, so the restored
    database is exactly the archived one).
    """
    from qms.audit.context import loading_archived_rows
    from qms.audit.services import audit_chain_verify

    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist.")
    with tempfile.TemporaryDirectory(prefix="qms-restore-") as staging_name:
        staging = Path(staging_name)
        manifest = _unpack_verified(archive, staging)
        progress(f"Archive verified: {len(manifest['files'])} files match the manifest.")
        _check_migrations(manifest, using)
        reason = _holds_data(using)
        if reason and not force:
            raise BackupError(f"Refusing to restore: {reason}. Use --force to replace everything in it.")
        warnings = []
        vendor = connections[using].vendor
        if manifest.get("database_vendor") != vendor:
            warnings.append(f"The archive was taken on {manifest.get('database_vendor')}; restoring into {vendor}.")
        with transaction.atomic(using=using), loading_archived_rows():
            # No post_migrate: it would recreate groups and permissions the archive brings with their own keys.
            call_command("flush", interactive=False, inhibit_post_migrate=True, database=using, verbosity=0)
            call_command("loaddata", str(staging / DATABASE_NAME), database=using, verbosity=0)
            _reset_sequences(using)
            counts = row_counts(using)
            if counts != manifest["row_counts"]:
                differing = sorted(
                    label
                    for label in set(counts) | set(manifest["row_counts"])
                    if counts.get(label) != manifest["row_counts"].get(label)
                )
                raise BackupError(f"Row counts after loading differ from the manifest for {', '.join(differing[:5])}.")
        progress(f"Database restored: {sum(counts.values())} rows in {len(counts)} tables.")
        files = _replace_media(staging / "media")
        progress(f"Uploaded files restored: {files}.")
    chain = audit_chain_verify()
    return RestoreReport(
        rows=sum(counts.values()),
        models=len(counts),
        files=files,
        chain_intact=chain.intact,
        chain_message=chain.message,
        warnings=warnings,
    )
