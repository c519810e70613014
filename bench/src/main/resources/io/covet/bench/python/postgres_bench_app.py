"""The PostgreSQL app `covet bench http` serves under Covet and, unchanged, under gunicorn's sync
workers: read one row by primary key, insert one row. Under Covet it runs on covet.db (one pool
for the process, a server connection held only during a transaction); under CPython on psycopg2
(one connection per worker, held for good)."""
import os

from flask import Flask, jsonify, request

try:
    import covet.db as dbapi
    conn = dbapi.connect()
except ImportError:
    import psycopg2 as dbapi
    conn = dbapi.connect(os.environ['DATABASE_URL'])

app = Flask(__name__)


@app.get("/items/<int:item_id>")
def read(item_id):
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id, name, price FROM bench_items WHERE id = %s", (item_id,))
        row = cur.fetchone()
    return jsonify(id=row[0], name=row[1], price=str(row[2]))


@app.post("/items")
def insert():
    item = request.get_json()
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO bench_items (name, price) VALUES (%s, %s) RETURNING id", (item["name"], item["price"]))
        new_id = cur.fetchone()[0]
    return jsonify(id=new_id), 201
