# The Python half of the standard-library modules GraalPy implements in native code, for
# interpreters without native access (StdlibFunctions.java is the Java half), and fix-ups of
# GraalPy's stdlib for every interpreter. Evaluated once per interpreter, before any user code:
# `install(java, native_access)` patches the modules in place, so that code importing them sees
# CPython's API and behaviour.
import sys


def install(java, native_access):
    _install_unicodedata(java, native_access)
    # Covet's pyexpat under every policy: GraalPy's native one has no limit on entity expansion
    # (a "billion laughs" document expands in full), and names its error type differently.
    # Covet's _bz2 under every policy: GraalPy's, when embedded, fails on first use with an
    # internal error Python cannot catch (its support library does not load).
    sys.meta_path.insert(0, _Finder({} if native_access else _Finder.NATIVE_ONLY,
                                    {'pyexpat': (java.pyexpat_source, {}),
                                     '_bz2': (java.bz2_source, {'_java': java.bz2})},
                                    {'zoneinfo._tzpath': _tzpath_fixer(java.tzpath)}))


def _tzpath_fixer(tzpath):
    def fix(module):
        """zoneinfo's default search path, which GraalPy's build configuration leaves empty."""
        import sysconfig
        variables = sysconfig.get_config_vars()
        if not variables.get('TZPATH'):
            variables['TZPATH'] = tzpath
            module.reset_tzpath()
    return fix


# ---- unicodedata: what GraalPy answers from native code, or not at all -------------------------

def _char(fn, c):
    """c as a code point, or CPython's TypeError for anything but a 1-character str."""
    if not isinstance(c, str):
        raise TypeError(f"{fn}() argument must be a unicode character, not {type(c).__name__}")
    if len(c) != 1:
        raise TypeError(f"{fn}() argument must be a unicode character, not str")
    return ord(c)


_FORMS = ('NFC', 'NFD', 'NFKC', 'NFKD')
# Unicode's normalization corrections (NormalizationCorrections.txt): Unicode 3.2 decomposed
# these CJK compatibility ideographs to other characters than later versions do.
_CORRECTIONS_3_2 = str.maketrans({0x2F868: 0x2136A, 0x2F874: 0x5F33, 0x2F91F: 0x43AB,
                                  0x2F95F: 0x7AAE, 0x2F9BF: 0x4D57})


def _install_unicodedata(java, native_access):
    """GraalPy's unicodedata has no decimal, digit, numeric, mirrored or decomposition under any
    policy, and answers combining, east_asian_width, lookup and ucd_3_2_0 from native code; with
    native access only ucd_3_2_0 of those is replaced too, as GraalPy's does not reorder combining
    marks when it normalizes (found by StdlibTest)."""
    import unicodedata as current
    import bisect

    def combining(chr, /):
        return java.combining(_char('combining', chr))

    def east_asian_width(chr, /):
        return java.east_asian_width(_char('east_asian_width', chr))

    def lookup(name, /):
        if isinstance(name, (bytes, bytearray)):
            name = name.decode('latin-1')
        if not isinstance(name, str):
            raise TypeError(f"lookup() argument must be str, not {type(name).__name__}")
        cp = java.lookup(name)
        if cp < 0:
            raise KeyError(f"undefined character name '{name}'")
        return chr(cp)

    class UCD:
        """Unicode 3.2.0's database, as `unicodedata.ucd_3_2_0` (what the idna codec and stringprep use)."""
        unidata_version = '3.2.0'
        _starts = None

        def _row(self, fn, c):
            cp = _char(fn, c)
            if UCD._starts is None:
                starts, rows = [], []
                for line in java.ucd_3_2_0_table().splitlines():
                    if line and not line.startswith('#'):
                        start, category, bidi, width, mirrored, decimal = line.split()
                        starts.append(int(start, 16))
                        rows.append((category, '' if bidi == '-' else bidi, width, int(mirrored), int(decimal)))
                UCD._rows = rows
                UCD._starts = starts
            return UCD._rows[bisect.bisect_right(UCD._starts, cp) - 1]

        def _assigned(self, fn, c):
            return self._row(fn, c)[0] != 'Cn'

        def category(self, chr, /):
            return self._row('category', chr)[0]

        def bidirectional(self, chr, /):
            return self._row('bidirectional', chr)[1]

        def east_asian_width(self, chr, /):
            return self._row('east_asian_width', chr)[2]

        def mirrored(self, chr, /):
            return self._row('mirrored', chr)[3]

        def combining(self, chr, /):
            return combining(chr) if self._assigned('combining', chr) else 0

        def decomposition(self, chr, /):
            return current.decomposition(chr) if self._assigned('decomposition', chr) else ''

        def decimal(self, chr, default=_MISSING, /):
            value = self._row('decimal', chr)[4]
            if value >= 0:
                return value
            if default is not _MISSING:
                return default
            raise ValueError('not a decimal')

        def digit(self, chr, default=_MISSING, /):
            # As CPython's: today's digit values, whatever Unicode 3.2 said.
            return current.digit(chr) if default is _MISSING else current.digit(chr, default)

        def numeric(self, chr, default=_MISSING, /):
            if self._assigned('numeric', chr):
                return current.numeric(chr) if default is _MISSING else current.numeric(chr, default)
            if default is not _MISSING:
                return default
            raise ValueError('not a numeric character')

        def name(self, chr, default=_MISSING, /):
            if self._assigned('name', chr):
                return current.name(chr, default) if default is not _MISSING else current.name(chr)
            if default is not _MISSING:
                return default
            raise ValueError('no such name')

        def lookup(self, name, /):
            c = lookup(name)
            # Unicode 3.2 had no aliases, and not the characters assigned since.
            if not self._assigned('lookup', c) or current.name(c, None) is None \
                    or current.name(c).lower() != (name.decode('latin-1') if isinstance(name, (bytes, bytearray)) else name).lower():
                raise KeyError(f"undefined character name '{name}'")
            return c

        def normalize(self, form, unistr, /):
            return _normalize(form, unistr, True)

        def is_normalized(self, form, unistr, /):
            return _normalize(form, unistr, True) == unistr

    def _normalize(form, unistr, unicode32):
        if not isinstance(form, str):
            raise TypeError(f"normalize() argument 1 must be str, not {type(form).__name__}")
        if not isinstance(unistr, str):
            raise TypeError(f"normalize() argument 2 must be str, not {type(unistr).__name__}")
        if form not in _FORMS:
            raise ValueError('invalid normalization form')
        if unicode32:
            unistr = unistr.translate(_CORRECTIONS_3_2)
        return java.normalize(form, unistr, unicode32)

    def _number(fn, chr, default, message):
        value = getattr(java, fn)(_char(fn, chr))
        if value is not None:
            return value
        if default is _MISSING:
            raise ValueError(message)
        return default

    def decimal(chr, default=_MISSING, /):
        return _number('decimal', chr, default, 'not a decimal')

    def digit(chr, default=_MISSING, /):
        return _number('digit', chr, default, 'not a digit')

    def numeric(chr, default=_MISSING, /):
        value = _number('numeric', chr, default, 'not a numeric character')
        return float(value) if isinstance(value, int) and value is not default else value

    def mirrored(chr, /):
        return java.mirrored(_char('mirrored', chr))

    def decomposition(chr, /):
        return java.decomposition(_char('decomposition', chr))

    for f in (decimal, digit, numeric, mirrored, decomposition):
        setattr(current, f.__name__, f)
    if not native_access:
        for f in (combining, east_asian_width, lookup):
            setattr(current, f.__name__, f)
    current.UCD = UCD
    current.ucd_3_2_0 = UCD()


_MISSING = object()


# ---- modules that exist only as native code -----------------------------------------------------

class _Finder:
    """Turns the import of a module GraalPy has only in native code into a plain ImportError (as
    on a platform without it), where GraalPy raises a SystemError that `except ImportError` misses;
    serves Covet's own modules in place of some (pyexpat: covet_pyexpat.py, _bz2: covet_bz2.py);
    and runs a fix-up after some modules are imported."""
    NATIVE_ONLY = {
        'termios': 'terminal control needs native code',
        '_sqlite3': 'GraalPy implements sqlite3 in native code',
        '_cpython_sre': 'GraalPy implements it in native code',
        '_cpython_unicodedata': 'GraalPy implements it in native code',
        # GraalPy's Java POSIX backend has no crypt(3), and fails with an error Python cannot catch.
        '_crypt': 'crypt(3) needs the native POSIX backend',
    }

    def __init__(self, refused, replaced, fixes):
        self.refused = refused
        self.replaced = replaced
        self.fixes = fixes

    def find_spec(self, name, path=None, target=None):
        reason = self.refused.get(name)
        if reason is not None:
            raise ModuleNotFoundError(f"No module named '{name}': {reason}, which Covet's sandbox does not load "
                                      "(--trusted allows it)", name=name)
        replacement = self.replaced.get(name)
        if replacement is not None:
            import importlib.util
            return importlib.util.spec_from_loader(name, _SourceLoader(name, *replacement))
        fix = self.fixes.get(name)
        if fix is None:
            return None
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            exec_module = spec.loader.exec_module

            class FixingLoader:
                def create_module(self, spec):
                    return None

                def exec_module(self, module):
                    exec_module(module)
                    fix(module)

            spec.loader = FixingLoader()
        return spec


class _SourceLoader:
    """Runs one of Covet's modules, its source handed over by the Java half when first imported,
    with `namespace` (what it needs of the Java half) in its globals."""

    def __init__(self, name, source, namespace):
        self.name = name
        self.source = source
        self.namespace = namespace

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__dict__.update(self.namespace)
        exec(compile(self.source(), f'<covet {self.name}>', 'exec'), module.__dict__)

