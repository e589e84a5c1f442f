"""``python -m tests.helpers.history_lock DB SECONDS``: hold the history's write lock.

``BEGIN EXCLUSIVE``, write a row, print ``locked``, hold the lock for SECONDS, roll back (so
the row must never appear). Test helper, not library code.
"""

from __future__ import annotations

import sqlite3
import sys
import time

if __name__ == "__main__":
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO sessions (athlete, started_at, kind) VALUES ('locker', 'now', 'lock')")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
    conn.close()
