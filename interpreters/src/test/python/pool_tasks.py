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
