"""sqlite3 speed, the same script under `covet exec` (Covet's sqlite3: SQLite in the JVM through
sqlite-jdbc) and under python3 (CPython's _sqlite3 on libsqlite3), as BENCHMARKS.md says. What web
apps do most: one row by primary key, a page of rows, a small write transaction, a bulk insert.
Each operation timed 7 times after WARMUPS warm-up rounds (30; GraalPy's JIT needs that many to settle), median printed.

    python3 bench/python/sqlite_ops.py DIR
    ./covet exec --allow-write DIR bench/python/sqlite_ops.py DIR
"""
import os
import sqlite3
import sys

from timing import median_seconds

WARMUPS = int(os.environ.get("WARMUPS", "30"))


def main(directory):
    path = os.path.join(directory, 'bench.db')
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute('PRAGMA journal_mode = WAL')
    db.execute('CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER)')
    with db:
        db.executemany('INSERT INTO item (name, price, qty) VALUES (?, ?, ?)',
                       ((f'item {i}', i * 0.5, i % 100) for i in range(10_000)))

    def by_key():
        for i in range(1, 1001):
            db.execute('SELECT id, name, price, qty FROM item WHERE id = ?', (i,)).fetchone()

    def page():
        for i in range(100):
            db.execute('SELECT id, name, price FROM item WHERE qty = ? ORDER BY id LIMIT 50', (i,)).fetchall()

    def write():
        for i in range(200):
            with db:
                db.execute('UPDATE item SET qty = qty + 1 WHERE id = ?', (i + 1,))
                db.execute('INSERT INTO item (name, price, qty) VALUES (?, ?, ?)', ('new', 1.0, 1))

    def bulk():
        with db:
            db.executemany('INSERT INTO item (name, price, qty) VALUES (?, ?, ?)', (('bulk', 2.0, 2) for _ in range(10_000)))

    print(f"{sys.implementation.name}: median s of 7 after {WARMUPS} warm-ups")
    for name, fn in (('1000 rows by key', by_key), ('100 pages of 50', page), ('200 write transactions', write),
                     ('executemany 10000', bulk)):
        print(f"  {name:24} {median_seconds(fn, WARMUPS, 7):.4f}")
    db.close()


if __name__ == '__main__':
    main(sys.argv[1])
