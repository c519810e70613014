"""ASGI 3 applications (Starlette, ...) served by `covet run`.

Every request runs as a task on the event loop of the interpreter that took it, so an app's
awaits overlap with the other requests that interpreter serves (up to --max-in-flight). Its first
step runs as the request arrives (an eager task): an app that answers without waiting for
anything is served without a turn of the loop.

Bodies. A request body up to a megabyte comes in one `http.request`; a larger one in parts
(`more_body`), each read from the client when the app asks for it (the loop serves other requests
meanwhile). A response whose body comes in one message is sent whole; one sent in parts
(`more_body` true: Starlette's StreamingResponse, Server-Sent Events) is streamed, each part to
the client as the app sends it; while the client reads slower than the app writes, `send()` waits.
`receive()` after the body waits until the response is complete or the client has gone, then
says `http.disconnect`; `send()` to a client that has gone raises `covet.serve.ClientDisconnected`
(an OSError, as the spec asks). What the app does after its response (Starlette's background
tasks) goes on on the loop without delaying it.

The lifespan protocol runs once in every interpreter: startup before it serves (a failed startup
stops `covet run`), shutdown as it stops; an app that raises on the lifespan scope does not speak
it and is served all the same (as uvicorn's `--lifespan auto`). Each interpreter's `state` is
shallow-copied into every request's scope.

Where the sandbox allows no threads, AnyIO's worker threads (Starlette's `run_in_threadpool`, for
plain `def` endpoints, sync iterators and background tasks) are the interpreter's own thread: the
function runs inline, as a Covet app's sync handler does.
"""
import asyncio
import sys
import traceback
from urllib.parse import unquote

import covet.serve
from covet.serve import ClientDisconnected, answered, every_path, failed, root_path, server_address

_APP = None
_DEBUG = False
_LIFESPAN = None
_task_now = None  # _covet_pool.task_now
_ASGI = {'version': '3.0', 'spec_version': '2.3'}


def _start(app, debug):
    global _APP, _DEBUG, _LIFESPAN, _task_now
    import _covet_pool
    _APP, _DEBUG, _task_now = app, debug, _covet_pool.task_now
    if not _covet_pool.THREADS:
        _run_threads_inline()
    _LIFESPAN = _Lifespan(app)
    _covet_pool.run_on_loop(_LIFESPAN.startup())


def _shutdown():
    if _LIFESPAN is not None:
        import _covet_pool
        _covet_pool.run_on_loop(_LIFESPAN.shutdown())


_routes = every_path


def _run_threads_inline():
    try:
        import anyio.to_thread
    except ImportError:
        return

    async def run_sync(func, *args, cancellable=False, limiter=None):
        return func(*args)
    anyio.to_thread.run_sync = run_sync


class _Lifespan:
    """The app's startup and shutdown in this interpreter (ASGI's lifespan scope)."""

    def __init__(self, app):
        self.app = app
        self.state = {}
        self.supported = True
        self.inbox = None
        self.started = self.stopped = self.task = None

    async def startup(self):
        loop = asyncio.get_running_loop()
        self.inbox = asyncio.Queue()
        self.started, self.stopped = loop.create_future(), loop.create_future()
        scope = {'type': 'lifespan', 'asgi': dict(_ASGI, spec_version='2.0'), 'state': self.state}
        self.task = loop.create_task(self.app(scope, self.inbox.get, self.send))
        await self.inbox.put({'type': 'lifespan.startup'})
        await asyncio.wait([self.started, self.task], return_when=asyncio.FIRST_COMPLETED)
        if not self.started.done():
            # It returned or raised before answering: it does not speak lifespan.
            self.supported = False
            if not self.task.cancelled() and self.task.exception() is not None:
                print("covet: the ASGI app does not support the lifespan protocol (it raised "
                      f"{type(self.task.exception()).__name__}); serving it without", file=sys.stderr)
            return
        message = self.started.result()
        if message['type'] == 'lifespan.startup.failed':
            raise RuntimeError(f"the app's lifespan startup failed: {message.get('message', '')}")

    async def send(self, message):
        kind = message.get('type')
        if kind in ('lifespan.startup.complete', 'lifespan.startup.failed') and not self.started.done():
            self.started.set_result(message)
        elif kind in ('lifespan.shutdown.complete', 'lifespan.shutdown.failed') and not self.stopped.done():
            self.stopped.set_result(message)
        else:
            raise RuntimeError(f"unexpected ASGI lifespan message {kind!r}")

    async def shutdown(self):
        if not self.supported or self.task.done():
            return
        await self.inbox.put({'type': 'lifespan.shutdown'})
        await asyncio.wait([self.stopped, self.task], return_when=asyncio.FIRST_COMPLETED)
        if self.stopped.done() and self.stopped.result()['type'] == 'lifespan.shutdown.failed':
            raise RuntimeError(f"the app's lifespan shutdown failed: {self.stopped.result().get('message', '')}")


def _scope(method, path, query, raw_headers, client_address, client_port, scheme):
    # One encoding for the request line's and the headers' bytes (GraalPy's codec lookup costs more
    # than a short string's copy): neither the path nor the query nor a header line holds a line
    # break. They are ASCII: the server (Helidon) reads a header's bytes beyond ASCII as U+FFFD
    # each, which UTF-8 encodes (latin-1 would fail the request).
    raw_path, query_string, *lines = f'{path}\n{query}\n{raw_headers}'.encode('utf-8').split(b'\n')
    headers = []
    host = ''
    for line in lines:
        if line:
            name, _, value = line.partition(b':')
            name = name.lower()
            headers.append((name, value))
            if name == b'host':
                host = value.decode('utf-8')
    return {
        'type': 'http', 'asgi': _ASGI, 'http_version': '1.1', 'method': method, 'scheme': scheme,
        'path': unquote(path), 'raw_path': raw_path, 'query_string': query_string,
        'root_path': root_path(), 'headers': headers, 'client': (client_address, client_port),
        'server': server_address(host, scheme),
        'state': dict(_LIFESPAN.state) if _LIFESPAN is not None else {},
    }


def _handle(request):
    """The app's answer when it completes its response in its first step (most routes: no
    turn of the loop), else a coroutine the loop runs to it."""
    (_, method, path, _, query, raw_headers, body, _, client_address, client_port, scheme, xid, more) = request
    exchange = _Exchange(xid, body, more)
    scope = _scope(method, path, query, raw_headers, client_address, client_port, scheme)
    app = _task_now(_APP(scope, exchange.receive, exchange.send))
    if exchange.complete or app.done():
        exchange.settle()  # for tasks the app left waiting in receive()
        return _answer(method, path, exchange, app)
    return _answer_when_settled(method, path, exchange, app)


class _Exchange:
    """One request's receive() and send(), and the response they gather or stream. It is settled
    when the response is complete, the app ended or the client has gone, whichever comes first; a
    future for that is made only when something waits for it."""

    def __init__(self, xid, body, more):
        self.xid = xid
        self.body = body        # the body's first part, until received
        self.more = more        # more of the body is to be read from the client
        self.status = None
        self.headers = []
        self.parts = []
        self.complete = False
        self.streaming = False
        self.gone = False
        self.settled = False
        self.waiter = None

    async def receive(self):
        if self.body is not None:
            body, self.body = self.body, None
            return {'type': 'http.request', 'body': body, 'more_body': self.more}
        if self.more:
            try:
                part = covet.serve.receive(self.xid, False)
                while not isinstance(part, bytes):
                    await part
                    part = covet.serve.receive(self.xid, False)
            except OSError:   # the body could not be read: the server answers for it
                self.more = False
                return {'type': 'http.disconnect'}
            self.more = bool(part)
            return {'type': 'http.request', 'body': part, 'more_body': self.more}
        if not self.settled:
            await asyncio.shield(self.settlement())
        return {'type': 'http.disconnect'}

    async def send(self, message):
        kind = message.get('type')
        if self.complete:
            raise RuntimeError(f"ASGI message {kind!r} sent after the response was complete")
        if self.gone:
            raise ClientDisconnected("the client disconnected")
        if kind == 'http.response.start':
            if self.status is not None:
                raise RuntimeError("http.response.start sent twice")
            self.status = int(message['status'])
            # Bytes, as the app gave them: the server decodes them (latin-1) as it checks them.
            self.headers = [(n, v) if type(n) is bytes and type(v) is bytes else (bytes(n), bytes(v))
                            for n, v in message.get('headers', ())]
        elif kind == 'http.response.body':
            if self.status is None:
                raise RuntimeError("http.response.body sent before http.response.start")
            body = bytes(message.get('body', b''))
            more = bool(message.get('more_body', False))
            if more or self.streaming:
                await self._stream(body, more)
            else:
                self.parts.append(body)
            if not more:
                self.complete = True
                self.settle()
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} for an http scope")

    async def _stream(self, body, more):
        """Sends a part to the client (the response's start with the first): the app waits only
        while the client reads slower than it writes."""
        try:
            if self.streaming:
                waited = covet.serve.send(self.xid, None, None, body, more, False)
            else:
                waited = covet.serve.send(self.xid, self.status, self.headers, b''.join(self.parts) + body, more, False)
                self.streaming, self.parts = True, []
            if waited is not None:
                await waited
        except ClientDisconnected:
            self.gone = True
            self.settle()
            raise

    def settle(self, app_task=None):
        """The response is complete, or the client has gone, or (a done callback of the app's task) the app ended."""
        self.settled = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def settlement(self):
        """A future done once settled."""
        if self.waiter is None:
            self.waiter = asyncio.get_running_loop().create_future()
            if self.settled:
                self.waiter.set_result(None)
        return self.waiter


async def _answer_when_settled(method, path, exchange, app):
    app.add_done_callback(exchange.settle)
    try:
        await exchange.settlement()
    except asyncio.CancelledError:  # the request's deadline passed, or the server is stopping
        app.cancel()
        raise
    return _answer(method, path, exchange, app)


def _answer(method, path, exchange, app):
    """The answer once settled: the whole response; None once a streamed one is complete (or
    its client gone); the app's failure (a 500, or, mid-stream, the connection cut)."""
    if not exchange.complete and not exchange.gone:
        error = app.exception() if not app.cancelled() else asyncio.CancelledError()
        return _failed(method, path, error or RuntimeError(
            "the app returned without " + ("completing its response" if exchange.status else "sending a response")))
    if app.done():
        _report_late_failure(method, path, app)
    else:
        app.add_done_callback(lambda task: _report_late_failure(method, path, task))
    if exchange.streaming or exchange.gone:
        return None
    return answered(exchange.status, b''.join(exchange.parts), exchange.headers)


def _report_late_failure(method, path, task):
    """What the app raised after its response was sent (a background task): into the log; not
    that its client had gone."""
    if not task.cancelled() and task.exception() is not None and not isinstance(task.exception(), ClientDisconnected):
        e = task.exception()
        print(f"{method} {path}: the app raised after its response was sent:\n"
              + ''.join(traceback.format_exception(type(e), e, e.__traceback__)), file=sys.stderr)


def _failed(method, path, e):
    return failed(_APP, _DEBUG, method, path, e)
