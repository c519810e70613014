"""WSGI applications (PEP 3333: Flask, Django, Bottle, ...) served by `covet run`.

The server hands every request to the app (one route: every path, every method) as the one value
covet.web's wire format defines; this module builds the app's environ from it, calls the app in
the interpreter that took the request, and returns its status, headers and whole body. The
request body is read by the server before the app runs (`wsgi.input` is a BytesIO of it), and the
response is sent once the app's iterable is exhausted (and closed), so a streaming app is served,
but not streamed. Each interpreter is isolated like a worker process: `wsgi.multiprocess` is
true, `wsgi.multithread` false (an interpreter runs one WSGI request at a time).

Request headers whose names contain '_' are dropped, as gunicorn and nginx do: `X_Forwarded_For`
would otherwise reach the app as the same `HTTP_X_FORWARDED_FOR` as `X-Forwarded-For`.
"""
import io
import sys
from urllib.parse import unquote_to_bytes

from covet.serve import answered, every_path, failed, root_path, server_address

_APP = None
_DEBUG = False


def _start(app, debug):
    global _APP, _DEBUG
    _APP, _DEBUG = app, debug


def _shutdown():
    pass


_routes = every_path


def _environ(method, path, query, raw_headers, body, client_address, client_port, scheme):
    script_name = root_path()
    environ = {
        'REQUEST_METHOD': method,
        'SCRIPT_NAME': script_name,
        # PEP 3333: the decoded path, its bytes as latin-1 characters (what the app re-encodes).
        'PATH_INFO': unquote_to_bytes(path).decode('latin-1'),
        'QUERY_STRING': query,
        'RAW_URI': script_name + path + ('?' + query if query else ''),
        'SERVER_PROTOCOL': 'HTTP/1.1',
        'REMOTE_ADDR': client_address,
        'REMOTE_PORT': str(client_port),
        'wsgi.version': (1, 0),
        'wsgi.url_scheme': scheme,
        'wsgi.input': io.BytesIO(body),
        'wsgi.input_terminated': True,
        'wsgi.errors': sys.stderr,
        'wsgi.multithread': False,
        'wsgi.multiprocess': True,
        'wsgi.run_once': False,
    }
    for line in raw_headers.split('\n'):
        if not line:
            continue
        name, _, value = line.partition(':')
        if '_' in name:
            continue
        key = name.upper().replace('-', '_')
        if key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            environ[key] = value
            continue
        key = 'HTTP_' + key
        if key in environ:
            environ[key] += ('; ' if key == 'HTTP_COOKIE' else ',') + value
        else:
            environ[key] = value
    name, port = server_address(environ.get('HTTP_HOST', ''), scheme)
    environ['SERVER_NAME'], environ['SERVER_PORT'] = name, str(port)
    return environ


class _Response:
    """What start_response was told, and what write() wrote before the iterable."""

    def __init__(self):
        self.status = None
        self.headers = None
        self.written = []
        self.sent = False

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response() was called a second time without exc_info (PEP 3333)")
        if not isinstance(status, str) or len(status) < 3 or not status[:3].isdigit() or status[3:4] not in ('', ' '):
            raise ValueError(f"start_response(): status must be a str such as '200 OK', got {status!r}")
        if not isinstance(headers, list) or not all(isinstance(h, tuple) and len(h) == 2
                                                   and isinstance(h[0], str) and isinstance(h[1], str) for h in headers):
            raise TypeError("start_response(): headers must be a list of (name, value) tuples of str")
        self.status, self.headers = status, headers
        return self.write

    def write(self, data):
        if self.status is None:
            raise AssertionError("write() before start_response() (PEP 3333)")
        if not isinstance(data, bytes):
            raise TypeError(f"write() takes bytes, not {type(data).__name__}")
        self.sent = self.sent or bool(data)
        self.written.append(data)


def _handle(request):
    _, method, path, _, query, raw_headers, body, _, client_address, client_port, scheme = request
    response = _Response()
    try:
        result = _APP(_environ(method, path, query, raw_headers, body, client_address, client_port, scheme),
                      response.start_response)
        try:
            for chunk in result:
                if not isinstance(chunk, bytes):
                    raise TypeError(f"the app's iterable yielded a {type(chunk).__name__}, not bytes (PEP 3333)")
                if chunk:
                    response.sent = True
                    response.written.append(chunk)
        finally:
            close = getattr(result, 'close', None)
            if close is not None:
                close()
        if response.status is None:
            raise AssertionError("the app returned without calling start_response() (PEP 3333)")
    except (SystemExit, KeyboardInterrupt, GeneratorExit):
        raise
    except BaseException as e:
        return _failed(method, path, e)
    return answered(method, int(response.status[:3]), b''.join(response.written), response.headers)


def _failed(method, path, e):
    return failed(_APP, _DEBUG, method, path, e)
