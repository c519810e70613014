"""Writes the Unicode 3.2.0 property table that Covet's `unicodedata.ucd_3_2_0` reads.

GraalPy implements `unicodedata.ucd_3_2_0` in native code, which Covet's sandbox does not load, so
Covet answers it itself (covet_stdlib.py): category, bidirectional class, East Asian width,
mirroring and decimal values as they were in Unicode 3.2.0 come from this table; everything that
has not changed since (names, decompositions, combining classes, numeric values) from the current
database.

The values are the Unicode Character Database 3.2.0's, read through CPython's own
`unicodedata.ucd_3_2_0` (the reference Covet's differential tests compare against). Run with
CPython 3.12, the Python version GraalPy implements (3.12 changed the East Asian width it gives
characters Unicode 3.2 did not assign):

    python3.12 tools/make_ucd_3_2_0.py > interpreters/src/main/resources/io/covet/interpreters/ucd-3.2.0.txt

Format: one line per run of code points with equal properties, "START CATEGORY BIDI EAW MIRRORED
DECIMAL" (START in hex; BIDI "-" where Unicode 3.2 gives none, i.e. unassigned; DECIMAL -1: none).
"""
import sys
import unicodedata

ucd = unicodedata.ucd_3_2_0


def main():
    if sys.version_info[:2] != (3, 12):
        sys.exit("make_ucd_3_2_0.py: run it with CPython 3.12 (GraalPy's Python), not " + sys.version.split()[0])
    print("# Unicode 3.2.0: category, bidirectional, east asian width, mirrored, decimal; by tools/make_ucd_3_2_0.py")
    previous = None
    for cp in range(0x110000):
        c = chr(cp)
        row = (ucd.category(c), ucd.bidirectional(c) or "-", ucd.east_asian_width(c), ucd.mirrored(c),
               ucd.decimal(c, -1))
        if row != previous:
            print("%X %s %s %s %d %d" % ((cp,) + row))
            previous = row


if __name__ == "__main__":
    main()
