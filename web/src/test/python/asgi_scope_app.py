"""A bare ASGI 3 application (no framework) for DeploymentOptionsTest: its HTTP scope as JSON."""
import json


async def app(scope, receive, send):
    if scope['type'] == 'lifespan':
        while True:
            message = await receive()
            if message['type'] == 'lifespan.startup':
                await send({'type': 'lifespan.startup.complete'})
            elif message['type'] == 'lifespan.shutdown':
                await send({'type': 'lifespan.shutdown.complete'})
                return
    keys = ('scheme', 'root_path', 'path', 'raw_path', 'client', 'server')
    out = {k: scope[k].decode('latin-1') if isinstance(scope[k], bytes) else scope[k] for k in keys}
    body = json.dumps(out).encode()
    await send({'type': 'http.response.start', 'status': 200,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode())]})
    await send({'type': 'http.response.body', 'body': body})
