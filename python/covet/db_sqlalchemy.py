"""SQLAlchemy's `postgresql+covet://` dialect: SQLAlchemy 1.4's PostgreSQL dialect on covet.db.

    engine = create_engine("postgresql+covet://")                        # covet run --database URL
    engine = create_engine("postgresql+covet://user:pw@host:5432/db")    # needs --allow-net host:5432

Found by SQLAlchemy through the entry point `sqlalchemy.dialects: postgresql.covet` of the
covet distribution Covet installs beside the package. SQLAlchemy's own pool keeps covet.db
connections, which hold a server connection only during a transaction: the process's one
HikariCP pool bounds the server connections, whatever SQLAlchemy's pool size.
"""
import decimal
import itertools

from sqlalchemy import exc
from sqlalchemy import processors
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql.base import _DECIMAL_TYPES, _FLOAT_TYPES, _INT_TYPES
from sqlalchemy.dialects.postgresql.base import PGDialect, PGExecutionContext, UUID
from sqlalchemy.dialects.postgresql.json import JSON, JSONB

_cursor_ids = itertools.count(1)


class _Numeric(sqltypes.Numeric):
    """covet.db gives Decimal for numeric and float for float columns, as pg8000 does."""

    def result_processor(self, dialect, coltype):
        if self.asdecimal:
            if coltype in _FLOAT_TYPES:
                return processors.to_decimal_processor_factory(decimal.Decimal, self._effective_decimal_return_scale)
            if coltype in _DECIMAL_TYPES or coltype in _INT_TYPES:
                return None
        else:
            if coltype in _FLOAT_TYPES:
                return None
            if coltype in _DECIMAL_TYPES or coltype in _INT_TYPES:
                return processors.to_float
        raise exc.InvalidRequestError("Unknown PG numeric type: %r" % (coltype,))


class _JSON(JSON):
    def result_processor(self, dialect, coltype):
        return None   # covet.db decodes JSON itself


class _JSONB(JSONB):
    def result_processor(self, dialect, coltype):
        return None


class _UUID(UUID):
    """covet.db takes and gives uuid.UUID; SQLAlchemy's UUID(as_uuid=False) wants strings."""

    def bind_processor(self, dialect):
        if not self.as_uuid:
            import uuid

            def process(value):
                return uuid.UUID(value) if value is not None else None
            return process
        return None

    def result_processor(self, dialect, coltype):
        if not self.as_uuid:
            def process(value):
                return str(value) if value is not None else None
            return process
        return None


class CovetExecutionContext(PGExecutionContext):
    def create_server_side_cursor(self):
        return self._dbapi_connection.cursor("covet_c_%x" % next(_cursor_ids))


class CovetDialect(PGDialect):
    driver = "covet"
    supports_statement_cache = True
    default_paramstyle = "pyformat"
    supports_unicode_statements = True
    supports_unicode_binds = True
    supports_sane_multi_rowcount = True
    supports_server_side_cursors = True
    supports_native_decimal = True
    use_native_uuid = True
    execution_ctx_cls = CovetExecutionContext
    colspecs = dict(PGDialect.colspecs)
    colspecs.update({sqltypes.Numeric: _Numeric, sqltypes.JSON: _JSON, JSON: _JSON, JSONB: _JSONB, UUID: _UUID})

    @classmethod
    def dbapi(cls):
        import covet.db
        return covet.db

    def create_connect_args(self, url):
        """No host: the configured database (covet run --database); else the URL's."""
        opts = url.translate_connect_args(username="user", database="dbname")
        opts.update(url.query)
        if not opts.get("host"):
            if opts:
                raise exc.ArgumentError("postgresql+covet:// without a host means covet's --database, which the URL cannot "
                                        "change (it names %s): give a whole URL, or none" % ", ".join(sorted(opts)))
            return [], {}
        return [], opts

    def set_isolation_level(self, connection, level):
        if hasattr(connection, "dbapi_connection"):
            connection = connection.dbapi_connection
        level = level.replace("_", " ")
        if level == "AUTOCOMMIT":
            connection.autocommit = True
        elif level == "READ COMMITTED":
            connection.autocommit = False
        else:
            # SET SESSION CHARACTERISTICS would stay on a pooled server connection that other
            # transactions borrow next; a per-transaction level is SQL's SET TRANSACTION.
            raise exc.ArgumentError("covet.db shares server connections between transactions, so isolation_level "
                                    "takes READ COMMITTED (the server's default) or AUTOCOMMIT; for another level "
                                    "run SET TRANSACTION ISOLATION LEVEL ... at the start of the transaction")

    def get_isolation_level(self, connection):
        if getattr(connection, "autocommit", False):
            return "AUTOCOMMIT"
        return super().get_isolation_level(connection)

    def is_disconnect(self, e, connection, cursor):
        message = str(e)
        return "connection already closed" in message or "cannot connect to" in message or "I/O error" in message

    def do_ping(self, dbapi_connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        return True


dialect = CovetDialect
