package io.covet.interpreters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The Java half of the {@code _bz2} module ({@code covet_bz2.py} is the Python half), which GraalPy
 * implements in native code: the sandbox cannot load it, and with native access GraalPy's fails
 * when embedded. Commons Compress does the bzip2 work. Its decoder pulls input from a stream,
 * while a {@code BZ2Decompressor} is pushed data piece by piece; so each decompressor runs the
 * decoder on a virtual thread of its own, which waits whenever it needs input that has not been
 * pushed yet, or has decoded {@link Decompressor#READ_AHEAD} bytes no one has taken: the caller
 * and the decoder take turns, never run at once.
 *
 * <p>Bytes come in as Python buffers and go out as Latin-1 strings (see {@link Boundary}). No Java
 * exception crosses into Python: invalid data is a {@code null} result, and the Python half raises
 * what CPython raises.
 */
final class Bz2 {

    /** Ends the decoder thread of a decompressor Python has dropped mid-stream. */
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("covet-bz2-cleaner").factory());

    private Bz2() {
    }

    static ProxyObject compressor(int level) {
        Compressor compressor = new Compressor(level);
        return ProxyObject.fromMap(Map.of(
                "compress", (ProxyExecutable) a -> compressor.compress(StdlibFunctions.bytes(a[0])),
                "flush", (ProxyExecutable) a -> compressor.flush()));
    }

    static ProxyObject decompressor() {
        return handle(new Decompressor());
    }

    /** What Python holds of {@code decompressor}; once it is unreachable, the decoder thread ends. */
    static ProxyObject handle(Decompressor decompressor) {
        ProxyObject handle = ProxyObject.fromMap(Map.of(
                "decompress", (ProxyExecutable) a -> decompressor.decompress(StdlibFunctions.bytes(a[0]), a[1].asLong()),
                "eof", (ProxyExecutable) a -> decompressor.eof(),
                "needs_input", (ProxyExecutable) a -> decompressor.needsInput(),
                "unused_data", (ProxyExecutable) a -> decompressor.unusedData()));
        // The decoder thread holds the decompressor, not the handle: the handle can become unreachable.
        CLEANER.register(handle, decompressor::close);
        return handle;
    }

    private static String latin1(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** A bzip2 stream written piece by piece; {@link #flush} ends it (the Python half refuses more after). */
    static final class Compressor {
        private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        private final BZip2CompressorOutputStream out;

        Compressor(int level) {
            try {
                out = new BZip2CompressorOutputStream(sink, level);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // writes to memory: cannot happen
            }
        }

        /** What is compressed of everything written so far and not yet returned (often nothing until a block fills). */
        synchronized String compress(byte[] data) {
            try {
                out.write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return drain();
        }

        synchronized String flush() {
            try {
                out.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return drain();
        }

        private String drain() {
            String chunk = sink.toString(StandardCharsets.ISO_8859_1);
            sink.reset();
            return chunk;
        }
    }

    /** One bzip2 stream, decoded as its bytes are pushed; what follows the stream's end is kept as unused data. */
    static final class Decompressor {
        /** How much decoded output the decoder runs ahead of what was asked for (plus one read of its own). */
        static final int READ_AHEAD = 1 << 18;
        private static final byte[] EMPTY = new byte[0];

        private enum Phase {
            /** No data yet, no decoder thread. */
            NEW,
            /** The decoder thread runs; the caller waits for it to leave this phase. */
            DECODING,
            /** The decoder needs input no one has pushed. */
            STARVED,
            /** The decoder waits for its output to be taken. */
            FULL,
            /** The stream ended; the decoder thread has too. */
            FINISHED,
            /** The data is not bzip2, or is corrupt; the decoder thread has ended. */
            FAILED,
            /** Python dropped the decompressor; the decoder thread ends at its next turn. */
            CLOSED
        }

        private Phase phase = Phase.NEW;
        /** Pushed and not yet taken by the decoder; after the stream's end, the unused data. */
        private byte[] input = EMPTY;
        private int inputStart;
        private int inputEnd;
        /** Decoded and not yet returned. */
        private byte[] output = EMPTY;
        private int outputStart;
        private int outputEnd;
        private Thread decoder;

        /**
         * Pushes {@code data} and returns what it decodes to, at most {@code maxLength} bytes (all
         * when negative); {@code null} when the data is not a valid bzip2 stream.
         */
        synchronized String decompress(byte[] data, long maxLength) {
            append(data);
            if (phase == Phase.NEW) {
                phase = Phase.DECODING;
                decoder = Thread.ofVirtual().name("covet-bz2-decoder").start(this::decode);
            } else if (phase == Phase.STARVED && inputEnd > inputStart) {
                phase = Phase.DECODING;
                notifyAll();
            }
            ByteArrayOutputStream result = new ByteArrayOutputStream();
            try {
                while (true) {
                    while (phase == Phase.DECODING) {
                        wait();
                    }
                    if (phase == Phase.FAILED || phase == Phase.CLOSED) {
                        return null;
                    }
                    int n = (int) Math.min(outputEnd - outputStart, maxLength < 0 ? Integer.MAX_VALUE : maxLength - result.size());
                    result.write(output, outputStart, n);
                    outputStart += n;
                    if ((maxLength >= 0 && result.size() >= maxLength) || phase != Phase.FULL) {
                        break;
                    }
                    phase = Phase.DECODING; // all output taken and more wanted: let the decoder go on
                    notifyAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the interpreter is being cancelled; it sees the flag
                return null;
            }
            return result.toString(StandardCharsets.ISO_8859_1);
        }

        synchronized boolean eof() {
            return phase == Phase.FINISHED && outputStart == outputEnd;
        }

        synchronized boolean needsInput() {
            return (phase == Phase.NEW || phase == Phase.STARVED) && outputStart == outputEnd;
        }

        synchronized String unusedData() {
            return phase == Phase.FINISHED ? latin1(input, inputStart, inputEnd) : "";
        }

        synchronized void close() {
            phase = Phase.CLOSED;
            input = output = EMPTY;
            inputStart = inputEnd = outputStart = outputEnd = 0;
            notifyAll();
        }

        /** The decoder thread, or null before the first data (for tests). */
        synchronized Thread decoder() {
            return decoder;
        }

        private void append(byte[] data) {
            if (data.length == 0) {
                return;
            }
            if (inputEnd + data.length > input.length) {
                int pending = inputEnd - inputStart;
                byte[] grown = pending + data.length > input.length
                        ? new byte[Math.max(pending + data.length, 2 * input.length)] : input;
                System.arraycopy(input, inputStart, grown, 0, pending);
                input = grown;
                inputStart = 0;
                inputEnd = pending;
            }
            System.arraycopy(data, 0, input, inputEnd, data.length);
            inputEnd += data.length;
        }

        /** The decoder thread's body. */
        private void decode() {
            Feed feed = new Feed();
            Phase outcome;
            try {
                // decompressConcatenated false: stop at the stream's end, having read its last byte and no more.
                BZip2CompressorInputStream in = new BZip2CompressorInputStream(feed, false);
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (n > 0) {
                        deliver(buffer, n);
                    }
                }
                outcome = Phase.FINISHED;
            } catch (IOException | RuntimeException e) {
                // Commons Compress reports corrupt data as IOExceptions, and some as runtime exceptions.
                outcome = Phase.FAILED;
            }
            end(outcome, feed);
        }

        private synchronized void deliver(byte[] buffer, int n) throws IOException {
            if (phase == Phase.CLOSED) {
                throw new IOException("decompressor dropped");
            }
            if (outputStart == outputEnd) {
                outputStart = outputEnd = 0;
            }
            if (outputEnd + n > output.length) {
                output = Arrays.copyOfRange(output, outputStart, Math.max(outputEnd - outputStart + n, 2 * output.length));
                outputEnd -= outputStart;
                outputStart = 0;
            }
            System.arraycopy(buffer, 0, output, outputEnd, n);
            outputEnd += n;
            if (outputEnd - outputStart >= READ_AHEAD) {
                phase = Phase.FULL;
                notifyAll();
                awaitTurn(Phase.FULL);
            }
        }

        /** Gives the decoder what has been pushed, waiting (starved) until there is some. */
        private synchronized void refill(Feed feed) throws IOException {
            while (inputStart == inputEnd) {
                if (phase == Phase.CLOSED) {
                    throw new IOException("decompressor dropped");
                }
                phase = Phase.STARVED;
                notifyAll();
                awaitTurn(Phase.STARVED);
            }
            feed.chunk = input;
            feed.position = inputStart;
            feed.end = inputEnd;
            input = EMPTY;
            inputStart = inputEnd = 0;
        }

        private void awaitTurn(Phase waiting) throws IOException {
            try {
                while (phase == waiting) {
                    wait();
                }
            } catch (InterruptedException e) {
                throw new IOException("decoder interrupted", e);
            }
            if (phase == Phase.CLOSED) {
                throw new IOException("decompressor dropped");
            }
        }

        /** The decoder is done: what it took and did not read goes back in front of the input. */
        private synchronized void end(Phase outcome, Feed feed) {
            if (phase == Phase.CLOSED) {
                return;
            }
            int unread = feed.end - feed.position;
            if (unread > 0) {
                byte[] rest = new byte[unread + inputEnd - inputStart];
                System.arraycopy(feed.chunk, feed.position, rest, 0, unread);
                System.arraycopy(input, inputStart, rest, unread, inputEnd - inputStart);
                input = rest;
                inputStart = 0;
                inputEnd = rest.length;
            }
            phase = outcome;
            notifyAll();
        }

        /** The decoder's input: chunks handed over by {@link #refill}, read without locking. */
        private final class Feed extends InputStream {
            private byte[] chunk = EMPTY;
            private int position;
            private int end;

            @Override
            public int read() throws IOException {
                if (position == end) {
                    refill(this);
                }
                return chunk[position++] & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                if (position == end) {
                    refill(this);
                }
                int n = Math.min(length, end - position);
                System.arraycopy(chunk, position, into, offset, n);
                position += n;
                return n;
            }
        }
    }
}
