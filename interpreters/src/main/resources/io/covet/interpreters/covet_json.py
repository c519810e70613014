"""json.loads written for GraalPy's JIT: module `_covet_json`, which covet_stdlib.py installs in
every interpreter when `json` is first imported.

Why: GraalPy's native `_json` scanner takes ~20 us per number and ~5 us per string, and the
standard library's Python scanner, a regex match and a slice per token, is still ~6x slower there
than CPython's C one. What compiles to fast code in GraalPy is a loop over the bytes of the
document (`bytes[i]` is an int; `str[i]` makes a new 1-character string each time), slicing the
str only for each string and number. See BENCHMARKS.md, "JSON in every interpreter".

How it stays the standard module: it parses only well-formed documents, for a decoder with the
default settings (no hooks, strict, int and float). At anything else (an error, NaN or Infinity,
a control character in a string) it gives up on the whole document and the standard library's own
code parses it from the start, so every result, error message, line and column is CPython's (its
number pattern and `scanstring` made to answer as CPython's C scanner does). A decoder with hooks
or other settings gets the standard scanner alone: a hook must not run twice. Nesting past the
recursion limit is a RecursionError, as in CPython.
"""
import codecs
import functools
import json.decoder
import json.encoder
import json.scanner
import operator
import re
import sys
import types

_ESCAPES = {34: '"', 92: '\\', 47: '/', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t'}
_HEX = frozenset(b'0123456789abcdefABCDEF')
# Nesting the parse goes to without looking at the stack; past it, it counts the frames below, as
# CPython's C scanner counts each level against the recursion limit.
_SHALLOW = 100


class _GiveUp(Exception):
    """Not a document this scanner parses: the standard library's code takes over."""


# What makes the fast path give up: its own signal, and running off the end of the document or an
# int too long to convert (the standard code raises CPython's error for those).
_FALLBACK = (_GiveUp, IndexError, ValueError)


def install(json):
    """Replaces json.loads and the scanner every JSONDecoder makes (json.load's)."""
    standard_loads = json.loads

    @functools.wraps(standard_loads)
    def loads(s, **kw):
        # parse_constant only sees NaN and Infinity, which the fast path leaves to the standard code
        if not kw or (len(kw) == 1 and 'parse_constant' in kw):
            try:
                if type(s) is str:
                    return _document(s.encode('ascii') if s.isascii() else s.encode('utf-8'), s)
                if type(s) is bytes and s[:1] != codecs.BOM_UTF8[:1] and 0 not in s[:4]:
                    # UTF-8 (json.detect_encoding: no BOM, no zero byte among the first four)
                    return _document(s, s.decode('ascii') if s.isascii() else s.decode('utf-8'))
            except _FALLBACK:
                pass
        return standard_loads(s, **kw)

    json.loads = loads
    # The standard scanner's number pattern, ASCII digits only: as a str pattern its \d matched
    # any Unicode digit ('[1\u0661]' parsed as [11]), where CPython's C scanner takes 0-9.
    json.scanner.NUMBER_RE = re.compile(r'(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?',
                                        re.VERBOSE | re.MULTILINE | re.DOTALL)
    # The standard scanner's scanstring: GraalPy's native one returns a wrong end index after a
    # character outside the BMP (an emoji), so valid documents failed; the stdlib's Python one words
    # its errors differently from CPython's C one, which users see. This module's answers as C's.
    json.decoder.scanstring = scanstring   # what JSONDecoder() takes
    json._default_decoder.parse_string = scanstring
    json.scanner.make_scanner = make_scanner   # what JSONDecoder() calls
    json._default_decoder.scan_once = make_scanner(json._default_decoder)
    if json.encoder.c_make_encoder is not None:
        json.encoder.c_make_encoder = _sorting_first(json.encoder.c_make_encoder)


def _sorting_first(native_make_encoder):
    """GraalPy's native encoder is fast (about twice CPython's C one) but takes 5x longer with
    sort_keys (Flask's default), sorting with a slow generic path. Sorting first, in Python, into a
    copy whose dicts hold their keys in order, and encoding that unsorted gives the same text
    sooner. A structure the copy cannot make (a cycle, mixed key types) is encoded by the native
    sort, which raises what the standard module raises."""
    def c_make_encoder(markers, default, encoder, indent, key_separator, item_separator,
                       sort_keys, skipkeys, allow_nan):
        native = native_make_encoder(markers, default, encoder, indent, key_separator,
                                     item_separator, sort_keys, skipkeys, allow_nan)
        if not sort_keys:
            return native

        def sorted_default(o):
            try:
                return _sorted_copy(default(o))
            except (RecursionError, TypeError) as e:
                raise _Unsortable from e

        presorted = native_make_encoder(markers, sorted_default, encoder, indent, key_separator,
                                        item_separator, False, skipkeys, allow_nan)

        def encode(o, level):
            try:
                return presorted(_sorted_copy(o), level)
            except (RecursionError, TypeError, _Unsortable):
                # What the native sort makes of it (a cycle, keys that do not compare ...), with
                # the markers of circular references it left behind forgotten.
                if markers is not None:
                    markers.clear()
                return native(o, level)

        return encode

    return c_make_encoder


class _Unsortable(Exception):
    """What default() returned cannot be copied sorted."""


def _sorted_copy(o):
    """o with every dict in it copied with its keys in sorted order (lists and tuples copied as
    lists, which encode the same; anything else as it is)."""
    t = type(o)
    if t is dict:
        return {key: _sorted_copy(o[key]) for key in sorted(o)}
    if t is list or t is tuple:
        return [_sorted_copy(item) for item in o]
    if t is str or t is int or t is float or o is None or o is True or o is False:
        return o
    if isinstance(o, dict):
        return {key: _sorted_copy(value) for key, value in sorted(o.items())}
    if isinstance(o, (list, tuple)):
        return [_sorted_copy(item) for item in o]
    return o


def make_scanner(context):
    """json.scanner.make_scanner: the fast path for a default decoder, the standard scanner behind
    it and for any other."""
    # The standard scanner with the standard parts: as CPython's C scanner, it ignores a decoder's
    # own parse_object, parse_array and parse_string.
    reference = json.scanner.py_make_scanner(types.SimpleNamespace(
        parse_object=json.decoder.JSONObject, parse_array=json.decoder.JSONArray, parse_string=scanstring,
        strict=context.strict, object_hook=context.object_hook, object_pairs_hook=context.object_pairs_hook,
        parse_float=context.parse_float, parse_int=context.parse_int, parse_constant=context.parse_constant,
        memo=context.memo))
    if (context.object_hook is not None or context.object_pairs_hook is not None
            or context.parse_float is not float or context.parse_int is not int
            or not context.strict):
        return reference

    def scan_once(string, idx):
        if not isinstance(string, str):
            raise TypeError(f'first argument must be a string, not {type(string).__name__}')
        idx = operator.index(idx)
        if idx < 0:
            raise ValueError('idx cannot be negative')
        # Only at the start of a document (decode() skips its leading white space): a loop of
        # raw_decode calls along one long text would encode all of it each time.
        if idx == 0 or (idx < 16 and not string[:idx].strip(' \t\n\r')):
            try:
                if string.isascii():
                    value, end, shift = _value(string.encode('ascii'), string, idx, 0)
                else:
                    data = string.encode('utf-8')
                    if len(data.decode('utf-8')) != len(string):
                        raise _GiveUp   # a surrogate pair, which GraalPy encodes as one character
                    start = len(string[:idx].encode('utf-8'))
                    value, end, shift = _value(data, string, start, start - idx)
                return value, end - shift
            except _FALLBACK:
                pass
        return reference(string, idx)

    return scan_once


def scanstring(s, end, strict=True, /):
    """json.decoder.scanstring as CPython's C implementation behaves, its errors (message and
    position) included: the string whose opening quote is at end - 1, and the index after its
    closing quote."""
    if not isinstance(s, str):
        raise TypeError(f'first argument must be a string, not {type(s).__name__}')
    end = operator.index(end)
    strict = operator.index(strict)
    begin = end - 1
    n = len(s)
    if end < 0 or end > n:
        raise ValueError('end is out of bounds')
    chunks = []
    while True:
        i = end
        while i < n:
            c = s[i]
            if c == '"' or c == '\\':
                break
            if strict and c <= '\x1f':
                raise json.decoder.JSONDecodeError('Invalid control character at', s, i)
            i += 1
        if i == n:
            raise json.decoder.JSONDecodeError('Unterminated string starting at', s, begin)
        if i != end:
            chunks.append(s[end:i])
        i += 1
        if c == '"':
            return ''.join(chunks), i
        if i == n:
            raise json.decoder.JSONDecodeError('Unterminated string starting at', s, begin)
        c = s[i]
        if c != 'u':
            end = i + 1
            c = _ESCAPES.get(ord(c))
            if c is None:
                raise json.decoder.JSONDecodeError('Invalid \\escape', s, end - 2)
            chunks.append(c)
            continue
        i += 1
        end = i + 4
        if end >= n:
            raise json.decoder.JSONDecodeError('Invalid \\uXXXX escape', s, i - 1)
        code = _hex4_text(s, i)
        if 0xd800 <= code <= 0xdbff and end + 6 < n and s[end] == '\\' and s[end + 1] == 'u':
            end += 6
            low = _hex4_text(s, end - 4)
            if 0xdc00 <= low <= 0xdfff:
                code = 0x10000 + (((code - 0xd800) << 10) | (low - 0xdc00))
            else:
                end -= 6
        chunks.append(chr(code))


def _hex4_text(s, i):
    digits = s[i:i + 4]
    if not all(d in '0123456789abcdefABCDEF' for d in digits):
        raise json.decoder.JSONDecodeError('Invalid \\uXXXX escape', s, i - 1)
    return int(digits, 16)


def _document(b, s):
    """The value of the whole document s, white space around it allowed; b is s in UTF-8."""
    i = 0
    n = len(b)
    while i < n and (b[i] == 32 or b[i] == 10 or b[i] == 9 or b[i] == 13):
        i += 1
    value, i, shift = _value(b, s, i, 0)
    while i < n and (b[i] == 32 or b[i] == 10 or b[i] == 9 or b[i] == 13):
        i += 1
    if i != n or n - shift != len(s):   # the second: a surrogate pair in s, encoded as one character
        raise _GiveUp
    return value


# The parse walks b, the document in UTF-8, and slices strings and numbers from s, the document
# itself. The two share indexes up to the first character outside ASCII; after it, s's index is
# b's minus `shift`, the number of UTF-8 continuation bytes (0x80-0xBF) passed so far: one per byte
# of a character past its first. Such bytes can only be in strings, which count them. Text with
# surrogates is left to the standard code: GraalPy encodes a pair as one character (4 bytes for 2
# characters of a str), and a lone one not at all without 'surrogatepass'.

def _value(b, s, i, shift):
    """The value starting at b[i] (no white space before it), the index in b after it, and the
    shift there."""
    n = len(b)
    stack = []   # the containers being filled, innermost last
    keys = []    # for each dict in stack, the key of the value being parsed
    memo = {}    # each key once, shared by every dict that has it (as CPython's scanner does)
    depth_checked = _SHALLOW
    while True:
        # One value starting at b[i]: a scalar is complete; an empty container too; a container
        # with items is pushed, and the loop goes on with its first item.
        c = b[i]
        if c == 34:   # "
            value, i, shift = _quoted(b, s, i, shift)
        elif c == 123:   # {
            i += 1
            c = b[i]
            while c == 32 or c == 10 or c == 9 or c == 13:
                i += 1
                c = b[i]
            if c == 125:
                value = {}
                i += 1
            else:
                if len(stack) >= depth_checked:
                    depth_checked = _check_depth(len(stack), 'object')
                key, i, shift = _key(b, s, i, shift)
                stack.append({})
                keys.append(memo.setdefault(key, key))
                continue
        elif c == 91:   # [
            i += 1
            c = b[i]
            while c == 32 or c == 10 or c == 9 or c == 13:
                i += 1
                c = b[i]
            if c == 93:
                value = []
                i += 1
            else:
                if len(stack) >= depth_checked:
                    depth_checked = _check_depth(len(stack), 'array')
                stack.append([])
                continue
        elif c == 110:   # null
            if b[i + 1] != 117 or b[i + 2] != 108 or b[i + 3] != 108:
                raise _GiveUp
            value = None
            i += 4
        elif c == 116:   # true
            if b[i + 1] != 114 or b[i + 2] != 117 or b[i + 3] != 101:
                raise _GiveUp
            value = True
            i += 4
        elif c == 102:   # false
            if b[i + 1] != 97 or b[i + 2] != 108 or b[i + 3] != 115 or b[i + 4] != 101:
                raise _GiveUp
            value = False
            i += 5
        else:
            value, i = _number(b, s, i, n, shift)
        # The value is complete: add it to its container; if that ends here, it is the value
        # complete next, and so on outwards.
        while True:
            if not stack:
                return value, i, shift
            top = stack[-1]
            c = b[i]
            while c == 32 or c == 10 or c == 9 or c == 13:
                i += 1
                c = b[i]
            if type(top) is list:
                top.append(value)
                if c == 44:   # ,
                    i += 1
                    c = b[i]
                    while c == 32 or c == 10 or c == 9 or c == 13:
                        i += 1
                        c = b[i]
                    break
                if c != 93:
                    raise _GiveUp
            else:
                top[keys[-1]] = value
                if c == 44:
                    i += 1
                    c = b[i]
                    while c == 32 or c == 10 or c == 9 or c == 13:
                        i += 1
                        c = b[i]
                    key, i, shift = _key(b, s, i, shift)
                    keys[-1] = memo.setdefault(key, key)
                    break
                if c != 125:
                    raise _GiveUp
                keys.pop()
            i += 1
            value = stack.pop()


def _check_depth(depth, what):
    """The depth the parse may reach before checking again; RecursionError, as CPython's, where
    nesting one level more would pass the recursion limit."""
    frames = 0
    frame = sys._getframe()
    while frame is not None:
        frames += 1
        frame = frame.f_back
    room = sys.getrecursionlimit() - frames
    if depth >= room:
        raise RecursionError(f'maximum recursion depth exceeded while decoding a JSON {what} '
                             'from a unicode string')
    return room


def _key(b, s, i, shift):
    """The key starting at b[i], the index of its value (after the colon and white space), and
    the shift there."""
    if b[i] != 34:
        raise _GiveUp
    key, i, shift = _quoted(b, s, i, shift)
    c = b[i]
    while c == 32 or c == 10 or c == 9 or c == 13:
        i += 1
        c = b[i]
    if c != 58:   # :
        raise _GiveUp
    i += 1
    c = b[i]
    while c == 32 or c == 10 or c == 9 or c == 13:
        i += 1
        c = b[i]
    return key, i, shift


def _quoted(b, s, i, shift):
    """The string whose opening quote is b[i], the index after its closing quote, and the shift
    there."""
    j = i + 1
    c = b[j]
    while c != 34 and c != 92 and 32 <= c < 128:
        j += 1
        c = b[j]
    if c == 34:
        return s[i + 1 - shift:j - shift], j + 1, shift
    return _string(b, s, i + 1, shift)


def _number(b, s, i, n, shift):
    """The number starting at b[i] as the standard NUMBER_RE has it, and the index after it."""
    j = i
    c = b[j]
    if c == 45:   # -
        j += 1
        c = b[j]
    if c == 48:   # a 0 stands alone
        j += 1
    elif 49 <= c <= 57:
        j += 1
        while j < n and 48 <= b[j] <= 57:
            j += 1
    else:
        raise _GiveUp
    if j < n:
        c = b[j]
        if c == 46 or c == 101 or c == 69:   # . e E
            if c == 46:
                j += 1
                if j >= n or not 48 <= b[j] <= 57:
                    raise _GiveUp
                while j < n and 48 <= b[j] <= 57:
                    j += 1
            if j < n and (b[j] == 101 or b[j] == 69):
                j += 1
                if j < n and (b[j] == 45 or b[j] == 43):
                    j += 1
                if j >= n or not 48 <= b[j] <= 57:
                    raise _GiveUp
                while j < n and 48 <= b[j] <= 57:
                    j += 1
            return float(s[i - shift:j - shift]), j
        if 48 <= c <= 57:
            raise _GiveUp   # "01": the standard scanner reads 0, then fails on 1
    return int(s[i - shift:j - shift]), j


def _string(b, s, i, shift):
    """The string starting at b[i] (after its opening quote) that has escapes or characters
    outside ASCII, the index after its closing quote, and the shift there."""
    chunks = []
    start = i - shift   # in s
    while True:
        c = b[i]
        if c == 34 or c == 92:
            if start < i - shift:
                chunks.append(s[start:i - shift])
            if c == 34:
                return ''.join(chunks), i + 1, shift
            c = b[i + 1]
            if c == 117:   # \uXXXX
                code = _hex4(b, i + 2)
                i += 6
                if 0xd800 <= code <= 0xdbff and b[i] == 92 and b[i + 1] == 117:
                    low = _hex4(b, i + 2)
                    if 0xdc00 <= low <= 0xdfff:
                        code = 0x10000 + (((code - 0xd800) << 10) | (low - 0xdc00))
                        i += 6
                chunks.append(chr(code))
            else:
                escaped = _ESCAPES.get(c)
                if escaped is None:
                    raise _GiveUp
                chunks.append(escaped)
                i += 2
            start = i - shift
        elif c < 32:
            raise _GiveUp   # strict JSON has no control characters in strings
        else:
            if 128 <= c < 192:
                shift += 1
            i += 1


def _hex4(b, i):
    if not (b[i] in _HEX and b[i + 1] in _HEX and b[i + 2] in _HEX and b[i + 3] in _HEX):
        raise _GiveUp
    return int(b[i:i + 4], 16)
