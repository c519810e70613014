package io.covet.interpreters;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.FilteredNormalizer2;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.UnicodeSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The Java half of the standard-library modules that GraalPy implements in native code, which a
 * sandboxed interpreter cannot load ({@code covet_stdlib.py} is the Python half). Unicode data
 * comes from ICU4J, whose Unicode version (16.0 in ICU 77) is the one GraalPy's own
 * {@code unicodedata} reports; Unicode 3.2's properties from {@code ucd-3.2.0.txt}
 * ({@code tools/make_ucd_3_2_0.py}); pyexpat is {@code covet_pyexpat.py}, Python through and through;
 * bzip2 is {@link Bz2} and {@code covet_bz2.py}; sqlite3 is {@link Sqlite} and {@code covet_sqlite3.py};
 * hashlib's missing digests {@link Digests}.
 *
 * <p>Every function is total: "no such thing" is {@code null} or -1, and the Python half raises
 * what CPython raises, so no Java exception crosses into Python.
 */
final class StdlibFunctions {

    /** Covet's pyexpat, in Python, in place of GraalPy's native one. */
    private static final String PYEXPAT = resource("covet_pyexpat.py");
    /** The Python half of Covet's _sqlite3, in place of GraalPy's native one ({@link Sqlite} is the Java half). */
    private static final String SQLITE3 = resource("covet_sqlite3.py");
    /** The Python half of Covet's _bz2, in place of GraalPy's native one ({@link Bz2} is the Java half). */
    private static final String BZ2 = resource("covet_bz2.py");
    /** json.loads written for GraalPy's JIT (covet_json.py). */
    private static final String JSON = resource("covet_json.py");
    /** Unicode 3.2's property table, as text (parsed once per interpreter, on first use). */
    private static final String UCD_3_2_0 = resource("ucd-3.2.0.txt");
    /** Characters assigned by Unicode 3.2 (ICU's age filter: assigned in 3.2 or before). */
    private static final UnicodeSet ASSIGNED_3_2 = new UnicodeSet("[:age=3.2:]").freeze();
    private static final Map<String, Normalizer2> NORMALIZERS = Map.of(
            "NFC", Normalizer2.getNFCInstance(), "NFD", Normalizer2.getNFDInstance(),
            "NFKC", Normalizer2.getNFKCInstance(), "NFKD", Normalizer2.getNFKDInstance());
    private static final Map<String, Normalizer2> NORMALIZERS_3_2 = Map.of(
            "NFC", new FilteredNormalizer2(Normalizer2.getNFCInstance(), ASSIGNED_3_2),
            "NFD", new FilteredNormalizer2(Normalizer2.getNFDInstance(), ASSIGNED_3_2),
            "NFKC", new FilteredNormalizer2(Normalizer2.getNFKCInstance(), ASSIGNED_3_2),
            "NFKD", new FilteredNormalizer2(Normalizer2.getNFKDInstance(), ASSIGNED_3_2));

    /**
     * Where {@code zoneinfo} looks for time-zone data (CPython's default TZPATH on Debian; GraalPy
     * has none): those that exist, readable in the sandbox. Debian's {@code tzdata} fills the first.
     */
    static final List<Path> TIME_ZONE_DIRS = Stream.of("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo",
            "/etc/zoneinfo").map(Path::of).filter(Files::isDirectory).toList();

    /** The system's MIME type tables {@code mimetypes} reads (CPython's {@code mimetypes.knownfiles}) that exist. */
    private static final List<Path> MIME_TYPE_FILES = Stream.of("/etc/mime.types", "/etc/httpd/mime.types",
            "/etc/httpd/conf/mime.types", "/etc/apache/mime.types", "/etc/apache2/mime.types", "/usr/local/etc/httpd/conf/mime.types",
            "/usr/local/lib/netscape/mime.types", "/usr/local/etc/mime.types").map(Path::of).filter(Files::isRegularFile).toList();

    /**
     * System data the standard library reads, public and never written by Python: readable in the
     * sandbox (else {@code mimetypes} fails on a table it sees but may not open).
     */
    static final List<Path> PUBLIC_DATA = Stream.concat(TIME_ZONE_DIRS.stream(), MIME_TYPE_FILES.stream()).toList();

    private StdlibFunctions() {
    }

    /** The functions, as the object {@code covet_stdlib.install} takes; {@code sqlite}: the interpreter's. */
    static ProxyObject proxy(Sqlite sqlite) {
        return ProxyObject.fromMap(Map.ofEntries(
                Map.entry("combining", (ProxyExecutable) a -> UCharacter.getCombiningClass(a[0].asInt())),
                Map.entry("east_asian_width", (ProxyExecutable) a -> eastAsianWidth(a[0].asInt())),
                Map.entry("lookup", (ProxyExecutable) a -> lookup(a[0].asString())),
                Map.entry("decimal", (ProxyExecutable) a -> decimal(a[0].asInt())),
                Map.entry("digit", (ProxyExecutable) a -> digit(a[0].asInt())),
                Map.entry("numeric", (ProxyExecutable) a -> numeric(a[0].asInt())),
                Map.entry("mirrored", (ProxyExecutable) a -> UCharacter.hasBinaryProperty(a[0].asInt(), UProperty.BIDI_MIRRORED) ? 1 : 0),
                Map.entry("decomposition", (ProxyExecutable) a -> decomposition(a[0].asInt())),
                Map.entry("normalize", (ProxyExecutable) a -> normalize(a[0].asString(), a[1].asString(), a[2].asBoolean())),
                Map.entry("ucd_3_2_0_table", (ProxyExecutable) a -> UCD_3_2_0),
                Map.entry("pyexpat_source", (ProxyExecutable) a -> PYEXPAT),
                Map.entry("bz2_source", (ProxyExecutable) a -> BZ2),
                Map.entry("sqlite3_source", (ProxyExecutable) a -> SQLITE3),
                Map.entry("json_source", (ProxyExecutable) a -> JSON),
                Map.entry("sqlite", sqlite.module()),
                Map.entry("hashes", ProxyObject.fromMap(Map.of(
                        "shake", (ProxyExecutable) a -> Digests.shake(a[0].asInt()),
                        "blake2", (ProxyExecutable) a -> Digests.blake2(a[0].asBoolean(), a[1].asInt(), bytes(a[2]), bytes(a[3]), bytes(a[4])),
                        "scrypt", (ProxyExecutable) a -> Digests.scrypt(bytes(a[0]), bytes(a[1]), a[2].asInt(), a[3].asInt(), a[4].asInt(),
                                a[5].asInt())))),
                Map.entry("bz2", ProxyObject.fromMap(Map.of(
                        "compressor", (ProxyExecutable) a -> Bz2.compressor(a[0].asInt()),
                        "decompressor", (ProxyExecutable) a -> Bz2.decompressor()))),
                Map.entry("tzpath", TIME_ZONE_DIRS.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)))));
    }

    /** The bytes of a Python buffer (bytes, bytearray, memoryview). */
    static byte[] bytes(Value buffer) {
        byte[] bytes = new byte[Math.toIntExact(buffer.getBufferSize())];
        buffer.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    static String eastAsianWidth(int cp) {
        return switch (UCharacter.getIntPropertyValue(cp, UProperty.EAST_ASIAN_WIDTH)) {
            case UCharacter.EastAsianWidth.AMBIGUOUS -> "A";
            case UCharacter.EastAsianWidth.FULLWIDTH -> "F";
            case UCharacter.EastAsianWidth.HALFWIDTH -> "H";
            case UCharacter.EastAsianWidth.NARROW -> "Na";
            case UCharacter.EastAsianWidth.WIDE -> "W";
            default -> "N";
        };
    }

    static Integer decimal(int cp) {
        return UCharacter.getIntPropertyValue(cp, UProperty.NUMERIC_TYPE) == UCharacter.NumericType.DECIMAL
                ? (int) UCharacter.getUnicodeNumericValue(cp) : null;
    }

    static Integer digit(int cp) {
        int type = UCharacter.getIntPropertyValue(cp, UProperty.NUMERIC_TYPE);
        return type == UCharacter.NumericType.DECIMAL || type == UCharacter.NumericType.DIGIT
                ? (int) UCharacter.getUnicodeNumericValue(cp) : null;
    }

    static Double numeric(int cp) {
        double v = UCharacter.getUnicodeNumericValue(cp);
        return v == UCharacter.NO_NUMERIC_VALUE ? null : v;
    }

    private static final Normalizer2 RAW = Normalizer2.getNFKDInstance();
    private static final String[] DECOMPOSITION_TAGS = new String[UCharacter.DecompositionType.COUNT];

    static {
        String[] tags = {"", "", "<compat>", "<circle>", "<final>", "<font>", "<fraction>", "<initial>", "<isolated>",
                "<medial>", "<narrow>", "<noBreak>", "<small>", "<square>", "<sub>", "<super>", "<vertical>", "<wide>"};
        int[] types = {UCharacter.DecompositionType.NONE, UCharacter.DecompositionType.CANONICAL,
                UCharacter.DecompositionType.COMPAT, UCharacter.DecompositionType.CIRCLE, UCharacter.DecompositionType.FINAL,
                UCharacter.DecompositionType.FONT, UCharacter.DecompositionType.FRACTION, UCharacter.DecompositionType.INITIAL,
                UCharacter.DecompositionType.ISOLATED, UCharacter.DecompositionType.MEDIAL, UCharacter.DecompositionType.NARROW,
                UCharacter.DecompositionType.NOBREAK, UCharacter.DecompositionType.SMALL, UCharacter.DecompositionType.SQUARE,
                UCharacter.DecompositionType.SUB, UCharacter.DecompositionType.SUPER, UCharacter.DecompositionType.VERTICAL,
                UCharacter.DecompositionType.WIDE};
        for (int i = 0; i < types.length; i++) {
            DECOMPOSITION_TAGS[types[i]] = tags[i];
        }
    }

    /** As CPython writes it: "[<tag> ]XXXX XXXX", or "" (Hangul syllables too: they decompose by rule). */
    static String decomposition(int cp) {
        String raw = cp >= 0xAC00 && cp <= 0xD7A3 ? null : RAW.getRawDecomposition(cp);
        if (raw == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(DECOMPOSITION_TAGS[UCharacter.getIntPropertyValue(cp, UProperty.DECOMPOSITION_TYPE)]);
        raw.codePoints().forEach(c -> out.append(out.isEmpty() ? "" : " ").append(String.format("%04X", c)));
        return out.toString();
    }

    /** The code point named {@code name} (a name or an alias, any case), or -1. */
    static int lookup(String name) {
        int cp = UCharacter.getCharFromName(name);
        return cp >= 0 ? cp : UCharacter.getCharFromNameAlias(name);
    }

    /** {@code text} in normal form {@code form} (NFC, NFD, NFKC, NFKD) of today's Unicode or of 3.2's. */
    static String normalize(String form, String text, boolean unicode32) {
        return (unicode32 ? NORMALIZERS_3_2 : NORMALIZERS).get(form).normalize(text);
    }

    private static String resource(String name) {
        try (InputStream in = StdlibFunctions.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
