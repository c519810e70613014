"""The HTTP suite's ASGI peer, for uvicorn: the handlers of examples/app.py that `covet bench http`
loads with uvicorn as the peer, as a plain ASGI 3 app (each uvicorn worker a CPython process with
one event loop)."""
import asyncio
import json


async def _json(send, status, value):
    body = json.dumps(value, separators=(',', ':')).encode()
    await send({'type': 'http.response.start', 'status': status,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode())]})
    await send({'type': 'http.response.body', 'body': body})


async def app(scope, receive, send):
    if scope['type'] != 'http':
        return
    path = scope['path']
    if path == '/hello':
        await _json(send, 200, {"message": "hello"})
    elif path == '/io/sleep':
        ms = 50
        for part in scope.get('query_string', b'').decode().split('&'):
            if part.startswith('ms='):
                ms = int(part[3:])
        await asyncio.sleep(ms / 1000)
        await _json(send, 200, {"slept_ms": ms})
    else:
        await _json(send, 404, {"error": "Not Found"})
