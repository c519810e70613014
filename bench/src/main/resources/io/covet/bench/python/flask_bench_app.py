"""The Flask app `covet bench http` serves under Covet and, unchanged, under gunicorn's sync
workers: a trivial JSON route, a CPU-bound one (fib in Python) and one that reads a JSON body."""
from flask import Flask, jsonify, request

app = Flask(__name__)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@app.get("/hello")
def hello():
    return jsonify(message="hello")


@app.get("/fib/<int:n>")
def fibonacci(n):
    return jsonify(n=n, fib=fib(n))


@app.post("/orders")
def order():
    order = request.get_json()
    lines = order["lines"]
    total = sum(line["quantity"] * line["unit_price"] for line in lines)
    return jsonify(id=order["id"], lines=len(lines), total=round(total, 2))
