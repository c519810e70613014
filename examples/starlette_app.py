"""A plain Starlette app (nothing Covet-specific in it), served on every core by:

    ./covet run --python-path /usr/lib/python3/dist-packages examples/starlette_app.py

(Debian's python3-starlette.) Try it in another terminal:

    curl -s localhost:8000/
    curl -s -X POST localhost:8000/echo -H 'content-type: application/json' -d '{"hello": "starlette"}'
    curl -s 'localhost:8000/wait?seconds=0.5'

Each interpreter runs the lifespan once and keeps its own state, as each uvicorn worker does.
While /wait awaits, its interpreter serves other requests on the same event loop.
"""
import asyncio
import contextlib

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


@contextlib.asynccontextmanager
async def lifespan(app):
    app.state.requests = 0      # per interpreter
    yield


async def index(request):
    request.app.state.requests += 1
    return JSONResponse({"service": "starlette on covet", "requests_here": request.app.state.requests})


async def echo(request):
    return JSONResponse({"you_sent": await request.json()})


async def wait(request):
    seconds = min(float(request.query_params.get("seconds", "0.1")), 5.0)
    await asyncio.sleep(seconds)
    return JSONResponse({"waited": seconds})


app = Starlette(routes=[Route("/", index), Route("/echo", echo, methods=["POST"]), Route("/wait", wait)], lifespan=lifespan)
