package io.covet.cli;

import io.covet.bench.BenchJson;
import io.covet.bench.BenchRecord;
import io.covet.bench.ComputeSuite;
import io.covet.bench.PythonSuite;
import io.covet.bench.RuntimeSuite;
import io.covet.bench.ResultTable;
import io.covet.bench.TimingPlan;
import io.covet.bench.WorkerSuite;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Spec;

/** {@code covet bench}: side-by-side suites and JMH. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure Covet side by side with its peers on this machine.",
        subcommands = {BenchCommand.Compute.class, BenchCommand.Python.class, BenchCommand.RuntimeApi.class, BenchCommand.Workers.class,
                BenchCommand.Http.class, BenchCommand.Startup.class,
                BenchCommand.Report.class,
                BenchCommand.Jmh.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "compute", mixinStandardHelpOptions = true,
            description = {"Compute kernels (sum, dot, transforms, matmul) against numpy, same machine, same run.",
                    "numpy runs in a child python3 with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset and "
                            + "OPENBLAS_NUM_THREADS set to --threads."})
    static final class Compute implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--quick", description = "Fewer sizes and shorter samples (about a minute).")
        boolean quick;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the records as JSON to FILE.")
        Path json;

        @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all cores, here ${DEFAULT-VALUE}).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--python", paramLabel = "PATH", description = "Python with numpy for the peer (default: ${DEFAULT-VALUE}).")
        String python = "python3";

        @Option(names = "--no-peer", description = "Skip the numpy peer.")
        boolean noPeer;

        @Option(names = "--cases", split = ",", paramLabel = "CASE",
                description = "Only these cases (comma-separated): ${COMPLETION-CANDIDATES}.",
                completionCandidates = CaseNames.class)
        List<String> cases = List.of();

        @Option(names = "--size", split = ",", paramLabel = "N",
                description = "Run every case at these sizes (elements; matrix side for matmul) instead of the defaults.")
        long[] sizes;

        @Override
        public Integer call() throws Exception {
            ComputeSuite.Options options;
            try {
                options = new ComputeSuite.Options(quick ? TimingPlan.quick() : TimingPlan.full(), sizes, quick, threads,
                        noPeer ? null : python, cases);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
            List<BenchRecord> records = new ComputeSuite().run(options, listener(spec.commandLine().getErr(), bar));
            bar.finish();
            return report(spec, records, json);
        }
    }

    /** What the suites that run Python (python, runtime) share: length, output, N and the CPython peer. */
    static final class PythonRunOptions {

        @Option(names = "--quick", description = "Shorter warm-up and samples (about half the time of a full run).")
        boolean quick;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the records as JSON to FILE.")
        Path json;

        @Option(names = "--threads", paramLabel = "N", description = "Interpreters, and CPython workers (default: all cores, here ${DEFAULT-VALUE}).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--python", paramLabel = "PATH", description = "CPython for the peers (default: ${DEFAULT-VALUE}).")
        String python = "python3";

        @Option(names = "--no-peer", description = "Skip the CPython peers.")
        boolean noPeer;

        /** One suite's run: Covet and its CPython peers, timed with these options. */
        @FunctionalInterface
        interface Suite {
            List<BenchRecord> run(PythonSuite.Options options, ComputeSuite.Listener listener) throws java.io.IOException;
        }

        /** Runs {@code suite} with a progress bar, then prints (and writes, with --json) its records. */
        Integer run(CommandSpec spec, List<String> workloads, Suite suite) throws java.io.IOException {
            PythonSuite.Options options = options(spec, workloads);
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
            List<BenchRecord> records = suite.run(options, listener(spec.commandLine().getErr(), bar));
            bar.finish();
            return report(spec, records, json);
        }

        PythonSuite.Options options(CommandSpec spec, List<String> workloads) {
            try {
                String peer = noPeer ? null : python;
                return quick ? PythonSuite.Options.quick(threads, peer, workloads)
                             : PythonSuite.Options.full(threads, peer, workloads);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }
    }

    @Command(name = "python", mixinStandardHelpOptions = true,
            description = {"Pure-Python workloads as batches of tasks through Covet's interpreter pool (1 interpreter and N),",
                    "side by side with CPython single-threaded, with a ThreadPoolExecutor and a ProcessPoolExecutor of N;",
                    "plus the pool's cold start, memory per interpreter and warm per-task latency (about ten minutes)."})
    static final class Python implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        PythonRunOptions run;

        @Option(names = "--workloads", split = ",", paramLabel = "NAME",
                description = "Only these workloads (comma-separated): ${COMPLETION-CANDIDATES}.",
                completionCandidates = WorkloadNames.class)
        List<String> workloads = List.of();

        @Override
        public Integer call() throws Exception {
            return run.run(spec, workloads, new PythonSuite()::run);
        }
    }

    @Command(name = "runtime", mixinStandardHelpOptions = true,
            description = {"The Python covet API measured from Python: perf.parallel_map over N interpreters vs a plain loop in one",
                    "and vs CPython's ProcessPoolExecutor(N); perf.sum_array of 1e7 floats vs CPython's sum() and numpy;",
                    "the per-call overhead of a trivial @perf.cpu_intensive function vs ProcessPoolExecutor.submit();",
                    "covet.Array in Java memory: sum_array and transform_array('sqrt') of 1e7 vs CPython and numpy, and a",
                    "CPython worker's numpy on a shared array of 1e6 and 1e7 vs ProcessPoolExecutor (about six minutes)."})
    static final class RuntimeApi implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        PythonRunOptions run;

        @Override
        public Integer call() throws Exception {
            return run.run(spec, List.of(), new RuntimeSuite()::run);
        }
    }

    @Command(name = "workers", mixinStandardHelpOptions = true,
            description = {"The CPython worker lane (--threads workers) against CPython's ProcessPoolExecutor with as many:",
                    "empty-task latency (one at a time) and overhead (2000 in flight), and the throughput of ~1 ms CPU tasks;",
                    "Covet measured from Python (@perf.cpu_intensive(use_native=False)) and from Java (the pool alone).",
                    "About four minutes (--quick: two)."})
    static final class Workers implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        PythonRunOptions run;

        @Override
        public Integer call() throws Exception {
            return run.run(spec, List.of(), new WorkerSuite()::run);
        }
    }

    @Command(name = "http", mixinStandardHelpOptions = true,
            description = {"Apps served by Covet, loaded over loopback from another process (wrk, else a Java client), side by side",
                    "with CPython's servers running the same Python with as many workers as interpreters:",
                    "example: the example app: a trivial JSON handler at 16, 256 and 1024 connections, a CPU-bound one (fib(20))",
                    "  and /compute/sum of 10,000 numbers (also with 1 interpreter), and one that awaits asyncio.sleep(0.05) at",
                    "  200 connections, against the same handlers under gunicorn's sync workers and, for the trivial and the",
                    "  waiting one, uvicorn's workers (uvloop, httptools); then a 60 s saturation run (errors, heap after a full",
                    "  GC before and after);",
                    "flask: one Flask app under Covet and under gunicorn; starlette: one Starlette app under Covet and under",
                    "  uvicorn: a trivial JSON route, fib(20), and a JSON order POSTed and totalled;",
                    "postgres: one Flask app on a throwaway PostgreSQL server, under Covet (covet.db, a pool of half as many",
                    "  connections as interpreters) and under gunicorn (psycopg2): read one row by primary key, insert one row;",
                    "  the server's client connections are sampled during each.",
                    "Each case is loaded on Covet until GraalPy's JIT has settled (its compiler idle in a round whose rate",
                    "  agrees with the one before), at most 420 s (--quick: 60 s); the seconds it took are recorded.",
                    "On 2 cores --apps flask,starlette took about 21 minutes and --apps postgres about 5; example takes longer",
                    "  than the 40 minutes it took with a fixed warm-up, not yet re-timed."})
    static final class Http implements Callable<Integer> {

        /** Held: JUL keeps loggers only weakly, and a level set on a collected one is lost. */
        private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.covet");

        @Spec
        CommandSpec spec;

        @Option(names = "--quick", description = "Shorter warm-up and measurements (the saturation run stays 60 s).")
        boolean quick;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the records as JSON to FILE.")
        Path json;

        @Option(names = "--threads", paramLabel = "N", description = "Interpreters, and gunicorn and uvicorn workers (default: all cores, here ${DEFAULT-VALUE}).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--apps", split = ",", paramLabel = "APP",
                description = "Only these apps (comma-separated): example, flask, starlette, postgres (default: all).")
        List<String> apps = List.of("example", "flask", "starlette", "postgres");

        @Mixin
        HttpPeerOptions peers = new HttpPeerOptions();

        @Override
        public Integer call() throws Exception {
            io.covet.bench.HttpSuite.Options options;
            try {
                String peer = peers.noPeer ? null : peers.gunicorn;
                java.util.Set<io.covet.bench.HttpSuite.App> chosen = java.util.EnumSet.noneOf(io.covet.bench.HttpSuite.App.class);
                for (String name : apps) {
                    try {
                        chosen.add(io.covet.bench.HttpSuite.App.valueOf(name.strip().toUpperCase(java.util.Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--apps: no app named '" + name + "' (example, flask, starlette, postgres)");
                    }
                }
                options = quick ? io.covet.bench.HttpSuite.Options.quick(peers.app, chosen, peers.packages, threads, peer, peers.python3)
                                : io.covet.bench.HttpSuite.Options.full(peers.app, chosen, peers.packages, threads, peer, peers.python3);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
            QUIET.setLevel(java.util.logging.Level.WARNING);   // the runtime's start-up lines would break the bar
            List<BenchRecord> records = new io.covet.bench.HttpSuite().run(options, listener(spec.commandLine().getErr(), bar));
            bar.finish();
            return report(spec, records, json);
        }
    }

    @Command(name = "startup", mixinStandardHelpOptions = true,
            description = {"How soon a server answers, each started as a new process as its users start it, side by side:",
                    "the time from the command to the first 200 on /hello for the example app (Covet vs gunicorn's sync workers",
                    "and uvicorn's) and a Flask app (vs gunicorn), and for Covet until /readyz says every interpreter has the app",
                    "(median of --runs starts); then the warm-up curve: requests/s second by second under wrk's load (16",
                    "connections) from the first 200 on, for /hello and /fib/20 of the example app, Covet vs gunicorn, each on a",
                    "fresh server; and for Covet with --warmup /hello --warmup /fib/20, from when /readyz says ready.",
                    "About 20 minutes (--no-flask --runs 1: 12; --quick: 6)."})
    static final class Startup implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--quick", description = "One start per server and 20-s curves.")
        boolean quick;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the records as JSON to FILE.")
        Path json;

        @Option(names = "--threads", paramLabel = "N", description = "Interpreters, and gunicorn and uvicorn workers (default: all cores, here ${DEFAULT-VALUE}).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--runs", paramLabel = "N", description = "Starts per server; the median counts (default: 3, --quick: 1).")
        Integer runs;

        @Option(names = "--curve", paramLabel = "SECONDS", description = "Length of each warm-up curve; 0: none (default: 60, --quick: 20).")
        Integer curve;

        @Option(names = "--no-flask", description = "Skip the Flask app.")
        boolean noFlask;

        @Mixin
        HttpPeerOptions peers = new HttpPeerOptions();

        @Override
        public Integer call() throws Exception {
            io.covet.bench.StartupSuite.Options options;
            try {
                int n = runs != null ? runs : quick ? 1 : 3;
                int seconds = curve != null ? curve : quick ? 20 : 60;
                if (seconds < 0) {
                    throw new IllegalArgumentException("--curve must be 0 or more seconds, got " + seconds);
                }
                boolean flask = !noFlask && java.nio.file.Files.isDirectory(peers.packages.resolve("flask"));
                if (!noFlask && !flask) {
                    spec.commandLine().getErr().println("no flask in " + peers.packages + ": the Flask app is skipped (install Debian's python3-flask)");
                }
                options = new io.covet.bench.StartupSuite.Options(peers.app, peers.packages, flask, threads, n,
                        java.time.Duration.ofSeconds(seconds), covetCommand(), peers.noPeer ? null : peers.gunicorn, peers.python3);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
            List<BenchRecord> records = new io.covet.bench.StartupSuite().run(options, listener(spec.commandLine().getErr(), bar));
            bar.finish();
            return report(spec, records, json);
        }

        /** This JVM's own command, flags and class path: {@code covet} as the launcher starts it. */
        private static List<String> covetCommand() {
            List<String> command = new java.util.ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Main.class.getName());
            return command;
        }
    }

    /** What `bench http` and `bench startup` serve, and the CPython servers they compare with. */
    static final class HttpPeerOptions {
        @Option(names = "--app", paramLabel = "FILE", description = "The example app to serve (default: the project's examples/app.py).")
        Path app = Path.of(System.getProperty("covet.home", "."), "examples", "app.py");

        @Option(names = "--packages", paramLabel = "DIR",
                description = "Where Flask and Starlette are imported from, by Covet and by the peers (default: ${DEFAULT-VALUE}).")
        Path packages = io.covet.bench.HttpSuite.Options.DEBIAN_PACKAGES;

        @Option(names = "--gunicorn", paramLabel = "PATH", description = "gunicorn for the peer (default: ${DEFAULT-VALUE}).")
        String gunicorn = "gunicorn";

        @Option(names = "--python3", paramLabel = "PATH", description = "The CPython whose uvicorn is the ASGI peer (default: ${DEFAULT-VALUE}).")
        String python3 = "/usr/bin/python3";

        @Option(names = "--no-peer", description = "Skip the gunicorn and uvicorn peers.")
        boolean noPeer;
    }

    /** Workload names for --workloads' help and completion. */
    static final class WorkloadNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return PythonSuite.WORKLOADS.iterator();
        }
    }

    /** Progress on the bar; peer trouble and notes on their own lines. */
    private static ComputeSuite.Listener listener(PrintWriter err, ProgressBar bar) {
        return new ComputeSuite.Listener() {
            @Override
            public void step(int done, int total, String what) {
                bar.update(done, total, what);
            }

            @Override
            public void peerSkipped(String reason) {
                err.println("peer skipped: " + reason);
                err.flush();
            }

            @Override
            public void peerFailed(String what, String reason) {
                err.println("\npeer failed on " + what + ": " + reason);
                err.flush();
            }

            @Override
            public void note(String what) {
                err.println("\nnote: " + what);
                err.flush();
            }
        };
    }

    /** Prints the table and writes the JSON records if asked; the exit status. */
    private static int report(CommandSpec spec, List<BenchRecord> records, Path json) throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        spec.commandLine().getErr().flush();
        out.print(ResultTable.render(records));
        if (json != null) {
            BenchJson.write(json, records);
            out.println("records written to " + json);
        }
        out.flush();
        return 0;
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Median of several runs' --json files, one row per case (what BENCHMARKS.md quotes).")
    static final class Report implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "JSON files written by covet bench --json.")
        List<Path> files;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the median records as JSON to FILE.")
        Path json;

        @Override
        public Integer call() throws Exception {
            List<List<BenchRecord>> runs = new java.util.ArrayList<>();
            for (Path file : files) {
                try {
                    runs.add(BenchJson.read(file));
                } catch (java.io.IOException e) {
                    throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage(), e);
                }
            }
            List<BenchRecord> medians = io.covet.bench.BenchReport.medians(runs);
            PrintWriter out = spec.commandLine().getOut();
            out.println("median of " + files.size() + " run" + (files.size() == 1 ? "" : "s"));
            out.print(ResultTable.render(medians));
            if (json != null) {
                BenchJson.write(json, medians);
                out.println("records written to " + json);
            }
            out.flush();
            return 0;
        }
    }

    /** Case names for --cases' help and completion. */
    static final class CaseNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ComputeSuite.CASE_NAMES.iterator();
        }
    }

    @Command(name = "jmh", mixinStandardHelpOptions = false, description = {"Run the JMH kernel benchmarks; arguments go to JMH (try -h, -l).",
            "Example: covet bench jmh ReductionBenchmark -p size=100000 -p path=vector"})
    static final class Jmh implements Callable<Integer> {

        /** Everything after {@code jmh}, options included, in order: it all belongs to JMH. */
        @Unmatched
        List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            // JMH forks JVMs with this JVM's flags (--add-modules jdk.incubator.vector included).
            org.openjdk.jmh.Main.main(args.toArray(String[]::new));
            return 0;
        }
    }
}
