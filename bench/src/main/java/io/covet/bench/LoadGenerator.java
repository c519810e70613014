package io.covet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a URL from a separate process for a bounded time: wrk when it is installed (Debian's
 * {@code wrk}), else {@link LoadClient} in a child JVM. Both keep {@code connections} requests in
 * flight (closed loop) and report requests, p50/p99 latency and errors.
 */
abstract sealed class LoadGenerator {

    /** wrk if it is on the PATH, else the Java client. */
    static LoadGenerator find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path wrk = Path.of(dir, "wrk");
            if (Files.isExecutable(wrk)) {
                return new Wrk(wrk);
            }
        }
        return new Java();
    }

    abstract String describe();

    /**
     * Loads {@code url} for {@code duration} with {@code connections} in flight; {@code body}
     * (may be null) is POSTed as JSON.
     */
    abstract LoadResult run(String url, String body, int connections, Duration duration) throws IOException, InterruptedException;

    static final class Wrk extends LoadGenerator {
        private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
        private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
        private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
        private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

        private final Path wrk;

        Wrk(Path wrk) {
            this.wrk = wrk;
        }

        @Override
        String describe() {
            return "wrk (" + wrk + ")";
        }

        @Override
        LoadResult run(String url, String body, int connections, Duration duration) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(wrk.toString(), "-t", String.valueOf(Math.min(2, connections)),
                    "-c", String.valueOf(connections), "-d", duration.toSeconds() + "s", "--timeout", "30s", "--latency"));
            Path script = null;
            if (body != null) {
                script = Files.createTempFile("covet-bench-wrk-", ".lua");
                Files.writeString(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                        + "wrk.body = [==[" + body + "]==]\n");   // a long string: JSON's ']]' can't end it
                command.addAll(List.of("-s", script.toString()));
            }
            command.add(url);
            try {
                ChildProcess.Finished done = ChildProcess.run(command, null, Set.of(), Map.of(), duration.toSeconds() + 60, TimeUnit.SECONDS);
                if (done == null || done.exitCode() != 0) {
                    throw new IOException("wrk failed on " + url + ": " + (done == null ? "it did not finish" : done.stderr() + done.stdout()));
                }
                return parse(done.stdout());
            } finally {
                if (script != null) {
                    Files.deleteIfExists(script);
                }
            }
        }

        static LoadResult parse(String out) throws IOException {
            Matcher total = TOTAL.matcher(out);
            if (!total.find()) {
                throw new IOException("unexpected wrk output:\n" + out);
            }
            double p50 = Double.NaN;
            double p99 = Double.NaN;
            Matcher p = PERCENTILE.matcher(out);
            while (p.find()) {
                double ms = millis(Double.parseDouble(p.group(2)), p.group(3));
                if (p.group(1).equals("50")) {
                    p50 = ms;
                } else {
                    p99 = ms;
                }
            }
            long errors = 0;
            Matcher socket = SOCKET.matcher(out);
            if (socket.find()) {
                for (int g = 1; g <= 4; g++) {
                    errors += Long.parseLong(socket.group(g));
                }
            }
            Matcher non2xx = NON_2XX.matcher(out);
            if (non2xx.find()) {
                errors += Long.parseLong(non2xx.group(1));
            }
            return new LoadResult(Long.parseLong(total.group(1)), millis(Double.parseDouble(total.group(2)), total.group(3)) / 1000,
                    p50, p99, errors);
        }

        private static double millis(double value, String unit) {
            return switch (unit) {
                case "us" -> value / 1000;
                case "ms" -> value;
                case "s" -> value * 1000;
                case "m" -> value * 60_000;
                default -> throw new IllegalArgumentException("unknown wrk unit " + unit);
            };
        }
    }

    static final class Java extends LoadGenerator {
        @Override
        String describe() {
            return "Java load client (install wrk for the reference figures)";
        }

        @Override
        LoadResult run(String url, String body, int connections, Duration duration) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LoadClient.class.getName(), url,
                    String.valueOf(connections), String.valueOf(duration.toMillis())));
            ChildProcess.Finished done = ChildProcess.run(command, body == null ? "" : body, Set.of(), Map.of(),
                    duration.toSeconds() + 60, TimeUnit.SECONDS);
            if (done == null || done.exitCode() != 0) {
                throw new IOException("the Java load client failed on " + url + ": " + (done == null ? "it did not finish" : done.stderr()));
            }
            String[] f = done.stdout().strip().split(" ");
            return new LoadResult(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Long.parseLong(f[4]));
        }
    }
}
