"""CovetPy-style web apps (ADR-007, "Integration with CovetPy"), served by `covet run app.py`.

    from typing import List
    from covet import Covet, Response, perf

    app = Covet()

    @app.get("/items/{item_id}")
    def get_item(item_id: int, q: str = None):        # path and query parameters, converted
        return {"item_id": item_id, "q": q}             # dict/list -> JSON

    @app.post("/compute/sum")
    async def compute_sum(data: List[float]):           # the JSON body (or its "data" field)
        return {"sum": await perf.sum_array(data)}

The server is Java (Helidon, package io.covet.web): it matches the path against the route table
read from the app, then runs the handler in one of the pool's interpreters. Every interpreter
loads the app module once and runs its startup hooks; `app.state` is per interpreter, as each
interpreter is isolated like a worker process.

Handler arguments are bound by name: path parameters first, then `request` (the Request), then
the query string, then the JSON body (a field of a JSON object, or the whole body for the one
parameter left that takes a list or dict). Type hints int, float, str, bool, list, dict,
List[X], Dict[str, X] and Optional[X] are checked and converted; a missing or ill-typed
parameter is a 400 that names it.
"""
import json
import sys
import traceback
from urllib.parse import parse_qs, unquote

from . import array as _array

__all__ = ['Covet', 'CovetPy', 'Request', 'Response', 'HTTPException', 'State', 'setup_performance']

_METHODS = ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS')
_REASONS = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
            405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
            422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error',
            502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'}
_JSON = 'application/json'


def _checked_headers(headers, who):
    out = dict(headers or {})
    for name, value in out.items():
        if (not isinstance(name, str) or not isinstance(value, str) or not name or ':' in name
                or any(c in name + value for c in '\r\n')):
            raise ValueError(f"{who}: header {name!r}: names and values must be single-line strings "
                             f"(names without ':')")
    return out


class HTTPException(Exception):
    """Raise from a handler to answer with this status and a JSON error body."""

    def __init__(self, status_code, detail=None, headers=None):
        if not isinstance(status_code, int) or isinstance(status_code, bool) or not 400 <= status_code <= 599:
            raise ValueError(f"HTTPException: status_code must be an int from 400 to 599, got {status_code!r}")
        self.status_code = status_code
        self.detail = detail if detail is not None else _REASONS.get(status_code, 'Error')
        self.headers = _checked_headers(headers, 'HTTPException')
        super().__init__(f"{status_code}: {self.detail}")


class Response:
    """A response with its own status, headers and media type. `body` may be bytes, str, or a
    JSON-encodable value (dict, list, number ...), which is encoded as JSON."""

    def __init__(self, body=b'', status=200, headers=None, media_type=None):
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            raise ValueError(f"Response: status must be an int from 200 to 599, got {status!r}")
        if media_type is not None and (not isinstance(media_type, str) or any(c in media_type for c in '\r\n')):
            raise ValueError(f"Response: media_type must be a single-line string, got {media_type!r}")
        self.status = status
        self.headers = _checked_headers(headers, 'Response')
        if media_type is None:
            # A Content-Type given as a header is the media type (the server sets that header itself).
            for name in [n for n in self.headers if n.lower() == 'content-type']:
                media_type = self.headers.pop(name)
        if body is None:
            body, default_type = b'', None
        elif isinstance(body, (bytes, bytearray, memoryview)):
            body, default_type = bytes(body), 'application/octet-stream'
        elif isinstance(body, str):
            body, default_type = body.encode('utf-8'), 'text/plain; charset=utf-8'
        else:
            body, default_type = _encode_json(body), _JSON
        self.body = body
        self.media_type = media_type if media_type is not None else default_type

    def __repr__(self):
        return f"Response(status={self.status}, media_type={self.media_type!r}, {len(self.body)} bytes)"


class State:
    """`app.state`: attributes an app keeps between requests (one copy per interpreter)."""

    def __repr__(self):
        return f"State({vars(self)!r})"


class _Headers(dict):
    """Request headers, looked up case-insensitively (keys are lower case)."""

    def __getitem__(self, name):
        return dict.__getitem__(self, name.lower())

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)

    def __contains__(self, name):
        return isinstance(name, str) and dict.__contains__(self, name.lower())


class Request:
    """What a handler that takes a `request` parameter receives."""

    __slots__ = ('method', 'path', 'path_params', 'query_string', '_body', '_raw_headers', '_headers',
                 '_query', '_json', '_numbers')

    def __init__(self, method, path, path_params, query_string, raw_headers, body, numbers=None):
        self.method = method
        self.path = path
        self.path_params = path_params
        self.query_string = query_string
        self._body = body
        self._raw_headers = raw_headers
        self._headers = None
        self._query = None
        self._json = _UNSET
        # The body as a covet.Array's (handle, dtype, shape) when the server already parsed it as a
        # JSON array of numbers.
        self._numbers = numbers

    @property
    def body(self):
        """The body's bytes."""
        if isinstance(self._body, str):
            # A body the server parsed as numbers comes as its latin-1 text: the bytes are made only
            # if someone asks (encoding a 64-KB body took ~9% of such a request's CPU).
            self._body = self._body.encode('latin-1')
        return self._body

    @body.setter
    def body(self, value):
        self._body = value

    @property
    def headers(self):
        """Case-insensitive: request.headers['content-type']; repeated headers are joined with ', '."""
        if self._headers is None:
            headers = _Headers()
            for line in self._raw_headers.split('\n'):
                if line:
                    name, _, value = line.partition(':')
                    name = name.lower()
                    headers[name] = headers[name] + ', ' + value if name in headers else value
            self._headers = headers
        return self._headers

    @property
    def query_params(self):
        """Every value of every query parameter: {'tag': ['a', 'b']}."""
        if self._query is None:
            self._query = parse_qs(self.query_string, keep_blank_values=True) if self.query_string else {}
        return self._query

    @property
    def query(self):
        """The first value of each query parameter: {'page': '2'}."""
        return {name: values[0] for name, values in self.query_params.items()}

    def json(self):
        """The body parsed as JSON (None when empty); malformed JSON is a 400."""
        if self._json is _UNSET:
            self._json = _parse_json(self.body)
        return self._json

    def text(self):
        return self.body.decode('utf-8', errors='replace')

    def __repr__(self):
        return f"Request({self.method} {self.path})"


_UNSET = object()
_INF = float('inf')


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(body):
    if not body:
        return None
    try:
        return json.loads(body, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise HTTPException(400, f"malformed JSON body: {e}") from None


# ---- parameter binding -------------------------------------------------------------------

class _BindError(Exception):
    pass


def _is_union(origin):
    import types
    import typing
    return origin is typing.Union or origin is types.UnionType


def _converter(hint, name):
    """A function (value, from_query) -> converted value for one type hint; raises _BindError."""
    import typing
    if hint is None or hint is typing.Any or hint is _NO_HINT:
        return lambda value, q: value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if _is_union(origin):
        inner = [a for a in args if a is not type(None)]
        convert = _converter(inner[0] if len(inner) == 1 else None, name)
        return lambda value, q: None if value is None else convert(value, q)
    if hint is bool:
        def to_bool(value, q):
            if q:
                lowered = value.lower()
                if lowered in ('true', '1', 'yes', 'on'):
                    return True
                if lowered in ('false', '0', 'no', 'off'):
                    return False
            elif isinstance(value, bool):
                return value
            raise _BindError(f"expected true or false, got {value!r}")
        return to_bool
    if hint is int:
        def to_int(value, q):
            if q:
                try:
                    return int(value)
                except ValueError:
                    pass
            elif isinstance(value, int) and not isinstance(value, bool):
                return value
            raise _BindError(f"expected an integer, got {value!r}")
        return to_int
    if hint is float:
        def to_float(value, q):
            number = None
            try:
                if q:
                    number = float(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    number = float(value)
            except (ValueError, OverflowError):
                pass
            if number is None or number != number or number in (_INF, -_INF):
                raise _BindError(f"expected a finite number, got {value!r}")
            return number
        return to_float
    if hint is str:
        def to_str(value, q):
            if isinstance(value, str):
                return value
            raise _BindError(f"expected a string, got {type(value).__name__}")
        return to_str
    if hint is _array.Array:
        def to_array(value, q):
            if isinstance(value, _array.Array):
                return value
            if not isinstance(value, list):
                raise _BindError(f"expected a list of numbers, got {type(value).__name__}")
            try:
                return _array.from_list(value, 'float64')   # as when the server parses the body itself
            except (TypeError, ValueError, OverflowError) as e:
                raise _BindError(f"expected a list of numbers: {e}") from None
        return to_array
    if hint is list or origin is list or hint is tuple or origin is tuple:
        item = _converter(args[0] if args else None, name)
        plain = not args

        def to_list(value, q):
            if not isinstance(value, list):
                raise _BindError(f"expected a list, got {type(value).__name__}")
            if plain:
                return value
            out = []
            for i, v in enumerate(value):
                try:
                    out.append(item(v, q))
                except _BindError as e:
                    raise _BindError(f"item {i}: {e}") from None
            return out
        return to_list
    if hint is dict or origin is dict:
        value_of = _converter(args[1] if len(args) == 2 else None, name)
        plain = len(args) != 2

        def to_dict(value, q):
            if q or not isinstance(value, dict):
                raise _BindError(f"expected a JSON object, got {'a query string value' if q else type(value).__name__}")
            return value if plain else {k: _at(value_of, v, k) for k, v in value.items()}
        return to_dict
    return lambda value, q: value


def _at(convert, value, key):
    try:
        return convert(value, False)
    except _BindError as e:
        raise _BindError(f"field {key!r}: {e}") from None


_NO_HINT = object()


def _is_container(hint):
    import typing
    origin = typing.get_origin(hint)
    if _is_union(origin):
        return any(_is_container(a) for a in typing.get_args(hint) if a is not type(None))
    return hint in (list, dict, tuple, _NO_HINT, _array.Array) or origin in (list, dict, tuple)


class _Param:
    __slots__ = ('name', 'source', 'convert', 'default', 'required', 'repeated', 'container', 'hint', 'floats')

    def __init__(self, name, source, hint, default, required):
        import typing
        self.name = name
        self.source = source
        self.hint = hint
        self.convert = _converter(hint, name)
        self.default = default
        self.required = required
        origin = typing.get_origin(hint)
        if _is_union(origin):
            inner = [a for a in typing.get_args(hint) if a is not type(None)]
            origin = typing.get_origin(inner[0]) if len(inner) == 1 else None
            hint = inner[0] if len(inner) == 1 else None
        self.repeated = hint in (list, tuple) or origin in (list, tuple)
        self.container = _is_container(self.hint)
        # A whole JSON body of numbers that the server may parse in Java: into a list or an Array.
        self.floats = ('array' if hint is _array.Array
                       else 'list' if origin is list and typing.get_args(hint) == (float,) else None)


class _Route:
    __slots__ = ('methods', 'path', 'handler', 'params', 'names', 'kwargs', 'float_body')

    def __init__(self, methods, path, handler):
        import inspect
        import typing
        self.methods = methods
        self.path = path
        self.handler = handler
        self.names = _path_names(path)
        signature = inspect.signature(handler)
        try:
            hints = typing.get_type_hints(handler)
        except Exception as e:
            raise TypeError(f"route {path}: can't read the type hints of {handler.__qualname__}: {e}") from None
        self.kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        self.params = []
        for p in signature.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.kind is p.POSITIONAL_ONLY:
                raise TypeError(f"route {path}: {handler.__qualname__} has a positional-only parameter "
                                f"'{p.name}'; handler arguments are bound by name")
            hint = hints.get(p.name, _NO_HINT)
            if p.name in self.names:
                source = 'path'
            elif p.name == 'request' or hint is Request:
                source = 'request'
            else:
                source = 'auto'
            required = p.default is p.empty
            self.params.append(_Param(p.name, source, hint, None if required else p.default, required))
        missing = [n for n in self.names if n not in {p.name for p in self.params} and not self.kwargs]
        if missing:
            raise TypeError(f"route {path}: {handler.__qualname__} has no parameter for the path parameter "
                            f"'{missing[0]}'")
        # The one parameter that takes a whole JSON body of numbers (List[float] or covet.Array): the
        # server parses such bodies in Java into a covet.Array's memory, which a covet.Array
        # parameter takes as it is and a List[float] one as a list.
        whole = [p for p in self.params if p.source == 'auto' and p.container]
        self.float_body = whole[0] if len(whole) == 1 and whole[0].floats else None

    def bind(self, request, values):
        # A handler with **kwargs gets the path parameters it doesn't name, as strings.
        kwargs = {n: v for n, v in zip(self.names, values)} if self.kwargs else {}
        query = None
        unresolved = []
        for p in self.params:
            if p.source == 'path':
                kwargs[p.name] = _convert(p, values[self.names.index(p.name)], True, 'path')
            elif p.source == 'request':
                kwargs[p.name] = request
            else:
                if query is None:
                    query = request.query_params
                given = query.get(p.name)
                if given is not None and not (p.container and not p.repeated):
                    kwargs[p.name] = _convert(p, given if p.repeated else given[0], True, 'query')
                else:
                    unresolved.append(p)
        if unresolved:
            if request._numbers is not None and self.float_body in unresolved:
                # A JSON array of numbers, already parsed: it can only be the List[float] or Array parameter.
                numbers = _array._wrap(request._numbers)
                kwargs[self.float_body.name] = numbers if self.float_body.floats == 'array' else numbers.tolist()
                leftover = [p for p in unresolved if p is not self.float_body]
            else:
                leftover = self._from_body(request, unresolved, kwargs)
            for p in leftover:
                if p.required:
                    raise HTTPException(400, f"missing parameter '{p.name}' (expected in the query string or "
                                             f"the JSON body)")
                kwargs[p.name] = p.default
        return kwargs

    @staticmethod
    def _from_body(request, unresolved, kwargs):
        """Binds what the JSON body supplies (fields of an object, or the whole body for the one
        container parameter left); returns the parameters still unbound."""
        body = request.json() if request.body else None
        leftover = []
        for p in unresolved:
            if isinstance(body, dict) and p.name in body:
                kwargs[p.name] = _convert(p, body[p.name], False, 'body')
            else:
                leftover.append(p)
        whole = [p for p in leftover if p.container]
        if body is not None and len(whole) == 1 and len(leftover) == len(unresolved):
            p = whole[0]
            kwargs[p.name] = _convert(p, body, False, 'body')
            leftover.remove(p)
        return leftover


def _convert(param, value, from_query, where):
    try:
        return param.convert(value, from_query)
    except _BindError as e:
        raise HTTPException(400, f"parameter '{param.name}' ({where}): {e}") from None


def _path_names(path):
    if not isinstance(path, str) or not path.startswith('/'):
        raise ValueError(f"route path must be a string starting with '/', got {path!r}")
    names = []
    for segment in path.split('/')[1:]:
        if segment.startswith('{') and segment.endswith('}'):
            name = segment[1:-1]
            if not name.isidentifier():
                raise ValueError(f"route {path}: path parameter '{{{name}}}' must be a Python identifier")
            if name in names:
                raise ValueError(f"route {path}: path parameter '{name}' appears twice")
            names.append(name)
        elif '{' in segment or '}' in segment:
            raise ValueError(f"route {path}: a path parameter must be a whole segment, like /items/{{item_id}}")
    return names


# ---- the app ------------------------------------------------------------------------------

class Covet:
    """A web app: routes, lifecycle hooks and per-interpreter state. `CovetPy` is the same class."""

    def __init__(self, title=None):
        self.title = title
        self.state = State()
        self.routes = []
        self.startup_hooks = []
        self.shutdown_hooks = []

    def route(self, path, methods=('GET',)):
        """Registers the decorated function for `path` and the given HTTP methods."""
        if isinstance(methods, str):
            methods = (methods,)
        methods = tuple(m.upper() for m in methods)
        for m in methods:
            if m not in _METHODS:
                raise ValueError(f"route {path}: unknown HTTP method {m!r}; known: {', '.join(_METHODS)}")

        def register(handler):
            if not callable(handler):
                raise TypeError(f"route {path}: the handler must be a function, got {type(handler).__name__}")
            route = _Route(methods, path, handler)
            for existing in self.routes:
                if existing.path == path and set(existing.methods) & set(methods):
                    clash = sorted(set(existing.methods) & set(methods))[0]
                    raise ValueError(f"route {clash} {path} is registered twice ({existing.handler.__qualname__} "
                                     f"and {handler.__qualname__})")
            self.routes.append(route)
            return handler
        return register

    def get(self, path):
        return self.route(path, ('GET',))

    def post(self, path):
        return self.route(path, ('POST',))

    def put(self, path):
        return self.route(path, ('PUT',))

    def delete(self, path):
        return self.route(path, ('DELETE',))

    def patch(self, path):
        return self.route(path, ('PATCH',))

    def on_startup(self, fn):
        """Runs `fn` (sync or async) once in every interpreter, after the app loads, before it serves."""
        self.startup_hooks.append(fn)
        return fn

    def on_shutdown(self, fn):
        """Runs `fn` (sync or async) once in every interpreter as the server stops."""
        self.shutdown_hooks.append(fn)
        return fn

    def on_event(self, event):
        """`@app.on_event("startup")` / `("shutdown")`, as other frameworks spell it."""
        if event not in ('startup', 'shutdown'):
            raise ValueError(f"on_event: the event must be 'startup' or 'shutdown', got {event!r}")
        return self.on_startup if event == 'startup' else self.on_shutdown

    def __repr__(self):
        return f"Covet({len(self.routes)} routes)"


CovetPy = Covet


def setup_performance(app, config=None):
    """ADR-007's integration: applies `config` to the runtime (command-line flags still win) and
    keeps the manager in `app.state.performance`; returns it. Call it at module level."""
    from .perf import PerformanceManager
    if not isinstance(app, Covet):
        raise TypeError(f"setup_performance needs a Covet app, got {type(app).__name__}")
    manager = PerformanceManager(config)
    app.state.performance = manager
    return manager


# ---- what the Java server calls (io.covet.runtime.WebApp) -----------------------------------

_APP = None
_DEBUG = False


def _run(result):
    """The value of a hook's result, running it to its end on this interpreter's event loop if it
    is awaitable (as a Task: asyncio.timeout, TaskGroup and contextvars work)."""
    if not hasattr(result, '__await__') or isinstance(result, type):
        return result
    import _covet_pool
    return _covet_pool.run_on_loop(result)


def _start(app, debug):
    """Serves `app` in this interpreter (covet.serve found and imported it): runs its startup hooks."""
    global _APP, _DEBUG
    _APP, _DEBUG = app, debug
    import inspect
    if any(inspect.iscoroutinefunction(r.handler) for r in _APP.routes):
        # Made now, while the interpreter starts: the first async request would otherwise wait for
        # asyncio's import (seconds on a cold JVM).
        import _covet_pool
        _covet_pool._serving_loop()
    for hook in _APP.startup_hooks:
        _run(hook())


def _routes():
    """[[methods...], path, takes a List[float] body] for each route, in registration order (the
    server's route table)."""
    return [[list(r.methods), r.path, r.float_body is not None] for r in _APP.routes]


def _shutdown():
    """Runs the shutdown hooks; each runs even if an earlier one failed."""
    failures = []
    for hook in (_APP.shutdown_hooks if _APP is not None else ()):
        try:
            _run(hook())
        except Exception as e:
            failures.append(f"{getattr(hook, '__qualname__', hook)}: {type(e).__name__}: {e}")
            traceback.print_exc()
    if failures:
        raise RuntimeError("shutdown hooks failed: " + "; ".join(failures))


# A request crosses as one tuple, WebApp.Request's fields in order:
#   (route index, method, path, raw path parameters joined by '/', query string, header lines, body,
#    body as a covet.Array's handle or None, client address, client port, scheme, exchange number,
#    more body)
# (body: bytes, or their latin-1 text when the server parsed them as numbers)
# (more body: the body is its first part only, the rest read through the exchange; never for a Covet
# app, whose handlers take the whole body)
# (the path with --root-path taken off; the client and scheme as a trusted proxy's X-Forwarded-
# headers say, else the connection's)
# and its answer as one tuple, WebApp.Response's:
#   (status, media type, body, [(header, value)...] or None, log text or None, error or None)
# where an error is (message, details dict or None) and the server writes the JSON error body.

def _handle(request):
    """Runs the handler of one request: its answer, or, for an async handler (or one that returns
    an awaitable), a coroutine the interpreter's event loop runs to that answer while it serves
    other requests."""
    index, method, path, raw_params, query_string, raw_headers, body, numbers = request[:8]
    route = _APP.routes[index]
    try:
        values = [unquote(v) for v in raw_params.split('/')] if route.names else []
        req = Request(method, path, dict(zip(route.names, values)), query_string, raw_headers, body, numbers)
        kwargs = route.bind(req, values) if (route.params or route.names) else {}
        result = route.handler(**kwargs)
        if hasattr(result, '__await__') and not isinstance(result, type):
            return _answer_when_done(route, method, path, result)
        return _answer(result)
    except HTTPException as e:
        return _http_error(e)
    except (SystemExit, KeyboardInterrupt, GeneratorExit):
        raise
    except BaseException as e:   # asyncio.CancelledError included
        return _failed(route, method, path, e)


async def _answer_when_done(route, method, path, awaitable):
    try:
        return _answer(await awaitable)
    except HTTPException as e:
        return _http_error(e)
    except (SystemExit, KeyboardInterrupt, GeneratorExit):
        raise
    except BaseException as e:   # asyncio.CancelledError included: the handler raised it, or its deadline passed
        return _failed(route, method, path, e)


def _answer(result):
    if isinstance(result, Response):
        return (result.status, result.media_type, result.body, _header_pairs(result.headers), None, None)
    if result is None:
        return (204, None, b'', None, None, None)
    if isinstance(result, str):
        return (200, 'text/plain; charset=utf-8', result.encode('utf-8'), None, None, None)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return (200, 'application/octet-stream', bytes(result), None, None, None)
    return (200, _JSON, _encode_json(result), None, None, None)


def _http_error(e):
    return (e.status_code, None, None, _header_pairs(e.headers), None, (str(e.detail), None))


def _failed(route, method, path, e):
    where = f"{method} {path} ({route.handler.__qualname__})"
    text = ''.join(traceback.format_exception(type(e), e, e.__traceback__))
    details = {'exception': type(e).__name__, 'traceback': text} if _DEBUG else None
    message = f"the handler raised {type(e).__name__}" + (f": {e}" if _DEBUG else "; see the server log")
    return (500, None, None, None, f"{where} failed:\n{text}", (message, details))


def _header_pairs(headers):
    return [(k, v) for k, v in headers.items()] if headers else None


def _json_default(value):
    import array
    import dataclasses
    if isinstance(value, array.array):
        return value.tolist()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"a {type(value).__name__} is not JSON-encodable")


# One encoder for every response: json.dumps would build a new one per call for these options.
_ENCODER = json.JSONEncoder(separators=(',', ':'), ensure_ascii=False, allow_nan=False, default=_json_default)


def _encode_json(value):
    try:
        return _ENCODER.encode(value).encode('utf-8')
    except (TypeError, ValueError) as e:
        raise TypeError(f"the response can't be encoded as JSON: {e}") from None
