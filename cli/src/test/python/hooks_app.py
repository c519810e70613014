"""Served by RunCommandTest in a child `covet run`: a slow route, hooks that say when they ran, a file left open."""
import sys
import time

import _covet_host

from covet import Covet

app = Covet()


@app.on_startup
def hello():
    print(f"startup hook ran in interpreter {_covet_host.interpreter_id()}", flush=True)


@app.on_shutdown
def goodbye():
    print(f"shutdown hook ran in interpreter {_covet_host.interpreter_id()}", flush=True)


@app.get("/slow")
def slow(ms: int):
    time.sleep(ms / 1000)
    return {"slept_ms": ms}


KEPT = []


@app.get("/keep-open")
def keep_open(path: str, line: str):
    """Writes a line to a file it never closes (its buffer unflushed): the shutdown must flush it."""
    f = open(path, "a")
    KEPT.append(f)
    return {"written": f.write(line + "\n")}


@app.get("/fetch")
async def fetch(url: str):
    """covet.http from the handler: the server's own address is allowed, nothing else on loopback."""
    import covet.http
    try:
        r = await covet.http.get(url)
        return {"status": r.status}
    except PermissionError as e:
        return {"denied": str(e)}
