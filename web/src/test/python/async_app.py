"""An app whose handlers await: the web tests' proof that they overlap in each interpreter."""
import asyncio

import _covet_host
from covet import Covet, http

app = Covet()


@app.get("/wait")
async def wait(gate: str):
    """Awaits an HTTP request that the test's gate server answers only when the test says so."""
    reply = await http.get(gate, timeout=60)
    return {"gate": reply.status, "interpreter": _covet_host.interpreter_id()}


@app.get("/sync")
def sync():
    return {"sync": True, "interpreter": _covet_host.interpreter_id()}


@app.get("/sleepy")
async def sleepy(ms: int):
    await asyncio.sleep(ms / 1000)
    return {"slept_ms": ms}


@app.get("/spin")
async def spin():
    while True:
        pass
