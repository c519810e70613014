"""Python's own sockets in the sandbox (SocketEscapeTest): what --allow-net allows works as in
CPython, and every other way to an address fails with a PermissionError before a connection."""
import http.client
import socket
import urllib.error
import urllib.request


def check_http_client_and_urllib_reach_an_allowed_server(port):
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    connection.request('POST', '/echo', body=b'ping' * 1000, headers={'Content-Type': 'text/plain'})
    response = connection.getresponse()
    assert response.status == 200, response.status
    assert response.read() == b'ping' * 1000
    # The same connection again (HTTP/1.1 keep-alive), then urllib on a new one.
    connection.request('GET', '/echo')
    assert connection.getresponse().read() == b''
    connection.close()
    with urllib.request.urlopen(f'http://127.0.0.1:{port}/echo', data=b'by urllib', timeout=10) as r:
        assert r.read() == b'by urllib'


def check_requests_keeps_its_connection_alive(port):
    """Debian's requests (urllib3): before reusing a kept-alive connection it asks select()
    whether the server dropped it."""
    import requests
    with requests.Session() as session:
        for i in range(3):
            r = session.post(f'http://127.0.0.1:{port}/echo', data=f'request {i}'.encode(), timeout=10)
            assert r.status_code == 200 and r.text == f'request {i}', (r.status_code, r.text)


def check_a_socket_speaks_both_ways_and_reports_its_addresses(port):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        s.sendall(b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello')
        with s.makefile('rb') as f:
            assert f.readline().startswith(b'HTTP/1.1 200'), 'status line'
            rest = f.read()
        assert rest.endswith(b'hello'), rest
        assert s.getpeername() == ('127.0.0.1', port)
        assert s.getsockname()[0] == '127.0.0.1'
    try:
        s.recv(1)
    except OSError:
        pass
    else:
        raise AssertionError('a closed socket still read')


def check_a_silent_peer_is_a_timeout_error(port):
    s = socket.socket()
    s.settimeout(0.3)
    s.connect(('127.0.0.1', port))
    try:
        s.recv(10)
    except TimeoutError:
        pass
    else:
        raise AssertionError('recv from a silent peer returned')
    import select
    assert select.select([s], [], [], 0.2) == ([], [], []), 'a silent socket was readable'
    assert select.select([s.fileno()], [s], [], 0.2) == ([], [s], []), 'select by file number'
    s.setblocking(False)
    try:
        s.recv(10)
    except BlockingIOError:
        pass
    else:
        raise AssertionError('a non-blocking recv with nothing to read returned')
    s.close()


def check_every_other_address_is_denied(allowed_port, forbidden_port):
    import _covet_host
    import _socket
    attempts = {
        'another port of an allowed host': lambda: socket.create_connection(('127.0.0.1', forbidden_port), timeout=5),
        'a name the list does not hold': lambda: socket.socket().connect(('localhost', allowed_port)),
        'another spelling of the address': lambda: socket.socket().connect(('127.1', allowed_port)),
        'the address as IPv6': lambda: socket.socket(socket.AF_INET6).connect(('::ffff:127.0.0.1', allowed_port)),
        'a trailing dot': lambda: socket.socket().connect(('127.0.0.1.', allowed_port)),
        'the host function itself': lambda: _covet_host.socket_connect('127.0.0.1', forbidden_port, 5.0),
        'the host function with the port in the name':
            lambda: _covet_host.socket_connect(f'127.0.0.1:{allowed_port}', forbidden_port, 5.0),
        'urllib': lambda: urllib.request.urlopen(f'http://127.0.0.1:{forbidden_port}/', timeout=5),
        'the socket module underneath': lambda: _socket.socket(),
        'UDP': lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
        'a listening socket': lambda: socket.socket().bind(('127.0.0.1', 0)),
        'a socket from a file descriptor': lambda: socket.socket(fileno=3),
    }
    for what, attempt in attempts.items():
        try:
            attempt()
        except PermissionError as e:
            assert '--allow-net' in str(e) or "Covet's sandbox" in str(e), f"{what}: {e}"
        except urllib.error.URLError as e:
            assert isinstance(e.reason, PermissionError), f"{what}: {e!r}"
        else:
            raise AssertionError(f"{what}: connected")


def another_interpreters_socket_is_refused(owner, handle):
    """True once checked in an interpreter other than `owner`; False if this is `owner`."""
    import _covet_host
    if _covet_host.interpreter_id() == owner:
        return False
    try:
        _covet_host.socket_send(handle, b'GET / HTTP/1.0\r\n\r\n')
    except OSError:
        return True
    raise AssertionError('used a socket another interpreter opened')


def kept_socket_still_works(owner):
    """True once checked in `owner` (the interpreter that opened it): its connection still speaks."""
    import _covet_host
    if _covet_host.interpreter_id() != owner:
        return False
    _kept.sendall(b'GET /echo HTTP/1.0\r\n\r\n')
    answer = _kept.recv(100)
    assert answer.startswith(b'HTTP/1.'), answer
    _kept.close()
    return True


def open_a_socket(port):
    """(interpreter id, handle) of a connection left open for another interpreter to try."""
    import _covet_host
    global _kept
    _kept = socket.create_connection(('127.0.0.1', port), timeout=5)
    return [_covet_host.interpreter_id(), _kept._handle]


def the_interpreters_own_socket_class(port):
    """The class GraalPy's sockets are: found past the guards, and called."""
    import _socket
    real = [c for c in _socket.socket.__mro__ if c.__module__ == '_socket'][0]
    s = real(_socket.AF_INET, _socket.SOCK_STREAM)
    s.connect(('127.0.0.1', port))
    return 'connected'
