"""What `covet run TARGET` serves, found and started once in every interpreter (WebApp.load runs
`_boot` there, then calls `_handle` of the module `_handler_module()` names for each request).

TARGET is `path/app.py`, `path/app.py:NAME` or `package.module:NAME`, as uvicorn and gunicorn
take it; `NAME()` calls a factory (once per interpreter). Without NAME: the module's one Covet
app, else its `app`, else its `application` (gunicorn's default). The object decides how it is
served, unless `--interface` says: a `covet.web.Covet` app by covet.web, an ASGI 3 application
(an `async` callable: Starlette, ...) by covet.asgi, any other callable as a WSGI application
(PEP 3333: Flask, Django, ...) by covet.wsgi.
"""
import importlib
import inspect
import sys
import traceback

import _covet_host as _host

_HANDLERS = {'covet': 'covet.web', 'wsgi': 'covet.wsgi', 'asgi': 'covet.asgi'}


class ClientDisconnected(OSError):
    """What sending a response part raises once its client has gone (or the server ended the
    response); for ASGI apps, the server-specific OSError the spec asks for."""


_host.exception_types['ClientDisconnected'] = ClientDisconnected

# The most of a response with a declared Content-Length gathered before it is streamed (a bigger one,
# a file, goes out in parts as the app makes them).
GATHERED = 256 * 1024
_handler = None
_root_path = ''


def _boot(path, module_name, name, interface, debug, root_path=''):
    """Imports the app (`path`, a file imported as `module_name`; or the module `module_name`),
    finds it, and starts its handler module. `root_path`: --root-path, the prefix the app is
    mounted under (the server has taken it off the paths it passes)."""
    global _handler, _root_path
    _root_path = root_path
    module = _import_file(path, module_name) if path is not None else importlib.import_module(module_name)
    app = _find(module, name)
    kind = _kind(app, module, name) if interface == 'auto' else interface
    handler = importlib.import_module(_HANDLERS[kind])
    handler._start(app, debug)
    _handler = handler


def _handler_module():
    return _handler.__name__


def _shutdown():
    if _handler is not None:
        _handler._shutdown()


def _import_file(path, module_name):
    """The app file as module `module_name`, imported once per interpreter."""
    import importlib.util
    loaded = sys.modules.get(module_name)
    if loaded is not None and getattr(loaded, '__file__', None) != path:
        raise ImportError(f"can't load {path} as module '{module_name}': a module of that name is already "
                          f"loaded from {getattr(loaded, '__file__', 'the runtime')}; rename the app file")
    if loaded is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[module_name]
            raise
    return loaded


def _where(module, name):
    return f"{getattr(module, '__file__', None) or module.__name__}" + (f":{name}" if name else "")


def _find(module, name):
    from covet.web import Covet
    if name:
        factory = name.endswith('()')
        attr = name[:-2] if factory else name
        if not hasattr(module, attr):
            raise LookupError(f"{_where(module, None)} has no '{attr}'")
        app = getattr(module, attr)
        if factory:
            if not callable(app):
                raise TypeError(f"{_where(module, name)}: '{attr}' is not callable, so not an app factory")
            app = app()
        return app
    apps = [v for v in vars(module).values() if isinstance(v, Covet)]
    if isinstance(getattr(module, 'app', None), Covet):
        return module.app
    if len(apps) == 1:
        return apps[0]
    if len(apps) > 1:
        raise LookupError(f"{_where(module, None)}: several Covet apps; name one: covet run TARGET:NAME")
    for attr in ('app', 'application'):
        if getattr(module, attr, None) is not None:
            return getattr(module, attr)
    raise LookupError(f"{_where(module, None)}: no app found: no Covet app, no 'app', no 'application'; "
                      "name it: covet run TARGET:NAME")


def _kind(app, module, name):
    from covet.web import Covet
    if isinstance(app, Covet):
        return 'covet'
    if not callable(app):
        raise TypeError(f"{_where(module, name)} is a {type(app).__name__}, not an app "
                        "(a Covet app, or a WSGI or ASGI callable)")
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(type(app), '__call__', None)
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return 'asgi'
    return 'wsgi'


def failed(app, debug, method, path, e):
    """A WSGI or ASGI app's failure as the answer: a 500 whose body says nothing of it unless
    --debug, its traceback for the server log."""
    text = ''.join(traceback.format_exception(type(e), e, e.__traceback__))
    details = {'exception': type(e).__name__, 'traceback': text} if debug else None
    message = f"the app raised {type(e).__name__}" + (f": {e}" if debug else "; see the server log")
    return (500, None, None, None, f"{method} {path} ({getattr(app, '__qualname__', type(app).__name__)}) failed:\n{text}",
            (message, details))


def every_path():
    """A WSGI or ASGI app's one route (its handler module's `_routes()`): every path and method,
    which the app routes itself."""
    return [[['*'], '*', False]]


def root_path():
    """--root-path: WSGI's SCRIPT_NAME, ASGI's root_path ('' when not mounted under a prefix)."""
    return _root_path


def server_address(host, scheme='http'):
    """(name, port) from a Host header's value (IPv6 literals kept whole); the scheme's default
    port when it has none, ('localhost', port) when absent."""
    name, colon, port = host.rpartition(':') if host.rfind(':') > host.rfind(']') else (host, '', '')
    return name or 'localhost', int(port) if colon and port.isdigit() else (443 if scheme == 'https' else 80)


def answered(status, body, headers):
    """A WSGI or ASGI app's whole response as the server takes it (for a HEAD, the server sends
    its headers only, with the Content-Length the app declared)."""
    return (status, None, body, headers, None, None)


def send(exchange, status, headers, body, more, block):
    """A part of a streamed response (its start when `status` is given): None once taken, else,
    unless `block`, a covet.Future to await before sending more (the client reads slower than the
    app writes). ClientDisconnected once the client has gone."""
    waited = _host.web_send(exchange, status, headers, body, more, block)
    if waited is None:
        return None
    from covet.futures import Future
    return Future(waited)


def receive(exchange, block):
    """The next part of a request body read in parts, b'' at its end; unless `block`, a
    covet.Future to await before asking again when none has arrived. OSError if the body could not
    be read (too large, too slow, the client gone)."""
    part = _host.web_receive(exchange, block)
    if type(part) is bytes:
        return part
    from covet.futures import Future
    return Future(part)
