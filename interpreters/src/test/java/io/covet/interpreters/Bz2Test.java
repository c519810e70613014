package io.covet.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Covet's bzip2 (the Java half of {@code _bz2}) against the machine's CPython and libbzip2: each
 * decompresses what the other compressed, fed in pieces of every awkward size, and the decompressor
 * keeps CPython's contract (max_length, needs_input, eof, unused data, invalid data).
 */
class Bz2Test {

    /** Text that compresses well, past one 100k block (level 1) so several blocks are written. */
    private static final byte[] TEXT = text(400_000);
    /** Bytes that do not compress, so the stream is longer than its input. */
    private static final byte[] NOISE = noise(150_000);

    @Test
    void cpythonDecompressesWhatCovetCompressesAtEveryLevel() throws Exception {
        for (byte[] data : new byte[][] {TEXT, NOISE, new byte[0], "a".getBytes(StandardCharsets.US_ASCII)}) {
            for (int level : new int[] {1, 5, 9}) {
                Bz2.Compressor compressor = new Bz2.Compressor(level);
                ByteArrayOutputStream stream = new ByteArrayOutputStream();
                for (int i = 0; i < data.length; i += 7_777) {
                    stream.writeBytes(latin1(compressor.compress(slice(data, i, i + 7_777))));
                }
                stream.writeBytes(latin1(compressor.flush()));
                assertThat(cpython("import bz2, sys; sys.stdout.buffer.write(bz2.decompress(sys.stdin.buffer.read()))",
                        stream.toByteArray())).as("level %d, %d bytes", level, data.length).isEqualTo(data);
            }
        }
    }

    @Test
    void covetDecompressesWhatCpythonCompressesFedInAnyPieces() throws Exception {
        byte[] stream = cpython("import bz2, sys; sys.stdout.buffer.write(bz2.compress(sys.stdin.buffer.read(), 1))", TEXT);
        for (int piece : new int[] {1, 3, 4_096, stream.length}) {
            for (long maxLength : new long[] {-1, 0, 1, 10_000, Bz2.Decompressor.READ_AHEAD + 1}) {
                if (piece == 1 && maxLength >= 0 && maxLength < 10_000) {
                    continue; // ~40,000 one-byte pushes, each draining in steps of one byte: slow, and nothing new
                }
                assertThat(decompressInPieces(stream, piece, maxLength)).as("pieces of %d, max_length %d", piece, maxLength)
                        .isEqualTo(TEXT);
            }
        }
    }

    /** As DecompressReader does: push a piece, then drain while more output can come without input. */
    private static byte[] decompressInPieces(byte[] stream, int piece, long maxLength) {
        Bz2.Decompressor decompressor = new Bz2.Decompressor();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < stream.length && !decompressor.eof(); i += piece) {
            out.writeBytes(latin1(decompressor.decompress(slice(stream, i, i + piece), maxLength)));
            while (!decompressor.needsInput() && !decompressor.eof()) {
                byte[] more = latin1(decompressor.decompress(new byte[0], maxLength == 0 ? 1 : maxLength));
                assertThat(more.length).as("output without input").isPositive();
                out.writeBytes(more);
            }
        }
        assertThat(decompressor.eof()).as("end of stream reached").isTrue();
        assertThat(decompressor.unusedData()).isEmpty();
        return out.toByteArray();
    }

    @Test
    void maxLengthBoundsEachResultAndNeedsInputSaysWhenMoreComesWithoutInput() {
        byte[] stream = compress(TEXT, 9);
        Bz2.Decompressor decompressor = new Bz2.Decompressor();
        assertThat(decompressor.needsInput()).as("new").isTrue();
        assertThat(latin1(decompressor.decompress(stream, 100))).hasSize(100);
        assertThat(decompressor.needsInput()).as("output pending").isFalse();
        assertThat(decompressor.eof()).isFalse();
        assertThat(latin1(decompressor.decompress(new byte[0], 0))).isEmpty();
        assertThat(latin1(decompressor.decompress(new byte[0], -1))).hasSize(TEXT.length - 100);
        assertThat(decompressor.eof()).isTrue();
        assertThat(decompressor.needsInput()).isFalse();
    }

    @Test
    void whatFollowsTheStreamsEndIsUnusedDataToTheByte() throws Exception {
        byte[] first = cpython("import bz2, sys; sys.stdout.buffer.write(bz2.compress(b'first'))", new byte[0]);
        byte[] tail = "then something else".getBytes(StandardCharsets.US_ASCII);
        for (int piece : new int[] {1, 2, first.length - 1, first.length, first.length + 5, 1_000}) {
            Bz2.Decompressor decompressor = new Bz2.Decompressor();
            byte[] all = concat(first, tail);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < all.length && !decompressor.eof(); i += piece) {
                out.writeBytes(latin1(decompressor.decompress(slice(all, i, i + piece), -1)));
            }
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("first");
            assertThat(decompressor.eof()).isTrue();
            // Pushed in pieces, only what came with the last piece after the end is unused; here the rest was never pushed.
            int pushed = Math.min(all.length, ((first.length + piece - 1) / piece) * piece);
            assertThat(latin1(decompressor.unusedData())).as("pieces of %d", piece).isEqualTo(slice(all, first.length, pushed));
        }
    }

    @Test
    void invalidOrCorruptDataIsReportedAndATruncatedStreamAsksForMore() {
        assertThat(new Bz2.Decompressor().decompress("not bzip2 at all".getBytes(StandardCharsets.US_ASCII), -1)).isNull();
        byte[] corrupt = compress(TEXT, 9);
        corrupt[corrupt.length / 2] ^= 0x55;
        assertThat(new Bz2.Decompressor().decompress(corrupt, -1)).as("a flipped byte mid-stream").isNull();
        byte[] stream = compress(TEXT, 9);
        Bz2.Decompressor truncated = new Bz2.Decompressor();
        truncated.decompress(slice(stream, 0, stream.length - 10), -1);
        assertThat(truncated.eof()).isFalse();
        assertThat(truncated.needsInput()).isTrue();
        assertThat(latin1(truncated.decompress(slice(stream, stream.length - 10, stream.length), -1))).isNotEmpty();
        assertThat(truncated.eof()).isTrue();
    }

    @Test
    void aDecompressorDroppedMidStreamEndsItsDecoderThread() throws Exception {
        byte[] stream = compress(TEXT, 9);
        Bz2.Decompressor decompressor = new Bz2.Decompressor();
        Object handle = Bz2.handle(decompressor);
        decompressor.decompress(slice(stream, 0, stream.length / 2), -1);
        Thread decoder = decompressor.decoder();
        assertThat(decoder.isAlive()).as("waiting for the rest of the stream").isTrue();
        handle = null; // as when Python drops its BZ2Decompressor
        Instant deadline = Instant.now().plusSeconds(30);
        while (decoder.isAlive() && Instant.now().isBefore(deadline)) {
            System.gc();
            decoder.join(Duration.ofMillis(100));
        }
        assertThat(decoder.isAlive()).as("the decoder thread ended once its handle was collected").isFalse();
    }

    private static byte[] compress(byte[] data, int level) {
        Bz2.Compressor compressor = new Bz2.Compressor(level);
        return concat(latin1(compressor.compress(data)), latin1(compressor.flush()));
    }

    private static byte[] cpython(String program, byte[] stdin) throws Exception {
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", program).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread.ofVirtual().start(() -> {
            try (var in = python.getOutputStream()) {
                in.write(stdin);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = python.getInputStream().readAllBytes();
        assertThat(python.waitFor()).as("CPython ran %s", program).isZero();
        return out;
    }

    private static byte[] text(int size) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; out.length() < size; i++) {
            out.append("line ").append(i).append(" of some text, ").append("x".repeat(i % 50)).append('\n');
        }
        return out.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] noise(int size) {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] slice(byte[] data, int from, int to) {
        return java.util.Arrays.copyOfRange(data, Math.min(from, data.length), Math.min(to, data.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
