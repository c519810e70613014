package io.covet.interpreters;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.crypto.generators.SCrypt;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The Java half of what GraalPy's {@code hashlib} lacks under every policy ({@code covet_stdlib.py}
 * is the Python half): shake digests of any length, blake2 with a digest size, key, salt or
 * person, and scrypt. Bouncy Castle, which GraalPy itself depends on, computes them.
 *
 * <p>Bytes come in as Python buffers and go out as Latin-1 strings (see {@link Boundary}); the
 * Python half checks arguments first, as CPython does, so no Java exception crosses into Python.
 */
final class Digests {

    private Digests() {
    }

    static ProxyObject shake(int bits) {
        return handle(new SHAKEDigest(bits));
    }

    /** blake2b or blake2s; {@code key}, {@code salt} and {@code person} empty or of their full size. */
    static ProxyObject blake2(boolean big, int digestSize, byte[] key, byte[] salt, byte[] person) {
        byte[] k = key.length == 0 ? null : key;
        byte[] s = salt.length == 0 ? null : salt;
        byte[] p = person.length == 0 ? null : person;
        return handle(big ? new Blake2bDigest(k, digestSize, s, p) : new Blake2sDigest(k, digestSize, s, p));
    }

    static String scrypt(byte[] password, byte[] salt, int n, int r, int p, int length) {
        return latin1(SCrypt.generate(password, salt, n, r, p, length));
    }

    /** update(data), digest(length) (the digest's own length for blake2) and copy(), on one running digest. */
    private static ProxyObject handle(Digest digest) {
        return ProxyObject.fromMap(Map.of(
                "update", (ProxyExecutable) a -> {
                    byte[] data = StdlibFunctions.bytes(a[0]);
                    synchronized (digest) {
                        digest.update(data, 0, data.length);
                    }
                    return null;
                },
                "digest", (ProxyExecutable) a -> {
                    Digest finishing = copy(digest);
                    byte[] out = new byte[digest instanceof SHAKEDigest ? a[0].asInt() : digest.getDigestSize()];
                    if (finishing instanceof SHAKEDigest shake) {
                        shake.doFinal(out, 0, out.length);
                    } else {
                        finishing.doFinal(out, 0);
                    }
                    return latin1(out);
                },
                "copy", (ProxyExecutable) a -> handle(copy(digest))));
    }

    private static Digest copy(Digest digest) {
        synchronized (digest) {
            return switch (digest) {
                case SHAKEDigest shake -> new SHAKEDigest(shake);
                case Blake2bDigest b -> new Blake2bDigest(b);
                case Blake2sDigest s -> new Blake2sDigest(s);
                default -> throw new IllegalArgumentException("no copy for " + digest.getAlgorithmName());
            };
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
