"""A bare ASGI 3 application for AsgiHeadersTest: /header sends the response header named by the
query's `name` and `value` (percent-decoded bytes, as a hostile app or an app echoing its input
might); /headers answers with the request's headers as the scope holds them (values read as
UTF-8: an error if their bytes are not)."""
import json
from urllib.parse import parse_qs


async def app(scope, receive, send):
    if scope['type'] != 'http':
        return
    if scope['path'] == '/header':
        query = parse_qs(scope['query_string'], encoding='latin-1')
        name, value = query[b'name'][0], query[b'value'][0]
        await send({'type': 'http.response.start', 'status': 200, 'headers': [[name, bytearray(value)]]})
        await send({'type': 'http.response.body', 'body': b'ok'})
        return
    body = json.dumps([[n.decode('latin-1'), v.decode('utf-8')] for n, v in scope['headers']]
                      + [['raw_path', scope['raw_path'].decode('latin-1')], ['query', scope['query_string'].decode('latin-1')],
                         ['server', scope['server'][0]]]).encode()
    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'application/json')]})
    await send({'type': 'http.response.body', 'body': body})
