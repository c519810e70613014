"""Debian's Starlette 0.26, as an app would use it, for StarletteAppTest: async and plain-def
endpoints, path parameters, JSON in and out, lifespan, a streamed body, a background task, errors;
and what shows that awaits overlap on an interpreter's event loop."""
import asyncio
import contextlib
import hashlib
import os
import time

import _covet_host
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

STARTED = []        # lifespan startups in this interpreter
BACKGROUND = []     # what background tasks did here
IN_FLIGHT = {'now': 0, 'most': 0}
GONE = []           # streams whose client went away, here
FLOODED = {}        # tag -> bytes /flood has sent so far, here


@contextlib.asynccontextmanager
async def lifespan(app):
    STARTED.append('started')
    app.state.greeting = 'hello from the lifespan'
    yield
    STARTED.append('stopped')


async def index(request):
    return JSONResponse({'greeting': request.app.state.greeting, 'startups_here': STARTED.count('started'),
                         'interpreter': _covet_host.interpreter_id()})


async def create(request):
    item = await request.json()
    if 'name' not in item:
        raise HTTPException(400, detail='an item needs a name')
    return JSONResponse({'created': item, 'client': request.client.host}, status_code=201)


def item(request):  # a plain def endpoint: Starlette runs it in its thread pool (inline in the sandbox)
    return JSONResponse({'item': request.path_params['item_id'], 'q': request.query_params.get('q')})


async def sleep(request):
    IN_FLIGHT['now'] += 1
    IN_FLIGHT['most'] = max(IN_FLIGHT['most'], IN_FLIGHT['now'])
    try:
        await asyncio.sleep(float(request.query_params.get('s', '0.3')))
    finally:
        IN_FLIGHT['now'] -= 1
    return JSONResponse({'interpreter': _covet_host.interpreter_id(), 'most_in_flight_here': IN_FLIGHT['most']})


async def stream(request):
    async def lines():
        for i in range(3):
            await asyncio.sleep(0)
            yield f'line {i}\n'
    return StreamingResponse(lines(), media_type='text/plain')


async def events(request):
    # A stream whose second event is made only once the client has read the first: served whole,
    # it would never arrive.
    flag = request.query_params['flag']

    async def lines():
        yield 'data: first\n\n'
        deadline = time.monotonic() + 20
        while not os.path.exists(flag) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        yield 'data: after the flag\n\n' if os.path.exists(flag) else 'data: the first event never reached the client\n\n'
    return StreamingResponse(lines(), media_type='text/event-stream')


async def upload(request):
    digest, size, parts = hashlib.sha256(), 0, 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
        parts += 1
    return JSONResponse({'bytes': size, 'sha256': digest.hexdigest(), 'parts': parts})


class Endless:
    """A raw ASGI endpoint that streams until its client goes; it notes that it saw it go."""

    def __init__(self, scope, receive, send):
        self.scope, self.send = scope, send

    def __await__(self):
        return self.run().__await__()

    async def run(self):
        tag = self.scope['query_string'].decode()
        await self.send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'text/plain')]})
        try:
            while True:
                await self.send({'type': 'http.response.body', 'body': b'x' * 65536, 'more_body': True})
                await asyncio.sleep(0)
        except OSError:
            GONE.append(tag)


async def gone(request):
    return JSONResponse({'gone': GONE})


async def flood(request):
    # 64 MB as fast as the app can send it: it may only run ahead of the client by a bounded amount.
    tag = request.query_params['tag']
    FLOODED[tag] = 0

    async def parts():
        for i in range(1024):
            FLOODED[tag] += 65536
            yield bytes([i % 251]) * 65536
    return StreamingResponse(parts(), media_type='application/octet-stream')


async def flooded(request):
    return JSONResponse(FLOODED)


def remember(what):
    BACKGROUND.append(what)


async def later(request):
    return PlainTextResponse('answered first', background=BackgroundTask(remember, request.query_params['tag']))


async def background_log(request):
    return JSONResponse({'done': BACKGROUND})


async def boom(request):
    raise RuntimeError('secret detail')


app = Starlette(routes=[
    Route('/', index), Route('/items', create, methods=['POST']), Route('/items/{item_id:int}', item),
    Route('/sleep', sleep), Route('/stream', stream), Route('/later', later), Route('/background', background_log),
    Route('/boom', boom), Route('/events', events), Route('/upload', upload, methods=['POST']), Route('/endless', Endless),
    Route('/gone', gone), Route('/flood', flood), Route('/flooded', flooded),
], lifespan=lifespan)
