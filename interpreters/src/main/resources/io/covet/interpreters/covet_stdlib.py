# The Python half of the standard-library modules GraalPy implements in native code, for
# interpreters without native access (StdlibFunctions.java is the Java half), and fix-ups of
# GraalPy's stdlib for every interpreter. Evaluated once per interpreter, before any user code:
# `install(java, native_access)` patches the modules in place, so that code importing them sees
# CPython's API and behaviour.
import sys


def install(java, native_access):
    _install_unicodedata(java, native_access)
    _install_zlib()
    _install_binascii()
    # Covet's pyexpat under every policy: GraalPy's native one has no limit on entity expansion
    # (a "billion laughs" document expands in full), and names its error type differently.
    # Covet's _bz2 under every policy: GraalPy's, when embedded, fails on first use with an
    # internal error Python cannot catch (its support library does not load).
    # Covet's _sqlite3 under every policy: GraalPy's is native code only one context of a process
    # may load; Covet's runs SQLite in the JVM (sqlite-jdbc), the sandbox's rules kept in Java.
    sys.meta_path.insert(0, _Finder({} if native_access else _Finder.NATIVE_ONLY,
                                    {'pyexpat': (java.pyexpat_source, {}),
                                     '_bz2': (java.bz2_source, {'_java': java.bz2}),
                                     '_sqlite3': (java.sqlite3_source, {'_java': java.sqlite}),
                                     '_covet_json': (java.json_source, {})},
                                    {'zoneinfo._tzpath': _tzpath_fixer(java.tzpath),
                                     'hashlib': lambda hashlib: _install_hashlib(java.hashes, hashlib),
                                     'json': _install_json,
                                     'asyncio.tasks': _install_asyncio_tasks}))


def _install_asyncio_tasks(tasks):
    """asyncio's Python _swap_current_task instead of GraalPy's native one, which loses the entry
    it sets while `_current_tasks` is empty (the dict's storage a first insert makes is dropped),
    so an eager task (`eager_start=True`, asyncio.eager_task_factory) started outside any other
    task raised KeyError as it suspended. The Python one works on the same dict."""
    tasks._swap_current_task = tasks._py_swap_current_task


def _install_json(json):
    """json.loads in Python written for GraalPy's JIT (covet_json.py), where GraalPy's native
    _json scanner takes ~20 us per number. Run when json is imported."""
    import _covet_json
    _covet_json.install(json)


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


# ---- zlib: the gzip container ---------------------------------------------------------------------

def _install_zlib():
    """GraalPy's zlib (Java's under every policy when embedded) gets the gzip container wrong:
    compress(wbits=31) writes a CRC of 0, compressobj(wbits=31) writes no header, decompressing
    gzip fails with a Java ZipException, and wbits 40-47 (zlib or gzip, detected) is refused; so
    gzip.compress, urllib3's and httpx's gzip decoding fail. Raw deflate and the zlib container
    work: Covet frames gzip itself around raw deflate, as zlib would."""
    import zlib
    import struct
    raw_compress, raw_decompress = zlib.compress, zlib.decompress
    raw_compressobj, raw_decompressobj = zlib.compressobj, zlib.decompressobj
    crc32 = zlib.crc32

    def container(wbits):
        """'gzip' (16 + window bits), 'auto' (32 + window bits: zlib or gzip), or None."""
        return 'gzip' if 24 <= wbits <= 31 else 'auto' if wbits == 32 or 40 <= wbits <= 47 else None

    def header(level, strategy=zlib.Z_DEFAULT_STRATEGY):
        level = 6 if level == zlib.Z_DEFAULT_COMPRESSION else level
        flags = 2 if level == 9 else 4 if strategy >= zlib.Z_HUFFMAN_ONLY or level < 2 else 0
        return b'\x1f\x8b\x08\x00\x00\x00\x00\x00' + bytes((flags, 3))  # no name, mtime 0, OS Unix: as zlib

    def trailer(crc, size):
        return struct.pack('<II', crc, size & 0xffffffff)

    def error(message):
        return zlib.error(f'Error -3 while decompressing data: {message}')

    def header_length(data):
        """The length of the gzip header data starts with, None while it is incomplete."""
        if len(data) < 10:
            return None
        if data[2] != 8:
            raise error('unknown compression method')
        flags, end = data[3], 10
        if flags & 0xe0:
            raise error('unknown header flags set')
        if flags & 4:  # FEXTRA
            if len(data) < end + 2:
                return None
            end += 2 + int.from_bytes(data[end:end + 2], 'little')
        for flag in (8, 16):  # FNAME, FCOMMENT: zero-terminated
            if flags & flag:
                zero = data.find(b'\0', end)
                if zero < 0:
                    return None
                end = zero + 1
        if flags & 2:  # FHCRC: the header's CRC-32, low 16 bits
            if len(data) < end + 2:
                return None
            if int.from_bytes(data[end:end + 2], 'little') != crc32(data[:end]) & 0xffff:
                raise error('header crc mismatch')
            end += 2
        return end if len(data) >= end else None

    def compress(data, /, level=zlib.Z_DEFAULT_COMPRESSION, wbits=zlib.MAX_WBITS):
        if container(wbits) != 'gzip':
            return raw_compress(data, level, wbits)
        view = memoryview(data)
        return header(level) + raw_compress(view, level, 16 - wbits) + trailer(crc32(view), view.nbytes)

    def decompress(data, /, wbits=zlib.MAX_WBITS, bufsize=zlib.DEF_BUF_SIZE):
        if container(wbits) is None:
            return raw_decompress(data, wbits, bufsize)
        d = GzipDecompress(wbits, b'')
        out = d.decompress(data)
        out += d.flush()
        if not d.eof:
            raise zlib.error('Error -5 while decompressing data: incomplete or truncated stream')
        return out

    def compressobj(level=zlib.Z_DEFAULT_COMPRESSION, method=zlib.DEFLATED, wbits=zlib.MAX_WBITS,
                    memLevel=zlib.DEF_MEM_LEVEL, strategy=zlib.Z_DEFAULT_STRATEGY, zdict=None):
        if container(wbits) != 'gzip':
            return raw_compressobj(level, method, wbits, memLevel, strategy, *(() if zdict is None else (zdict,)))
        return GzipCompress(raw_compressobj(level, method, 16 - wbits, memLevel, strategy), header(level, strategy), 0, 0)

    def decompressobj(wbits=zlib.MAX_WBITS, zdict=b''):
        if container(wbits) is None:
            return raw_decompressobj(wbits, zdict) if zdict else raw_decompressobj(wbits)
        return GzipDecompress(wbits, zdict)

    class GzipCompress:
        """A gzip stream written piece by piece: zlib's header, raw deflate, CRC-32 and size."""

        def __init__(self, inner, head, crc, size):
            self._inner, self._head, self._crc, self._size = inner, head, crc, size

        def compress(self, data, /):
            out = self._inner.compress(data)
            view = memoryview(data)
            self._crc, self._size = crc32(view, self._crc), self._size + view.nbytes
            return self._take_head() + out

        def flush(self, mode=zlib.Z_FINISH, /):
            out = self._inner.flush(mode)
            return self._take_head() + out + (trailer(self._crc, self._size) if mode == zlib.Z_FINISH else b'')

        def copy(self):
            return GzipCompress(self._inner.copy(), self._head, self._crc, self._size)

        __copy__ = copy

        def __deepcopy__(self, memo):
            return self.copy()

        def _take_head(self):
            head, self._head = self._head, b''
            return head

    class GzipDecompress:
        """A gzip stream (or, for wbits 32+, a zlib one: detected) read piece by piece."""

        def __init__(self, wbits, zdict):
            self._wbits, self._zdict = wbits, zdict
            self._zlib = None  # the zlib-container stream's own decompressor, when detected
            self._phase = 'header'  # then 'body', 'trailer', 'done'
            self._pending = b''  # header or trailer bytes so far
            self._inner = None
            self._crc = self._size = 0
            self.unused_data = b''

        @property
        def unconsumed_tail(self):
            return self._zlib.unconsumed_tail if self._zlib else self._inner.unconsumed_tail if self._phase == 'body' else b''

        @property
        def eof(self):
            return self._zlib.eof if self._zlib else self._phase == 'done'

        def decompress(self, data, /, max_length=0):
            if max_length < 0:
                raise ValueError('max_length must be non-negative')
            data = bytes(data)
            if self._zlib:
                return self._decompressed_zlib(data, max_length)
            if self._phase == 'done':
                self.unused_data += data
                return b''
            if self._phase == 'header':
                self._pending += data
                if len(self._pending) >= 2 and self._pending[:2] != b'\x1f\x8b':
                    if self._wbits < 32:
                        raise error('incorrect header check')
                    window = self._wbits - 32 or zlib.MAX_WBITS
                    self._zlib = raw_decompressobj(window, self._zdict) if self._zdict else raw_decompressobj(window)
                    return self._decompressed_zlib(self._pending, max_length)
                end = header_length(self._pending)
                if end is None:
                    return b''
                data, self._pending, self._phase = self._pending[end:], b'', 'body'
                self._inner = raw_decompressobj(-zlib.MAX_WBITS)
            out = b''
            if self._phase == 'body':
                out = self._inner.decompress(data, max_length)
                self._count(out)
                if not self._inner.eof:
                    return out
                data, self._phase = self._inner.unused_data, 'trailer'
            self._trailer(data)
            return out

        def flush(self, length=zlib.DEF_BUF_SIZE, /):
            if self._zlib:
                out = self._zlib.flush(length)
                self.unused_data = self._zlib.unused_data
                return out
            if self._phase != 'body':
                return b''
            out = self._inner.flush(length)
            self._count(out)
            if self._inner.eof:
                self._phase = 'trailer'
                self._trailer(self._inner.unused_data)
            return out

        def copy(self):
            other = GzipDecompress(self._wbits, self._zdict)
            other.__dict__.update(self.__dict__)
            other._zlib = self._zlib and self._zlib.copy()
            other._inner = self._inner and self._inner.copy()
            return other

        __copy__ = copy

        def __deepcopy__(self, memo):
            return self.copy()

        def _decompressed_zlib(self, data, max_length):
            out = self._zlib.decompress(data, max_length)
            self.unused_data = self._zlib.unused_data
            return out

        def _count(self, out):
            self._crc, self._size = crc32(out, self._crc), self._size + len(out)

        def _trailer(self, data):
            self._pending += data
            if len(self._pending) < 8:
                return
            crc, size = struct.unpack('<II', self._pending[:8])
            if crc != self._crc:
                raise error('incorrect data check')
            if size != self._size & 0xffffffff:
                raise error('incorrect length check')
            self.unused_data, self._pending, self._phase = self._pending[8:], b'', 'done'

    for f in (compress, decompress, compressobj, decompressobj):
        f.__module__, f.__qualname__ = 'zlib', f.__name__
        setattr(zlib, f.__name__, f)


# ---- hashlib: what GraalPy lacks -----------------------------------------------------------------

def _install_hashlib(java, hashlib):
    """GraalPy's hashlib has shake digests of their default length only, blake2 without
    digest_size, key, salt, person, and no scrypt; Bouncy Castle answers those (Digests.java).
    Run when hashlib is first imported."""
    new, graalpy_blake2 = hashlib.new, {'blake2b': hashlib.blake2b, 'blake2s': hashlib.blake2s}

    def buffer(data):
        if isinstance(data, str):
            raise TypeError('Strings must be encoded before hashing')
        return data if type(data) is bytes else bytes(memoryview(data))

    class _Digest:
        def __init__(self, name, digest_size, block_size, running, data):
            self.name, self.digest_size, self.block_size, self._running = name, digest_size, block_size, running
            if data is not None:
                self.update(data)

        def update(self, data, /):
            self._running.update(buffer(data))

        def copy(self):
            return type(self)(self.name, self.digest_size, self.block_size, self._running.copy(), None)

        def __repr__(self):
            return f'<{self.name} _hashlib.HASH object @ {hex(id(self))}>'

    class _Shake(_Digest):
        def digest(self, length, /):
            if length < 0:
                raise ValueError('negative digest length')
            return self._running.digest(length).encode('latin-1')

        def hexdigest(self, length, /):
            return self.digest(length).hex()

    class _Blake2(_Digest):
        def digest(self):
            return self._running.digest(0).encode('latin-1')

        def hexdigest(self):
            return self.digest().hex()

    def shake(name, bits, block_size):
        def constructor(data=b'', *, usedforsecurity=True, string=None):
            return _Shake(name, 0, block_size, java.shake(bits), string if data == b'' and string is not None else data)
        constructor.__name__ = constructor.__qualname__ = name
        return constructor

    def blake2(name, big):
        max_digest, max_key, salt_size = (64, 64, 16) if big else (32, 32, 8)

        def constructor(data=b'', /, *, digest_size=max_digest, key=b'', salt=b'', person=b'', fanout=1, depth=1,
                        leaf_size=0, node_offset=0, node_depth=0, inner_size=0, last_node=False, usedforsecurity=True):
            if (digest_size, key, salt, person) == (max_digest, b'', b'', b''):
                if (fanout, depth, leaf_size, node_offset, node_depth, inner_size, last_node) == (1, 1, 0, 0, 0, 0, False):
                    return graalpy_blake2[name](data)
            if (fanout, depth, leaf_size, node_offset, node_depth, inner_size, last_node) != (1, 1, 0, 0, 0, 0, False):
                raise NotImplementedError(f"{name} tree hashing (fanout, depth, leaf_size, node_offset, node_depth, "
                                          "inner_size, last_node) is not available in Covet")
            if not 1 <= digest_size <= max_digest:
                raise ValueError(f'digest_size must be between 1 and {max_digest} bytes')
            key, salt, person = buffer(key), buffer(salt), buffer(person)
            for what, value, most in (('key', key, max_key), ('salt', salt, salt_size), ('person', person, salt_size)):
                if len(value) > most:
                    raise ValueError(f'maximum {what} length is {most} bytes')
            # As CPython: a shorter salt or person is padded with zeros (but an empty one means none).
            salt, person = (v.ljust(salt_size, b'\0') if v else v for v in (salt, person))
            return _Blake2(name, digest_size, 128 if big else 64, java.blake2(big, digest_size, key, salt, person), data)
        constructor.__name__ = constructor.__qualname__ = name
        constructor.SALT_SIZE, constructor.PERSON_SIZE = salt_size, salt_size
        constructor.MAX_KEY_SIZE, constructor.MAX_DIGEST_SIZE = max_key, max_digest
        return constructor

    def scrypt(password, *, salt=None, n=None, r=None, p=None, maxmem=0, dklen=64):
        if salt is None:
            raise TypeError("salt is required")
        if None in (n, r, p):
            raise TypeError("n, r and p are required")
        password, salt = buffer(password), buffer(salt)
        if n < 2 or n & (n - 1):
            raise ValueError('n must be a power of 2.')
        if maxmem < 0 or maxmem > 2 ** 31 - 1:
            raise ValueError('maxmem must be positive and smaller than 2147483647')
        if not 1 <= dklen <= 2 ** 31 - 1:
            raise ValueError('dklen must be greater than 0 and smaller than 2147483647')
        if 128 * r * (n + p + 2) > (maxmem or 32 * 1024 * 1024):
            raise ValueError('Invalid parameter combination for n, r, p, maxmem.')
        return java.scrypt(password, salt, n, r, p, dklen).encode('latin-1')

    ours = {'shake_128': shake('shake_128', 128, 168), 'shake_256': shake('shake_256', 256, 136),
            'blake2b': blake2('blake2b', True), 'blake2s': blake2('blake2s', False)}

    def new_(name, data=b'', **kwargs):
        constructor = ours.get(name.lower() if isinstance(name, str) else name)
        return constructor(data, **kwargs) if constructor else new(name, data, **kwargs)
    new_.__name__ = new_.__qualname__ = 'new'
    new_.__doc__ = new.__doc__

    for name, constructor in ours.items():
        setattr(hashlib, name, constructor)
    hashlib.new, hashlib.scrypt = new_, scrypt
    for f in (*ours.values(), new_, scrypt):
        f.__module__ = 'hashlib'


# ---- binascii: what GraalPy lacks ----------------------------------------------------------------

def _install_binascii():
    """GraalPy's binascii raises NotImplementedError for hexlify's separator and has no uuencoding
    (b2a_uu, a2b_uu: what the uu module and the uu codec call)."""
    import binascii
    hexlify = binascii.hexlify

    def b2a_hex(data, sep=_MISSING, bytes_per_sep=1):
        if sep is _MISSING:
            return hexlify(data)
        return memoryview(data).hex(sep, bytes_per_sep).encode('ascii')

    def b2a_uu(data, /, *, backtick=False):
        data = bytes(memoryview(data))
        if len(data) > 45:
            raise binascii.Error('At most 45 bytes at once')

        def char(six_bits):
            return 0x60 if backtick and not six_bits else 0x20 + six_bits
        out = bytearray((char(len(data)),))
        for i in range(0, len(data), 3):
            group = int.from_bytes(data[i:i + 3].ljust(3, b'\0'), 'big')
            out += bytes(char((group >> shift) & 0x3f) for shift in (18, 12, 6, 0))
        return bytes(out + b'\n')

    def a2b_uu(data, /):
        if isinstance(data, str):
            try:
                data = data.encode('ascii')
            except UnicodeEncodeError:
                raise ValueError('string argument should contain only ASCII characters') from None
        data = bytes(memoryview(data))
        # As CPython: a missing length is 0 - ' ', a line end or a short line reads as zeros.
        length = ((data[0] if data else 0) - 0x20) & 0x3f
        needed = (length + 2) // 3 * 4
        six_bits = []
        for c in data[1:1 + needed]:
            if c in (0x0a, 0x0d):
                c = 0x20
            elif not 0x20 <= c <= 0x60:
                raise binascii.Error('Illegal char')
            six_bits.append((c - 0x20) & 0x3f)
        if any(c not in (0x20, 0x60, 0x0a, 0x0d) for c in data[1 + needed:]):
            raise binascii.Error('Trailing garbage')
        six_bits += [0] * (needed - len(six_bits))
        out = bytearray()
        for i in range(0, needed, 4):
            group = six_bits[i] << 18 | six_bits[i + 1] << 12 | six_bits[i + 2] << 6 | six_bits[i + 3]
            out += group.to_bytes(3, 'big')
        return bytes(out[:length])

    binascii.hexlify = binascii.b2a_hex = b2a_hex
    for f in (b2a_uu, a2b_uu):
        if not hasattr(binascii, f.__name__):
            setattr(binascii, f.__name__, f)
    for f in (b2a_hex, b2a_uu, a2b_uu):
        f.__module__ = 'binascii'


# ---- modules that exist only as native code -----------------------------------------------------

class _Finder:
    """Turns the import of a module GraalPy has only in native code into a plain ImportError (as
    on a platform without it), where GraalPy raises a SystemError that `except ImportError` misses;
    serves Covet's own modules in place of some (pyexpat: covet_pyexpat.py, _bz2: covet_bz2.py,
    _sqlite3: covet_sqlite3.py, and _covet_json: covet_json.py);
    and runs a fix-up after some modules are imported."""
    NATIVE_ONLY = {
        'termios': 'terminal control needs native code',
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

