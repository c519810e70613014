"""The Starlette app `covet bench http` serves under Covet and, unchanged, under uvicorn's
workers: a trivial JSON route, a CPU-bound one (fib in Python) and one that reads a JSON body."""
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


async def hello(request):
    return JSONResponse({"message": "hello"})


async def fibonacci(request):
    n = request.path_params["n"]
    return JSONResponse({"n": n, "fib": fib(n)})


async def order(request):
    order = await request.json()
    lines = order["lines"]
    total = sum(line["quantity"] * line["unit_price"] for line in lines)
    return JSONResponse({"id": order["id"], "lines": len(lines), "total": round(total, 2)})


app = Starlette(routes=[
    Route("/hello", hello),
    Route("/fib/{n:int}", fibonacci),
    Route("/orders", order, methods=["POST"]),
])
