"""covet.db: PostgreSQL from every interpreter, through DB-API 2.0 (PEP 249) as psycopg2 speaks it.

    import covet.db

    conn = covet.db.connect()            # the database of `covet run --database URL` (or DATABASE_URL)
    with conn:                           # commits, or rolls back on an exception
        cur = conn.cursor()
        cur.execute("INSERT INTO notes (body) VALUES (%s) RETURNING id", ("hello",))
        note_id = cur.fetchone()[0]

The connections are Java's (pgjdbc), in one HikariCP pool per database shared by every
interpreter of the process. A connection object holds a pooled connection only while a
transaction is open: from its first statement to commit(), rollback() or close(), or the end of
the task (the request) that began it, when what is left open is rolled back. Session state
(`SET`, temporary tables, prepared statements) therefore lasts one transaction, as under
PgBouncer's transaction pooling. Statements stop at the request's deadline, on the server too.

Parameters use psycopg2's pyformat (`%s`, `%(name)s`, `%%` for a literal percent sign), bound by
the driver rather than pasted into the SQL, so a placeholder cannot stand inside quotes. Values
both ways: None, bool, int, float, Decimal, str, bytes, date, time, datetime (with or without a
time zone), timedelta (interval), UUID, dict (and `Json(...)`) as JSON, and lists as arrays;
JSON columns come back as dicts and lists. Errors are PEP 249's classes, chosen by SQLSTATE as
psycopg2 chooses them, with `.pgcode` (and `.sqlstate`) set.

Async code awaits its statements instead (psycopg 3's AsyncConnection style), and its interpreter
serves other requests while one runs on the IO lane:

    conn = await covet.db.connect_async()
    async with conn:
        cur = conn.cursor()
        await cur.execute("SELECT body FROM notes WHERE id = %s", (note_id,))
        row = await cur.fetchone()

SQLAlchemy: `create_engine("postgresql+covet://")` (the configured database) or
`"postgresql+covet://user:password@host:port/db"`.
"""
import datetime as _dt
import decimal as _decimal
import json as _json
import time as _time
import uuid as _uuid
import weakref as _weakref
from collections.abc import Mapping as _Mapping

import _covet_host as _host

__all__ = ['connect', 'connect_async', 'AsyncConnection', 'AsyncCursor', 'apilevel', 'threadsafety', 'paramstyle', 'Connection', 'Cursor', 'Json',
           'Warning', 'Error', 'InterfaceError', 'DatabaseError', 'DataError', 'OperationalError', 'IntegrityError',
           'InternalError', 'ProgrammingError', 'NotSupportedError',
           'Date', 'Time', 'Timestamp', 'DateFromTicks', 'TimeFromTicks', 'TimestampFromTicks', 'Binary',
           'STRING', 'BINARY', 'NUMBER', 'DATETIME', 'ROWID']

apilevel = '2.0'
# Threads may share the module, not connections (a connection belongs to the interpreter that opened it).
threadsafety = 1
paramstyle = 'pyformat'


class Warning(Exception):  # noqa: A001 (PEP 249's name)
    pass


class Error(Exception):
    """Every covet.db failure. `pgcode` (also `sqlstate`): PostgreSQL's SQLSTATE, or None."""
    pgcode = None
    sqlstate = None
    pgerror = None


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


_CLASSES = {c.__name__: c for c in (Error, InterfaceError, DatabaseError, DataError, OperationalError, IntegrityError,
                                     InternalError, ProgrammingError, NotSupportedError)}


class _Failure(Exception):
    """How the host reports a database failure: 'Class\\x1fSQLSTATE\\x1fmessage'."""


_host.exception_types['CovetDbError'] = _Failure


def _error(failure):
    name, state, message = str(failure).split('\x1f', 2)
    exc = _CLASSES.get(name, DatabaseError)(message)
    exc.pgcode = exc.sqlstate = state or None
    exc.pgerror = message
    return exc


def _call(fn, *args):
    try:
        return fn(*args)
    except _Failure as f:
        raise _error(f) from None


# ---- values in ---------------------------------------------------------------------------------

class Json:
    """A value to send as JSON (psycopg2.extras.Json): a list would otherwise go as an array."""

    def __init__(self, adapted, dumps=None):
        self.adapted = adapted
        self._dumps = dumps or _json.dumps

    def dumps(self, obj):
        return self._dumps(obj)


_PLAIN = frozenset((int, float, str, bool, type(None), bytes))


def _adapt(v):
    t = type(v)
    if t in _PLAIN:
        return v
    if isinstance(v, _dt.datetime):
        return ('timestamptz' if v.utcoffset() is not None else 'timestamp', v.isoformat())
    if isinstance(v, _dt.date):
        return ('date', v.isoformat())
    if isinstance(v, _dt.time):
        return ('timetz' if v.utcoffset() is not None else 'time', v.isoformat())
    if isinstance(v, _dt.timedelta):
        return ('interval', f'{v.days} {v.seconds} {v.microseconds}')
    if isinstance(v, _decimal.Decimal):
        return ('numeric', str(v))
    if isinstance(v, _uuid.UUID):
        return ('uuid', str(v))
    if isinstance(v, Json):
        return ('json', v.dumps(v.adapted))
    if isinstance(v, dict):
        return ('json', _json.dumps(v))
    if isinstance(v, list):
        return [_adapt(x) for x in v]
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, tuple):
        raise ProgrammingError("can't adapt a tuple: psycopg2 writes it as an IN list, which a bound parameter cannot be; "
                               "write '= ANY(%s)' and pass a list")
    raise ProgrammingError(f"can't adapt type '{t.__name__}'")


def _adapt_params(params):
    if params is None:
        return None
    if isinstance(params, _Mapping):
        return {k: _adapt(v) for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return [_adapt(v) for v in params]
    raise ProgrammingError(f"parameters must be a sequence or a mapping, not {type(params).__name__}")


# ---- values out --------------------------------------------------------------------------------

def _infinite(text, lowest, highest):
    if text == 'infinity':
        return highest
    if text == '-infinity':
        return lowest
    return None


def _to_date(text):
    return _infinite(text, _dt.date.min, _dt.date.max) or _dt.date.fromisoformat(text)


def _to_datetime(text):
    return _infinite(text, _dt.datetime.min, _dt.datetime.max) or _dt.datetime.fromisoformat(text)


def _to_interval(v):
    """[days, seconds, microseconds] (an interval column), or the same as text (in an array)."""
    days, seconds, micros = (int(x) for x in v.split()) if isinstance(v, str) else v
    return _dt.timedelta(days=days, seconds=seconds, microseconds=micros)


_CONVERTERS = {
    'decimal': _decimal.Decimal,
    'date': _to_date,
    'time': _dt.time.fromisoformat,
    'datetime': _to_datetime,
    'uuid': _uuid.UUID,
    'json': _json.loads,
    'interval': _to_interval,
}


def _array_converter(fn):
    def convert(values):
        return [None if v is None else convert(v) if isinstance(v, list) else fn(v) for v in values]
    return convert


def _converters(kinds):
    """[(column, function)] for the columns whose values need converting."""
    out = []
    for i, k in enumerate(kinds or ()):
        if k is None:
            continue
        kind, array = k
        fn = _CONVERTERS.get(kind)
        if array:
            out.append((i, _array_converter(fn) if fn is not None else None))
        elif fn is not None:
            out.append((i, fn))
    return [(i, fn) for i, fn in out if fn is not None]


def _rows(flat, width, converters):
    if width == 0:
        return []
    rows = [flat[i:i + width] for i in range(0, len(flat), width)]
    if converters:
        try:
            for row in rows:
                for i, fn in converters:
                    v = row[i]
                    if v is not None:
                        row[i] = fn(v)
        except (ValueError, OverflowError, _decimal.InvalidOperation) as e:
            raise DataError(f'cannot convert a value of column {i}: {e}') from None
    return [tuple(r) for r in rows]


# ---- connections and cursors -------------------------------------------------------------------

class Cursor:
    """A DB-API cursor. Unnamed ones read every row at execute() (as psycopg2's do); a named one
    (connection.cursor(name)) is server-side: rows arrive `itersize` at a time, inside a transaction."""

    def __init__(self, connection, name=None):
        self.connection = connection
        self.name = name
        self.arraysize = 1
        self.itersize = 2000
        self.description = None
        self.rowcount = -1
        self.rownumber = 0
        self.lastrowid = None
        self.query = None
        self._rows = []
        self._server = None        # [cursor number, width, converters, more]
        self._named_used = False
        self.closed = False

    def _check(self):
        if self.closed:
            raise InterfaceError('cursor already closed')
        self.connection._check()

    def _reset(self):
        if self._server is not None:
            self.connection._close_server_cursor(self._server[0])
            self._server = None
        self._rows = []
        self.rownumber = 0

    # Each statement is a host call made in two halves, so that AsyncCursor can await it between them.

    def _begin(self, query, vars):
        """The host operation and arguments that run `query`."""
        self._check()
        if isinstance(query, bytes):
            query = query.decode()
        elif not isinstance(query, str):
            query = str(query)
        if self.name is not None and self._named_used:
            raise ProgrammingError("can't call .execute() on named cursors more than once")
        self._reset()
        self.query = query
        params = _adapt_params(vars)
        if self.name is not None:
            self._named_used = True
            return 'open_cursor', (self.connection._handle, query, params, self.itersize)
        return 'execute', (self.connection._handle, query, params, False)

    def _begin_many(self, query, vars_list):
        self._check()
        if isinstance(query, bytes):
            query = query.decode()
        self._reset()
        self.query = query
        return 'execute', (self.connection._handle, query, [_adapt_params(v) for v in vars_list], True)

    def _done(self, op, result):
        if op == 'open_cursor':
            number, description, kinds = result
            self.description = [tuple(d) for d in description]
            self._server = [number, len(description), _converters(kinds), True]
            self.rowcount = -1
            return
        description, kinds, count, flat = result
        self.rowcount = count
        if description is None:
            self.description = None
        else:
            self.description = [tuple(d) for d in description]
            self._rows = _rows(flat, len(description), _converters(kinds))

    def _fetched(self, result):
        flat, more = result
        self._server[3] = more
        return _rows(flat, self._server[1], self._server[2])

    def execute(self, query, vars=None):
        op, args = self._begin(query, vars)
        self._done(op, _call(getattr(_host, 'db_' + op), *args))

    def executemany(self, query, vars_list):
        op, args = self._begin_many(query, vars_list)
        self._done(op, _call(_host.db_execute, *args))

    def callproc(self, procname, parameters=()):
        placeholders = ', '.join(['%s'] * len(parameters))
        self.execute(f'SELECT * FROM {procname}({placeholders})', list(parameters))
        return parameters

    def _more(self, n):
        """Up to n rows from the server (named cursors)."""
        if not self._server[3]:
            return []
        return self._fetched(_call(_host.db_fetch, self.connection._handle, self._server[0], n))

    def _need_result(self):
        self._check()
        if self.description is None and self._server is None:
            raise ProgrammingError('no results to fetch')

    def _take(self, n):
        """Up to n rows of a client-side result (n None: all that are left)."""
        rows = self._rows[self.rownumber:] if n is None else self._rows[self.rownumber:self.rownumber + n]
        self.rownumber += len(rows)
        return rows

    def fetchone(self):
        self._need_result()
        rows = self._more(1) if self._server is not None else self._take(1)
        if self._server is not None:
            self.rownumber += len(rows)
        return rows[0] if rows else None

    def fetchmany(self, size=None):
        self._need_result()
        n = self.arraysize if size is None else size
        if self._server is None:
            return self._take(n)
        rows = self._more(n)
        self.rownumber += len(rows)
        return rows

    def fetchall(self):
        self._need_result()
        if self._server is None:
            return self._take(None)
        rows = []
        while self._server[3]:
            rows.extend(self._more(self.itersize))
        self.rownumber += len(rows)
        return rows

    def __iter__(self):
        while True:
            rows = self.fetchmany(self.itersize)
            if not rows:
                return
            yield from rows

    def scroll(self, value, mode='relative'):
        if self._server is not None:
            raise NotSupportedError('scroll() on a named cursor')
        position = self.rownumber + value if mode == 'relative' else value
        if not 0 <= position <= len(self._rows):
            raise IndexError('scroll destination out of bounds')
        self.rownumber = position

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass

    def close(self):
        if not self.closed and not self.connection.closed:
            self._reset()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _ConnectionBase:
    Warning, Error, InterfaceError, DatabaseError, DataError = Warning, Error, InterfaceError, DatabaseError, DataError
    OperationalError, IntegrityError, InternalError = OperationalError, IntegrityError, InternalError
    ProgrammingError, NotSupportedError = ProgrammingError, NotSupportedError

    def __init__(self, handle, autocommit):
        self._handle = handle
        self._autocommit = autocommit
        self._closer = _weakref.finalize(self, _host.db_close, handle)
        self.closed = 0

    def _check(self):
        if self.closed:
            raise InterfaceError('connection already closed')

    @property
    def autocommit(self):
        return self._autocommit

    @autocommit.setter
    def autocommit(self, on):
        self._check()
        _call(_host.db_autocommit, self._handle, bool(on))
        self._autocommit = bool(on)

    def _close_server_cursor(self, number):
        _call(_host.db_close_cursor, self._handle, number)

    def _close(self):
        if not self.closed:
            self.closed = 1
            self._closer()


class Connection(_ConnectionBase):
    """A DB-API connection; see the module's documentation for when it holds a server connection."""

    def cursor(self, name=None, cursor_factory=None, withhold=False, scrollable=None):
        self._check()
        if withhold or scrollable:
            raise NotSupportedError('withhold and scrollable cursors are not supported')
        return (cursor_factory or Cursor)(self, name)

    def commit(self):
        self._check()
        _call(_host.db_commit, self._handle)

    def rollback(self):
        self._check()
        _call(_host.db_rollback, self._handle)

    def close(self):
        self._close()

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


# ---- async: the statement runs on the IO lane while the interpreter's event loop goes on ------

async def _submitted(op, args):
    from .futures import Future
    try:
        return await Future(_host.db_submit(op, *args))
    except _Failure as f:
        raise _error(f) from None


class AsyncCursor:
    """A cursor whose statements are awaited (as psycopg 3's AsyncCursor): while one runs, the
    interpreter serves other requests. Same attributes as Cursor."""

    def __init__(self, connection, name=None):
        self._cursor = Cursor(connection, name)

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __setattr__(self, name, value):
        if name == '_cursor':
            object.__setattr__(self, name, value)
        else:
            setattr(self._cursor, name, value)

    async def execute(self, query, vars=None):
        op, args = self._cursor._begin(query, vars)
        self._cursor._done(op, await _submitted(op, args))

    async def executemany(self, query, vars_list):
        op, args = self._cursor._begin_many(query, vars_list)
        self._cursor._done(op, await _submitted(op, args))

    async def _more(self, n):
        c = self._cursor
        if not c._server[3]:
            return []
        rows = c._fetched(await _submitted('fetch', (c.connection._handle, c._server[0], n)))
        c.rownumber += len(rows)
        return rows

    async def fetchone(self):
        self._cursor._need_result()
        if self._cursor._server is None:
            return self._cursor.fetchone()
        rows = await self._more(1)
        return rows[0] if rows else None

    async def fetchmany(self, size=None):
        c = self._cursor
        c._need_result()
        n = c.arraysize if size is None else size
        return c._take(n) if c._server is None else await self._more(n)

    async def fetchall(self):
        c = self._cursor
        c._need_result()
        if c._server is None:
            return c._take(None)
        rows = []
        while c._server[3]:
            rows.extend(await self._more(c.itersize))
        return rows

    def __aiter__(self):
        return self._rows_async()

    async def _rows_async(self):
        while True:
            rows = await self.fetchmany(self._cursor.itersize)
            if not rows:
                return
            for row in rows:
                yield row

    async def close(self):
        self._cursor.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self._cursor.close()


class AsyncConnection(_ConnectionBase):
    """A connection whose statements, commits and rollbacks are awaited (as psycopg 3's
    AsyncConnection); `async with conn:` commits, or rolls back on an exception."""

    def cursor(self, name=None):
        self._check()
        return AsyncCursor(self, name)

    async def commit(self):
        self._check()
        await _submitted('commit', (self._handle,))

    async def rollback(self):
        self._check()
        await _submitted('rollback', (self._handle,))

    async def close(self):
        """Rolls back what is open and gives the connection back, off the event loop."""
        if not self.closed:
            self.closed = 1
            self._closer.detach()
            await _submitted('close', (self._handle,))

    async def __aenter__(self):
        self._check()
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()


def _url(dsn, kwargs):
    """A postgresql:// URL from psycopg2's ways of naming a database (a URL, 'key=value ...', keywords)."""
    from urllib.parse import quote
    if dsn and '://' in dsn and not kwargs:
        return dsn
    params = {}
    if dsn:
        import shlex
        for token in shlex.split(dsn):
            if '=' not in token:
                raise InterfaceError(f"invalid dsn: missing '=' after {token!r}")
            key, value = token.split('=', 1)
            params[key] = value
    params.update({k: str(v) for k, v in kwargs.items() if v is not None})
    if 'database' in params:
        params.setdefault('dbname', params.pop('database'))
    unknown = set(params) - {'host', 'port', 'user', 'password', 'dbname', 'sslmode', 'application_name', 'connect_timeout'}
    if unknown:
        raise InterfaceError(f"connect(): unsupported connection parameter(s): {', '.join(sorted(unknown))}")
    for key in ('host', 'dbname'):
        if key not in params:
            raise InterfaceError(f'connect(): no {key} given')
    user = quote(params['user'], safe='') if 'user' in params else ''
    if user and 'password' in params:
        user += ':' + quote(params['password'], safe='')
    # libpq's names for pgjdbc's properties
    query = '&'.join(f'{jdbc}={quote(params[k], safe="")}' for k, jdbc in (('sslmode', 'sslmode'), ('connect_timeout', 'connectTimeout'),
                                                                           ('application_name', 'ApplicationName')) if k in params)
    host = params['host']
    if ':' in host:
        host = f'[{host}]'
    return (f"postgresql://{user + '@' if user else ''}{host}:{params.get('port', '5432')}/{quote(params['dbname'], safe='')}"
            + (f'?{query}' if query else ''))


def _handle(dsn, autocommit, kwargs):
    if not hasattr(_host, 'db_connect'):
        raise InterfaceError("covet.db needs Covet's runtime (covet run, covet exec); in plain CPython use psycopg2")
    url = _url(dsn, kwargs) if (dsn or kwargs) else None
    return _call(_host.db_connect, url, bool(autocommit))


async def connect_async(dsn=None, *, autocommit=False, **kwargs):
    """As connect(), for async code: an AsyncConnection, whose statements are awaited."""
    return AsyncConnection(_handle(dsn, autocommit, kwargs), bool(autocommit))


def connect(dsn=None, *, autocommit=False, **kwargs):
    """A connection to the configured database (no arguments: `--database`/`DATABASE_URL`), or to
    the one named: a postgresql:// URL, a libpq 'key=value' string, or keywords (host, port, user,
    password, dbname). A database other than the configured one needs `--allow-net HOST:PORT`,
    else PermissionError. No server connection is made until the first statement."""
    return Connection(_handle(dsn, autocommit, kwargs), bool(autocommit))


# ---- PEP 249's type objects and constructors ---------------------------------------------------

class _TypeObject:
    """Equal to the type codes (PostgreSQL type OIDs, as psycopg2's) of one DB-API type group."""

    def __init__(self, *oids):
        self.values = frozenset(oids)

    def __eq__(self, other):
        return other in self.values

    def __hash__(self):
        return hash(self.values)


STRING = _TypeObject(18, 19, 25, 1042, 1043)
BINARY = _TypeObject(17)
NUMBER = _TypeObject(20, 21, 23, 26, 700, 701, 790, 1700)
DATETIME = _TypeObject(1082, 1083, 1114, 1184, 1186, 1266)
ROWID = _TypeObject(26, 27)

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime
Binary = bytes


def DateFromTicks(ticks):
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks):
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks):
    return Timestamp(*_time.localtime(ticks)[:6])
