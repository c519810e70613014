"""A plain Flask app (nothing Covet-specific in it), served on every core by:

    ./covet run --python-path /usr/lib/python3/dist-packages examples/flask_app.py

(Debian's python3-flask; any directory holding Flask works, e.g. a virtualenv's site-packages.)
Try it in another terminal:

    curl -s localhost:8000/
    curl -s -X POST localhost:8000/todos -H 'content-type: application/json' -d '{"title": "try covet"}'
    curl -s localhost:8000/todos
    curl -s localhost:8000/fib/25

Each interpreter imports the app once and keeps its own module state, as each gunicorn worker
process does: TODOS below is per interpreter (keep shared state in a database).
"""
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
TODOS = []


@app.get("/")
def index():
    return jsonify(service="todos", endpoints=["/todos", "/todos/<id>", "/fib/<n>"])


@app.get("/todos")
def list_todos():
    return jsonify(TODOS)


@app.post("/todos")
def add_todo():
    todo = request.get_json(silent=True)
    if not isinstance(todo, dict) or not isinstance(todo.get("title"), str):
        abort(400, description='send JSON like {"title": "..."}')
    todo = {"id": len(TODOS) + 1, "title": todo["title"], "done": False}
    TODOS.append(todo)
    return jsonify(todo), 201


@app.get("/todos/<int:todo_id>")
def get_todo(todo_id):
    for todo in TODOS:
        if todo["id"] == todo_id:
            return jsonify(todo)
    abort(404)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@app.get("/fib/<int:n>")
def fibonacci(n):
    if n > 30:
        abort(400, description="n is at most 30")
    return jsonify(n=n, fib=fib(n))
