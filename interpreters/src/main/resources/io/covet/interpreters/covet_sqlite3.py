# _sqlite3 for every Covet interpreter (Sqlite.java is the Java half, SQLite itself from
# sqlite-jdbc, in the JVM): GraalPy implements it in native code, which the sandbox cannot load and
# which only one context of a process may load. The API, behaviour and errors are CPython 3.12's:
# the standard library's sqlite3 package (dbapi2.py) runs unchanged on top of it. covet_stdlib's
# finder serves this as `_sqlite3`, with `_java` (the Java half) in the module's namespace.
#
# What differs: no load_extension, backup, serialize, blobopen, window functions, authorizer,
# progress handler or trace callback (setting them to None is accepted); in Covet's sandbox a
# database file opens only below an --allow-write directory (read-only below a readable one), and
# ATTACH, VACUUM INTO and PRAGMA temp_store_directory are refused.

import os
import sys

_java = globals().pop('_java')
_FAIL = object()   # what the Java half returns for a failure; .error() says which

sqlite_version = _java.version()
_deprecated_version = '2.6.0'

PARSE_DECLTYPES = 1
PARSE_COLNAMES = 2
LEGACY_TRANSACTION_CONTROL = -1
threadsafety = 1
apilevel = '2.0'
paramstyle = 'qmark'

SQLITE_OK, SQLITE_DENY, SQLITE_IGNORE = 0, 1, 2
(SQLITE_LIMIT_LENGTH, SQLITE_LIMIT_SQL_LENGTH, SQLITE_LIMIT_COLUMN, SQLITE_LIMIT_EXPR_DEPTH,
 SQLITE_LIMIT_COMPOUND_SELECT, SQLITE_LIMIT_VDBE_OP, SQLITE_LIMIT_FUNCTION_ARG, SQLITE_LIMIT_ATTACHED,
 SQLITE_LIMIT_LIKE_PATTERN_LENGTH, SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_LIMIT_TRIGGER_DEPTH,
 SQLITE_LIMIT_WORKER_THREADS) = range(12)
(SQLITE_CREATE_INDEX, SQLITE_CREATE_TABLE, SQLITE_CREATE_TEMP_INDEX, SQLITE_CREATE_TEMP_TABLE,
 SQLITE_CREATE_TEMP_TRIGGER, SQLITE_CREATE_TEMP_VIEW, SQLITE_CREATE_TRIGGER, SQLITE_CREATE_VIEW, SQLITE_DELETE,
 SQLITE_DROP_INDEX, SQLITE_DROP_TABLE, SQLITE_DROP_TEMP_INDEX, SQLITE_DROP_TEMP_TABLE, SQLITE_DROP_TEMP_TRIGGER,
 SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TRIGGER, SQLITE_DROP_VIEW, SQLITE_INSERT, SQLITE_PRAGMA, SQLITE_READ,
 SQLITE_SELECT, SQLITE_TRANSACTION, SQLITE_UPDATE, SQLITE_ATTACH, SQLITE_DETACH, SQLITE_ALTER_TABLE,
 SQLITE_REINDEX, SQLITE_ANALYZE, SQLITE_CREATE_VTABLE, SQLITE_DROP_VTABLE, SQLITE_FUNCTION, SQLITE_SAVEPOINT,
 SQLITE_RECURSIVE) = range(1, 34)
for _name in ('SQLITE_ERROR', 'SQLITE_INTERNAL', 'SQLITE_PERM', 'SQLITE_ABORT', 'SQLITE_BUSY', 'SQLITE_LOCKED',
              'SQLITE_NOMEM', 'SQLITE_READONLY', 'SQLITE_INTERRUPT', 'SQLITE_IOERR', 'SQLITE_CORRUPT',
              'SQLITE_NOTFOUND', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL', 'SQLITE_EMPTY', 'SQLITE_SCHEMA',
              'SQLITE_TOOBIG', 'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_MISUSE', 'SQLITE_NOLFS', 'SQLITE_AUTH',
              'SQLITE_FORMAT', 'SQLITE_RANGE', 'SQLITE_NOTADB', 'SQLITE_NOTICE', 'SQLITE_WARNING', 'SQLITE_ROW',
              'SQLITE_DONE', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_FOREIGNKEY',
              'SQLITE_CONSTRAINT_NOTNULL', 'SQLITE_CONSTRAINT_CHECK', 'SQLITE_BUSY_TIMEOUT'):
    globals()[_name] = _java.error_code(_name)
del _name


# ---- exceptions (PEP 249) ------------------------------------------------------------------------

class Warning(Exception):
    pass


class Error(Exception):
    sqlite_errorcode = None
    sqlite_errorname = None


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class InternalError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class DataError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


for _cls in (Warning, Error, InterfaceError, DatabaseError, InternalError, OperationalError, ProgrammingError,
             IntegrityError, DataError, NotSupportedError):
    _cls.__module__ = 'sqlite3'
del _cls


def _exception(described):
    """The exception the Java half described: (class name, code, code name, message)."""
    kind, code, name, message = described
    cls = globals().get(kind)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        import builtins
        cls = getattr(builtins, kind, OperationalError)
    exc = cls(message)
    if isinstance(exc, Error) and code >= 0:
        exc.sqlite_errorcode, exc.sqlite_errorname = code, name
    return exc


def _unsupported(what):
    return NotSupportedError(f"{what} is not supported by Covet's sqlite3 (SQLite in the JVM, through sqlite-jdbc)")


# ---- adapters and converters -----------------------------------------------------------------------

class PrepareProtocol:
    """The protocol parameters are adapted to (PEP 246), as in CPython."""

    def __init__(self, *args, **kwargs):
        pass


PrepareProtocol.__module__ = 'sqlite3'
adapters = {}
converters = {}
_PLAIN = (int, float, str, bytes, type(None))
_base_adapted = False   # an adapter is registered for int, float, str or bytearray: even they are adapted
_NO_ALT = object()


def register_adapter(type, adapter, /):
    """Register a function to adapt Python objects to SQLite values."""
    global _base_adapted
    if type in (int, float, str, bytearray):
        _base_adapted = True
    adapters[(type, PrepareProtocol)] = adapter


def register_converter(typename, converter, /):
    """Register a function to convert SQLite values to Python objects."""
    converters[typename.upper()] = converter


def adapt(obj, proto=PrepareProtocol, alt=_NO_ALT, /):
    """Adapt given object to given protocol."""
    adapter = adapters.get((type(obj), proto))
    if adapter is not None:
        return adapter(obj)
    for hook, arg in ((getattr(proto, '__adapt__', None), obj), (getattr(obj, '__conform__', None), proto)):
        if hook is not None:
            try:
                adapted = hook(arg)
            except TypeError:
                adapted = None
            if adapted is not None:
                return adapted
    if alt is not _NO_ALT:
        return alt
    raise ProgrammingError("can't adapt")


def _param(value):
    """One parameter as the Java half binds it: adapted unless a plain SQLite type."""
    if (type(value) in _PLAIN and not _base_adapted) or type(value) is bytearray:
        return value
    value = adapt(value, PrepareProtocol, value)
    if isinstance(value, memoryview):
        return value.tobytes()
    return value


def _params(parameters):
    """The parameters as a list (by position) or dict (by name) of bindable values."""
    if type(parameters) in (tuple, list):
        for v in parameters:
            if type(v) not in _PLAIN or _base_adapted:
                return [_param(v) for v in parameters]
        return parameters
    if isinstance(parameters, dict):
        if type(parameters) is not dict or _base_adapted or any(type(v) not in _PLAIN for v in parameters.values()):
            return {k: _param(parameters[k]) for k in parameters}
        return parameters
    try:
        return [_param(v) for v in parameters]
    except TypeError:
        raise ProgrammingError("parameters are of unsupported type") from None


_tracebacks = False


def enable_callback_tracebacks(enable, /):
    """Enable or disable callback functions throwing errors to stderr."""
    global _tracebacks
    _tracebacks = bool(enable)


def _callback(func):
    """func, printing the traceback of what it raises when enable_callback_tracebacks asks (SQLite
    then reports its own error)."""
    if func is None:
        return None

    def call(*args):
        try:
            return func(*args)
        except BaseException:
            if _tracebacks:
                import traceback
                traceback.print_exc()
            raise
    return call


def complete_statement(statement):
    """Checks if a string contains a complete SQL statement."""
    if not isinstance(statement, str):
        raise TypeError(f"complete_statement() argument must be str, not {type(statement).__name__}")
    return bool(_java.complete(statement))


# ---- connections -----------------------------------------------------------------------------------

_LEVELS = ('', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE')


def _target(database, uri):
    """(path or None, memory name or None, mode, shared cache) for connect()'s database."""
    name = os.fsdecode(database) if isinstance(database, (bytes, os.PathLike)) else database
    if not isinstance(name, str):
        raise TypeError(f"expected str, bytes or os.PathLike object, not {type(database).__name__}")
    if uri and name.startswith('file:'):
        from urllib.parse import parse_qsl, unquote, urlsplit
        parts = urlsplit(name)
        if parts.netloc not in ('', 'localhost'):
            raise OperationalError(f"invalid uri authority: {parts.netloc}")
        options = dict(parse_qsl(parts.query))
        mode = options.get('mode', 'rwc')
        if mode not in ('ro', 'rw', 'rwc', 'memory'):
            raise OperationalError(f"no such access mode: {mode}")
        path = unquote(parts.path)
        shared = options.get('cache') == 'shared'
        if mode == 'memory':
            return None, path or None, 'rwc', shared
        if not path:
            return None, None, 'rwc', shared
        return path, None, mode, shared
    if name in (':memory:', ''):
        return None, None, 'rwc', False
    return name, None, 'rwc', False


class Connection:
    """SQLite database connection object."""

    def __init__(self, database, timeout=5.0, detect_types=0, isolation_level='', check_same_thread=True,
                 factory=None, cached_statements=128, uri=False, *, autocommit=LEGACY_TRANSACTION_CONTROL):
        path, memory, mode, shared = _target(database, uri)
        if autocommit not in (True, False, LEGACY_TRANSACTION_CONTROL):
            raise ValueError("autocommit must be True, False, or sqlite3.LEGACY_TRANSACTION_CONTROL")
        db = _java.open(_FAIL, path, memory, mode, shared, int(max(0.0, float(timeout)) * 1000))
        if db is _FAIL:
            raise _exception(_java.open_error())
        self._db = db
        self._detect = int(detect_types)
        self._isolation_level = None
        self.isolation_level = isolation_level
        self._autocommit = autocommit
        self.row_factory = None
        self.text_factory = str
        if autocommit is False:
            self._begin_now()

    Warning, Error, InterfaceError, DatabaseError, InternalError, OperationalError, ProgrammingError, \
        IntegrityError, DataError, NotSupportedError = (Warning, Error, InterfaceError, DatabaseError, InternalError,
                                                        OperationalError, ProgrammingError, IntegrityError, DataError,
                                                        NotSupportedError)

    def _check(self):
        if self._db is None:
            raise ProgrammingError("Cannot operate on a closed database.")
        return self._db

    def _run(self, result):
        if result is _FAIL:
            raise _exception(self._db.error())
        return result

    @property
    def isolation_level(self):
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, level):
        if level is not None:
            if not isinstance(level, str):
                raise TypeError("isolation_level must be str or None")
            if level.upper() not in _LEVELS:
                raise ValueError("isolation_level string must be '', 'DEFERRED', 'IMMEDIATE', or 'EXCLUSIVE'")
        elif getattr(self, '_db', None) is not None and self._db.in_transaction():
            self._run(self._db.commit(_FAIL))
        self._isolation_level = level

    @property
    def autocommit(self):
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value):
        if value not in (True, False, LEGACY_TRANSACTION_CONTROL):
            raise ValueError("autocommit must be True, False, or sqlite3.LEGACY_TRANSACTION_CONTROL")
        db = self._check()
        if value is True and db.in_transaction():
            self._run(db.commit(_FAIL))
        elif value is False and not db.in_transaction():
            self._begin_now()
        self._autocommit = value

    def _begin(self):
        """What an INSERT, UPDATE, DELETE or REPLACE outside a transaction BEGINs with, or None."""
        if self._autocommit is not LEGACY_TRANSACTION_CONTROL or self._isolation_level is None:
            return None
        return self._isolation_level

    @property
    def in_transaction(self):
        return bool(self._check().in_transaction())

    @property
    def total_changes(self):
        return self._check().total_changes()

    def cursor(self, factory=None):
        """Return a cursor for the connection."""
        self._check()
        cursor = Cursor(self) if factory is None else factory(self)
        if not isinstance(cursor, Cursor):
            raise TypeError("factory must return a cursor, not " + type(cursor).__name__)
        if self.row_factory is not None and cursor.row_factory is None:
            cursor.row_factory = self.row_factory
        return cursor

    def execute(self, sql, parameters=(), /):
        """Executes an SQL statement."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        """Repeatedly executes an SQL statement."""
        return self.cursor().executemany(sql, parameters)

    def executescript(self, sql_script, /):
        """Executes multiple SQL statements at once."""
        return self.cursor().executescript(sql_script)

    def commit(self):
        """Commit any pending transaction to the database."""
        self._end(self._check().commit)

    def rollback(self):
        """Roll back to the start of any pending transaction."""
        self._end(self._check().rollback)

    def _end(self, end):
        """COMMIT or ROLLBACK (`end`, when in a transaction); with autocommit False the next begins at once."""
        if self._autocommit is not True:
            self._run(end(_FAIL))
            if self._autocommit is False:
                self._begin_now()

    def _begin_now(self):
        self._run(self._db.execute(_FAIL, 'BEGIN', None, None, 0, 0, None))

    def close(self):
        """Close the database connection (a pending transaction is rolled back)."""
        db, self._db = self._db, None
        if db is not None:
            db.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        return False

    def create_function(self, name, narg, func, *, deterministic=False):
        """Creates a new function."""
        if not isinstance(name, str):
            raise TypeError("create_function() argument 'name' must be str")
        if func is not None and not callable(func):
            raise TypeError("parameter must be callable")
        self._run(self._check().create_function(_FAIL, name, int(narg), _callback(func), bool(deterministic)))

    def create_aggregate(self, name, n_arg, aggregate_class):
        """Creates a new aggregate."""
        if not isinstance(name, str):
            raise TypeError("create_aggregate() argument 'name' must be str")
        self._run(self._check().create_aggregate(_FAIL, name, int(n_arg), aggregate_class))

    def create_window_function(self, name, num_params, aggregate_class, /):
        raise _unsupported("create_window_function()")

    def create_collation(self, name, callback, /):
        """Creates a collation function."""
        if not isinstance(name, str):
            raise TypeError("create_collation() argument 1 must be str")
        if callback is not None and not callable(callback):
            raise TypeError("parameter must be callable")
        self._run(self._check().create_collation(_FAIL, name, callback))

    def set_authorizer(self, authorizer_callback):
        if authorizer_callback is not None:
            raise _unsupported("set_authorizer()")

    def set_progress_handler(self, progress_handler, n):
        if progress_handler is not None:
            raise _unsupported("set_progress_handler()")

    def set_trace_callback(self, trace_callback):
        if trace_callback is not None:
            raise _unsupported("set_trace_callback()")

    def interrupt(self):
        """Abort any pending database operation."""
        self._check().interrupt()

    def getlimit(self, category, /):
        """Get connection run-time limits."""
        return self._run(self._check().limit(_FAIL, int(category), -1))

    def setlimit(self, category, limit, /):
        """Set connection run-time limits; returns the previous one."""
        return self._run(self._check().limit(_FAIL, int(category), int(limit)))

    def iterdump(self):
        """Returns iterator to the dump of the database in an SQL text format."""
        from sqlite3.dump import _iterdump
        return _iterdump(self)

    def backup(self, target, *, pages=-1, progress=None, name='main', sleep=0.250):
        raise _unsupported("backup()")

    def blobopen(self, table, column, row, /, *, readonly=False, name='main'):
        raise _unsupported("blobopen()")

    def serialize(self, *, name='main'):
        raise _unsupported("serialize()")

    def deserialize(self, data, /, *, name='main'):
        raise _unsupported("deserialize()")


Connection.__module__ = 'sqlite3'


def connect(database, timeout=5.0, detect_types=0, isolation_level='', check_same_thread=True, factory=Connection,
            cached_statements=128, uri=False, *, autocommit=LEGACY_TRANSACTION_CONTROL):
    """Open a connection to the SQLite database file database."""
    return factory(database, timeout, detect_types, isolation_level, check_same_thread, factory, cached_statements,
                   uri, autocommit=autocommit)


# ---- cursors ---------------------------------------------------------------------------------------

_FIRST_BATCH = 64
_BATCH = 256


class Cursor:
    """SQLite database cursor class."""

    def __init__(self, connection, /):
        if not isinstance(connection, Connection):
            raise TypeError(f"argument 1 must be sqlite3.Connection, not {type(connection).__name__}")
        self._connection = connection
        self.arraysize = 1
        self.row_factory = None
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self._handle = -1
        self._rows = []
        self._at = 0
        self._converters = None
        self._closed = False

    @property
    def connection(self):
        return self._connection

    def _check(self):
        if self._closed:
            raise ProgrammingError("Cannot operate on a closed cursor.")
        return self._connection._check()

    def _reset(self, db):
        if self._handle >= 0:
            db.close_cursor(self._handle)
            self._handle = -1
        self._rows, self._at = [], 0
        self._converters = None

    def execute(self, sql, parameters=(), /):
        """Executes an SQL statement."""
        db = self._check()
        if not isinstance(sql, str):
            raise TypeError(f"execute() argument 1 must be str, not {type(sql).__name__}")
        self._reset(db)
        conn = self._connection
        detect = conn._detect
        result = db.execute(_FAIL, sql, _params(parameters), conn._begin(), _FIRST_BATCH, detect,
                            converters if detect else None)
        if result is _FAIL:
            self.description, self.rowcount = None, -1
            raise _exception(db.error())
        handle, self.description, convert, self._rows, more, self.rowcount, self.lastrowid = result
        self._handle = handle
        if convert is not None:
            self._converters = [converters.get(c) if c is not None else None for c in convert]
        return self

    def executemany(self, sql, seq_of_parameters, /):
        """Repeatedly executes an SQL statement."""
        db = self._check()
        if not isinstance(sql, str):
            raise TypeError(f"executemany() argument 1 must be str, not {type(sql).__name__}")
        self._reset(db)
        self.description = None
        conn = self._connection
        total = 0
        chunk = []
        iterator = iter(seq_of_parameters)
        while True:
            chunk.clear()
            for parameters in iterator:
                chunk.append(_params(parameters))
                if len(chunk) == 1000:
                    break
            if not chunk and total:
                break
            changed = db.executemany(_FAIL, sql, chunk, conn._begin())
            if changed is _FAIL:
                self.rowcount = -1
                raise _exception(db.error())
            total += changed
            if len(chunk) < 1000:
                break
        self.rowcount = total
        return self

    def executescript(self, sql_script, /):
        """Executes multiple SQL statements at once."""
        db = self._check()
        if not isinstance(sql_script, str):
            raise ValueError("script argument must be unicode.")
        self._reset(db)
        conn = self._connection
        if conn._autocommit is LEGACY_TRANSACTION_CONTROL and db.in_transaction():
            conn._run(db.commit(_FAIL))
        if db.executescript(_FAIL, sql_script) is _FAIL:
            raise _exception(db.error())
        self.description = None
        return self

    def _next_row(self):
        if self._at >= len(self._rows):
            if self._handle < 0:
                return None
            db = self._check()
            result = db.fetch(_FAIL, self._handle, max(_BATCH, self.arraysize))
            if result is _FAIL:
                self._handle = -1
                raise _exception(db.error())
            rows, more = result
            if not more:
                self._handle = -1
            self._rows, self._at = rows, 0
            if not rows:
                return None
        row = self._rows[self._at]
        self._at += 1
        if self._converters is not None:
            row = tuple(v if f is None or v is None else f(v) for f, v in zip(self._converters, row))
        text_factory = self._connection.text_factory
        if text_factory is not str:
            row = tuple(_text(v, text_factory) for v in row)
        if self.row_factory is not None:
            return self.row_factory(self, row)
        return row

    def fetchone(self):
        """Fetches one row from the resultset."""
        self._check()
        return self._next_row()

    def fetchmany(self, size=None):
        """Fetches several rows from the resultset."""
        self._check()
        n = self.arraysize if size is None else size
        out = []
        while len(out) < n:
            row = self._next_row()
            if row is None:
                break
            out.append(row)
        return out

    def fetchall(self):
        """Fetches all rows from the resultset."""
        self._check()
        out = []
        while True:
            row = self._next_row()
            if row is None:
                return out
            out.append(row)

    def __iter__(self):
        return self

    def __next__(self):
        self._check()
        row = self._next_row()
        if row is None:
            raise StopIteration
        return row

    def close(self):
        """Closes the cursor."""
        if not self._closed and self._connection._db is not None:
            self._reset(self._connection._db)
        self._closed = True

    def __del__(self):
        try:
            if self._handle >= 0 and self._connection._db is not None:
                self._connection._db.close_cursor(self._handle)
        except Exception:
            pass

    def setinputsizes(self, sizes, /):
        """Required by DB-API. Does nothing in sqlite3."""

    def setoutputsize(self, size, column=None, /):
        """Required by DB-API. Does nothing in sqlite3."""


Cursor.__module__ = 'sqlite3'


def _text(value, text_factory):
    if type(value) is not str:
        return value
    data = value.encode('utf-8', 'surrogatepass')
    return data if text_factory is bytes else text_factory(data)


# ---- rows ------------------------------------------------------------------------------------------

class Row:
    """A row of a query's result, by position and by column name (case-insensitive)."""

    __slots__ = ('_description', '_data')

    def __new__(cls, cursor, data, /):
        if not isinstance(cursor, Cursor):
            raise TypeError(f"argument 1 must be sqlite3.Cursor, not {type(cursor).__name__}")
        if not isinstance(data, tuple):
            raise TypeError(f"argument 2 must be tuple, not {type(data).__name__}")
        row = object.__new__(cls)
        row._description = cursor.description
        row._data = data
        return row

    def keys(self):
        """Returns the keys of the row."""
        return [d[0] for d in self._description] if self._description else []

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return iter(self._data)

    def __getitem__(self, key):
        if isinstance(key, str):
            lowered = key.lower()
            for i, d in enumerate(self._description or ()):
                if d[0].lower() == lowered:
                    return self._data[i]
            raise IndexError("No item with that key")
        return self._data[key]

    def __eq__(self, other):
        if not isinstance(other, Row):
            return NotImplemented
        return self._description == other._description and self._data == other._data

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(self._description) ^ hash(self._data)


Row.__module__ = 'sqlite3'


class Blob:
    """A BLOB opened by Connection.blobopen(), which Covet's sqlite3 does not support."""

    def __init__(self, *args, **kwargs):
        raise _unsupported("Blob")


Blob.__module__ = 'sqlite3'
