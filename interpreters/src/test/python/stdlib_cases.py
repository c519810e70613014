"""The same inputs through the standard library, one result per line: StdlibTest runs this module's
`run()` in a Covet interpreter and as a script with the machine's CPython, and compares the lines.

Covers unicodedata.ucd_3_2_0 (every property, on every code point below U+3400, on the
normalization corrections, and on a seeded sample of the rest), the normalization of Unicode 3.2
on generated strings, stringprep's tables, the idna codec on generated host names (results and
errors), lookup, `re` on patterns at the edges of GraalPy's regex engine (search, findall,
finditer, sub, split, scanner), and zoneinfo on every IANA zone at instants around DST changes.
"""
import random
import sys
import unicodedata

MISSING = object()


def _call(fn, *args):
    try:
        return ascii(fn(*args))  # not repr: what is printable differs between Unicode versions
    except Exception as e:  # the error's type and message are part of the behaviour
        message = str(e)
        # CPython 3.11 wraps a codec's error in "encoding with 'idna' codec failed (...)"; not compared.
        while message.startswith(("encoding with '", "decoding with '")) and message.endswith(')'):
            message = message[message.index('(') + 1:-1].split(': ', 1)[-1]
        return f"{type(e).__name__}: {message}"


def _code_points(rng):
    old = unicodedata.ucd_3_2_0
    points = set(range(0, 0x3400))
    points.update((0x2F868, 0x2F874, 0x2F91F, 0x2F95F, 0x2F9BF, 0x10FFFF, 0xD800, 0xDFFF, 0xE000, 0xFFFD))
    points.update(rng.randrange(0x110000) for _ in range(20000))
    return sorted(points)


# CPython 3.12 (GraalPy's Python) changed the East Asian width ucd_3_2_0 gives characters Unicode
# 3.2 did not assign; compared only where the reference CPython is 3.12 or later (see run()).
WIDTH_OF_UNASSIGNED = sys.version_info >= (3, 12)


def ucd_lines(rng):
    old = unicodedata.ucd_3_2_0
    yield f"unidata_version {old.unidata_version}"
    for cp in _code_points(rng):
        c = chr(cp)
        assigned = old.category(c) != 'Cn'
        width = old.east_asian_width(c) if assigned or WIDTH_OF_UNASSIGNED else '-'
        # digit() reads today's data (as CPython's does), which differs between the two Pythons' versions.
        row = [old.category(c), old.bidirectional(c), width, old.mirrored(c), old.combining(c),
               old.decomposition(c), _call(old.decimal, c, None), _call(old.digit, c, None) if assigned else '-',
               _call(old.numeric, c, None), _call(old.name, c, None), _call(old.decimal, c)]
        row += [_call(old.normalize, form, c) for form in ('NFC', 'NFD', 'NFKC', 'NFKD')]
        yield f"ucd {cp:X} {row}"


def _text(rng, alphabet, n):
    return ''.join(rng.choice(alphabet) for _ in range(n))


# Letters, marks that combine with them, compatibility forms, Hangul, characters new since 3.2.
ALPHABET = ('aAeEoOuUnNcCsSzZ\u00e9\u00f1\u00df\u0130\u0131\u03a3\u03c3\u03c2\u0410\u044f'
            '\u0300\u0301\u0302\u0303\u0308\u0323\u0327\u0338\u05d0\u05d1\u0627\u0628\u0661'
            '\ufb01\ufb03\u2460\u2163\uff21\uff41\u3000\u1100\u1161\u11a8\uac00\u4e00\u3400'
            '\u0221\u0234\u1e9e\u2c65\U0001f600\U0002f868\u00ad\u200d\u2028-._0123456789')


def normalize_lines(rng):
    old = unicodedata.ucd_3_2_0
    for _ in range(3000):
        s = _text(rng, ALPHABET, rng.randrange(1, 7))
        yield f"norm32 {s!a} {[_call(old.normalize, f, s) for f in ('NFC', 'NFD', 'NFKC', 'NFKD')]}" \
              f" {_call(old.is_normalized, 'NFC', s)}"
    yield f"norm32 errors {_call(old.normalize, 'NFX', 'a')} {_call(old.normalize, 'NFC', b'a')}"


def stringprep_lines(rng):
    import stringprep
    tables = sorted(n for n in dir(stringprep) if n.startswith(('in_table', 'map_table')))
    for cp in _code_points(random.Random(7))[::7]:
        c = chr(cp)
        yield f"stringprep {cp:X} {[_call(getattr(stringprep, t), c) for t in tables]}"


LABELS = ['bücher', 'münchen', 'xn--bcher-kva', 'ÖBB', 'Ⅷ', 'ﬁ', 'παράδειγμα', 'пример', '例え', 'مثال',
          'a' * 63, 'a' * 64, '', 'straße', 'faß', '\u00ad', 'a\u200db', 'ab--c', '-abc', 'abc-', 'ｅｘａｍｐｌｅ',
          '\U0001f600', 'x\u0301', 'א1', '1א', 'אb', '\u0627\u0661']


def idna_lines(rng):
    hosts = [f"{label}.de" for label in LABELS] + LABELS + ['a..b', 'example.com.', '.', 'xn--zz', 'xn--a.com']
    for _ in range(400):
        hosts.append('.'.join(_text(rng, ALPHABET.replace('.', ''), rng.randrange(1, 9)) for _ in range(rng.randrange(1, 4))))
    for host in hosts:
        encoded = _call(host.encode, 'idna')
        yield f"idna {host!a} {encoded}"
        try:
            ascii_form = host.encode('idna')
        except Exception:
            continue
        yield f"idna-back {ascii_form!a} {_call(ascii_form.decode, 'idna')}"


def lookup_lines(rng):
    old = unicodedata.ucd_3_2_0
    names = []
    for cp in _code_points(random.Random(11))[::5]:
        name = old.name(chr(cp), None)
        if name:
            names.append(name)
    names += ['LATIN SMALL LETTER A', 'latin small letter a', 'CJK UNIFIED IDEOGRAPH-4E00', 'HANGUL SYLLABLE GAG',
              'NO SUCH CHARACTER', 'LATIN CAPITAL LETTER GHA']
    for name in names:
        yield f"lookup {name} {_call(unicodedata.lookup, name)} {_call(old.lookup, name)}"


# Patterns at the edges of what GraalPy's regex engine (TRegex) compiles: where it cannot, GraalPy
# falls back to CPython's _sre in native code, which the sandbox does not load.
PATTERNS = [
    (r"(?>a+)b", "aaab"), (r"a*+b", "aaab"), (r"a++", "aaa"), (r"(a)?(?(1)b|c)", "ab"), (r"(?(1)x)", ""),
    (r"(?<=ab|cd)x", "abx cdx"), (r"(?<=a|bb)c", "bbc"), (r"(?<!a)b", "cb"), (r"(?i)straße", "STRASSE"),
    (r"\N{LATIN SMALL LETTER A}", "a"), (r"(?x) a  b # comment", "ab"), (r"(?P<n>a)(?P=n)", "aa"),
    (r"[[:alpha:]]", "a:"), (r"\bfoo\b", "a foo b"), (r"(?s).+", "a\nb"), (r"(?a)\w+", "ab\u00e9"),
    (r"(a|b)*?c", "ababc"), (r"x{2,}?", "xxx"), (r"(?:a|b|c|d|e){1000}", "a" * 1000), (r"a{70000}", "a" * 70000),
    (r"(\w+)\s+\1", "hello hello"), (r"^(?=.*\d)(?=.*[a-z]).{8,}$", "abc12345"), (r"(?m)^a$", "b\na"),
    (r"\Z", "a"), (r"[^\W\d_]+", "abc1"), (r"(?-i:a)", "a"), (r"(?i:A)b", "ab"), (r"a{,3}", "aaaa"),
    (r"\d+(?!px)", "12px 13em"), (r"(?<=(a)\1)b", "aab"), (r"(a)|\1", "a"), (r"(?=(a))\1", "a"),
    (r"(?:(a)|b)(?(1)c|d)", "bd"), (r"\b", "ab cd"), (r"(?>(a+))+b", "aab"), (r"(a*)*b", "aab"),
    (r"(?:a*+)*b", "ab"), (r"(?i)[\u0130]", "i\u0307\u0130"), (r"x*", "axbx"), (r"(?<=\G)", "ab"),
    (rb"(?L)\w+", b"ab c"), (rb"[\x80-\xff]+", b"a\xe9\xff"), (r"(?u)\W", "\u00e9 "), (r"[a-z&&[^b]]", "ab&"),
]


def re_lines(rng):
    import re
    import warnings
    warnings.simplefilter('ignore', FutureWarning)  # "possible nested set": both warn alike
    for pattern, text in PATTERNS:
        def compiled():
            return re.compile(pattern)
        row = []
        for name, f in (("search", lambda c: c.search(text) and c.search(text).group(0)),
                        ("findall", lambda c: c.findall(text)),
                        ("finditer", lambda c: [m.span() for m in c.finditer(text)]),
                        ("sub", lambda c: c.subn("-" if isinstance(text, str) else b"-", text)),
                        ("split", lambda c: c.split(text)),
                        ("scanner", lambda c: c.scanner(text).search() and c.scanner(text).search().span())):
            try:
                row.append(ascii(f(compiled()))[:200])
            except Exception as e:  # the type is compared; messages differ in where they say the position
                row.append(type(e).__name__)
        yield f"re {pattern!a} {row}"


def zoneinfo_lines(rng):
    import datetime
    import zoneinfo
    instants = [datetime.datetime(y, m, d, h, tzinfo=datetime.timezone.utc)
                for y in (1900, 1970, 2000, 2021, 2038, 2100) for m, d in ((1, 1), (3, 27), (3, 31), (10, 30), (11, 6))
                for h in (0, 1, 2, 3)]
    for key in sorted(zoneinfo.available_timezones()):
        zone = zoneinfo.ZoneInfo(key)
        row = []
        for t in instants:
            local = t.astimezone(zone)
            row.append((local.isoformat(), local.tzname(), str(local.dst())))
        yield f"zone {key} {row}"


def run(sections=('ucd', 'normalize', 'stringprep', 'idna', 'lookup', 're', 'zoneinfo'), width_of_unassigned=True):
    """The result lines of the sections named, as one string; the reference CPython's first line
    says whether it compares the width of unassigned characters, and Covet's run is told the same."""
    global WIDTH_OF_UNASSIGNED
    WIDTH_OF_UNASSIGNED = width_of_unassigned
    lines = [f"# width_of_unassigned={width_of_unassigned}"]
    for section in sections:
        lines.extend(globals()[section + '_lines'](random.Random(section)))
    return '\n'.join(lines)


if __name__ == '__main__':
    print(run(sys.argv[1:] or ('ucd', 'normalize', 'stringprep', 'idna', 'lookup', 're', 'zoneinfo'),
              width_of_unassigned=sys.version_info >= (3, 12)))
