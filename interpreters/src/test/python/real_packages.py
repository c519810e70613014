"""Debian's Flask and requests in a sandboxed interpreter: StdlibTest runs `check()` in each one.

Returns {what: result}; each result is what CPython gives for the same call.
"""
import datetime
import zoneinfo


def check():
    import flask
    import requests

    app = flask.Flask("covet_check")

    @app.get("/hello/<name>")
    def hello(name):
        return flask.jsonify(greeting=f"hello {name}", host=flask.request.host)

    with app.test_client() as client:
        reply = client.get("/hello/wörld", base_url="http://bücher.de")
        flask_result = (reply.status_code, reply.get_json())
    prepared = requests.Request("GET", "http://bücher.de/straße?q=ä", params={"x": "ü"}).prepare()
    paris = datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    return {
        "flask": repr(flask_result),
        "requests": prepared.url,
        "zoneinfo": paris.isoformat() + " " + paris.tzname(),
    }


if __name__ == "__main__":
    import json
    import sys
    sys.path.append("/usr/lib/python3/dist-packages")
    print(json.dumps(check(), sort_keys=True))
