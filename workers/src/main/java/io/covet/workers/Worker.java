package io.covet.workers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One CPython worker process and its two reader threads. The pool owns the state that matters
 * (which task it runs, whether it is idle); this class moves frames and watches the process.
 */
final class Worker {

    /** Frame types (see covet_worker.py). */
    static final byte CONFIG = 'C';
    static final byte TASK = 'T';
    static final byte QUIT = 'Q';
    static final byte READY = 'R';
    static final byte VALUE = 'O';
    static final byte ERROR = 'E';
    static final byte STDOUT = 'S';

    /** Larger frames are a protocol error (the worker is killed): a Java array holds at most ~2 GiB. */
    static final int MAX_FRAME = 1 << 30;

    private static final Logger OUTPUT = Logger.getLogger("io.covet.workers.output");
    private static final int STDERR_TAIL = 40;

    /** What the reader thread reports to the pool. */
    interface Listener {
        void ready(Worker worker, String version);

        void answered(Worker worker, byte type, byte[] payload);

        void exited(Worker worker);
    }

    enum State { STARTING, IDLE, BUSY, RETIRING, DEAD }

    final int id;
    final Process process;
    private final DataOutputStream toWorker;
    private final DataInputStream fromWorker;
    private final Thread stderrReader;
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final StringBuilder partialStdout = new StringBuilder();
    /** Stdout bytes not decoded yet: a UTF-8 character may be split between two S frames. */
    private ByteBuffer stdoutBytes = ByteBuffer.allocate(0);
    private final CharsetDecoder stdoutDecoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);

    // Guarded by the pool's lock.
    State state = State.STARTING;
    io.covet.tasks.Task<WorkerCall> job;
    /** Its task's frame was written (before that, a dead worker never got it). */
    boolean jobSent;
    int tasks;
    /** Set when the pool killed it (timeout, cancellation, shutdown): its death is no crash. */
    volatile boolean killed;
    /** Why the pool killed it, when that is the news (a protocol error, a start past its timeout). */
    volatile String killReason;
    /** How it ended, once it has (set by the pool, under its lock): status, cause and stderr's end. */
    int exitStatus;
    String exitCause;
    String exitStderr;

    private Worker(int id, Process process) {
        this.id = id;
        this.process = process;
        this.toWorker = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.fromWorker = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.stderrReader = WorkerThreads.reader(id, "err").newThread(this::pumpStderr);
    }

    /** Starts {@code command} (python3 and the worker script); {@link #start} then listens to it. */
    static Worker spawn(int id, List<String> command) throws IOException {
        return new Worker(id, new ProcessBuilder(command).start());
    }

    /** Starts its reader threads and sends its config frame (the pool has registered it by now). */
    void start(byte[] config, Listener listener) {
        stderrReader.start();
        WorkerThreads.reader(id, "out").newThread(() -> readFrames(listener)).start();
        try {
            send(CONFIG, config);
        } catch (IOException e) {
            // It exited at once: the reader sees the end of its output and reports why.
        }
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return "CPython worker " + id + " (pid " + process.pid() + ")";
    }

    void send(byte type, byte[] payload) throws IOException {
        synchronized (toWorker) {
            toWorker.writeInt(payload.length + 1);
            toWorker.writeByte(type);
            toWorker.write(payload);
            toWorker.flush();
        }
    }

    private void readFrames(Listener listener) {
        try {
            while (true) {
                int length;
                try {
                    length = fromWorker.readInt();
                } catch (EOFException end) {
                    break;
                }
                if (length < 1 || length > MAX_FRAME) {
                    kill("it sent a frame of " + length + " bytes (the limit is " + MAX_FRAME + ")");
                    break;
                }
                byte type = fromWorker.readByte();
                byte[] payload = fromWorker.readNBytes(length - 1);
                if (payload.length < length - 1) {
                    break;
                }
                switch (type) {
                    case READY -> listener.ready(this, readyVersion(payload));
                    case VALUE, ERROR -> listener.answered(this, type, payload);
                    case STDOUT -> logStdout(payload, false);
                    default -> kill("it sent a frame of unknown type " + type + " (something wrote to the protocol pipe)");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!killed) {
                OUTPUT.log(Level.FINE, name() + ": reading its frames failed", e);
            }
        } finally {
            logStdout(new byte[0], true);
            listener.exited(this);
        }
    }

    private String readyVersion(byte[] payload) {
        try {
            Object info = Pickles.loads(payload);
            if (info instanceof java.util.Map<?, ?> map && map.get("version") != null) {
                return String.valueOf(map.get("version"));
            }
        } catch (RuntimeException e) {
            OUTPUT.log(Level.FINE, name() + ": unreadable ready frame", e);
        }
        return "?";
    }

    private void logStdout(byte[] bytes, boolean end) {
        ByteBuffer in = ByteBuffer.allocate(stdoutBytes.remaining() + bytes.length);
        in.put(stdoutBytes).put(bytes).flip();
        CharBuffer chars = CharBuffer.allocate(in.remaining() + 8);
        stdoutDecoder.decode(in, chars, end);
        if (end) {
            stdoutDecoder.flush(chars);
        }
        stdoutBytes = in.slice();  // an incomplete character, kept for the next frame
        chars.flip();
        partialStdout.append(chars);
        int newline;
        while ((newline = partialStdout.indexOf("\n")) >= 0) {
            String line = partialStdout.substring(0, newline);
            partialStdout.delete(0, newline + 1);
            OUTPUT.info(() -> "worker " + id + " stdout: " + line);
        }
        if (end && !partialStdout.isEmpty()) {
            String line = partialStdout.toString();
            partialStdout.setLength(0);
            OUTPUT.info(() -> "worker " + id + " stdout: " + line);
        }
    }

    private void pumpStderr() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                String logged = line;
                OUTPUT.warning(() -> "worker " + id + " stderr: " + logged);
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_TAIL) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // The process is gone; what it wrote was read.
        }
    }

    /** Its last stderr lines (waiting briefly for the rest after it died), for error messages. */
    List<String> stderrTail() {
        try {
            stderrReader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** Waits for the process to end (killing it if it lingers) and returns its exit status. */
    int awaitExit() {
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Asks it to exit: a quit frame, then end of input. */
    void quit() {
        try {
            send(QUIT, new byte[0]);
            toWorker.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    /** SIGKILL to it and to every process it started. */
    void kill() {
        killed = true;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** Kills it for a reason its error messages should give. */
    void kill(String reason) {
        killReason = reason;
        OUTPUT.warning(() -> name() + ": " + reason + "; killing it");
        kill();
    }

    /**
     * SIGKILL to every process left in its process group (the worker calls setsid, so the group's
     * id is its pid): what its tasks started and left behind, which outlives a worker that died
     * or quit and is no longer its descendant. Linux: reads each process's group from /proc.
     */
    void killGroup() {
        long group = process.pid();
        ProcessHandle.allProcesses().filter(p -> p.pid() != group && processGroup(p.pid()) == group)
                .forEach(ProcessHandle::destroyForcibly);
    }

    private static long processGroup(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so count from the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            return -1;  // gone, or not Linux
        }
    }

    /** "was killed by signal 9 (SIGKILL: ...)" or "exited with status 3". */
    static String describeExit(int status) {
        if (status > 128 && status <= 128 + 64) {
            int signal = status - 128;
            return "was killed by signal " + signal + " (" + signalName(signal) + ")";
        }
        return status < 0 ? "did not exit" : "exited with status " + status;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL, an illegal instruction";
            case 6 -> "SIGABRT, it aborted";
            case 7 -> "SIGBUS, a bus error";
            case 8 -> "SIGFPE, an arithmetic fault";
            case 9 -> "SIGKILL: kill -9, or the kernel's out-of-memory killer";
            case 11 -> "SIGSEGV, a segmentation fault";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
    }
}
