"""The HTTP suite's peer: the handlers of examples/app.py that `covet bench http` loads, as a plain
WSGI app for gunicorn's sync workers (each worker a CPython process with its own GIL)."""
import json
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def _json(start_response, status, value):
    body = json.dumps(value, separators=(',', ':')).encode()
    start_response(status, [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]


def app(environ, start_response):
    path = environ['PATH_INFO']
    method = environ['REQUEST_METHOD']
    if path == '/hello' and method == 'GET':
        return _json(start_response, '200 OK', {"message": "hello"})
    if path.startswith('/fib/') and method == 'GET':
        n = int(path[5:])
        return _json(start_response, '200 OK', {"n": n, "fib": fib(n)})
    if path == '/io/sleep' and method == 'GET':
        ms = 50
        for part in environ.get('QUERY_STRING', '').split('&'):
            if part.startswith('ms='):
                ms = int(part[3:])
        time.sleep(ms / 1000)
        return _json(start_response, '200 OK', {"slept_ms": ms})
    if path == '/compute/sum' and method == 'POST':
        length = int(environ.get('CONTENT_LENGTH') or 0)
        data = json.loads(environ['wsgi.input'].read(length))
        return _json(start_response, '200 OK', {"sum": float(sum(data)), "count": len(data)})
    return _json(start_response, '404 Not Found', {"error": "Not Found"})
