"""Backup and restore: one archive with the database and the evidence files.

An IT department backs up while the app serves its schools, so the archive must be one
consistent moment: SQLite is copied with its online backup API (a read snapshot in WAL
mode, writers are not stopped); PostgreSQL is dumped by `pg_dump --snapshot` from a
REPEATABLE READ transaction that also counts the rows and lists the evidence files, so
the manifest describes exactly the dump. Evidence files are content-addressed and never
rewritten, and a file is on disk before the row naming it commits: every file the
snapshot names can be copied afterwards.

Archive (tar, gzip): manifest.json, database.sqlite3 or database.pgdump, evidence/xx/sha.
The manifest carries the Fangfan version, the migrations applied, the row count of every
table and the SHA-256 of every member; restore checks all of them.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from fangfan.core import audit, evidence

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"


class BackupError(Exception):
    """Something the operator must fix; the message says what (English, then Chinese)."""


@dataclass
class Manifest:
    vendor: str
    migrations: list[list[str]]
    counts: dict[str, int]
    evidence: list[str]
    checksums: dict[str, str] = field(default_factory=dict)
    fangfan_version: str = ""
    created_at: str = ""
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise BackupError(f"This archive has format {data.get('format')!r}; this version "
                              f"reads format {FORMAT}.\n备份文件格式不受支持。")
        return cls(**data)


@dataclass
class Restored:
    manifest: Manifest
    files: int
    audit_entries: int
    pending_migrations: list[str]


def _fangfan_version() -> str:
    try:
        return version("fangfan")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _sha256_file(path: Path) -> str:
    with path.open("rb") as src:
        return _sha256_stream(src)


def _sha256_stream(src, copy_to=None) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: src.read(1 << 20), b""):
        digest.update(block)
        if copy_to is not None:
            copy_to.write(block)
    return digest.hexdigest()


# --- reading a snapshot --------------------------------------------------------------


def _snapshot_facts(cursor, tables: list[str]) -> tuple[list[list[str]], dict[str, int],
                                                        list[str]]:
    """Migrations applied, rows per table and the evidence files named, as `cursor` sees
    them (a snapshot: the SQLite copy, or the exported PostgreSQL transaction)."""
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations: list[list[str]] = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    evidence: list[str] = []
    if "core_attachment" in tables:
        cursor.execute("SELECT DISTINCT sha256 FROM core_attachment ORDER BY sha256")
        evidence = [row[0] for row in cursor.fetchall()]
    return migrations, counts, evidence


def _sqlite_snapshot(target: Path) -> Manifest:
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole database under one read lock, a single moment.
        connection.connection.backup(dest)
        cur = dest.cursor()
        cur.execute("SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cur.fetchall()]
        migrations, counts, evidence = _snapshot_facts(cur, tables)
    finally:
        dest.close()
    return Manifest("sqlite", migrations, counts, evidence)


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from Django's settings (the password
    through the environment, never on the command line)."""
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the "
            f"server's major version (Debian: apt-get install postgresql-client).\n"
            f"找不到 {name}：请安装与数据库服务器版本一致的 PostgreSQL 客户端工具。")
    return path


def _pg_snapshot(target: Path) -> Manifest:
    pg_dump = _tool("pg_dump")
    args, env = _pg_env()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        run = subprocess.run([pg_dump, *args, "--format=custom", "--no-owner",
                              "--no-privileges", f"--snapshot={snapshot}", "--file",
                              str(target)], env=env, capture_output=True, text=True)
        if run.returncode:
            raise BackupError(f"pg_dump failed: {run.stderr.strip()}\n数据库导出失败。")
        tables = connection.introspection.table_names(cursor)
        migrations, counts, evidence = _snapshot_facts(cursor, tables)
    return Manifest("postgresql", migrations, counts, evidence)


# --- backup --------------------------------------------------------------------------


def backup(out: Path, say: Callable[[str], None] = lambda m: None) -> Manifest:
    """Write the archive to `out` (via a temporary file beside it, renamed when whole)."""
    out = Path(out)
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        if connection.vendor == "sqlite":
            member = SQLITE_MEMBER
            manifest = _sqlite_snapshot(work_dir / member)
        else:
            member = PG_MEMBER
            manifest = _pg_snapshot(work_dir / member)
        say(f"database: {sum(manifest.counts.values())} rows in {len(manifest.counts)} tables")
        manifest.checksums[member] = _sha256_file(work_dir / member)
        missing = [sha for sha in manifest.evidence if not evidence.blob_exists(sha)]
        if missing:
            raise BackupError(
                f"{len(missing)} evidence file(s) named by the database are missing from "
                f"{settings.EVIDENCE_ROOT} (first: {missing[0]}).\n"
                f"有 {len(missing)} 个证据文件缺失。")
        manifest.fangfan_version = _fangfan_version()
        manifest.created_at = datetime.now(UTC).isoformat(timespec="seconds")
        partial = work_dir / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work_dir / member, arcname=member)
            for sha in manifest.evidence:
                name = f"evidence/{sha[:2]}/{sha}"
                copy = work_dir / "blob"
                with evidence.read_blob(sha) as src, copy.open("wb") as dst:
                    actual = _sha256_stream(src, dst)
                if actual != sha:
                    raise BackupError(f"Evidence file {sha} does not match its hash (changed "
                                      f"where it is stored).\n证据文件 {sha} 内容与其哈希不符。")
                manifest.checksums[name] = sha
                tar.add(copy, arcname=name)
            raw = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(raw), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(raw))
        with partial.open("rb") as done:
            os.fsync(done.fileno())
        os.replace(partial, out)
    say(f"evidence: {len(manifest.evidence)} files")
    return manifest


# --- restore -------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        raw = tar.extractfile(MANIFEST)
    except KeyError:
        raw = None
    if raw is None:
        raise BackupError("This file is not a Fangfan backup (no manifest).\n"
                          "这不是防范系统的备份文件（缺少清单）。")
    return Manifest.from_json(raw.read())


def _extract_checked(tar: tarfile.TarFile, manifest: Manifest, work_dir: Path) -> None:
    """Extract every member the manifest names, each checked against its SHA-256, in one
    pass over the archive; a member the manifest does not name is not read, and no path
    from the archive is used as it stands."""
    wanted = dict(manifest.checksums)
    for info in tar:
        expected = wanted.pop(info.name, None)
        if expected is None or not info.isfile():
            continue
        if info.name.startswith("/") or ".." in Path(info.name).parts:
            raise BackupError(f"Unsafe name in the archive: {info.name}")
        src = tar.extractfile(info)
        target = work_dir / info.name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with target.open("wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):  # noqa: B023
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected:
            raise BackupError(f"{info.name} in the archive does not match its checksum: the "
                              f"file is damaged.\n备份文件已损坏（{info.name} 校验不符）。")
    if wanted:
        raise BackupError(f"The archive lacks {next(iter(wanted))}; it is incomplete.\n"
                          f"备份文件不完整。")


def holds_data() -> bool:
    """Whether the database already holds an installation: units, accounts or audit
    entries. A freshly migrated database (lookup rows only) counts as empty."""
    tables = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in ("core_unit", "core_user", "core_auditentry"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def _restore_sqlite(snapshot: Path) -> None:
    connection.ensure_connection()
    src = sqlite3.connect(snapshot)
    try:
        # The backup API writes the copy through the live connection, page by page inside
        # one transaction: other connections see the old database or the new one.
        src.backup(connection.connection)
    finally:
        src.close()


def _restore_pg(dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    args, env = _pg_env()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if tables:
            quote = connection.ops.quote_name
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(quote(t) for t in tables)
                           + " CASCADE")
    run = subprocess.run([pg_restore, *args, "--no-owner", "--no-privileges",
                          "--single-transaction", "--exit-on-error", str(dump)],
                         env=env, capture_output=True, text=True)
    if run.returncode:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()}\n数据库恢复失败。")


def _current_counts(tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _unknown_migrations(manifest: Manifest) -> list[str]:
    """Migrations in the archive that this code does not have: it is from a newer
    version, and this one cannot run on its database."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest.migrations if (app, name) not in known]


def _pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def restore(archive: Path, force: bool = False,
            say: Callable[[str], None] = lambda m: None) -> Restored:
    """Replace the database and add the evidence files from `archive`, then prove the
    rows match the manifest and the audit chain is intact. Refuses a database that holds
    data unless `force`."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No such file: {archive}\n找不到文件：{archive}")
    try:
        tar = tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not a Fangfan backup ({exc}).\n"
                          f"这不是防范系统的备份文件。") from exc
    with tar, tempfile.TemporaryDirectory(prefix="fangfan-restore-") as work:
        manifest = _read_manifest(tar)
        if manifest.vendor != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest.vendor} database; the configured database is "
                f"{connection.vendor}. Restore it into a {manifest.vendor} database.\n"
                f"备份的数据库类型与当前配置的数据库类型不同。")
        if unknown := _unknown_migrations(manifest):
            raise BackupError(
                f"This backup was made by a newer version of Fangfan ({manifest.fangfan_version}"
                f"; e.g. migration {unknown[0]}). Install that version first.\n"
                f"该备份由更新版本的防范系统生成，请先升级。")
        if not force and holds_data():
            raise BackupError(
                "The database already holds data. Restoring replaces all of it: run again "
                "with --force if that is what you want.\n"
                "数据库中已有数据；恢复将覆盖全部数据。确需覆盖，请加 --force 重新运行。")
        work_dir = Path(work)
        _extract_checked(tar, manifest, work_dir)
        if manifest.vendor == "sqlite":
            _restore_sqlite(work_dir / SQLITE_MEMBER)
        else:
            _restore_pg(work_dir / PG_MEMBER)
        say("database restored")
        files = 0
        for sha in manifest.evidence:
            if evidence.blob_exists(sha):
                with evidence.read_blob(sha) as stored:
                    if _sha256_stream(stored) == sha:
                        continue
            evidence.put_blob(sha, work_dir / "evidence" / sha[:2] / sha, overwrite=True)
            files += 1
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    counts = _current_counts(sorted(manifest.counts))
    wrong = {t: (n, counts[t]) for t, n in manifest.counts.items() if counts[t] != n}
    if wrong:
        table, (want, got) = next(iter(wrong.items()))
        raise BackupError(f"After restoring, {table} holds {got} rows; the backup had {want}."
                          f"\n恢复后数据行数与备份不符。")
    if problem := audit.verify():
        raise BackupError(f"Restored, but the audit chain is broken: {problem}\n"
                          f"已恢复，但审计链校验未通过。")
    from fangfan.core.models import AuditChainHead

    entries = sum(h.seq for h in AuditChainHead.objects.all())
    return Restored(manifest, files, entries, _pending_migrations())
