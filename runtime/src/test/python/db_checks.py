"""covet.db and SQLAlchemy's postgresql+covet against a real PostgreSQL server (CovetDbTest)."""
import datetime
import decimal
import uuid

import covet.db as db


def check_values_cross_both_ways_with_their_types():
    conn = db.connect()
    cur = conn.cursor()
    cur.execute("""CREATE TEMP TABLE typed (
        i int, big bigint, huge numeric, f float8, r real, n numeric(10, 2), s text, b bool, raw bytea,
        d date, t time, tz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid, j jsonb, js json,
        ints int[], texts text[], nothing text)""")
    values = (7, 2 ** 62, 2 ** 80, 1.5, 0.1, decimal.Decimal('12.50'), 'héllo ☃ "q" \'s', True, b'\x00\xff bytes',
              datetime.date(2024, 2, 29), datetime.time(13, 14, 15, 161718),
              datetime.time(1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30))),
              datetime.datetime(2024, 1, 2, 3, 4, 5, 600000),
              datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
              datetime.timedelta(days=3, seconds=7, microseconds=8), uuid.UUID('12345678-1234-5678-1234-567812345678'),
              {'a': [1, 2.5, None, 'x'], 'nested': {'ok': True}}, db.Json([1, 2, 3]),
              [1, 2, 3], ['a', None, 'c'], None)
    cur.execute('INSERT INTO typed VALUES (' + ', '.join(['%s'] * len(values)) + ')', values)
    assert cur.rowcount == 1, cur.rowcount
    cur.execute('SELECT * FROM typed')
    row = cur.fetchone()
    expected = list(values)
    expected[4] = 0.1                     # real: as PostgreSQL writes it, not widened
    expected[17] = [1, 2, 3]              # a Json-wrapped list comes back as the list
    assert list(row) == expected, (row, expected)
    assert isinstance(row[5], decimal.Decimal) and str(row[5]) == '12.50'
    assert row[13].utcoffset() == datetime.timedelta(0)
    names = [d[0] for d in cur.description]
    assert names[:3] == ['i', 'big', 'huge'], names
    assert cur.description[0][1] == db.NUMBER and cur.description[6][1] == db.STRING and cur.description[9][1] == db.DATETIME
    assert cur.fetchone() is None
    # Strings go untyped, as psycopg2 pastes them: PostgreSQL reads them as the column's type.
    cur.execute('SELECT %s::date + 1, %s::int * 2', ('2024-02-28', '21'))
    assert cur.fetchone() == (datetime.date(2024, 2, 29), 42)
    cur.execute("SELECT 'infinity'::timestamp, '-infinity'::date, 'NaN'::numeric")
    inf, neg, nan = cur.fetchone()
    assert inf == datetime.datetime.max and neg == datetime.date.min and nan.is_nan()
    cur.execute("SELECT %(x)s || %(x)s, 100 %% 7, '{\"k\": 1}'::jsonb ? 'k'", {'x': 'ab'})
    assert cur.fetchone() == ('abab', 2, True)
    # Parameters typed as psycopg2's literals are: int4 when it fits, numeric for a float, NULL inline.
    cur.execute('SELECT CURRENT_DATE + %s - CURRENT_DATE, round(%s, 1), %s IS NULL, %s = ANY(%s), %s = ANY(%s)',
                (3, 2.25, None, 1, [], 2, [1, 2]))
    assert cur.fetchone() == (3, decimal.Decimal('2.3'), True, False, True), 'psycopg2-typed parameters'
    # Values read as PostgreSQL writes them, however many times a statement has run (pgjdbc turns to
    # binary transfer after five), and inside arrays.
    when = datetime.datetime(2024, 7, 1, 12, 30, 45, 123456, tzinfo=datetime.timezone.utc)
    for _ in range(8):
        cur.execute('SELECT %s::timestamptz, %s::time, %s::numeric, ARRAY[%s::timestamptz], ARRAY[%s::numeric], %s::interval[]',
                    (when, datetime.time(1, 2, 3, 456789), decimal.Decimal('0.0000001'), when, decimal.Decimal('1.50'),
                     [datetime.timedelta(days=1, seconds=2, microseconds=3)]))
        got = cur.fetchone()
        assert got == (when, datetime.time(1, 2, 3, 456789), decimal.Decimal('0.0000001'), [when], [decimal.Decimal('1.50')],
                       [datetime.timedelta(days=1, seconds=2, microseconds=3)]), got
    cur.execute('CREATE TEMP TABLE serials (id serial PRIMARY KEY, big bigserial, v text)')
    cur.execute('INSERT INTO serials (v) VALUES (%s) RETURNING id, big', ('x',))
    assert cur.fetchone() == (1, 1), 'serial columns must come back as ints'
    conn.rollback()
    conn.close()


def check_failures_are_pep249_classes_with_sqlstates():
    conn = db.connect()
    cur = conn.cursor()
    cur.execute('CREATE TEMP TABLE uniq (id int PRIMARY KEY)')
    cur.execute('INSERT INTO uniq VALUES (1)')
    try:
        cur.execute('INSERT INTO uniq VALUES (1)')
        raise AssertionError('a duplicate key was accepted')
    except db.IntegrityError as e:
        assert e.pgcode == '23505' and isinstance(e, db.DatabaseError) and 'duplicate key' in str(e), (e.pgcode, e)
    try:
        cur.execute('SELECT 1')
        raise AssertionError('a failed transaction went on')
    except db.InternalError as e:
        assert e.pgcode == '25P02', e.pgcode
    conn.rollback()
    for sql, cls, code in (('SELEC 1', db.ProgrammingError, '42601'), ('SELECT 1/0', db.DataError, '22012'),
                           ('SELECT * FROM no_such_table', db.ProgrammingError, '42P01')):
        try:
            cur.execute(sql)
            raise AssertionError(sql + ' succeeded')
        except cls as e:
            assert e.pgcode == code, (sql, e.pgcode)
        conn.rollback()
    try:
        cur.execute('SELECT %s, %s', (1,))
        raise AssertionError('a missing parameter was accepted')
    except db.ProgrammingError as e:
        assert '2 placeholders but 1 parameter' in str(e), e
    try:
        cur.execute('SELECT %s', ((1, 2),))
        raise AssertionError('a tuple parameter was accepted')
    except db.ProgrammingError as e:
        assert 'ANY(%s)' in str(e), e
    conn.close()
    try:
        conn.cursor()
        raise AssertionError('a closed connection gave a cursor')
    except db.InterfaceError:
        pass


def check_with_commits_or_rolls_back_and_autocommit_runs_each_statement_alone():
    conn = db.connect()
    with conn:
        conn.cursor().execute('CREATE TABLE IF NOT EXISTS tx (v text)')
        conn.cursor().execute('DELETE FROM tx')
    try:
        with conn:
            conn.cursor().execute("INSERT INTO tx VALUES ('lost')")
            raise KeyError('boom')
    except KeyError:
        pass
    with conn:
        conn.cursor().execute("INSERT INTO tx VALUES ('kept')")
    auto = db.connect(autocommit=True)
    auto.cursor().execute("INSERT INTO tx VALUES ('auto')")
    other = db.connect()
    cur = other.cursor()
    cur.execute('SELECT v FROM tx ORDER BY v')
    assert cur.fetchall() == [('auto',), ('kept',)], cur.fetchall()
    other.rollback()
    cur.executemany('INSERT INTO tx VALUES (%(v)s)', [{'v': 'm%d' % i} for i in range(50)])
    assert cur.rowcount == 50, cur.rowcount
    other.commit()
    cur.execute("SELECT count(*) FROM tx WHERE v LIKE %s", ('m%',))
    assert cur.fetchone()[0] == 50
    other.rollback()


def check_a_named_cursor_reads_from_the_server_in_batches():
    conn = db.connect()
    cur = conn.cursor('big')
    cur.itersize = 1000
    cur.execute('SELECT g, g * 2 FROM generate_series(1, 5000) g WHERE g > %s', (0,))
    first = cur.fetchmany(3)
    assert first == [(1, 2), (2, 4), (3, 6)], first
    total = 3 + sum(1 for _ in cur)
    assert total == 5000, total
    conn.commit()


def insert_then_fail(n):
    """A handler that leaves its transaction open and fails."""
    conn = db.connect()
    conn.cursor().execute('INSERT INTO leak (n) VALUES (%s)', (n,))
    raise ValueError('handler failed after writing %d' % n)


def prepare_leak_table():
    conn = db.connect(autocommit=True)
    conn.cursor().execute('CREATE TABLE IF NOT EXISTS leak (n int)')
    conn.cursor().execute('DELETE FROM leak')


def leak_rows():
    conn = db.connect(autocommit=True)
    cur = conn.cursor()
    cur.execute('SELECT count(*) FROM leak')
    return cur.fetchone()[0]


def sleep_in_database(seconds):
    conn = db.connect()
    conn.cursor().execute('SELECT pg_sleep(%s)', (seconds,))


def server_connections():
    conn = db.connect(autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'covet'")
    return cur.fetchone()[0]


def connect_to(url):
    conn = db.connect(url, autocommit=True)
    cur = conn.cursor()
    cur.execute('SELECT 41 + 1')
    return cur.fetchone()[0]


def check_sqlalchemy_core_and_orm_work_on_postgresql_covet():
    import sqlalchemy as sa
    from sqlalchemy.orm import declarative_base, Session
    engine = sa.create_engine('postgresql+covet://', future=True)
    Base = declarative_base()

    class Note(Base):
        __tablename__ = 'sa_notes'
        id = sa.Column(sa.Integer, primary_key=True)
        body = sa.Column(sa.String(200), nullable=False)
        price = sa.Column(sa.Numeric(10, 2))
        data = sa.Column(sa.JSON)
        created = sa.Column(sa.DateTime(timezone=True))

    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    with Session(engine) as session:
        session.add_all([Note(body='first', price=decimal.Decimal('1.50'), data={'tags': ['a']}, created=when),
                         Note(body='second', price=decimal.Decimal('2.25'), data=[1, 2], created=when)])
        session.commit()
        first = session.execute(sa.select(Note).where(Note.body == 'first')).scalar_one()
        assert first.id is not None and first.price == decimal.Decimal('1.50') and first.data == {'tags': ['a']}, first
        assert first.created == when
    with engine.begin() as c:
        total = c.execute(sa.select(sa.func.sum(Note.price))).scalar()
        assert total == decimal.Decimal('3.75'), total
        c.execute(sa.update(Note).where(Note.body == 'second').values(body='changed'))
    try:
        with engine.begin() as c:
            c.execute(sa.insert(Note).values(id=first.id, body='dup'))
        raise AssertionError('a duplicate primary key was accepted')
    except sa.exc.IntegrityError as e:
        assert isinstance(e.orig, db.IntegrityError), e
    with engine.connect() as c:
        rows = c.execution_options(stream_results=True).execute(sa.text('SELECT body FROM sa_notes ORDER BY id')).fetchall()
        assert [r[0] for r in rows] == ['first', 'changed'], rows
    Base.metadata.drop_all(engine)
    engine.dispose()


def check_awaited_statements_run_while_the_event_loop_goes_on():
    """The waiter's statement blocks on the server until the holder commits, and the holder can only
    commit because the waiter's statement does not block the interpreter: a deadlock otherwise."""
    import asyncio

    async def holder(conn, waiter):
        cur = conn.cursor()
        async with conn:
            await cur.execute('SELECT pg_advisory_xact_lock(7)')
            task = asyncio.ensure_future(waiter())
            for _ in range(2000):
                await cur.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                if (await cur.fetchone())[0] == 1:
                    break
            else:
                raise AssertionError('the waiter never reached the server while the holder ran')
        return await task

    async def waiter():
        conn = await db.connect_async(autocommit=True)
        cur = conn.cursor()
        await cur.execute('SELECT pg_advisory_xact_lock(7), %s', ('waited',))
        row = await cur.fetchone()
        await conn.close()
        return row[1]

    async def main():
        got = await holder(await db.connect_async(), waiter)
        assert got == 'waited', got
        conn = await db.connect_async()
        try:
            async with conn:
                await conn.cursor().execute('SELEC 1')
            raise AssertionError('bad SQL was accepted')
        except db.ProgrammingError as e:
            assert e.pgcode == '42601', e.pgcode
        async with conn:
            cur = conn.cursor('many')
            cur.itersize = 700
            await cur.execute('SELECT g FROM generate_series(1, 3000) g')
            rows = [r async for r in cur]
            assert len(rows) == 3000 and rows[-1] == (3000,), len(rows)
        await conn.close()

    asyncio.run(main())
