"""asyncio for Covet's interpreters.

The stock event loop needs a socket pair for its self-pipe, which the sandbox denies. Covet's
loop has no self-pipe: when it has nothing ready to run it blocks in the host until one of the
covet.Futures it awaits completes, a timer is due, or another thread wakes it. Installed as the
event loop policy when asyncio is first imported, so plain `asyncio.run(main())` works in
every interpreter, and `asyncio.gather` over covet futures runs them concurrently.

It is also each interpreter's serving loop (the pool's `_covet_pool.LOOP_FACTORY`): async
handlers and other coroutine tasks run on it, driven by Java one turn at a time between other
work (`_covet_driven`: its selector then never blocks; Java waits for the next event instead).
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
        parts = self._covet_parts()
        if parts is None:
            # A watched future has nothing left out with the host (settled by other code): don't block.
            return [None]
        if getattr(self, '_covet_driven', False):
            # Java turns this loop when something happened; here only look, never wait or help.
            if not parts:
                return []
            ready = _host.wait(list(parts), 0)
            for handle in ready:
                part = parts.get(handle)
                if part is not None and part._handle is not None:
                    part._resolve()
            return ready
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

    def _covet_parts(self):
        """The host handles the watched futures wait on; None when one of them needs none (it was settled here)."""
        parts = {}
        for fut, waiter in self._watched:
            if not waiter.done():
                pending = fut._pending_parts()
                if not pending:
                    return None
                for p in pending:
                    parts[p._handle] = p
        return parts

    def _covet_help(self):
        """Runs here one queued sub-task that the loop's tasks await (the last ones first, as they
        are least likely to have started elsewhere); True if it ran one."""
        parts = self._covet_parts()
        for p in reversed(list((parts or {}).values())):
            if p._help():
                return True
        return False

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


def _help_serving_loop():
    import _covet_pool
    loop = _covet_pool._loop
    return isinstance(loop, CovetEventLoop) and loop._covet_help()


def install(asyncio_module=None):
    """Makes Covet's loop the default (idempotent), and the interpreter's serving loop."""
    if not isinstance(asyncio.events._event_loop_policy, CovetEventLoopPolicy):
        asyncio.set_event_loop_policy(CovetEventLoopPolicy())
    import sys
    pool = sys.modules.get('_covet_pool')
    if pool is not None:
        pool.LOOP_FACTORY = CovetEventLoop
        pool.HELP = _help_serving_loop
