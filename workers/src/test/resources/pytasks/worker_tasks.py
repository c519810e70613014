"""Functions WorkerPoolTest runs in CPython workers."""
import os
import subprocess
import sys
import time


def echo(x):
    return x


def type_name(x):
    return type(x).__name__


def add(a, b=0, *, scale=1):
    return (a + b) * scale


def pid():
    return os.getpid()


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def fail(message):
    raise ValueError(message)


def exit_now(status):
    os._exit(status)


def segfault():
    import ctypes
    ctypes.string_at(0)


def system_exit():
    sys.exit(4)


def chatter(text):
    print(text)
    print(text + ' to stderr', file=sys.stderr)
    return len(text)


def spawn_and_sleep(pid_file):
    """Starts a grandchild process, writes its pid, then sleeps (for the shutdown test)."""
    child = subprocess.Popen(['sleep', '300'])
    with open(pid_file, 'w') as f:
        f.write(str(child.pid))
    time.sleep(300)


def spawn_then_exit(pid_file):
    """Starts a grandchild process, writes its pid, then dies without cleaning up."""
    child = subprocess.Popen(['sleep', '300'])
    with open(pid_file, 'w') as f:
        f.write(str(child.pid))
    os._exit(1)


def main_module_name():
    return __name__


def numpy_mean(values):
    import numpy
    return float(numpy.asarray(values, dtype=numpy.float64).mean())


class Unpicklable:
    def __reduce__(self):
        raise TypeError("no pickling")


def unpicklable():
    return Unpicklable()
