"""ASGI 3 applications (Starlette, ...) served by `covet run`.

Every request runs as a task on the event loop of the interpreter that took it, so an app's
awaits overlap with the other requests that interpreter serves (up to --max-in-flight). Its first
step runs as the request arrives (an eager task): an app that answers without waiting for
anything is served without a turn of the loop. The server hands over the whole request body at
once (`http.request`, `more_body` false) and sends the response once the app has sent its last
body part: a streamed response is served, not streamed. `receive()` after the body waits until the response is complete, then says
`http.disconnect`, as a client that hangs up after its answer. What the app does after its
response (Starlette's background tasks) goes on on the loop without delaying it.

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

from covet.serve import answered, every_path, failed, root_path, server_address

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
    headers = []
    host = ''
    for line in raw_headers.split('\n'):
        if line:
            name, _, value = line.partition(':')
            name = name.lower()
            headers.append((name.encode('latin-1'), value.encode('latin-1')))
            if name == 'host':
                host = value
    return {
        'type': 'http', 'asgi': _ASGI, 'http_version': '1.1', 'method': method, 'scheme': scheme,
        'path': unquote(path), 'raw_path': path.encode('latin-1'), 'query_string': query.encode('latin-1'),
        'root_path': root_path(), 'headers': headers, 'client': (client_address, client_port),
        'server': server_address(host, scheme),
        'state': dict(_LIFESPAN.state) if _LIFESPAN is not None else {},
    }


def _handle(request):
    """The app's answer when it completes its response in its first step (most routes: no
    turn of the loop), else a coroutine the loop runs to it."""
    _, method, path, _, query, raw_headers, body, _, client_address, client_port, scheme = request
    exchange = _Exchange(body)
    scope = _scope(method, path, query, raw_headers, client_address, client_port, scheme)
    app = _task_now(_APP(scope, exchange.receive, exchange.send))
    if exchange.complete or app.done():
        exchange.settle()  # for tasks the app left waiting in receive()
        return _answer(method, path, exchange, app)
    return _answer_when_settled(method, path, exchange, app)


class _Exchange:
    """One request's receive() and send(), and the response they gather. It is settled when
    the response is complete or the app ended, whichever comes first; a future for that is made
    only when something waits for it."""

    def __init__(self, body):
        self.body = body
        self.status = None
        self.headers = []
        self.parts = []
        self.complete = False
        self.delivered = False
        self.settled = False
        self.waiter = None

    async def receive(self):
        if not self.delivered:
            self.delivered = True
            return {'type': 'http.request', 'body': self.body, 'more_body': False}
        if not self.settled:
            await asyncio.shield(self.settlement())
        return {'type': 'http.disconnect'}

    async def send(self, message):
        kind = message.get('type')
        if self.complete:
            raise RuntimeError(f"ASGI message {kind!r} sent after the response was complete")
        if kind == 'http.response.start':
            if self.status is not None:
                raise RuntimeError("http.response.start sent twice")
            self.status = int(message['status'])
            self.headers = [(bytes(n).decode('latin-1'), bytes(v).decode('latin-1')) for n, v in message.get('headers', ())]
        elif kind == 'http.response.body':
            if self.status is None:
                raise RuntimeError("http.response.body sent before http.response.start")
            self.parts.append(bytes(message.get('body', b'')))
            if not message.get('more_body', False):
                self.complete = True
                self.settle()
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} for an http scope")

    def settle(self, app_task=None):
        """The response is complete, or (a done callback of the app's task) the app ended."""
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
    if not exchange.complete:
        error = app.exception() if not app.cancelled() else asyncio.CancelledError()
        return _failed(method, path, error or RuntimeError(
            "the app returned without " + ("completing its response" if exchange.status else "sending a response")))
    if app.done():
        _report_late_failure(method, path, app)
    else:
        app.add_done_callback(lambda task: _report_late_failure(method, path, task))
    return answered(method, exchange.status, b''.join(exchange.parts), exchange.headers)


def _report_late_failure(method, path, task):
    """What the app raised after its response was sent (a background task): into the log."""
    if not task.cancelled() and task.exception() is not None:
        e = task.exception()
        print(f"{method} {path}: the app raised after its response was sent:\n"
              + ''.join(traceback.format_exception(type(e), e, e.__traceback__)), file=sys.stderr)


def _failed(method, path, e):
    return failed(_APP, _DEBUG, method, path, e)
