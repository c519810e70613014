"""covet.http: HTTP requests through Java's HttpClient on the IO lane. The calling interpreter
holds no thread and no GIL while a request is in flight; every call returns a covet.Future of a
Response. Addresses must be allowed (`--allow-net HOST` or `HOST:PORT`), redirects included: the
sandbox denies the network. A body over `--max-http-response` (16 MiB) raises OSError."""
import json as _json

import _covet_host as _host

from .futures import Future

__all__ = ['Response', 'HTTPError', 'request', 'get', 'post', 'put', 'delete', 'patch', 'head']


class HTTPError(Exception):
    """raise_for_status() on a 4xx or 5xx response."""

    def __init__(self, response):
        super().__init__(f"{response.status} for {response.url}")
        self.response = response


class Response:
    __slots__ = ('status', 'headers', 'content', 'url')

    def __init__(self, status, headers, content, url):
        self.status = status
        self.headers = headers        # lower-case names
        self.content = content        # bytes
        self.url = url

    status_code = property(lambda self: self.status)

    @property
    def ok(self):
        return self.status < 400

    @property
    def text(self):
        charset = 'utf-8'
        ctype = self.headers.get('content-type', '')
        if 'charset=' in ctype:
            charset = ctype.split('charset=', 1)[1].split(';')[0].strip() or charset
        return self.content.decode(charset, errors='replace')

    def json(self):
        return _json.loads(self.content)

    def raise_for_status(self):
        if self.status >= 400:
            raise HTTPError(self)
        return self

    def __repr__(self):
        return f"<covet.http.Response {self.status} {self.url}>"


def _response(raw):
    return Response(raw['status'], raw['headers'], raw['body'], raw['url'])


def request(method, url, *, headers=None, data=None, json=None, timeout=30.0):
    """Sends a request; returns a covet.Future of a Response (await it or call .result())."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    hdrs = {} if headers is None else dict(headers)
    if json is not None:
        if data is not None:
            raise ValueError("pass either data or json, not both")
        data = _json.dumps(json).encode()
        hdrs.setdefault('Content-Type', 'application/json')
    if isinstance(data, str):
        data = data.encode()
    if data is not None and not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be bytes or str, got {type(data).__name__}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    handle = _host.http(method, url, hdrs, None if data is None else bytes(data), float(timeout))
    return Future(handle, convert=_response)


def get(url, **kw):
    return request('GET', url, **kw)


def post(url, **kw):
    return request('POST', url, **kw)


def put(url, **kw):
    return request('PUT', url, **kw)


def delete(url, **kw):
    return request('DELETE', url, **kw)


def patch(url, **kw):
    return request('PATCH', url, **kw)


def head(url, **kw):
    return request('HEAD', url, **kw)
