"""An app whose import fails (WebServerTest checks the error names it)."""
from covet import Covet

app = Covet()


@app.get("/items/{item_id}")
def get_item(other: int):   # no parameter for the path's {item_id}
    return {}
