"""The session database's schema and its migrations.

``schema_version`` holds one row. Each migration takes the database from version N-1 to
N inside one transaction; ``migrate`` runs those still missing, and refuses a database
written by a newer pullcoach.
"""

from __future__ import annotations

import sqlite3

from pullcoach.errors import StoreError

__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "migrate", "version"]

MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, their event log, settings
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        started_wall REAL NOT NULL,          -- epoch seconds of audio time 0
        lang TEXT NOT NULL DEFAULT 'nl',
        status TEXT NOT NULL DEFAULT 'live', -- live | ended | interrupted
        reason TEXT,                         -- SessionEnded.reason
        owner TEXT,                          -- the writing Store (see store.py)
        coachee TEXT NOT NULL DEFAULT 'coachee',
        partner TEXT NOT NULL DEFAULT 'partner',
        keep_audio INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE events (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,                -- append order within the session
        t REAL NOT NULL,                     -- audio clock, for queries only
        type TEXT NOT NULL,
        json TEXT NOT NULL,                  -- rules/events.py to_json: the truth
        PRIMARY KEY (session_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def version(con: sqlite3.Connection) -> int:
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = con.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def migrate(con: sqlite3.Connection, migrations: tuple[str, ...] = MIGRATIONS) -> int:
    """Bring the database up to ``len(migrations)``; return the version it had."""
    con.execute("BEGIN IMMEDIATE")
    try:
        old = version(con)
        if old > len(migrations):
            raise StoreError(f"the session database has schema v{old}, newer than this "
                             f"pullcoach (v{len(migrations)}); upgrade pullcoach or use "
                             "another --data-dir")
        for n in range(old, len(migrations)):
            for statement in migrations[n].split(";"):
                if statement.strip():
                    con.execute(statement)
        if old < len(migrations):  # an up-to-date file is not written to (it may be damaged)
            con.execute("DELETE FROM schema_version")
            con.execute("INSERT INTO schema_version(version) VALUES (?)", (len(migrations),))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return old
