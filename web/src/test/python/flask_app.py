"""Debian's Flask 2.2, as an app would use it, for FlaskAppTest: routes, JSON in and out, errors,
before- and after-request hooks, a streamed body."""
import hashlib
import os
import time

import _covet_host
from flask import Flask, Response, abort, jsonify, request, stream_with_context

app = Flask(__name__)
seen = {'requests': 0}


@app.before_request
def count():
    seen['requests'] += 1


@app.after_request
def tag(response):
    response.headers['X-Interpreter'] = str(_covet_host.interpreter_id())
    response.headers['X-Requests-Here'] = str(seen['requests'])
    return response


@app.get('/')
def index():
    return 'hello from flask'


@app.post('/items')
def create():
    item = request.get_json()
    if not isinstance(item, dict) or 'name' not in item:
        abort(400, description='an item needs a name')
    return jsonify(created=item, remote=request.remote_addr, host=request.host), 201


@app.get('/items/<int:item_id>')
def item(item_id):
    if item_id == 0:
        abort(404)
    return {'item': item_id, 'q': request.args.get('q'), 'tags': request.args.getlist('tag')}


@app.get('/slow')
def slow():
    time.sleep(0.3)
    return {'interpreter': _covet_host.interpreter_id()}


@app.get('/boom')
def boom():
    raise RuntimeError('secret detail')


@app.errorhandler(418)
def teapot(error):
    return jsonify(error='teapot'), 418


@app.get('/teapot')
def make_tea():
    abort(418)


@app.get('/stream')
def stream():
    def lines():
        for i in range(3):
            yield f'line {i}\n'
    return Response(lines(), mimetype='text/plain')


@app.get('/events')
def events():
    # Server-Sent Events whose second event is made only once the client has read the first.
    flag = request.args['flag']

    @stream_with_context
    def lines():
        yield 'data: first\n\n'
        deadline = time.monotonic() + 20
        while not os.path.exists(flag) and time.monotonic() < deadline:
            time.sleep(0.01)
        yield f"data: after the flag, for {request.args['who']}\n\n" if os.path.exists(flag) else 'data: too late\n\n'
    return Response(lines(), mimetype='text/event-stream')


@app.post('/upload')
def upload():
    digest, size = hashlib.sha256(), 0
    while chunk := request.stream.read(100_000):
        digest.update(chunk)
        size += len(chunk)
    return {'bytes': size, 'sha256': digest.hexdigest()}


@app.get('/cookies')
def cookies():
    response = jsonify(received=request.cookies)
    response.set_cookie('session', 'abc', httponly=True)
    response.set_cookie('theme', 'dark')
    return response
