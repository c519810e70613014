package io.covet.workers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link WorkerPool} is shaped. Build one with {@link #builder()}.
 *
 * @param python3           the CPython to run: a path, or a command name looked up on {@code PATH}
 *                          (default {@code python3})
 * @param workers           worker processes (default: cores)
 * @param maxTasksPerWorker tasks a worker runs before it is replaced by a fresh one (0: no limit,
 *                          as {@code ProcessPoolExecutor}'s default); a guard against leaks in C code
 * @param taskTimeout       longest a task may run when its call names no timeout; past it, its worker
 *                          is killed and replaced
 * @param pythonPath        directories put first on every worker's {@code sys.path}
 * @param mainScript        the script whose functions tasks may name as {@code __main__}: a worker
 *                          imports it as {@code __mp_main__} when a task first needs it
 * @param mainArgv          {@code sys.argv} in the workers (the main script's, as multiprocessing's
 *                          spawn gives its children the parent's); empty: just the script's path
 * @param startTimeout      how long a new worker may take to report ready
 * @param queueLimit        tasks that may wait for a free worker; beyond it submission is refused
 */
public record WorkerConfig(String python3, int workers, int maxTasksPerWorker, Duration taskTimeout,
                           List<Path> pythonPath, Optional<Path> mainScript, List<String> mainArgv,
                           Duration startTimeout, int queueLimit) {

    public WorkerConfig {
        Objects.requireNonNull(python3, "python3");
        if (python3.isBlank()) {
            throw new IllegalArgumentException("python3 must name a Python interpreter, got an empty string");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (maxTasksPerWorker < 0) {
            throw new IllegalArgumentException("maxTasksPerWorker must be >= 0 (0: no limit), got " + maxTasksPerWorker);
        }
        requirePositive("taskTimeout", taskTimeout);
        requirePositive("startTimeout", startTimeout);
        if (queueLimit < 0) {
            throw new IllegalArgumentException("queueLimit must be >= 0, got " + queueLimit);
        }
        pythonPath = List.copyOf(pythonPath);
        Objects.requireNonNull(mainScript, "mainScript");
        mainArgv = List.copyOf(mainArgv);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String python3 = "python3";
        private int workers = Runtime.getRuntime().availableProcessors();
        private int maxTasksPerWorker;
        private Duration taskTimeout = Duration.ofSeconds(60);
        private List<Path> pythonPath = List.of();
        private Path mainScript;
        private List<String> mainArgv = List.of();
        private Duration startTimeout = Duration.ofSeconds(60);
        private int queueLimit = 1024;

        private Builder() {
        }

        public Builder python3(String pathOrCommand) { this.python3 = pathOrCommand; return this; }
        public Builder workers(int n) { this.workers = n; return this; }
        public Builder maxTasksPerWorker(int n) { this.maxTasksPerWorker = n; return this; }
        public Builder taskTimeout(Duration timeout) { this.taskTimeout = timeout; return this; }
        public Builder pythonPath(List<Path> dirs) { this.pythonPath = dirs; return this; }
        public Builder startTimeout(Duration timeout) { this.startTimeout = timeout; return this; }
        public Builder queueLimit(int tasks) { this.queueLimit = tasks; return this; }

        /** The script tasks may name as {@code __main__}, and the {@code sys.argv} workers get. */
        public Builder mainScript(Path script, List<String> argv) {
            this.mainScript = script;
            this.mainArgv = argv;
            return this;
        }

        public WorkerConfig build() {
            return new WorkerConfig(python3, workers, maxTasksPerWorker, taskTimeout, pythonPath,
                    Optional.ofNullable(mainScript), mainArgv, startTimeout, queueLimit);
        }
    }
}
