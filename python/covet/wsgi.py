"""WSGI applications (PEP 3333: Flask, Django, Bottle, ...) served by `covet run`.

The server hands every request to the app (one route: every path, every method) as the one value
covet.web's wire format defines; this module builds the app's environ from it, calls the app in
the interpreter that took the request, and answers with its status, headers and body. Each
interpreter is isolated like a worker process: `wsgi.multiprocess` is true, `wsgi.multithread`
false (an interpreter runs one WSGI request at a time).

Bodies. A request body up to a megabyte arrives whole before the app runs (`wsgi.input` reads it
from memory); a larger one is read from the client as the app reads `wsgi.input`. A response comes
back whole when the app returns a list or tuple, or declares a Content-Length of a size worth
gathering (`GATHERED`: what Flask and Django do for ordinary responses); anything else (a generator
without a length, `write()`, a big file) is streamed: each part goes to the client as the app
yields it, chunked unless a Content-Length was declared, so Server-Sent Events and downloads larger
than memory work. While the client reads slower than the app writes, the app's interpreter waits
(as a gunicorn sync worker does); a client that has gone ends the app's iterable (its `close()` is
called).

Request headers whose names contain '_' are dropped, as gunicorn and nginx do: `X_Forwarded_For`
would otherwise reach the app as the same `HTTP_X_FORWARDED_FOR` as `X-Forwarded-For`.
"""
import io
import sys
from urllib.parse import unquote_to_bytes

import covet.serve
from covet.serve import ClientDisconnected, GATHERED, answered, every_path, failed, receive, root_path, server_address

_APP = None
_DEBUG = False


def _start(app, debug):
    global _APP, _DEBUG
    _APP, _DEBUG = app, debug


def _shutdown():
    pass


_routes = every_path


def _environ(method, path, query, raw_headers, body, client_address, client_port, scheme, exchange, more):
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
        'wsgi.input': io.BufferedReader(_BodyStream(exchange, body), 64 * 1024) if more else io.BytesIO(body),
        'wsgi.input_terminated': True,
        'wsgi.errors': sys.stderr,
        'wsgi.multithread': False,
        'wsgi.multiprocess': True,
        'wsgi.run_once': False,
        'wsgi.file_wrapper': _FileWrapper,
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


class _BodyStream(io.RawIOBase):
    """A request body read in parts: what arrived with the request, then each part the server
    reads from the client when asked."""

    def __init__(self, exchange, first):
        self._exchange = exchange
        self._part = first
        self._at = 0
        self._done = False

    def readable(self):
        return True

    def readinto(self, buffer):
        while self._at >= len(self._part):
            if self._done:
                return 0
            self._part, self._at = receive(self._exchange, True), 0
            self._done = not self._part
        n = min(len(buffer), len(self._part) - self._at)
        buffer[:n] = self._part[self._at:self._at + n]
        self._at += n
        return n


class _FileWrapper:
    """`wsgi.file_wrapper` (PEP 3333's optional platform file handling): the file in blocks of at
    least 256 KB, whatever smaller size the app suggests (Django's FileResponse asks 4 KB), so a
    large download is a few hundred parts rather than a quarter of a million."""

    def __init__(self, filelike, block_size=8192):
        self.filelike = filelike
        self.block_size = max(block_size, 256 * 1024)
        close = getattr(filelike, 'close', None)
        if close is not None:
            self.close = close

    def __iter__(self):
        read = self.filelike.read
        while True:
            block = read(self.block_size)
            if not block:
                return
            yield block


class _Response:
    """What start_response was told, and the body: gathered into one answer, or streamed from the
    first part on (see the module's docstring for which)."""

    def __init__(self, exchange):
        self.exchange = exchange
        self.status = None
        self.headers = None
        self.written = []
        self.size = 0
        self.declared = False   # the app declared a Content-Length
        self.sequence = False   # the app returned a list or tuple: all of its body is here already
        self.streaming = False
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
        self.declared = any(n.lower() == 'content-length' for n, _ in headers)
        return self.write

    def write(self, data):
        if self.status is None:
            raise AssertionError("write() before start_response() (PEP 3333)")
        if not isinstance(data, bytes):
            raise TypeError(f"write() takes bytes, not {type(data).__name__}")
        self.part(data)

    def part(self, data):
        """A non-empty part of the body: kept for the whole answer, or sent."""
        if not data:
            return
        self.sent = True
        if self.streaming:
            covet.serve.send(self.exchange, None, None, data, True, True)
            return
        self.written.append(data)
        self.size += len(data)
        if not self.sequence and (not self.declared or self.size > GATHERED):
            self.streaming = True
            body, self.written = b''.join(self.written), []
            covet.serve.send(self.exchange, int(self.status[:3]), self.headers, body, True, True)

    def finish(self):
        covet.serve.send(self.exchange, None, None, b'', False, True)


def _handle(request):
    (_, method, path, _, query, raw_headers, body, _, client_address, client_port, scheme, exchange, more) = request
    response = _Response(exchange)
    try:
        result = _APP(_environ(method, path, query, raw_headers, body, client_address, client_port, scheme, exchange, more),
                      response.start_response)
        try:
            response.sequence = isinstance(result, (list, tuple))
            for chunk in result:
                if not isinstance(chunk, bytes):
                    raise TypeError(f"the app's iterable yielded a {type(chunk).__name__}, not bytes (PEP 3333)")
                response.part(chunk)
        finally:
            close = getattr(result, 'close', None)
            if close is not None:
                close()
        if response.status is None:
            raise AssertionError("the app returned without calling start_response() (PEP 3333)")
        if response.streaming:
            response.finish()
            return None
    except ClientDisconnected:
        return None   # the server knows: nobody to answer
    except (SystemExit, KeyboardInterrupt, GeneratorExit):
        raise
    except BaseException as e:
        return _failed(method, path, e)
    return answered(int(response.status[:3]), b''.join(response.written), response.headers)


def _failed(method, path, e):
    return failed(_APP, _DEBUG, method, path, e)
