"""sqlite3 as applications use it, one line per result: SqliteTest compares what this prints under
the machine's CPython with what every Covet interpreter answers (Covet's sqlite3, in the JVM).
Nothing here depends on SQLite's version or on Python 3.11 against 3.12.

    python3 sqlite_cases.py [DIR]     (DIR: where the database files go; a temporary one by default)
"""
import datetime
import os
import sqlite3
import sys
import warnings

warnings.simplefilter('ignore', DeprecationWarning)   # 3.12's default adapters warn; 3.11's do not


def run(directory):
    out = []

    def show(label, value):
        out.append(f"{label}: {value!r}")

    def error(label, f):
        try:
            f()
            out.append(f"{label}: no error")
        except Exception as e:
            out.append(f"{label}: {type(e).__module__}.{type(e).__name__}: {e}"
                       + (f" [{e.sqlite_errorname}]" if getattr(e, 'sqlite_errorname', None) else ""))

    path = os.path.join(directory, 'cases.db')
    for suffix in ('', '-journal', '-wal', '-shm'):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)

    # ---- statements, parameters, values
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price REAL, data BLOB, '
                'qty INTEGER CHECK (qty >= 0), note)')
    show('in_transaction after DDL', con.in_transaction)
    cur = con.cursor()
    cur.execute('INSERT INTO item (name, price, data, qty) VALUES (?, ?, ?, ?)', ('pen', 1.5, b'\x00\xff', 3))
    show('lastrowid', cur.lastrowid)
    show('rowcount', cur.rowcount)
    show('in_transaction after INSERT', con.in_transaction)
    cur.execute('INSERT INTO item (name, price, qty) VALUES (:name, :price, :qty)', {'name': 'ink', 'price': 2, 'qty': 0})
    cur.execute('INSERT INTO item (name, price, qty) VALUES (?2, ?1, ?3)', (0.25, 'nib', 10))
    cur.executemany('INSERT INTO item (name, qty) VALUES (?, ?)', [(f'part{i}', i) for i in range(5)])
    show('executemany rowcount', cur.rowcount)
    cur.executemany('INSERT INTO item (name, note) VALUES (?, ?)', ((f'gen{i}', i * 1.5) for i in range(3)))
    show('executemany from a generator', cur.rowcount)
    con.commit()
    show('in_transaction after commit', con.in_transaction)
    show('total_changes', con.total_changes)
    cur.execute('SELECT id, name, price, data, qty, note FROM item ORDER BY id')
    show('description', [d[0] for d in cur.description])
    show('description width', len(cur.description[0]))
    show('rowcount of a SELECT', cur.rowcount)
    show('fetchone', cur.fetchone())
    cur.arraysize = 2
    show('fetchmany arraysize', cur.fetchmany())
    show('fetchmany 3', cur.fetchmany(3))
    show('fetchall rest', cur.fetchall())
    show('fetchone at end', cur.fetchone())
    show('values', con.execute("SELECT 1, 2.0, 'x', x'0102', NULL, 9223372036854775807, -9223372036854775808, "
                               "1e300, '', 'caf\u00e9 \U0001f600', 3 / 2, 3.0 / 2").fetchone())
    show('bound values', con.execute('SELECT ?, ?, ?, ?, ?, ?, ?, ?', (2.0, 3, None, True, 'a\x00b', bytearray(b'ba'),
                                                                        memoryview(b'mv'), -0.0)).fetchone())
    show('typeof', con.execute('SELECT typeof(?), typeof(?), typeof(?), typeof(?)', (1, 1.0, 'x', b'x')).fetchone())
    show('iteration', [row for row in con.execute('SELECT name FROM item WHERE qty > ? ORDER BY name', (2,))])
    show('many rows', sum(n for (n,) in con.execute('WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c '
                                                      'WHERE n < 5000) SELECT n FROM c')))
    show('empty result description', [d[0] for d in con.execute('SELECT name AS n FROM item WHERE 0').description])
    show('execute returns its cursor', type(cur.execute('SELECT 1')).__name__)
    show('UPDATE rowcount', con.execute('UPDATE item SET qty = qty + 1 WHERE qty IS NOT NULL').rowcount)
    show('DELETE rowcount', con.execute("DELETE FROM item WHERE name LIKE 'gen%'").rowcount)
    con.rollback()
    show('after rollback', con.execute("SELECT count(*), sum(qty) FROM item").fetchone())

    # ---- errors
    error('unique', lambda: con.execute("INSERT INTO item (name) VALUES ('pen')"))
    error('not null', lambda: con.execute('INSERT INTO item (price) VALUES (1)'))
    error('check', lambda: con.execute("INSERT INTO item (name, qty) VALUES ('neg', -1)"))
    error('no such table', lambda: con.execute('SELECT * FROM nope'))
    error('syntax', lambda: con.execute('SELEC 1'))
    error('two statements', lambda: con.execute('SELECT 1; SELECT 2'))
    error('too few bindings', lambda: con.execute('SELECT ?, ?', (1,)))
    error('too many bindings', lambda: con.execute('SELECT ?', (1, 2)))
    error('missing name', lambda: con.execute('SELECT :a, :b', {'a': 1}))
    error('dict for ?', lambda: con.execute('SELECT ?', {'a': 1}))
    error('unsupported type', lambda: con.execute('SELECT ?', (object(),)))
    error('int too large', lambda: con.execute('SELECT ?', (1 << 64,)))
    error('executemany SELECT', lambda: con.executemany('SELECT ?', [(1,)]))
    error('not a str', lambda: con.execute(b'SELECT 1'))
    con.rollback()
    show('statement after errors', con.execute('SELECT count(*) FROM item').fetchone())
    error('closed cursor', lambda: (lambda c: (c.close(), c.execute('SELECT 1')))(con.cursor()))

    # ---- rows and factories
    con.row_factory = sqlite3.Row
    row = con.execute('SELECT id, name AS Label, price FROM item ORDER BY id').fetchone()
    show('Row keys', row.keys())
    show('Row by name, any case', (row['label'], row['LABEL'], row[1], row[-1], len(row)))
    show('Row slice', row[0:2])
    show('Row tuple', tuple(row))
    error('Row missing key', lambda: row['nope'])
    show('Row equality', row == con.execute('SELECT id, name AS Label, price FROM item ORDER BY id').fetchone())
    con.row_factory = lambda cursor, values: {d[0]: v for d, v in zip(cursor.description, values)}
    show('dict rows', con.execute('SELECT id, name FROM item WHERE id = 2').fetchone())
    con.row_factory = None
    con.text_factory = bytes
    show('text_factory bytes', con.execute("SELECT name, 1 FROM item WHERE id = 1").fetchone())
    con.text_factory = lambda b: b.decode('utf-8').upper()
    show('text_factory callable', con.execute("SELECT name FROM item WHERE id = 1").fetchone())
    con.text_factory = str

    # ---- transactions
    con.isolation_level = None
    show('isolation_level None', con.isolation_level)
    con.execute("INSERT INTO item (name) VALUES ('auto')")
    show('autocommit: no transaction', con.in_transaction)
    con.execute('BEGIN')
    con.execute("INSERT INTO item (name) VALUES ('manual')")
    show('manual BEGIN', con.in_transaction)
    con.execute('ROLLBACK')
    show('manual ROLLBACK', (con.in_transaction, con.execute("SELECT count(*) FROM item WHERE name = 'manual'").fetchone()))
    con.execute('SAVEPOINT outer_sp')
    show('SAVEPOINT opens one', con.in_transaction)
    con.execute("INSERT INTO item (name) VALUES ('sp1')")
    con.execute('SAVEPOINT "inner sp"')
    con.execute("INSERT INTO item (name) VALUES ('sp2')")
    con.execute('ROLLBACK TO "inner sp"')
    show('ROLLBACK TO keeps it', con.in_transaction)
    con.execute('RELEASE "inner sp"')
    show('RELEASE of an inner one keeps it', con.in_transaction)
    con.execute('RELEASE SAVEPOINT outer_sp')
    show('RELEASE of the outer one ends it', con.in_transaction)
    show('savepoint outcome', con.execute("SELECT name FROM item WHERE name LIKE 'sp%' ORDER BY name").fetchall())
    con.isolation_level = 'IMMEDIATE'
    show('isolation_level', con.isolation_level)
    error('bad isolation_level', lambda: setattr(con, 'isolation_level', 'SOMETIMES'))
    con.execute("INSERT INTO item (name) VALUES ('immediate')")
    show('implicit BEGIN IMMEDIATE', con.in_transaction)
    con.isolation_level = None
    show('isolation_level None commits', con.in_transaction)
    con.isolation_level = ''
    with con:
        con.execute("INSERT INTO item (name) VALUES ('with')")
    show('with: committed', (con.in_transaction, con.execute("SELECT count(*) FROM item WHERE name = 'with'").fetchone()))
    try:
        with con:
            con.execute("INSERT INTO item (name) VALUES ('undone')")
            raise KeyError('boom')
    except KeyError:
        pass
    show('with: rolled back', con.execute("SELECT count(*) FROM item WHERE name = 'undone'").fetchone())
    con.execute("INSERT INTO item (name) VALUES ('script pending')")
    con.executescript("CREATE TABLE log (msg TEXT); INSERT INTO log VALUES ('a'); INSERT INTO log VALUES ('b;c');"
                      " -- a comment; with a semicolon\n")
    show('executescript', (con.in_transaction, con.execute('SELECT group_concat(msg) FROM log').fetchone(),
                           con.execute("SELECT count(*) FROM item WHERE name = 'script pending'").fetchone()))
    con.executescript('BEGIN; INSERT INTO log VALUES (\'tx\');')
    show('executescript left a transaction open', con.in_transaction)
    con.rollback()
    show('rolled back', con.execute("SELECT count(*) FROM log WHERE msg = 'tx'").fetchone())
    con.execute("CREATE TRIGGER log_item AFTER INSERT ON item BEGIN INSERT INTO log VALUES ('item ' || new.name); END")
    con.execute("INSERT INTO item (name) VALUES ('triggered')")
    con.commit()
    show('trigger', con.execute("SELECT msg FROM log WHERE msg LIKE 'item%'").fetchall())

    # ---- adapters and converters
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __conform__(self, protocol):
            if protocol is sqlite3.PrepareProtocol:
                return f"{self.x};{self.y}"

    class Money:
        def __init__(self, cents):
            self.cents = cents

    sqlite3.register_adapter(Money, lambda m: f"{m.cents / 100:.2f} EUR")
    sqlite3.register_converter('point', lambda b: tuple(map(float, b.split(b';'))))
    sqlite3.register_converter('BOOLEAN', lambda b: b == b'1')
    conv = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    conv.execute('CREATE TABLE shape (p point, ok BOOLEAN, d DATE, t TIMESTAMP, n INTEGER)')
    conv.execute('INSERT INTO shape VALUES (?, ?, ?, ?, ?)',
                 (Point(1, 2.5), True, datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 13, 5, 9, 120), None))
    show('converters by declared type', conv.execute('SELECT p, ok, d, t, n FROM shape').fetchone())
    show('converters by column name', conv.execute('SELECT p AS "p [point]", \'7;8\' AS "q [point]", 1 AS "b [boolean]" '
                                                   'FROM shape').fetchone())
    show('column names without their type', [d[0] for d in conv.execute('SELECT 1 AS "x [boolean]" FROM shape').description])
    show('adapter', conv.execute('SELECT ?', (Money(1250),)).fetchone())
    show('adapt()', (sqlite3.adapt(Money(5)), sqlite3.adapt(Point(3, 4)), sqlite3.adapt(3.5, sqlite3.PrepareProtocol, 'alt')))
    error('adapt() without adapter', lambda: sqlite3.adapt(object()))
    conv.close()
    error('closed connection', lambda: conv.execute('SELECT 1'))

    # ---- functions, aggregates, collations
    con.create_function('twice', 1, lambda v: v * 2, deterministic=True)
    con.create_function('kinds', 4, lambda a, b, c, d: '/'.join(type(v).__name__ for v in (a, b, c, d)))
    con.create_function('boom', 0, lambda: 1 / 0)
    con.create_function('blobbed', 1, lambda v: bytes(v) + b'!')
    show('function', con.execute("SELECT twice(21), twice('ab'), twice(1.25)").fetchone())
    show('function arguments', con.execute("SELECT kinds(1, 2.5, 'x', x'00')").fetchone())
    show('function on rows', con.execute('SELECT twice(qty) FROM item WHERE qty IS NOT NULL ORDER BY id').fetchall())
    show('function returning bytes', con.execute("SELECT blobbed(x'0102')").fetchone())
    error('function that raises', lambda: con.execute('SELECT boom()').fetchone())
    error('function with wrong arity', lambda: con.execute('SELECT twice(1, 2)'))

    class Spread:
        def __init__(self):
            self.values = []

        def step(self, value):
            if value is not None:
                self.values.append(value)

        def finalize(self):
            return max(self.values) - min(self.values) if self.values else None

    class Broken(Spread):
        def step(self, value):
            raise ValueError('no')

    con.create_aggregate('spread', 1, Spread)
    con.create_aggregate('broken', 1, Broken)
    show('aggregate', con.execute('SELECT spread(qty) FROM item').fetchone())
    show('aggregate per group', con.execute("SELECT qty > 2, spread(id) FROM item WHERE qty IS NOT NULL "
                                            "GROUP BY qty > 2 ORDER BY 1").fetchall())
    show('aggregate of nothing', con.execute('SELECT spread(qty) FROM item WHERE 0').fetchone())
    error('aggregate that raises', lambda: con.execute('SELECT broken(qty) FROM item').fetchone())
    con.create_collation('reverse', lambda a, b: (a < b) - (a > b))
    show('collation', [n for (n,) in con.execute("SELECT name FROM item WHERE name LIKE 'p%' ORDER BY name COLLATE reverse")])

    # ---- two connections to one file
    con.commit()
    other = sqlite3.connect(path, timeout=0.1)
    con.execute('BEGIN IMMEDIATE')
    error('locked by the other connection', lambda: other.execute("INSERT INTO log VALUES ('other')"))
    con.commit()
    other.execute("INSERT INTO log VALUES ('other')")
    other.commit()
    show('the other connection wrote', con.execute("SELECT count(*) FROM log WHERE msg = 'other'").fetchone())
    other.close()

    # ---- the rest of the module
    show('complete_statement', [sqlite3.complete_statement(s) for s in (
        'SELECT 1', 'SELECT 1;', "SELECT ';'", "SELECT ';';", '-- x;', 'SELECT 1; -- trailing',
        'CREATE TRIGGER t AFTER INSERT ON item BEGIN SELECT 1;', 'CREATE TRIGGER t AFTER INSERT ON item BEGIN SELECT 1; END;',
        '/* unterminated; ', "SELECT 'open")])
    show('iterdump', [line for line in con.iterdump() if 'log' in line][:3])
    show('limits', con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) > 0)
    show('constants', (sqlite3.PARSE_DECLTYPES, sqlite3.PARSE_COLNAMES, sqlite3.paramstyle, sqlite3.apilevel))
    show('exception hierarchy', [c.__name__ for c in sqlite3.IntegrityError.__mro__[:4]])
    show('Connection.Error', con.Error is sqlite3.Error)
    show('memory databases are separate', (sqlite3.connect(':memory:').execute('CREATE TABLE m (x)').rowcount,
                                           sqlite3.connect(':memory:').execute(
                                               "SELECT count(*) FROM sqlite_master WHERE name = 'm'").fetchone()))
    con.close()
    error('use after close', lambda: con.cursor())
    return '\n'.join(out)


if __name__ == '__main__':
    if len(sys.argv) > 1:
        print(run(sys.argv[1]))
    else:
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            print(run(d))
