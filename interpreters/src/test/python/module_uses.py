"""One typical use of each standard-library module an app reaches for, one result per line:
StdlibTest runs `run()` in Covet interpreters and this file as a script with the machine's CPython,
and compares the lines. Importing is not using (GraalPy's bz2 imported and then ended the task on
first use); these calls are what find such modules.

Each line is `name: repr(result)` or `name: !ExceptionType: message`. Results are made
independent of what legitimately differs between interpreters: memory addresses, string hashing
(sets are sorted), timings, the interpreter's own name and paths.
"""
import io
import sys


def cases():
    import array, base64, binascii, bisect, bz2, calendar, cmath, codecs, collections, colorsys
    yield 'array', lambda: (array.array('d', [1.5, 2.5]).tobytes(), array.array('i', b'\x01\0\0\0\x02\0\0\0').tolist())
    yield 'base64', lambda: (base64.b64encode(b'\xff\x00covet'), base64.b32decode(b'MZXW6==='), base64.a85encode(b'covet'),
                             base64.b85decode(base64.b85encode(b'\x00\x01')), base64.urlsafe_b64encode(b'\xfb\xff'))
    yield 'binascii', lambda: (binascii.crc32(b'covet'), binascii.crc_hqx(b'covet', 0), binascii.hexlify(b'\x01\xfe', '-'),
                               binascii.b2a_hex(b'\x01\xfe\x03', b':', -2), binascii.b2a_uu(b'covet'), binascii.a2b_uu(b'%8V]V970 \n'),
                               binascii.b2a_base64(b'covet', newline=False), binascii.unhexlify('01fe'))
    yield 'binascii.qp', lambda: (binascii.a2b_qp(b'a=3Db=\r\nc'), binascii.b2a_qp(b'a=b\xe9 \n', header=True))
    yield 'bisect', lambda: (bisect.bisect([1, 3, 5], 3), bisect.insort(l := [1, 5], 3) or l)
    yield 'bz2.roundtrip', lambda: [bz2.decompress(bz2.compress(d, level)) == d
                                    for d in (b'', b'a', bytes(range(256)) * 5000) for level in (1, 9)]
    yield 'bz2.known_stream', lambda: bz2.decompress(KNOWN_BZ2 + KNOWN_BZ2)
    yield 'bz2.decompressor', _bz2_incremental
    yield 'bz2.errors', lambda: [_error(f) for f in (lambda: bz2.decompress(b'BZh9garbage'), lambda: bz2.BZ2Compressor(0),
                                                     lambda: bz2.decompress('text'), lambda: bz2.BZ2Decompressor().decompress(b'', 'x'),
                                                     lambda: _pickle(bz2.BZ2Decompressor()))]
    yield 'bz2.file', _bz2_file
    yield 'bz2.truncated', lambda: _error(lambda: bz2.decompress(bz2.compress(b'x' * 1000)[:-5]))
    yield 'calendar', lambda: (tuple(map(int, calendar.monthrange(2024, 2))), calendar.isleap(2100), calendar.month(2026, 12).splitlines()[1],
                               calendar.timegm((2026, 12, 1, 0, 0, 0)))
    yield 'cmath', lambda: (cmath.sqrt(-4), cmath.phase(-1), cmath.exp(1j * cmath.pi).real)
    yield 'codecs', lambda: [codecs.encode('héllo wörld €', e, 'replace' if e != 'idna' else 'strict') for e in ENCODINGS]
    yield 'codecs.cjk', lambda: [(e, codecs.encode(text, e), codecs.decode(codecs.encode(text, e), e) == text)
                                 for text, encodings in CJK for e in encodings]
    yield 'codecs.bytes', lambda: [codecs.decode(codecs.encode(b'covet covet covet', e), e) for e in
                                   ('zlib_codec', 'bz2_codec', 'hex_codec', 'base64_codec', 'uu_codec', 'quopri_codec')]
    yield 'codecs.hz', lambda: codecs.encode('中文 文本', 'hz')
    yield 'codecs.incremental', lambda: (codecs.getincrementaldecoder('utf-8')().decode(b'\xe2\x82'), codecs.decode('uryyb', 'rot13'))
    yield 'collections', lambda: (collections.Counter('abracadabra').most_common(2), collections.OrderedDict(a=1).popitem(),
                                  collections.deque(range(5), maxlen=3), collections.namedtuple('P', 'x y')(1, 2))
    yield 'colorsys', lambda: colorsys.rgb_to_hsv(0.2, 0.4, 0.6)

    import configparser, contextlib, copy, csv, dataclasses, datetime, decimal, difflib, enum, fnmatch, fractions
    yield 'configparser', _configparser
    yield 'contextlib', lambda: _suppress(contextlib)
    yield 'copy', lambda: copy.deepcopy({'a': [1, {2: 3}]})
    yield 'csv', _csv
    yield 'dataclasses', _dataclasses
    yield 'datetime', lambda: (datetime.datetime(2026, 12, 1, 18, 30, tzinfo=datetime.timezone.utc).isoformat(),
                               datetime.datetime.fromisoformat('2026-12-01T18:30:00+01:00').utcoffset(),
                               datetime.date(2026, 12, 1).strftime('%A %d %B %Y %j %U'), datetime.timedelta(days=1.5) * 3,
                               datetime.datetime.strptime('01/12/26 18:30', '%d/%m/%y %H:%M'))
    yield 'decimal', lambda: (decimal.Decimal('1.1') + decimal.Decimal('2.2'), decimal.Decimal(1) / decimal.Decimal(7),
                              decimal.Decimal('2').sqrt(), decimal.Decimal('1.255').quantize(decimal.Decimal('0.01'), decimal.ROUND_HALF_UP),
                              _error_type(lambda: decimal.Decimal('x')), decimal.Context(prec=5).power(2, 100))
    yield 'difflib', lambda: (list(difflib.unified_diff(['a\n', 'b\n'], ['a\n', 'c\n'], 'x', 'y')),
                              difflib.SequenceMatcher(None, 'covet', 'cover').ratio(), difflib.get_close_matches('appel', ['ape', 'apple']))
    yield 'enum', _enum
    yield 'fnmatch', lambda: (fnmatch.fnmatch('app.py', '*.py'), fnmatch.translate('a?[!b]*'))
    yield 'fractions', lambda: (fractions.Fraction(3, 4) + fractions.Fraction('1/3'), fractions.Fraction(0.1).limit_denominator(100))

    import functools, graphlib, gzip, hashlib, heapq, hmac, html, html.parser, http.cookies, http.client, ipaddress, itertools
    yield 'functools', lambda: (functools.reduce(lambda a, b: a * b, range(1, 10)), functools.lru_cache(maxsize=2)(abs)(-3),
                                functools.partial(int, base=2)('101'))
    yield 'graphlib', lambda: list(graphlib.TopologicalSorter({'b': {'a'}, 'c': {'b'}}).static_order())
    yield 'gzip', lambda: (gzip.decompress(gzip.compress(b'covet' * 100, mtime=0)), len(gzip.compress(b'covet' * 100, mtime=0)),
                           gzip.compress(b'covet', mtime=0)[:10])
    yield 'hashlib', lambda: [(a, hashlib.new(a, b'covet').hexdigest(*((20,) if a.startswith('shake') else ())))
                              for a in sorted(hashlib.algorithms_guaranteed)]
    yield 'hashlib.shake_lengths', lambda: [hashlib.shake_128(b'covet').hexdigest(n) for n in (1, 16, 32, 100)]
    yield 'hashlib.shake_copy', lambda: (lambda h: (h.update(b'more'), h.copy().hexdigest(8), h.hexdigest(8), h.name, h.digest_size,
                                                    h.block_size))(hashlib.shake_256(b'covet'))
    yield 'hashlib.blake2', lambda: (hashlib.blake2b(b'covet', digest_size=16, key=b'k', person=b'p').hexdigest(),
                                     hashlib.blake2s(b'covet', salt=b's').hexdigest(), hashlib.new('blake2s', b'x', digest_size=10).hexdigest(),
                                     hashlib.blake2b(key=b'k' * 64, salt=b's' * 16, person=b'p' * 16).digest_size,
                                     hashlib.blake2b.SALT_SIZE, hashlib.blake2s.MAX_DIGEST_SIZE,
                                     _error(lambda: hashlib.blake2b(digest_size=65)), _error(lambda: hashlib.blake2s(salt=b's' * 9)))
    yield 'hashlib.kdf', lambda: (hashlib.pbkdf2_hmac('sha256', b'pw', b'salt', 1000).hex(),
                                  hashlib.scrypt(b'pw', salt=b'salt', n=16, r=8, p=1).hex(),
                                  hashlib.scrypt(b'pw', salt=b'salt', n=1024, r=8, p=1, dklen=20).hex(),
                                  _error(lambda: hashlib.scrypt(b'pw', salt=b's', n=15, r=8, p=1)))
    yield 'hashlib.copy', lambda: (lambda h: (h.update(b'a'), h.copy().hexdigest(), h.name, h.digest_size, h.block_size))(hashlib.sha256())
    yield 'heapq', lambda: (heapq.nsmallest(3, [5, 1, 4, 2]), list(heapq.merge([1, 4], [2, 3])))
    yield 'hmac', lambda: (hmac.new(b'key', b'msg', 'sha256').hexdigest(), hmac.compare_digest(b'a', b'a'),
                           hmac.digest(b'key', b'msg', 'sha1').hex())
    yield 'html', lambda: (html.escape('<a href="x">&</a>'), html.unescape('&lt;&eacute;&#x41;&nbsp;&notanentity;'))
    yield 'html.parser', _html_parser
    yield 'http.cookies', lambda: (lambda c: (c.load('a=1; b="x y"'), c.output(sort=True) if False else sorted(c.output().split('\r\n'))))(
        http.cookies.SimpleCookie())
    yield 'http.client', lambda: (http.client.responses[418], http.client.parse_headers(io.BytesIO(b'A: 1\r\nB: 2\r\n\r\n')).items())
    yield 'ipaddress', lambda: (list(ipaddress.ip_network('10.0.0.0/30').hosts()), ipaddress.ip_address('::ffff:1.2.3.4').ipv4_mapped,
                                ipaddress.ip_address('192.168.1.1').is_private, ipaddress.ip_interface('fe80::1/64').network)
    yield 'itertools', lambda: (list(itertools.permutations('abc', 2)), list(itertools.accumulate([1, 2, 3])),
                                list(itertools.pairwise('abc')), list(itertools.islice(itertools.count(5, 2), 3)))

    import json, locale, logging, lzma, math, mimetypes, operator, pickle, pprint, quopri, random, re, shlex, statistics, string, struct
    yield 'json', lambda: (json.dumps({'b': [1, 2.5, None, True], 'a': 'é'}, sort_keys=True), json.loads('{"x": [1e400, -0.0]}'),
                           _error(lambda: json.loads('{"x": }')), json.dumps('é\u2028', ensure_ascii=False))
    yield 'locale', lambda: (locale.setlocale(locale.LC_ALL, 'C'), locale.localeconv()['decimal_point'], locale.strxfrm('b') > locale.strxfrm('a'))
    yield 'logging', _logging
    yield 'lzma', lambda: ([lzma.decompress(lzma.compress(b'covet' * 1000, f), f) == b'covet' * 1000
                            for f in (lzma.FORMAT_XZ, lzma.FORMAT_ALONE)], _error(lambda: lzma.decompress(b'garbage')))
    yield 'math', lambda: (math.isqrt(10 ** 20 + 1), math.comb(50, 25), math.lgamma(10.5), math.fsum([0.1] * 10), math.dist((0, 0), (3, 4)),
                           math.nextafter(1.0, 2.0), math.gcd(12, 18, 27), math.prod(range(1, 6)))
    yield 'mimetypes', lambda: (mimetypes.guess_type('a.json'), mimetypes.guess_type('x.tar.gz'), mimetypes.guess_extension('text/html'))
    yield 'operator', lambda: (operator.itemgetter(1, 0)('ab'), operator.attrgetter('real')(3), operator.methodcaller('upper')('x'))
    yield 'pickle', lambda: [pickle.loads(pickle.dumps({'a': (1, 2.5, 'x', b'y', None, [3])}, p)) for p in range(pickle.HIGHEST_PROTOCOL + 1)]
    yield 'pickle.bytes', lambda: [pickle.dumps((1, 'a', [2.5], {'k': None}), p) for p in (0, 2, 4)]
    yield 'pprint', lambda: pprint.pformat({'k%d' % i: list(range(i)) for i in range(6)}, width=40)
    yield 'quopri', lambda: quopri.encodestring('é = x'.encode())
    yield 'random', lambda: (lambda r: (r.random(), r.randint(1, 100), r.choice('abcdef'), r.sample(range(100), 3), r.gauss(0, 1),
                                        r.getrandbits(70), r.shuffle(l := list(range(8))) or l))(random.Random(42))
    yield 're', lambda: (re.sub(r'(\w+)@(\w+)', r'\2 at \1', 'me@host you@there'), re.findall(r'(?i)[a-zé]+', 'Éte ÉTÉ'),
                         re.fullmatch(r'(?P<y>\d{4})-(?P<m>\d\d)', '2026-12').groupdict(), re.split(r'\s*,\s*', 'a , b,c'))
    yield 'shlex', lambda: (shlex.split('a "b c" \'d e\' f\\ g'), shlex.quote("it's"), shlex.join(['a b', 'c']))
    yield 'statistics', lambda: (statistics.mean([1, 2, 3, 4]), statistics.median([3, 1, 2]), statistics.stdev([1, 2, 3, 4]),
                                 statistics.quantiles(range(1, 101), n=4), statistics.correlation([1, 2, 3], [2, 4, 7]))
    yield 'string', lambda: (string.Template('$who likes $what').substitute(who='tim', what='kung pao'), string.capwords('a b'),
                             '{:>8.3f}|{:,}|{!r}'.format(3.14159, 1234567, 'x'))
    yield 'struct', lambda: (struct.pack('<hIq?d', -2, 7, -1, True, 1.5), struct.unpack('>3sH', b'abc\x01\x02'), struct.calcsize('@iq'))

    import tarfile, textwrap, time, tokenize, ast, types, typing, unicodedata, urllib.parse, uuid, wave, zipfile, zlib, email, email.message
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        import uu
    import email.policy, email.utils, wsgiref.util, wsgiref.headers, xml.etree.ElementTree, secrets, stat, posixpath, pathlib
    yield 'tarfile', _tarfile
    yield 'textwrap', lambda: (textwrap.wrap('The quick brown fox jumps over the lazy dog', 12), textwrap.dedent('  a\n  b'),
                               textwrap.shorten('Hello  world, again', 12))
    yield 'time', lambda: (time.strftime('%Y-%m-%d %H:%M:%S %a %b', time.gmtime(1_800_000_000)), time.gmtime(0)[:6],
                           time.strptime('2026-12-01', '%Y-%m-%d')[:7], time.mktime(time.localtime(1_800_000_000)) == 1_800_000_000)
    yield 'tokenize', lambda: [(tokenize.tok_name[t.type], t.string) for t in tokenize.generate_tokens(io.StringIO('x = 1 + f(y)  # c\n').readline)]
    yield 'ast', lambda: (ast.unparse(ast.parse('x = [a for a in b if a] + {**c}')), ast.literal_eval("{'a': (1, 2.5, -3j)}"),
                          type(ast.parse('async def f(): await g()').body[0]).__name__)
    yield 'types', lambda: (types.SimpleNamespace(a=1), types.MappingProxyType({'a': 1})['a'])
    yield 'typing', _typing
    yield 'unicodedata', lambda: (unicodedata.name('é'), unicodedata.normalize('NFD', 'é'), unicodedata.category('€'),
                                  unicodedata.east_asian_width('あ'), unicodedata.numeric('½'), unicodedata.lookup('SNOWMAN'))
    yield 'urllib.parse', lambda: (urllib.parse.urlsplit('https://u:p@bücher.de:8080/a b?q=1#f'), urllib.parse.quote('a b/é'),
                                   urllib.parse.parse_qs('a=1&a=2&b=%C3%A9'), urllib.parse.urlencode({'q': 'a b', 'x': 'é'}),
                                   urllib.parse.urljoin('http://a/b/c', '../d'))
    yield 'uuid', lambda: (uuid.uuid3(uuid.NAMESPACE_DNS, 'covet.io'), uuid.uuid5(uuid.NAMESPACE_URL, 'x'), uuid.UUID(int=1).urn,
                           uuid.uuid4().version, len(uuid.uuid1().hex))
    yield 'wave', _wave
    yield 'zipfile', _zipfile
    yield 'zlib', lambda: (zlib.compress(b'covet' * 10, 9), zlib.crc32(b'covet'), zlib.adler32(b'covet'),
                           zlib.decompress(zlib.compress(b'a', wbits=-15), wbits=-15), _zlib_stream(-15), _zlib_stream(15))
    yield 'zlib.errors', lambda: [_error(lambda: zlib.decompress(d)) for d in (b'xx', zlib.compress(b'covet' * 100)[:-3])]
    yield 'zlib.gzip', _gzip_container
    yield 'zlib.gzip_stream', _gzip_streams
    yield 'zlib.gzip_errors', _gzip_errors
    yield 'email', _email
    yield 'uu', lambda: (lambda o: (uu.encode(io.BytesIO(b'covet'), o, 'f.txt', 0o644), o.getvalue()))(io.BytesIO())
    yield 'wsgiref', lambda: (lambda env: (wsgiref.util.setup_testing_defaults(env), wsgiref.util.request_uri(env),
                                           str(wsgiref.headers.Headers([('A', '1')]))))({})
    yield 'secrets', lambda: (len(secrets.token_hex(16)), len(secrets.token_urlsafe(16)) >= 16, 0 <= secrets.randbelow(10) < 10)
    yield 'stat', lambda: (stat.filemode(0o100644), stat.S_ISDIR(0o040755))
    yield 'pathlib', lambda: (pathlib.PurePosixPath('/a/b/../c.tar.gz').suffixes, pathlib.PurePosixPath('a') / 'b',
                              pathlib.PureWindowsPath('C:\\x\\y').parts, posixpath.normpath('/a/./b/../c'))

    import asyncio, concurrent.futures, threading, queue, contextvars, weakref, gc, argparse, optparse, getopt, doctest, unittest
    import inspect, textwrap as _tw, sched, selectors, signal, errno, reprlib, keyword, linecache, traceback, warnings, abc, numbers
    yield 'asyncio', _asyncio
    yield 'concurrent.futures', lambda: list(concurrent.futures.ThreadPoolExecutor(2).map(lambda x: x * x, range(5)))
    yield 'threading', _threading
    yield 'queue', lambda: (lambda q: ([q.put(x) for x in (3, 1, 2)], [q.get() for _ in range(3)])[1])(queue.PriorityQueue())
    yield 'contextvars', lambda: (lambda v: (v.set(1), contextvars.copy_context().run(v.get)))(contextvars.ContextVar('v'))[1]
    yield 'weakref', _weakref
    yield 'argparse', _argparse
    yield 'optparse', lambda: optparse.OptionParser().parse_args(['-x'] if False else ['a', 'b'])[1]
    yield 'getopt', lambda: getopt.getopt(['-a', '1', '--long', 'x'], 'a:', ['long'])
    yield 'doctest', _doctest
    yield 'unittest', _unittest
    yield 'inspect', lambda: (str(inspect.signature(lambda a, b=2, *c, d, **e: 0)), inspect.isclass(int),
                              inspect.getdoc(_doctest_target).splitlines()[0])
    yield 'sched', lambda: (lambda s, out: (s.enter(0, 2, out.append, ('b',)), s.enter(0, 1, out.append, ('a',)), s.run(), out)[-1])(
        sched.scheduler(), [])
    yield 'selectors', lambda: type(selectors.DefaultSelector()).__name__ in ('EpollSelector', 'PollSelector', 'SelectSelector')
    yield 'signal', lambda: (signal.Signals(15).name, signal.SIGINT.value)
    yield 'errno', lambda: (errno.ENOENT, errno.errorcode[13])
    yield 'reprlib', lambda: reprlib.repr(list(range(100)))
    yield 'keyword', lambda: (keyword.iskeyword('match'), keyword.issoftkeyword('match'))
    yield 'traceback', lambda: traceback.format_exception_only(ValueError('bad'))
    yield 'warnings', _warnings
    yield 'numbers', lambda: (isinstance(1.5, numbers.Real), isinstance(1j, numbers.Complex), issubclass(bool, numbers.Integral))


# bz2.compress(b'hello covet, ' * 20 + bytes(range(256))), as CPython's libbzip2 wrote it.
KNOWN_BZ2 = bytes.fromhex(
    '425a6839314159265359fb4c2279000079ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb000f084'
    '98002600026000000000000000000000000000000000000000000000000000000000d2a28da4f50f44d1934069a310c689a646464d326d'
    '462669347a8698468c98468c41a62304698264c8c83264d00c132626864d31310068c1323131182699340c046461260009800098000000'
    '000000000000000000000000000000000000000000000000009660ce3b1e84690f206f2392c99c4445ca236572c8e919749cc667359bce'
    '6752b3c773eea0103244068131353b43a2d1a7a8289d76008299cd22a695555b4da75758d46a5656b54b7ab5c5dd62f1ed6eb97d81875e'
    'c4c67d9360cbb1d920d9ed36acdb66768696adbee1af73ba6c6dddb71e00837b8390041dc021bd723444062efcd39ba218041d78040870'
    '4c0043848801041c376e21b0083b9f34010784779e2f19e9edf1f5fb8fc87fe4c040c1c242c343c444c545c646c747c848c949ca4acb4b'
    'cc4ccd4dce4ecf4fd050d151d252d353d454d555d656d757d858d959da5adb5bdc5cdd5dde5edf5fe060e161e262e363e464e565e666e7'
    '67e868e969ea6aeb6bec6ced6dee6eef6ff070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7e8bb9229c28487da6'
    '113c80')
ENCODINGS = ('utf-8', 'utf-16', 'utf-32-be', 'latin-1', 'ascii', 'cp1252', 'cp437', 'koi8_r', 'mac_roman', 'iso8859_15', 'utf-7',
             'idna', 'punycode', 'cp1251', 'utf-8-sig', 'unicode_escape', 'raw_unicode_escape')
CJK = (('日本語 テキスト', ('shift_jis', 'euc_jp', 'iso2022_jp', 'cp932', 'utf-16-le')),
       ('中文 文本', ('gb2312', 'gbk', 'gb18030', 'big5', 'big5hkscs', 'cp950')), ('한국어', ('euc_kr', 'cp949', 'johab')))


def _error(fn):
    try:
        return ('returned', fn())
    except Exception as e:
        return f'!{type(e).__name__}: {e}'


def _error_type(fn):
    try:
        return ('returned', fn())
    except Exception as e:
        return f'!{type(e).__name__}'


def _pickle(obj):
    import pickle
    return pickle.dumps(obj)


def _bz2_incremental():
    import bz2
    data = b''.join(b'%d,' % i for i in range(50000))
    stream = bz2.compress(data) + b'trailing'
    d = bz2.BZ2Decompressor()
    out, states = [], []
    for i in range(0, len(stream), 4096):
        out.append(d.decompress(stream[i:i + 4096], 10000))
        while not d.needs_input and not d.eof:
            out.append(d.decompress(b'', 10000))
        states.append((d.eof, d.needs_input))
    return b''.join(out) == data, max(len(o) for o in out), states[-1], d.unused_data, _error(lambda: d.decompress(b'x'))


def _bz2_file():
    import bz2
    buf = io.BytesIO()
    with bz2.BZ2File(buf, 'w', compresslevel=3) as f:
        f.write(b'first line\n' * 1000)
        f.write('second\n'.encode() * 10)
    buf.seek(0)
    with bz2.open(buf, 'rt', encoding='utf-8') as f:
        lines = f.readlines()
    buf.seek(0)
    with bz2.BZ2File(buf) as f:
        f.seek(5000)
        tail = f.read(20)
    return len(lines), lines[-1], tail


def _configparser():
    import configparser
    c = configparser.ConfigParser()
    c.read_string('[db]\nhost = localhost\nport = 5432\n[DEFAULT]\nx = %(host)s?\n')
    out = io.StringIO()
    c.write(out)
    return c.getint('db', 'port'), c['db']['x'], out.getvalue()


def _suppress(contextlib):
    with contextlib.suppress(KeyError):
        {}['x']
    with contextlib.nullcontext([1]) as value:
        return 'suppressed', value


def _csv():
    import csv
    out = io.StringIO()
    w = csv.DictWriter(out, ['a', 'b'], quoting=csv.QUOTE_NONNUMERIC)
    w.writeheader()
    w.writerows([{'a': 'x,y', 'b': 1.5}, {'a': 'q"uote', 'b': None}])
    rows = list(csv.reader(io.StringIO('a,"b\nc",d\r\n1,2,3\n')))
    return out.getvalue(), rows, csv.Sniffer().sniff('a;b;c\n1;2;3\n').delimiter


def _dataclasses():
    import dataclasses

    @dataclasses.dataclass(frozen=True, order=True)
    class P:
        x: int
        y: list = dataclasses.field(default_factory=list, compare=False)
    p = P(1)
    return repr(p), dataclasses.asdict(p), P(1) < P(2), _error(lambda: setattr(p, 'x', 2))


def _enum():
    import enum

    class Color(enum.Flag):
        RED = enum.auto()
        GREEN = enum.auto()

    class Status(enum.IntEnum):
        OK = 200
    return repr(Color.RED | Color.GREEN), Status(200).name, list(Color), str(Status.OK), f'{Status.OK}'


def _html_parser():
    import html.parser
    seen = []

    class P(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            seen.append(('start', tag, attrs))

        def handle_data(self, data):
            seen.append(('data', data))
    P().feed('<p class="x">Hi &amp; <b>bye</b><br/></p>')
    return seen


def _logging():
    import logging
    out = io.StringIO()
    log = logging.getLogger('covet.check')
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter('%(levelname)s %(name)s %(message)s'))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info('hello %s', 'world')
    log.debug('hidden')
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception('boom')
    log.removeHandler(handler)
    return out.getvalue().splitlines()[:3]


def _tarfile():
    import tarfile
    results = []
    for mode in ('w', 'w:gz', 'w:bz2', 'w:xz'):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode=mode) as t:
            info = tarfile.TarInfo('dir/file.txt')
            info.size, info.mtime = 5, 0
            t.addfile(info, io.BytesIO(b'covet'))
        buf.seek(0)
        with tarfile.open(fileobj=buf, mode='r:*') as t:
            results.append((mode, t.getnames(), t.extractfile('dir/file.txt').read()))
    return results


def _typing():
    import typing

    class Movie(typing.TypedDict):
        name: str
        year: int
    T = typing.TypeVar('T')

    def first(xs: typing.List[T]) -> T:
        return xs[0]
    return (typing.get_type_hints(first), typing.get_args(typing.Optional[int]), Movie.__required_keys__ == {'name', 'year'},
            repr(typing.Union[int, str]))


def _wave():
    import wave
    buf = io.BytesIO()
    with wave.open(buf, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b'\x00\x01' * 100)
    buf.seek(0)
    with wave.open(buf) as r:
        return r.getparams(), r.readframes(2)


def _zipfile():
    import zipfile
    results = []
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w', method) as z:
            z.writestr(zipfile.ZipInfo('a/b.txt', (2026, 12, 1, 0, 0, 0)), 'covet ' * 100)
        with zipfile.ZipFile(buf) as z:
            results.append((method, z.namelist(), z.read('a/b.txt')[:12], z.testzip()))
    return results


def _zlib_stream(wbits):
    import zlib
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    data = c.compress(b'covet' * 1000) + c.flush(zlib.Z_SYNC_FLUSH) + c.compress(b'more') + c.flush()
    d = zlib.decompressobj(wbits)
    return d.decompress(data + b'rest', 100)[:10], len(d.unconsumed_tail), len(d.decompress(d.unconsumed_tail)), d.eof, d.unused_data


GZIP_DATA = b'covet ' * 3000 + bytes(range(256))


def _digest(data):
    import hashlib
    return len(data), hashlib.sha256(data).hexdigest()[:16]


def _gzip_member(data, flags=0):
    """A gzip member with the optional header fields `flags` asks for (FEXTRA 4, FNAME 8, FCOMMENT 16, FHCRC 2)."""
    import struct, zlib
    head = b'\x1f\x8b\x08' + bytes((flags,)) + struct.pack('<I', 1_800_000_000) + b'\x00\x03'
    if flags & 4:
        head += struct.pack('<H', 5) + b'extra'
    if flags & 8:
        head += 'nämé.txt'.encode('latin-1') + b'\0'
    if flags & 16:
        head += b'a comment\0'
    if flags & 2:
        head += struct.pack('<H', zlib.crc32(head) & 0xffff)
    return head + zlib.compress(data, 6, -15) + struct.pack('<II', zlib.crc32(data), len(data))


def _gzip_container():
    import gzip, zlib
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    pieces = [c.compress(GZIP_DATA[:100]), c.compress(GZIP_DATA[100:]), c.flush(zlib.Z_SYNC_FLUSH), c.compress(b'end'), c.flush()]
    member = _gzip_member(GZIP_DATA, 4 | 8 | 16 | 2)
    return ([_digest(zlib.compress(GZIP_DATA, level, 31)) for level in (0, 1, 6, 9, -1)], _digest(gzip.compress(GZIP_DATA, mtime=0)),
            [_digest(p) for p in pieces], zlib.decompress(b''.join(pieces), 31) == GZIP_DATA + b'end',
            [zlib.decompress(_gzip_member(GZIP_DATA, flags), wbits) == GZIP_DATA for flags in (0, 4, 8, 16, 2, 30) for wbits in (31, 47)],
            zlib.decompress(zlib.compress(GZIP_DATA), 47) == GZIP_DATA, zlib.decompress(zlib.compress(GZIP_DATA), 32) == GZIP_DATA,
            gzip.decompress(member + member + gzip.compress(b'!')) == GZIP_DATA * 2 + b'!',
            _digest(gzip.GzipFile(fileobj=__import__('io').BytesIO(member)).read()))


def _gzip_streams():
    """As urllib3 and httpx decode a gzip response: a decompressobj fed as bytes arrive."""
    import zlib
    member = _gzip_member(GZIP_DATA, 8 | 2) + b'after'
    results = []
    for wbits, piece, max_length in ((31, 1, 0), (47, 3, 0), (31, 4096, 0), (31, 7, 100), (47, 1000, 0)):
        d, out = zlib.decompressobj(wbits), []
        for i in range(0, len(member), piece):
            chunk = member[i:i + piece]
            while chunk and not d.eof:
                out.append(d.decompress(chunk, max_length))
                chunk = d.unconsumed_tail
            if d.eof:
                break
        out.append(d.flush())
        results.append((wbits, piece, max_length, b''.join(out) == GZIP_DATA, d.eof, d.unused_data, d.unconsumed_tail))
    d = zlib.decompressobj(47)
    zl = d.decompress(zlib.compress(b'zlib inside') + b'xyz')
    c = zlib.decompressobj(31)
    c.decompress(member[:50])
    copy = c.copy()
    return results, zl, d.eof, d.unused_data, copy.decompress(member[50:]) == c.decompress(member[50:])


def _gzip_errors():
    import struct, zlib
    member = _gzip_member(GZIP_DATA)
    bad_crc = member[:-8] + struct.pack('<II', 1, len(GZIP_DATA))
    bad_length = member[:-8] + member[-8:-4] + struct.pack('<I', 1)
    bad_header_crc = _gzip_member(b'x', 2)[:-2 - 11] + b'\0\0' + _gzip_member(b'x', 2)[-11:]
    cases = [member[:-3], member[:5], zlib.compress(b'zlib, not gzip'), b'\x1f\x8b\x07' + member[3:], bad_crc, bad_length,
             bad_header_crc, b'\x1f\x8b\x08\xe0' + member[4:]]
    return ([_error(lambda: zlib.decompress(data, 31)) for data in cases],
            [_error(lambda: zlib.decompressobj(31).decompress(data)) for data in cases],
            _error(lambda: zlib.decompressobj(31).decompress(b'', -1)))


def _email():
    import email.message, email.policy, email.utils
    m = email.message.EmailMessage()
    m['Subject'] = 'Grüße'
    m['From'] = email.utils.formataddr(('Jörg', 'j@example.com'))
    m['To'] = 'a@example.com'
    m.set_content('Hello\nwörld\n')
    m.add_attachment(b'\x00\x01', maintype='application', subtype='octet-stream', filename='x.bin')
    text = m.as_bytes(policy=email.policy.SMTP)
    parsed = email.message_from_bytes(text, policy=email.policy.default)
    boundary = parsed.get_boundary()
    return (parsed['subject'], parsed['from'].addresses[0].display_name, [p.get_content_type() for p in parsed.iter_parts()],
            text.replace(boundary.encode(), b'BOUNDARY').decode().splitlines()[:12],
            email.utils.parsedate_to_datetime('Tue, 01 Dec 2026 18:30:00 +0100'), email.utils.parseaddr('A B <a@b.c>'))


async def _sleepy(x):
    import asyncio
    await asyncio.sleep(0.001 * x)
    return x * 2


def _asyncio():
    import asyncio

    async def main():
        results = await asyncio.gather(*(_sleepy(x) for x in (3, 1, 2)))
        q = asyncio.Queue()
        await q.put('item')
        timed_out = False
        try:
            await asyncio.wait_for(asyncio.sleep(10), 0.01)
        except asyncio.TimeoutError:
            timed_out = True
        in_thread = await asyncio.get_running_loop().run_in_executor(None, sum, [1, 2, 3])
        return results, await q.get(), timed_out, in_thread
    return asyncio.run(main())


def _threading():
    import threading
    total, lock = [0], threading.Lock()

    def work():
        for _ in range(1000):
            with lock:
                total[0] += 1
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    event = threading.Event()
    threading.Timer(0.01, event.set).start()
    return total[0], event.wait(5), threading.current_thread().name


def _weakref():
    import weakref, gc

    class Thing:
        pass
    t = Thing()
    r = weakref.ref(t)
    d = weakref.WeakValueDictionary({'t': t})
    alive = r() is t
    del t
    for _ in range(5):  # GraalPy collects only when the JVM does
        gc.collect()
        if r() is None:
            break
    return alive, r() is None


def _argparse():
    import argparse
    p = argparse.ArgumentParser(prog='app', description='An app.')
    p.add_argument('--port', type=int, default=8000)
    p.add_argument('-v', action='count', default=0)
    p.add_argument('files', nargs='*')
    args = p.parse_args(['--port', '9', '-vv', 'a', 'b'])
    err = io.StringIO()
    stderr, sys.stderr = sys.stderr, err
    try:
        p.parse_args(['--port', 'x'])
    except SystemExit as e:
        code = e.code
    finally:
        sys.stderr = stderr
    return vars(args), code, err.getvalue().splitlines()[-1]


def _doctest_target():
    """Doubles.

    >>> _doctest_target.__name__
    '_doctest_target'
    >>> 1 + 1
    2
    >>> 'wrong'
    'right'
    """


def _doctest():
    import doctest
    runner = doctest.DocTestRunner(verbose=False)
    out = io.StringIO()
    for test in doctest.DocTestFinder().find(_doctest_target, '_doctest_target', globs={'_doctest_target': _doctest_target}):
        runner.run(test, out=out.write)
    with __import__('contextlib').redirect_stdout(io.StringIO()):  # summarize() prints
        summary = runner.summarize(verbose=False)
    return summary, [line for line in out.getvalue().splitlines() if line.startswith(('Expected', 'Got', '    '))]


def _unittest():
    import unittest

    class T(unittest.TestCase):
        def test_ok(self):
            self.assertEqual(1, 1)

        def test_fail(self):
            self.assertEqual([1, 2], [1, 3])

        @unittest.skip('why')
        def test_skip(self):
            pass
    out = io.StringIO()
    result = unittest.TextTestRunner(stream=out, verbosity=0).run(unittest.defaultTestLoader.loadTestsFromTestCase(T))
    return result.testsRun, len(result.failures), len(result.skipped), result.failures[0][1].splitlines()[-1]


def _warnings():
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        warnings.warn('old', DeprecationWarning)
    return [(w.category.__name__, str(w.message)) for w in caught]


def run():
    lines = []
    for name, fn in cases():
        try:
            result = repr(fn())
        except Exception as e:
            result = f'!{type(e).__name__}: {e}'
        lines.append(f'{name}: {result}')
    return '\n'.join(lines)


if __name__ == '__main__':
    print(run())
