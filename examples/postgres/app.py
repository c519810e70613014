"""Notes on PostgreSQL: a Flask app whose database code is psycopg2's DB-API, unchanged.

    covet run --database postgresql://user:password@localhost:5432/notes examples/postgres/app.py
    DATABASE_URL=postgresql://... gunicorn -w 2 --chdir examples/postgres app:app     # the same app on CPython

Under Covet it runs on covet.db (every interpreter shares the process's one connection pool; each
interpreter's connection below holds a server connection only while a transaction is open);
elsewhere on psycopg2 (each worker process holds its connection for good).

    curl -X POST localhost:8000/notes -d '{"body": "hello"}'       ->  201 {"id": 1}
    curl localhost:8000/notes/1                                     ->  {"id": 1, "body": "hello", "created": "..."}
"""
import os

from flask import Flask, abort, jsonify, request

try:
    import covet.db as dbapi

    def connect():
        return dbapi.connect()   # the database of --database / DATABASE_URL
except ImportError:
    import psycopg2 as dbapi

    def connect():
        return dbapi.connect(os.environ['DATABASE_URL'])

app = Flask(__name__)
conn = connect()   # one per interpreter (Covet) or worker process (gunicorn)


def create_table():
    try:
        with conn, conn.cursor() as cur:
            cur.execute('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL, '
                        'created timestamptz NOT NULL DEFAULT now())')
    except (dbapi.IntegrityError, dbapi.ProgrammingError):
        pass   # another interpreter or worker created it at the same moment


create_table()


@app.get('/notes/<int:note_id>')
def get_note(note_id):
    with conn, conn.cursor() as cur:
        cur.execute('SELECT id, body, created FROM notes WHERE id = %s', (note_id,))
        row = cur.fetchone()
    if row is None:
        abort(404)
    return jsonify(id=row[0], body=row[1], created=row[2].isoformat())


@app.post('/notes')
def add_note():
    body = (request.get_json(force=True, silent=True) or {}).get('body')
    if not isinstance(body, str) or not body:
        return jsonify(error='give a JSON object with a non-empty "body"'), 400
    with conn, conn.cursor() as cur:
        cur.execute('INSERT INTO notes (body) VALUES (%s) RETURNING id', (body,))
        note_id = cur.fetchone()[0]
    return jsonify(id=note_id), 201
