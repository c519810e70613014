"""asyncio for Covet's interpreters.

The stock event loop needs a socket pair for its self-pipe, which the sandbox denies. Covet's
loop has no self-pipe: when it has nothing ready to run it blocks in the host until one of the
covet.Futures it awaits completes, a timer is due, or another thread wakes it. Installed as the
event loop policy when asyncio is first imported, so plain `asyncio.run(main())` works in
every interpreter, and `asyncio.gather` over covet futures runs them concurrently.
"""
import asyncio
import asyncio.base_events
import asyncio.events

import _covet_host as _host

__all__ = ['CovetEventLoop', 'CovetEventLoopPolicy', 'install']


class _HostSelector:
    """What BaseEventLoop._run_once calls select() on: the host's wait for covet futures."""

    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout=None):
        return self._loop._covet_select(timeout)

    def close(self):
        pass

    def get_map(self):
        return {}


class CovetEventLoop(asyncio.base_events.BaseEventLoop):
    """An asyncio loop whose only events are covet futures completing (no sockets)."""

    def __init__(self):
        super().__init__()
        self._selector = _HostSelector(self)
        self._watched = []

    def _covet_watch(self, fut):
        """An asyncio future that completes when the covet future `fut` is done."""
        waiter = self.create_future()
        self._watched.append((fut, waiter))

        def on_done(w):
            if w.cancelled():
                fut.cancel()
        waiter.add_done_callback(on_done)
        return waiter

    def _covet_select(self, timeout):
        parts = {}
        settled = False
        for fut, waiter in self._watched:
            if not waiter.done():
                pending = fut._pending_parts()
                settled = settled or not pending
                for p in pending:
                    parts[p._handle] = p
        if settled:
            # A watched future has nothing left out with the host (settled by other code): don't block.
            return [None]
        if timeout is None:
            # Nothing to do until a watched task completes (no timer is due): run here one that has
            # not started elsewhere. With a timer pending, running it could delay the timer.
            for p in reversed(list(parts.values())):
                if p._help():
                    return [None]
        if not parts and timeout == 0:
            return []
        ready = _host.wait(list(parts), timeout, True)
        for handle in ready:
            part = parts.get(handle)
            if part is not None and part._handle is not None:
                part._resolve()
        return ready

    def _process_events(self, event_list):
        still = []
        for fut, waiter in self._watched:
            if waiter.done():
                continue
            if fut.done():
                waiter.set_result(None)
            else:
                still.append((fut, waiter))
        self._watched = still

    def _write_to_self(self):
        _host.wake()

    def run_in_executor(self, executor, func, *args):
        """With executor None (also asyncio.to_thread), runs a module-level `func` in another
        interpreter on the IO lane; an explicit executor is used as asyncio would."""
        if executor is not None:
            return super().run_in_executor(executor, func, *args)
        import contextvars
        import functools
        if (isinstance(func, functools.partial) and getattr(func.func, '__name__', None) == 'run'
                and isinstance(getattr(func.func, '__self__', None), contextvars.Context) and func.args):
            # asyncio.to_thread wraps the function in context.run; send the function itself.
            func, args = func.args[0], func.args[1:] + args
        from .perf import perf
        return asyncio.ensure_future(perf._submit('io', func, args, {}, 'run_in_executor'), loop=self)

    async def shutdown_default_executor(self, timeout=None):
        return None


class CovetEventLoopPolicy(asyncio.events.BaseDefaultEventLoopPolicy):
    _loop_factory = CovetEventLoop


def install(asyncio_module=None):
    """Makes Covet's loop the default (idempotent)."""
    if not isinstance(asyncio.events._event_loop_policy, CovetEventLoopPolicy):
        asyncio.set_event_loop_policy(CovetEventLoopPolicy())
