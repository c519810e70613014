"""A plain WSGI application (PEP 3333, no framework) for WsgiAppTest: what its environ holds, and
each way an application may answer, well or badly."""
import json
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
    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'no page ' + path.encode('latin-1')]
