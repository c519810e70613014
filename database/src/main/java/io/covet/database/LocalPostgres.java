package io.covet.database;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests and {@code covet bench}: a new cluster ({@code initdb})
 * in a temporary folder, listening on its own loopback port only, password authentication over
 * TCP, stopped and deleted by {@link #close} (and at JVM exit if its user forgot). Needs Debian's
 * {@code postgresql} ({@code tools/setup-test-packages.sh} and {@code bench/setup-http-peers.sh}
 * install it). As root, the server runs as the {@code postgres} user the package creates
 * (PostgreSQL refuses to run as root). Durability is off (no fsync): it holds nothing worth keeping.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String USER = "covet";
    /** A password with characters a URL must escape. */
    public static final String PASSWORD = "s3cret:p@ss/word";

    private final Path dir;
    private final Path bin;
    private final int port;
    private final Thread cleanup;

    private LocalPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.cleanup = new Thread(this::stop, "postgres-server-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** The newest installed PostgreSQL's programs ({@code /usr/lib/postgresql/N/bin}). */
    public static Path bin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("PostgreSQL is not installed (/usr/lib/postgresql is missing): run tools/setup-test-packages.sh");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("no initdb under /usr/lib/postgresql"))
                    .resolve("bin");
        }
    }

    /** Starts a new cluster and waits until it accepts connections. */
    public static LocalPostgres start() throws IOException, InterruptedException {
        Path bin = bin();
        Path dir = Files.createTempDirectory("covet-pg");
        Path data = dir.resolve("data");
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, PASSWORD + "\n");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), dir, Duration.ofSeconds(10));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        LocalPostgres server = new LocalPostgres(dir, bin, port);
        try {
            run(as(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pwfile,
                    "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), dir, Duration.ofSeconds(120));
            run(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w",
                    "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
                            + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60", "start"), dir, Duration.ofSeconds(90));
            return server;
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /** {@code postgresql://covet:…@127.0.0.1:PORT/postgres}, the password escaped. */
    public String url() {
        return url("postgres");
    }

    public String url(String database) {
        return "postgresql://" + USER + ":" + java.net.URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "@127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, as {@code --allow-net} names it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs stop() itself.
        }
    }

    private synchronized void stop() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            boolean root = "root".equals(System.getProperty("user.name"));
            run(as(root, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), dir,
                    Duration.ofSeconds(30));
        } catch (IOException | RuntimeException e) {
            // Not running (it failed to start): nothing to stop.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Left in the temporary folder.
        }
    }

    private static List<String> as(boolean root, String... command) {
        List<String> out = new ArrayList<>();
        if (root) {
            out.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        out.addAll(List.of(command));
        return out;
    }

    private static void run(List<String> command, Path dir, Duration limit) throws IOException, InterruptedException {
        Path log = Files.createTempFile("covet-pg-command", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + limit + ": " + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                String serverLog = Files.exists(dir.resolve("server.log")) ? "\nserver log:\n" + Files.readString(dir.resolve("server.log")) : "";
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + Files.readString(log) + serverLog);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
