"""Imports every standard-library module of GraalPy's home; StdlibTest runs it in every interpreter.

`failures()` returns {module: "ExceptionType: message"} for each module that did not import.
Programs (`__main__` modules, `antigravity`, which opens a browser) and the packages GraalPy does
not ship whole (`test`, `idlelib`, `turtledemo`: GUI and demo code) are not imported.
"""
import os
import pkgutil
import sys

NOT_LIBRARIES = {'antigravity', 'this', 'idlelib', 'turtledemo', 'test', '__hello__', '__phello__'}


def stdlib_modules():
    home = os.path.dirname(os.__file__)
    names = set(sys.builtin_module_names)
    for info in pkgutil.walk_packages([home], onerror=lambda name: None):
        names.add(info.name)
    for entry in sys.path:
        if entry.startswith(os.path.dirname(home)) and entry != home and os.path.isdir(entry):
            names.update(i.name for i in pkgutil.iter_modules([entry]))
    return sorted(n for n in names
                  if n.split('.')[0] not in NOT_LIBRARIES and not n.endswith('.__main__')
                  and 'site-packages' not in n)


def failures():
    failed = {}
    for name in stdlib_modules():
        try:
            __import__(name)
        except BaseException as e:  # SystemExit, KeyboardInterrupt from a module's top level count too
            failed[name] = f"{type(e).__name__}: {e}"
    return failed


if __name__ == '__main__':
    result = failures()
    print(len(stdlib_modules()), "modules,", len(result), "failed")
    for k, v in sorted(result.items()):
        print(f"  {k}: {v[:160]}")
