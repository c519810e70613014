"""Python's TCP sockets in Covet's sandbox: `socket.socket` there is this module's class, whose
connections Java opens (runtime/SocketGateway.java), only to the addresses `--allow-net HOST` or
`HOST:PORT` names, checked in Java on every connect; anything else is a PermissionError naming
the flag. So pure-Python clients (http.client, urllib, smtplib, redis-py ...) work unchanged
against the services the operator allowed, and the interpreters themselves still have no socket
access at all.

TCP client sockets only, blocking or with a timeout (settimeout; setblocking(False) is a zero
timeout). Names are resolved in Java as the connection opens: getaddrinfo answers with the name
as given. select.select() takes these sockets (or their fileno()) on their own, not mixed with
other files. Not here: listening sockets, UDP, raw sockets, selectors/poll, and TLS
(ssl.wrap_socket needs a socket of GraalPy's own).
"""
import io
import select as _select_module
import socket as _stdlib
import time
import weakref

import _covet_host as _host

_host.exception_types.setdefault('gaierror', _stdlib.gaierror)
# fileno() -> its socket, for select() given numbers; far above the file descriptors GraalPy hands out.
_FD_BASE = 0x7fff_0000
_by_fileno = weakref.WeakValueDictionary()
# What connect_ex returns for the errors the host raises (their messages carry the number).
_ERRNOS = {ConnectionRefusedError: 111, TimeoutError: 110, PermissionError: 13}


class socket:
    """A TCP client socket whose connection is Java's; what `socket.socket` is in the sandbox."""

    def __init__(self, family=_stdlib.AF_INET, type=_stdlib.SOCK_STREAM, proto=0, fileno=None):
        if fileno is not None:
            raise PermissionError("socket.socket(fileno=...) is denied by Covet's sandbox (no file descriptors)")
        family = _stdlib.AF_INET if family == -1 else family
        type = _stdlib.SOCK_STREAM if type == -1 else type
        if family not in (_stdlib.AF_INET, _stdlib.AF_INET6) or type & 0xf != _stdlib.SOCK_STREAM:
            raise PermissionError("only TCP client sockets (AF_INET/AF_INET6, SOCK_STREAM) are allowed in Covet's "
                                  f"sandbox, not family {family!r}, type {type!r}")
        self.family, self.type, self.proto = _stdlib.AddressFamily(family), _stdlib.SocketKind(type & 0xf), proto
        self._timeout = _stdlib.getdefaulttimeout()
        self._handle = None
        self._closed = False
        self._io_refs = 0
        self._options = {}

    # ---- connecting and closing ---------------------------------------------------------------

    def connect(self, address):
        self._check_open()
        if self._handle is not None:
            raise OSError(106, "[Errno 106] Transport endpoint is already connected")
        host, port = address[0], address[1]
        if not isinstance(host, str) or not isinstance(port, int):
            raise TypeError(f"connect(): address must be a (host: str, port: int) tuple, got {address!r}")
        self._handle = _host.socket_connect(host, port, self._timeout)
        _by_fileno[self.fileno()] = self

    def connect_ex(self, address):
        try:
            self.connect(address)
        except OSError as e:
            return e.errno or _ERRNOS.get(type(e), 1)
        return 0

    def close(self):
        self._closed = True
        if self._io_refs <= 0:
            self._real_close()

    def _real_close(self):
        handle, self._handle = self._handle, None
        if handle is not None:
            _host.socket_close(handle)

    def _decref_socketios(self):
        # socket.SocketIO (makefile's raw file) calls this as it closes.
        self._io_refs -= 1
        if self._closed and self._io_refs <= 0:
            self._real_close()

    def detach(self):
        raise PermissionError("socket.detach() is denied by Covet's sandbox (no file descriptors)")

    def shutdown(self, how):
        _host.socket_shutdown(self._connected(), how)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self._real_close()
        except Exception:
            pass

    # ---- data ---------------------------------------------------------------------------------

    def sendall(self, data, flags=0):
        data = bytes(memoryview(data))
        _host.socket_send(self._connected(), data, self._timeout or None)

    def send(self, data, flags=0):
        self.sendall(data)
        return memoryview(data).nbytes

    def recv(self, bufsize, flags=0):
        if self._timeout == 0.0:
            try:
                data = _host.socket_recv(self._connected(), bufsize, 0.001)
            except TimeoutError:
                raise BlockingIOError(11, "[Errno 11] Resource temporarily unavailable") from None
            return data
        return _host.socket_recv(self._connected(), bufsize, self._timeout)

    def recv_into(self, buffer, nbytes=0, flags=0):
        view = memoryview(buffer).cast('B')
        data = self.recv(nbytes or len(view))
        view[:len(data)] = data
        return len(data)

    def makefile(self, mode='r', buffering=None, *, encoding=None, errors=None, newline=None):
        """A file on the socket, as socket.socket.makefile makes it (its raw layer is socket.SocketIO)."""
        if not set(mode) <= {'r', 'w', 'b'}:
            raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
        reading, writing, binary = 'r' in mode or 'w' not in mode, 'w' in mode, 'b' in mode
        raw = _stdlib.SocketIO(self, ('r' if reading else '') + ('w' if writing else ''))
        self._io_refs += 1
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if not binary:
                raise ValueError("unbuffered streams must be binary")
            return raw
        if reading and writing:
            buffered = io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffered = io.BufferedReader(raw, buffering)
        else:
            buffered = io.BufferedWriter(raw, buffering)
        if binary:
            return buffered
        text = io.TextIOWrapper(buffered, encoding, errors, newline)
        text.mode = mode
        return text

    # ---- settings and addresses ---------------------------------------------------------------

    def settimeout(self, value):
        if value is not None:
            value = float(value)
            if value < 0:
                raise ValueError("Timeout value out of range")
        self._timeout = value

    def gettimeout(self):
        return self._timeout

    @property
    def timeout(self):
        return self._timeout

    def setblocking(self, flag):
        self._timeout = None if flag else 0.0

    def getblocking(self):
        return self._timeout != 0.0

    def setsockopt(self, level, option, value, optlen=None):
        # Java sets TCP_NODELAY on every connection; the other options are remembered for getsockopt.
        self._options[(level, option)] = value

    def getsockopt(self, level, option, buflen=None):
        return self._options.get((level, option), 1 if (level, option) == (_stdlib.IPPROTO_TCP, _stdlib.TCP_NODELAY) else 0)

    def getpeername(self):
        return tuple(_host.socket_addresses(self._connected())[2:])

    def getsockname(self):
        return tuple(_host.socket_addresses(self._connected())[:2]) if self._handle is not None else ('0.0.0.0', 0)

    def fileno(self):
        return -1 if self._closed or self._handle is None else _FD_BASE + self._handle

    def bind(self, address):
        raise PermissionError("socket.bind() is denied by Covet's sandbox (client connections only)")

    def listen(self, backlog=0):
        raise PermissionError("socket.listen() is denied by Covet's sandbox (client connections only)")

    def _check_open(self):
        if self._closed:
            raise OSError(9, "[Errno 9] Bad file descriptor")

    def _connected(self):
        # As in CPython, close() with files still open on the socket (makefile) leaves the
        # connection to them until the last one closes.
        if self._handle is None:
            self._check_open()
            raise OSError(107, "[Errno 107] Transport endpoint is not connected")
        return self._handle

    def __repr__(self):
        state = 'closed' if self._closed else 'connected' if self._handle is not None else 'unconnected'
        return f"<covet socket {state}, family={self.family!r}, type={self.type!r}>"


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """The name as given (Java resolves it as the connection opens), with the port as a number."""
    if isinstance(host, bytes):
        host = host.decode('idna')
    if host is None:
        host = 'localhost'
    if isinstance(port, bytes):
        port = port.decode()
    if isinstance(port, str):
        port = int(port) if port.isdigit() else {'http': 80, 'https': 443, 'smtp': 25, 'ftp': 21}.get(port)
        if port is None:
            raise _stdlib.gaierror(-8, "Servname not supported for ai_socktype")
    port = port or 0
    af = _stdlib.AF_INET6 if ':' in host else _stdlib.AF_INET
    if family not in (0, af):
        raise _stdlib.gaierror(-9, "Address family for hostname not supported")
    return [(_stdlib.AddressFamily(af), _stdlib.SOCK_STREAM, _stdlib.IPPROTO_TCP, '', (host, port))]


def create_connection(address, timeout=_stdlib._GLOBAL_DEFAULT_TIMEOUT, source_address=None, *, all_errors=False):
    """socket.create_connection over this module's sockets."""
    if source_address is not None:
        raise PermissionError("create_connection(source_address=...) is denied by Covet's sandbox")
    host, port = address
    af, socktype, proto, _, sockaddr = getaddrinfo(host, port)[0]
    sock = socket(af, socktype, proto)
    if timeout is not _stdlib._GLOBAL_DEFAULT_TIMEOUT:
        sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def _readable(sock, timeout):
    return _host.socket_readable(sock._connected(), timeout)


def _select(real_select):
    def select(rlist, wlist, xlist, timeout=None):
        """select.select; for this module's sockets, on their own: a read is ready when data or the
        end of the stream has arrived, a write always (send blocks until the peer takes it)."""
        lists = (list(rlist), list(wlist), list(xlist))
        mine = [[_by_fileno.get(o if isinstance(o, int) else o.fileno()) if not isinstance(o, socket) else o
                 for o in objects] for objects in lists]
        found = sum(1 for objects in mine for o in objects if o is not None)
        if found == 0:
            return real_select(rlist, wlist, xlist, timeout)
        if found != sum(len(objects) for objects in lists):
            raise PermissionError("select() on Covet's sandboxed sockets together with other files is not supported")
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must be non-negative")
        deadline = None if timeout is None else time.monotonic() + timeout
        writable = lists[1]
        while True:
            if writable or len(lists[0]) != 1:
                ready = [o for o, sock in zip(lists[0], mine[0]) if _readable(sock, 0.0)]
            else:
                left = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
                ready = lists[0] if _readable(mine[0][0], left) else []
            if ready or writable or (deadline is not None and time.monotonic() >= deadline):
                return ready, writable, []
            if len(lists[0]) != 1:
                time.sleep(0.005)
    return select


def install():
    """socket's client side becomes this module's, in this interpreter (its guards denied it all)."""
    import _socket
    _stdlib.socket = _stdlib.SocketType = socket
    _stdlib.getaddrinfo = _socket.getaddrinfo = getaddrinfo
    _stdlib.create_connection = create_connection
    _select_module.select = _select(_select_module.select)
