"""A plain Flask app (nothing Covet-specific in it), served on every core by:

    ./covet run --python-path /usr/lib/python3/dist-packages --allow-write examples/data examples/flask_app.py

(Debian's python3-flask; any directory holding Flask works, e.g. a virtualenv's site-packages.)
Try it in another terminal:

    curl -s localhost:8000/
    curl -s -X POST localhost:8000/todos -H 'content-type: application/json' -d '{"title": "try covet"}'
    curl -s localhost:8000/todos
    curl -s localhost:8000/fib/25

Each interpreter imports the app once and keeps its own module state, as each gunicorn worker
process does, so the todos live in SQLite (the standard library's sqlite3), which every interpreter
shares as processes would: examples/data/todos.sqlite3, or the file $TODOS_DB names.
"""
import os
import sqlite3

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
DB = os.environ.get("TODOS_DB") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "todos.sqlite3")


def db():
    conn = sqlite3.connect(DB, timeout=10)   # waits for another interpreter's write
    conn.row_factory = sqlite3.Row
    return conn


with db() as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)")


def as_json(row):
    return {"id": row["id"], "title": row["title"], "done": bool(row["done"])}


@app.get("/")
def index():
    return jsonify(service="todos", endpoints=["/todos", "/todos/<id>", "/fib/<n>"])


@app.get("/todos")
def list_todos():
    with db() as conn:
        return jsonify([as_json(row) for row in conn.execute("SELECT * FROM todos ORDER BY id")])


@app.post("/todos")
def add_todo():
    todo = request.get_json(silent=True)
    if not isinstance(todo, dict) or not isinstance(todo.get("title"), str):
        abort(400, description='send JSON like {"title": "..."}')
    with db() as conn:
        todo_id = conn.execute("INSERT INTO todos (title) VALUES (?)", (todo["title"],)).lastrowid
        row = conn.execute("SELECT * FROM todos WHERE id = ?", (todo_id,)).fetchone()
    return jsonify(as_json(row)), 201


@app.get("/todos/<int:todo_id>")
def get_todo(todo_id):
    with db() as conn:
        row = conn.execute("SELECT * FROM todos WHERE id = ?", (todo_id,)).fetchone()
    if row is None:
        abort(404)
    return jsonify(as_json(row))


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@app.get("/fib/<int:n>")
def fibonacci(n):
    if n > 30:
        abort(400, description="n is at most 30")
    return jsonify(n=n, fib=fib(n))
