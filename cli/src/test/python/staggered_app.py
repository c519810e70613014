"""An app whose first importer loads at once and every other waits for a go-ahead file: the
server must answer from the first interpreter while the second is still loading."""
import os
import time

from covet import Covet

_DIR = os.environ["STAGGER_DIR"]
try:
    os.close(os.open(os.path.join(_DIR, "first"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
except FileExistsError:
    deadline = time.monotonic() + 120
    while not os.path.exists(os.path.join(_DIR, "go")) and time.monotonic() < deadline:
        time.sleep(0.05)

app = Covet()


@app.get("/")
def index():
    return {"ok": True}
