"""bz2 and gzip speed, the same script under `covet exec` (Covet's _bz2 over Commons Compress,
Covet's gzip framing over GraalPy's Java zlib) and under python3 (libbz2, zlib), as BENCHMARKS.md
says. 12 MB of log-like text; each operation timed 5 times after 2 warm-ups, median printed.
"""
import bz2
import gzip
import sys

from timing import median_seconds

DATA = b''.join(b'line %d of some text, repeated %s\n' % (i, b'x' * (i % 50)) for i in range(200_000))


if __name__ == '__main__':
    packed_bz2, packed_gz = bz2.compress(DATA), gzip.compress(DATA, mtime=0)
    assert bz2.decompress(packed_bz2) == DATA and gzip.decompress(packed_gz) == DATA
    print(f"{sys.implementation.name}: {len(DATA) / 1e6:.1f} MB; median s of 5 after 2 warm-ups")
    for name, fn in (('bz2.compress', lambda: bz2.compress(DATA)), ('bz2.decompress', lambda: bz2.decompress(packed_bz2)),
                     ('gzip.compress', lambda: gzip.compress(DATA, mtime=0)),
                     ('gzip.decompress', lambda: gzip.decompress(packed_gz))):
        print(f"  {name:16} {median_seconds(fn, 2, 5):.3f}")
