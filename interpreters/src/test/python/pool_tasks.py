"""Functions the interpreter pool tests call by module + name."""
import array
import time

counter = 0


def echo(value):
    return value


def kinds(*args):
    return [type(a).__name__ for a in args]


def add(a, b=0, *, scale=1):
    return (a + b) * scale


def bump():
    """Increments this interpreter's module global; other interpreters never see it."""
    global counter
    counter += 1
    return counter


def spin_until(seconds):
    """Busy CPU loop holding this interpreter's GIL."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def forever():
    while True:
        pass


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def fail(message):
    return _inner(message)


def _inner(message):
    raise ValueError(message)


def doubles(n):
    return array.array('d', (i * 0.5 for i in range(n)))


def total(values):
    return sum(values)


def an_object():
    return object()


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


# ---- coroutines: tasks that await on the interpreter's event loop ----------------------------

async def nap(seconds, value=None):
    import asyncio
    await asyncio.sleep(seconds)
    return value


_arrived = 0


async def rendezvous(n):
    """Returns once n tasks of this interpreter have arrived here: they can only all finish if
    they are in flight at the same time."""
    global _arrived
    import asyncio
    _arrived += 1
    while _arrived < n:
        await asyncio.sleep(0.002)
    return n


def reset_rendezvous():
    global _arrived
    _arrived = 0


_gate = None


async def at_gate(value):
    """Waits until open_gate() runs in this interpreter."""
    global _gate
    import asyncio
    if _gate is None:
        _gate = asyncio.Event()
    await _gate.wait()
    return value


def open_gate():
    if _gate is not None:
        _gate.set()
    return 'open'


def open_gate_then_raise(message):
    open_gate()
    raise ValueError(message)


def close_gate():
    global _gate
    _gate = None


async def spin_forever():
    while True:
        pass


async def spin_after_an_await():
    import asyncio
    await asyncio.sleep(0)
    while True:
        pass


_started_later = []


async def answer_leaving_a_task(value):
    """Done in its first step (it never suspends), leaving the loop a task that notes `value`."""
    import asyncio

    async def later():
        _started_later.append(value)
    asyncio.get_running_loop().create_task(later())
    return value


def noted_later():
    return list(_started_later)


async def raise_at_once(message):
    raise ValueError(message)


async def raises_after_await(message):
    import asyncio
    await asyncio.sleep(0)
    raise KeyError(message)


_cancelled = []


async def sleep_noting_cancel(seconds, name):
    import asyncio
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        _cancelled.append(name)
        raise
    return name


def cancelled_names():
    return list(_cancelled)


async def ignore_cancellation(name):
    """Catches its CancelledError and carries on: only replacing its interpreter stops it."""
    import asyncio
    while True:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            _cancelled.append(name)


_left_open = []


def write_and_leave_open(path, text):
    """Writes text to a file and keeps it open in a module global, as a script's top level would."""
    f = open(path, 'w')
    f.write(text)
    _left_open.append(f)
    return len(text)
