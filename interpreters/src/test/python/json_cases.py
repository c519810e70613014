"""json in Covet's interpreters against CPython's (JsonTest): each document's json.loads outcome
(from str, from bytes, raw_decode, with a hook) and each parsed value's json.dumps with the
options apps use; and json.dumps of values no document gives (non-str keys, big ints, NaN,
subclasses, a cycle). Run in a Covet interpreter by JsonTest, and by the machine's CPython as a
script reading the same documents from stdin."""
import collections
import enum
import json
import re
import sys

DUMPS_OPTIONS = (
    {},
    {'sort_keys': True},                                     # Flask's jsonify
    {'ensure_ascii': False, 'allow_nan': False, 'separators': (',', ':')},   # Starlette's JSONResponse
    {'indent': 2},
    {'sort_keys': True, 'skipkeys': True, 'default': lambda o: type(o).__name__},
)


class Color(enum.IntEnum):
    RED = 1


class Text(str):
    pass


def _values():
    circular = []
    circular.append(circular)
    return [
        {1: 'int key', 2.5: 'float key', True: 'true key', None: 'null key', 10 ** 20: 'big'},
        {'b': 1, 'a': {'d': [1, 2, {'z': 0, 'y': 1}], 'c': (1, 2)}, '': []},
        collections.OrderedDict([('z', 1), ('a', collections.OrderedDict([('y', 2), ('b', 3)]))]),
        # not 5e-324: GraalPy's float repr (every float's, not json's) writes it 4.9e-324
        [10 ** 30, -10 ** 40, 2 ** 63, 1e300, -0.0, 1e-7, 0.1, 1 / 3, 2.2250738585072014e-308],
        [float('nan'), float('inf'), -float('inf')],
        {'nested': {'value': float('nan')}},
        [Color.RED, Text('a str subclass'), 'é\u2028\U0001F600\x00\x1f"\\/\x7f'],
        {'a': 1, 2: 'int and str keys together'},
        {(1, 2): 'a tuple key'},
        {'an object': object()},
        {'a cycle': circular},
    ]


# Documents Java cannot send as they are: surrogates in a str (a pair, which a Java String would
# make one character, and lone ones), and documents deeper than the recursion limit; and digits
# outside ASCII, which are not JSON numbers.
_DOCUMENTS = ['[1\u0661]', '1.\u0665', '["\ud83d\ude00", "\u00e9"]', '"\ud800\u00e9"', '{"\udfff": "x\ud83d\ude00"} ',
              '["\u00e9\ud83d\ude00"] 1', '[' * 5000 + ']' * 5000, '{"a":' * 3000 + '1' + '}' * 3000]


_SURROGATE = re.compile('[\ud800-\udfff]')


def _outcome(call):
    try:
        return ascii(call())
    except RecursionError:
        return 'RecursionError'   # its text says where the limit was hit, which differs
    except Exception as e:   # a JSONDecodeError's text has the message, line, column and index
        text = str(e)
        if text.startswith(_OUT_OF_RANGE):
            text = _OUT_OF_RANGE   # Python 3.12 (GraalPy's) adds the value; 3.11 (Debian's CPython) does not
        return ascii(f'{type(e).__name__}: {text}')


_OUT_OF_RANGE = 'Out of range float values are not JSON compliant'


def run(documents):
    """One block of lines per document (those given, then _DOCUMENTS), then one per value of
    _values()."""
    blocks = []
    for document in list(documents) + _DOCUMENTS:
        lines = [_outcome(lambda: json.loads(document)),
                 # not with surrogates: GraalPy's str.encode (not json) encodes a pair as one character
                 'surrogates' if _SURROGATE.search(document)
                 else _outcome(lambda: json.loads(document.encode('utf-8'))),
                 _outcome(lambda: json.JSONDecoder().raw_decode(document)),
                 _outcome(lambda: json.loads(document, object_pairs_hook=list)),
                 _outcome(lambda: json.loads(document, parse_constant=len))]
        try:
            value = json.loads(document)
        except (ValueError, RecursionError):
            pass
        else:
            lines += [_outcome(lambda: json.dumps(value, **options)) for options in DUMPS_OPTIONS]
        blocks.append('\n'.join(lines))
    for value in _values():
        blocks.append('\n'.join(_outcome(lambda: json.dumps(value, **options)) for options in DUMPS_OPTIONS))
    return blocks


def _read_documents(text):
    """Documents, each written as its length in code points, a newline, then the document."""
    documents = []
    i = 0
    while i < len(text):
        newline = text.index('\n', i)
        length = int(text[i:newline])
        documents.append(text[newline + 1:newline + 1 + length])
        i = newline + 1 + length
    return documents


if __name__ == '__main__':
    for block in run(_read_documents(sys.stdin.buffer.read().decode('utf-8'))):
        print(block)
        print('=====')
