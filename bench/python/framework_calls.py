"""Where a framework request's time goes, with no server: the bench's Flask and Starlette apps
called directly (a PEP 3333 environ, an ASGI scope), and json on their payloads, the same script
under `covet exec` and under python3, as BENCHMARKS.md says. Each case runs for SECONDS, ROUNDS
times (GraalPy's JIT needs the first rounds); the last round is the one to read.

    python3 bench/python/framework_calls.py [SECONDS] [ROUNDS]
    ./covet exec --interpreters 1 --python-path /usr/lib/python3/dist-packages \
        --python-path bench/src/main/resources/io/covet/bench/python bench/python/framework_calls.py 3 6
"""
import asyncio
import io
import json
import os
import sys
import time

sys.path.insert(0, '/usr/lib/python3/dist-packages')
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'main', 'resources', 'io',
                                'covet', 'bench', 'python'))
import flask_bench_app  # noqa: E402
import starlette_bench_app  # noqa: E402

ORDER = json.dumps({"id": "order-1", "lines": [{"sku": "SKU-%05d" % (i * 37), "name": "Item number %d" % i,
                                                 "quantity": 1 + i % 5, "unit_price": round(0.99 + i * 1.25, 2)}
                                                for i in range(1, 41)]}).encode()
NUMBERS = json.dumps(list(range(1000, 1300)))


def environ(method, path, body):
    return {'REQUEST_METHOD': method, 'SCRIPT_NAME': '', 'PATH_INFO': path, 'QUERY_STRING': '',
            'SERVER_NAME': 'localhost', 'SERVER_PORT': '8000', 'SERVER_PROTOCOL': 'HTTP/1.1', 'REMOTE_ADDR': '127.0.0.1',
            'REMOTE_PORT': '5000', 'HTTP_HOST': 'localhost:8000', 'CONTENT_TYPE': 'application/json',
            'CONTENT_LENGTH': str(len(body)), 'wsgi.version': (1, 0), 'wsgi.url_scheme': 'http',
            'wsgi.input': io.BytesIO(body), 'wsgi.errors': sys.stderr, 'wsgi.multithread': False,
            'wsgi.multiprocess': True, 'wsgi.run_once': False}


def flask(method, path, body=b''):
    def start_response(status, headers, exc_info=None):
        pass
    chunks = flask_bench_app.app(environ(method, path, body), start_response)
    b''.join(chunks)
    chunks.close()


async def starlette(method, path, body=b''):
    scope = {'type': 'http', 'asgi': {'version': '3.0'}, 'http_version': '1.1', 'method': method, 'scheme': 'http',
             'path': path, 'raw_path': path.encode(), 'query_string': b'', 'root_path': '',
             'headers': [(b'host', b'localhost'), (b'content-type', b'application/json')],
             'client': ('127.0.0.1', 5000), 'server': ('localhost', 8000)}

    async def receive():
        return {'type': 'http.request', 'body': body, 'more_body': False}

    async def send(message):
        pass
    await starlette_bench_app.app(scope, receive, send)


async def starlette_100(method, path, body=b''):
    for _ in range(100):
        await starlette(method, path, body)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    loop = asyncio.new_event_loop()
    order = json.loads(ORDER)
    cases = [
        ("json.dumps({'message': 'hello'})", 1, lambda: json.dumps({"message": "hello"})),
        ("json.loads(300 ints)", 1, lambda: json.loads(NUMBERS)),
        ("json.loads(3 KB order)", 1, lambda: json.loads(ORDER)),
        ("json.dumps(3 KB order)", 1, lambda: json.dumps(order)),
        ("flask GET /hello", 1, lambda: flask('GET', '/hello')),
        ("flask GET /fib/20", 1, lambda: flask('GET', '/fib/20')),
        ("flask POST /orders", 1, lambda: flask('POST', '/orders', ORDER)),
        ("starlette GET /hello", 100, lambda: loop.run_until_complete(starlette_100('GET', '/hello'))),
        ("starlette POST /orders", 100, lambda: loop.run_until_complete(starlette_100('POST', '/orders', ORDER))),
    ]
    for r in range(rounds):
        print(f"round {r + 1} of {rounds}", flush=True)
        for label, per, fn in cases:
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds:
                fn()
                n += 1
            print(f"  {label:34s} {1e6 * (time.perf_counter() - t0) / (n * per):9.1f} us", flush=True)


main()
