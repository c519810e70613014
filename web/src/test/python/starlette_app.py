"""Debian's Starlette 0.26, as an app would use it, for StarletteAppTest: async and plain-def
endpoints, path parameters, JSON in and out, lifespan, a streamed body, a background task, errors;
and what shows that awaits overlap on an interpreter's event loop."""
import asyncio
import contextlib

import _covet_host
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

STARTED = []        # lifespan startups in this interpreter
BACKGROUND = []     # what background tasks did here
IN_FLIGHT = {'now': 0, 'most': 0}


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
    Route('/boom', boom),
], lifespan=lifespan)
