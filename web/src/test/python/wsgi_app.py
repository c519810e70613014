"""A plain WSGI application (PEP 3333, no framework) for WsgiAppTest: what its environ holds, and
each way an application may answer, well or badly."""
import hashlib
import json
import os
import sys
import time

import _covet_host

closed = []  # paths whose response iterable's close() ran, in this interpreter


class ClosingBody:
    def __init__(self, path, chunks):
        self.path, self.chunks = path, chunks

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        closed.append(self.path)


def _wait_for(flag):
    """Until the file `flag` exists (the test makes it once it has read what came before), at most 20 s."""
    deadline = time.monotonic() + 20
    while not os.path.exists(flag):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _query(environ):
    from urllib.parse import parse_qs
    return {k: v[0] for k, v in parse_qs(environ['QUERY_STRING']).items()}


def _json(start_response, value, status='200 OK'):
    start_response(status, [('Content-Type', 'application/json')])
    return [json.dumps(value).encode()]


def application(environ, start_response):
    path = environ['PATH_INFO']
    if path.startswith('/environ'):
        keys = ('REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING', 'RAW_URI', 'CONTENT_TYPE', 'CONTENT_LENGTH',
                'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL', 'REMOTE_ADDR', 'wsgi.url_scheme', 'wsgi.multithread',
                'wsgi.multiprocess', 'wsgi.run_once', 'wsgi.version')
        out = {k: environ.get(k) for k in keys}
        out['headers'] = {k: v for k, v in environ.items() if k.startswith('HTTP_')}
        out['body'] = environ['wsgi.input'].read().decode('latin-1')
        out['remote_port_is_a_number'] = environ['REMOTE_PORT'].isdigit()
        return _json(start_response, out)
    if path == '/sleep':
        time.sleep(0.3)
        return _json(start_response, {'interpreter': _covet_host.interpreter_id()})
    if path == '/write':
        write = start_response('201 Created', [('Content-Type', 'text/plain')])
        write(b'written, ')
        return [b'then returned']
    if path == '/generator':
        def body():
            yield b'a'
            yield b''
            yield b'b'
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return body()
    if path == '/closing':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return ClosingBody(path, [b'closing body'])
    if path == '/closed':
        return _json(start_response, {'closed': closed, 'interpreter': _covet_host.interpreter_id()})
    if path == '/cookies':
        start_response('200 OK', [('Set-Cookie', 'a=1'), ('Set-Cookie', 'b=2'), ('Content-Type', 'text/plain')])
        return [b'two cookies']
    if path == '/error-page':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        try:
            raise ValueError('late')
        except ValueError:
            start_response('503 Service Unavailable', [('Content-Type', 'text/plain'), ('Retry-After', '5')], sys.exc_info())
        return [b'error page']
    if path == '/raises':
        raise RuntimeError('secret detail')
    if path == '/not-bytes':
        start_response('200 OK', [])
        return ['a str']
    if path == '/never-started':
        return [b'x']
    if path == '/injected-header':
        start_response('200 OK', [('X-Evil', 'a\r\nInjected: 1')])
        return [b'x']
    if path == '/head':
        body = b'twelve bytes'
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
        return [body]
    if path == '/gated':
        # A stream whose second part is made only once the client has read the first: served
        # whole, it would never arrive.
        flag = _query(environ)['flag']

        def gated():
            yield b'first\n'
            yield b'after the flag\n' if _wait_for(flag) else b'the first part never reached the client\n'
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return gated()
    if path == '/upload':
        body = environ['wsgi.input']
        digest, size, reads = hashlib.sha256(), 0, 0
        while True:
            chunk = body.read(100_000)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            reads += 1
        return _json(start_response, {'bytes': size, 'sha256': digest.hexdigest(), 'reads': reads})
    if path == '/duplex':
        # Answers the first megabyte before the rest of the upload has been sent.
        body = environ['wsgi.input']
        first = body.read(1 << 20)
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def parts():
            yield f'got {len(first)}\n'.encode()
            rest = body.read()
            yield f'then {len(rest)}\n'.encode()
        return parts()
    if path == '/file':
        start_response('200 OK', [('Content-Type', 'text/x-python')])
        return environ['wsgi.file_wrapper'](open(__file__, 'rb'), 4096)
    if path == '/endless':
        # Parts until the client goes; close() says so.
        def forever():
            while True:
                yield b'x' * 65536
        start_response('200 OK', [('Content-Type', 'application/octet-stream')])
        return ClosingBody(path, forever())
    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'no page ' + path.encode('latin-1')]
