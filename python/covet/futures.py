"""covet.Future: the result of work Covet runs elsewhere (another interpreter, the compute
engine, the IO lane). Sync code calls .result(timeout); async code awaits it.

A waiting interpreter never just idles on work that has not started: if that work is still
queued, the waiter takes it back and runs it itself (as ForkJoin's join does), so nested
parallelism cannot deadlock the pool however small it is. Only waits without a timeout help
(work run here could outlast the timeout); a wait with one just waits.
"""
import concurrent.futures
import time

import _covet_host as _host

__all__ = ['Future', 'RemoteError', 'RemoteTraceback', 'OverloadedError', 'LaneUnavailableError', 'WorkerCrashedError']

_PENDING, _DONE = 'pending', 'done'


class OverloadedError(RuntimeError):
    """A lane's queue was full: the work was not accepted (retry later)."""


class LaneUnavailableError(RuntimeError):
    """The work asked for a lane this runtime does not have (e.g. CPython workers)."""


class WorkerCrashedError(RuntimeError):
    """The CPython worker running the task died (os._exit, a segfault, an OOM kill); the message
    names the exit cause. Covet replaced the worker; the task did not finish."""


class RemoteError(Exception):
    """An exception from another interpreter that could not be rebuilt here (not picklable)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in another interpreter (set as __cause__)."""

    def __init__(self, tb):
        super().__init__(tb)
        self.tb = tb

    def __str__(self):
        return '\n"""\n' + self.tb.rstrip() + '\n"""'


class _NotReady(TimeoutError):
    """The host's answer to take(handle, timeout) when the task is not done in time."""


_host.exception_types.update(OverloadedError=OverloadedError, LaneUnavailableError=LaneUnavailableError,
                             WorkerCrashedError=WorkerCrashedError,
                             CancelledError=concurrent.futures.CancelledError, CovetNotReady=_NotReady)


def error_from_host(type_name, message, tb):
    exc_type = _host.exception_types.get(type_name)
    if exc_type is None:
        import builtins
        exc_type = getattr(builtins, type_name, None)
        if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
            exc_type = None
    exc = exc_type(message) if exc_type is not None else RemoteError(f"{type_name}: {message}")
    if tb:
        exc.__cause__ = RemoteTraceback(tb)
    return exc


class Future:
    """The eventual result of work Covet runs outside the calling code."""

    __slots__ = ('_handle', '_convert', '_local', '_state', '_value', '_error', '_callbacks', '__weakref__')

    def __init__(self, handle=None, convert=None, local=None):
        self._handle = handle      # the host's number for the task, None once taken
        self._convert = convert    # turns the host's value into the result (may raise)
        self._local = local        # runs the same work here, if it can be taken back
        self._state = _PENDING
        self._value = None
        self._error = None
        self._callbacks = []

    @classmethod
    def completed(cls, value):
        f = cls()
        f._set(value, None)
        return f

    @classmethod
    def failed(cls, error):
        f = cls()
        f._set(None, error)
        return f

    @classmethod
    def run_here(cls, fn, *args, **kwargs):
        """A future for work done now, in this interpreter (errors are kept for .result())."""
        try:
            return cls.completed(fn(*args, **kwargs))
        except Exception as e:
            return cls.failed(e)

    # ---- state ------------------------------------------------------------------------------

    def done(self):
        if self._state is _PENDING and self._handle is not None and _host.wait([self._handle], 0):
            self._resolve()
        return self._state is _DONE

    def cancelled(self):
        return self._state is _DONE and isinstance(self._error, concurrent.futures.CancelledError)

    def cancel(self):
        """Cancels the work if it has not started; False if it is running or done."""
        if self._state is _DONE or self._handle is None:
            return False
        if _host.cancel(self._handle):
            self._handle = None
            self._set(None, concurrent.futures.CancelledError("cancelled before it started"))
            return True
        return False

    def result(self, timeout=None):
        """The result, waiting up to `timeout` seconds (None: as long as it takes); raises the
        work's exception, or TimeoutError if it is not done in time."""
        if self._state is _PENDING:
            self._wait(timeout)
        if self._error is not None:
            raise self._error
        return self._value

    def exception(self, timeout=None):
        if self._state is _PENDING:
            self._wait(timeout)
        return self._error

    def add_done_callback(self, fn):
        """Calls fn(self) once the future is done, in this interpreter (when it is next
        waited on or polled, or at once if already done)."""
        if self._state is _DONE:
            fn(self)
        else:
            self._callbacks.append(fn)

    def __await__(self):
        # done() asks the host: the work may have ended before this await, its wake-up of the
        # loop spent on a turn that had nothing watching it yet.
        if self._state is _PENDING and not self.done():
            import asyncio
            loop = asyncio.get_running_loop()
            watch = getattr(loop, '_covet_watch', None)
            if watch is None:
                # A loop that is not Covet's cannot wait for the host; block this coroutine instead.
                self._wait(None)
            else:
                yield from watch(self).__await__()
        if self._error is not None:
            raise self._error
        return self._value

    def __repr__(self):
        if self._state is _PENDING:
            return "<covet.Future pending>"
        if self._error is not None:
            return f"<covet.Future failed: {type(self._error).__name__}>"
        return f"<covet.Future done: {self._value!r:.60}>"

    def __del__(self):
        handle = self._handle
        if handle is not None:
            try:
                _host.forget(handle)
            except Exception:
                pass

    # ---- internals --------------------------------------------------------------------------

    def _set(self, value, error):
        self._value, self._error, self._state = value, error, _DONE
        callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn(self)

    def _resolve(self):
        """Takes the outcome of a task the host says is done."""
        self._take(0)

    def _take(self, timeout):
        """Waits up to timeout for the outcome and settles this future; _NotReady if not done."""
        try:
            value = _host.take(self._handle, timeout)
        except _NotReady:
            raise
        except Exception as e:
            self._handle = None
            self._set(None, e)
            return
        self._handle = None
        try:
            if self._convert is not None:
                value = self._convert(value)
        except Exception as e:
            self._set(None, e)
        else:
            self._set(value, None)

    def _pending_parts(self):
        """The futures with work still out with the host (for an event loop to wait on)."""
        return [self] if self._state is _PENDING and self._handle is not None else []

    def _help(self):
        """Runs the work here if it has not started elsewhere; True if it did."""
        if self._local is None or self._handle is None or not _host.withdraw(self._handle):
            return False
        self._handle = None
        try:
            value = self._local()
        except Exception as e:
            self._set(None, e)
        else:
            self._set(value, None)
        return True

    def _wait(self, timeout):
        # Running the work here could take longer than a caller's timeout, so only wait-forever helps.
        if timeout is None and self._help():
            return
        try:
            self._take(timeout)
        except _NotReady:
            raise TimeoutError(f"the result was not ready within {timeout} s") from None


class _Combined(Future):
    """One future over several (the chunks of parallel_map/reduce): done when all are, failed
    as soon as one fails (the chunks not yet started are then cancelled; running ones finish
    and are discarded)."""

    __slots__ = ('_parts', '_combine')

    def __init__(self, parts, combine):
        super().__init__()
        self._parts = parts
        self._combine = combine
        self._collect(None)  # parts may all be done already (run here, or failed at once)

    def done(self):
        if self._state is _PENDING:
            self._collect(0)
        return self._state is _DONE

    def cancel(self):
        if self._state is _DONE:
            return False
        any_cancelled = False
        for p in self._parts:
            any_cancelled |= p.cancel()
        if any_cancelled:
            self._set(None, concurrent.futures.CancelledError("cancelled"))
        return any_cancelled

    def _collect(self, timeout):
        """Moves done parts along; returns the handles still running elsewhere."""
        for p in self._parts:
            if p._state is _PENDING and p._handle is not None and timeout == 0:
                p.done()
            if p._state is _DONE and p._error is not None:
                self._fail(p._error)
                return []
        running = [p for p in self._parts if p._state is _PENDING]
        if not running:
            self._finish()
        return running

    def _fail(self, error):
        for p in self._parts:
            if p._state is _PENDING and not p.cancel() and p._handle is not None:
                # Already running elsewhere: it finishes there, and its outcome is dropped.
                _host.forget(p._handle)
                p._handle = None
        self._set(None, error)

    def _finish(self):
        try:
            value = self._combine([p._value for p in self._parts])
        except Exception as e:
            self._set(None, e)
        else:
            self._set(value, None)

    def _wait(self, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._state is _PENDING:
            pending = [p for p in self._parts if p._state is _PENDING and p._handle is not None]
            if not pending:
                # Every part settled some other way (e.g. a part's own .result()): nothing to wait for.
                self._collect(None)
                if self._state is _PENDING:
                    raise RuntimeError("internal error: a parallel result has parts that are neither done nor running")
                break
            # Help first: run here the last parts still queued (the first ones are most likely running).
            helped = False
            for p in reversed(pending if timeout is None else []):
                if p._help():
                    helped = True
                    break
            if not helped:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                ready = set(_host.wait([p._handle for p in pending], left))
                for p in pending:
                    if p._handle in ready:
                        p._resolve()
                if not ready and deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(f"the result was not ready within {timeout} s")
            self._collect(None)

    def _pending_parts(self):
        return [p for p in self._parts if p._state is _PENDING and p._handle is not None]
