package io.covet.interpreters;

import static io.covet.interpreters.SandboxTest.probe;
import static io.covet.interpreters.SandboxTest.pyString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.covet.tasks.DeadlineExceededException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqlite3 in every interpreter under the default sandbox (Covet's, SQLite in the JVM): it answers
 * as the machine's CPython does (sqlite_cases.py, one line per use), with native code allowed too,
 * and so does Debian's SQLAlchemy 1.4 on it (sqlalchemy_cases.py, Core and ORM);
 * interpreters writing one file at once lose nothing; a runaway statement is stopped at its
 * deadline; a connection left open is rolled back and closed with its interpreter; and SQL reaches
 * no file the sandbox does not let Python write, however it tries (paths, links, ATTACH, VACUUM
 * INTO, the temporary directory, extensions, limits).
 */
class SqliteTest {

    @TempDir
    static Path writable;
    @TempDir
    static Path outside;
    /** Readable by the sandbox (--allow-read), not writable. */
    @TempDir
    static Path readable;
    static InterpreterPool pool;

    @BeforeAll
    static void start() throws Exception {
        // Left by the host (the sandbox can make no link): links from inside the directory to outside it.
        Files.writeString(outside.resolve("host.db"), "");
        Files.createSymbolicLink(writable.resolve("link.db"), outside.resolve("host.db"));
        Files.createSymbolicLink(writable.resolve("link-dir"), outside);
        Files.createLink(writable.resolve("hard.db"), outside.resolve("host.db"));
        Files.createSymbolicLink(writable.resolve("journal-link.db-journal"), outside.resolve("journal"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + readable.resolve("ro.db"))) {
            c.createStatement().execute("CREATE TABLE kept (x)");
            c.createStatement().execute("INSERT INTO kept VALUES (1)");
        }
        pool = InterpreterPool.start(PoolFixture.config()
                .sandbox(SandboxPolicy.strict().withWritable(writable).withReadable(readable)).build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    /** What the machine's (Debian's) CPython prints for sqlite_cases.py. */
    private static List<String> cpython(Path dir) throws Exception {
        Process cpython = new ProcessBuilder("/usr/bin/python3", PoolFixture.PYTHON_DIR.resolve("sqlite_cases.py").toString(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(cpython.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(cpython.waitFor()).as("the machine's CPython ran sqlite_cases.py").isZero();
        return out.lines().toList();
    }

    private static void assertAnswersAsCpython(InterpreterPool p, Path covetDir, Path cpythonDir) throws Exception {
        List<String> expected = cpython(cpythonDir);
        assertThat(expected).hasSizeGreaterThan(90);
        // Both interpreters at once, each in a directory of its own.
        List<CompletableFuture<Object>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path dir = Files.createDirectories(covetDir.resolve("run" + i));
            runs.add(p.submitEval("import sqlite_cases\nsqlite_cases.run(" + pyString(dir) + ")"));
        }
        for (CompletableFuture<Object> run : runs) {
            assertThat(((String) run.get(300, TimeUnit.SECONDS)).lines().toList()).isEqualTo(expected);
        }
    }

    @Test
    void sqlite3AnswersAsCpythonInEverySandboxedInterpreter(@TempDir Path cpythonDir) throws Exception {
        assertAnswersAsCpython(pool, writable.resolve("cases"), cpythonDir);
    }

    @Test
    void withNativeCodeAllowedSqlite3AnswersAsCpythonToo(@TempDir Path covetDir, @TempDir Path cpythonDir) throws Exception {
        try (InterpreterPool trusted = InterpreterPool.start(PoolFixture.config().sandbox(SandboxPolicy.trusted()).build())) {
            assertAnswersAsCpython(trusted, covetDir, cpythonDir);
        }
    }

    @Test
    void debiansSqlAlchemyCoreAndOrmAnswerAsInCpython(@TempDir Path covetDir, @TempDir Path cpythonDir) throws Exception {
        Process cpython = new ProcessBuilder("/usr/bin/python3", PoolFixture.PYTHON_DIR.resolve("sqlalchemy_cases.py").toString(),
                cpythonDir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String expected = new String(cpython.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(cpython.waitFor()).as("the machine's CPython ran sqlalchemy_cases.py").isZero();
        assertThat(expected).contains("group by: [('ann', 2, '19.50')");
        try (InterpreterPool withPackages = InterpreterPool.start(PoolFixture.config().size(1)
                .pythonPath(List.of(PoolFixture.PYTHON_DIR, Path.of("/usr/lib/python3/dist-packages")))
                .sandbox(SandboxPolicy.strict().withWritable(covetDir)).build())) {
            assertThat(withPackages.eval("import sqlalchemy_cases\nsqlalchemy_cases.run(" + pyString(covetDir) + ")"))
                    .isEqualTo(expected);
        }
    }

    @Test
    void interpretersWritingOneFileAtOnceLoseNothing() throws Exception {
        Path db = writable.resolve("shared.db");
        probe(pool, "import sqlite3\nc = sqlite3.connect(" + pyString(db) + ")\n"
                + "c.execute('CREATE TABLE IF NOT EXISTS hit (who INTEGER, n INTEGER)')\nc.commit()\nc.close()");
        String writer = "import sqlite3, _covet_pool\n"
                + "c = sqlite3.connect(" + pyString(db) + ", timeout=30)\n"
                + "for n in range(200):\n"
                + "    with c:\n"
                + "        c.execute('INSERT INTO hit VALUES (?, ?)', (id(c), n))\n"
                + "c.close()\n'done'";
        CompletableFuture<Object> a = pool.submitEval(writer);
        CompletableFuture<Object> b = pool.submitEval(writer);
        assertThat(a.get(120, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(b.get(120, TimeUnit.SECONDS)).isEqualTo("done");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*), count(DISTINCT who) FROM hit")) {
            assertThat(rs.getInt(1)).as("rows written by both").isEqualTo(400);
        }
    }

    @Test
    void aRunawayStatementIsStoppedAtItsDeadlineAndThePoolGoesOn() throws Exception {
        String forever = "import sqlite3\nsqlite3.connect(':memory:').execute("
                + "'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c').fetchone()";
        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.submit(PythonTask.eval(forever).withTimeout(Duration.ofSeconds(2))).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(DeadlineExceededException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        io.covet.testing.Eventually.eventually(Duration.ofSeconds(60), "the pool back to its size", () -> pool.ready() == 2);
        assertThat(pool.eval("import sqlite3\nsqlite3.connect(':memory:').execute('SELECT 40 + 2').fetchone()[0]")).isEqualTo(42L);
    }

    @Test
    void aConnectionLeftOpenIsRolledBackAndClosedWithItsInterpreter() throws Exception {
        Path db = writable.resolve("left-open.db");
        try (InterpreterPool one = InterpreterPool.start(PoolFixture.config().size(1)
                .sandbox(SandboxPolicy.strict().withWritable(writable)).build())) {
            one.eval("import sqlite3\nkept = sqlite3.connect(" + pyString(db) + ")\n"
                    + "kept.execute('CREATE TABLE t (x)')\nkept.commit()\nkept.execute('BEGIN EXCLUSIVE')\n"
                    + "kept.execute('INSERT INTO t VALUES (1)')\nNone");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.createStatement().execute("PRAGMA busy_timeout = 0");
            c.createStatement().execute("INSERT INTO t VALUES (2)");   // the lock went with the interpreter
            ResultSet rs = c.createStatement().executeQuery("SELECT group_concat(x) FROM t");
            assertThat(rs.getString(1)).as("the uncommitted row was rolled back").isEqualTo("2");
        }
    }

    // ---- escapes ----------------------------------------------------------------------------

    /** What Python's attempt raised ("allowed" if nothing). */
    private static String attempt(String body) {
        return String.valueOf(probe(pool, "import sqlite3\n" + body));
    }

    @Test
    void aDatabaseOpensOnlyBelowAWritableDirectoryHoweverItsPathIsSpelled() throws Exception {
        assertThat(attempt("sqlite3.connect(" + pyString(writable.resolve("ok.db")) + ").execute('CREATE TABLE t (x)')"))
                .isEqualTo("allowed");
        for (Path target : List.of(outside.resolve("new.db"), writable.resolve("../" + outside.getFileName() + "/dots.db"),
                writable.resolve("link-dir/through-link.db"))) {
            assertThat(attempt("sqlite3.connect(" + pyString(target) + ").execute('CREATE TABLE t (x)')"))
                    .as(target.toString()).startsWith("OperationalError: unable to open database file").contains("--allow-write");
        }
        assertThat(attempt("sqlite3.connect('file:' + " + pyString(outside.resolve("uri.db")) + ", uri=True)"))
                .startsWith("OperationalError: unable to open database file");
        assertThat(attempt("sqlite3.connect(" + pyString(Path.of("relative-escape.db")) + ")")).startsWith("OperationalError");
        try (var files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("nothing made outside").containsExactly("host.db");
        }
    }

    @Test
    void linksLeftInTheDirectoryLeadNowhere() {
        assertThat(attempt("sqlite3.connect(" + pyString(writable.resolve("link.db")) + ").execute('CREATE TABLE t (x)')"))
                .startsWith("OperationalError: unable to open database file");
        assertThat(attempt("sqlite3.connect(" + pyString(writable.resolve("hard.db")) + ").execute('CREATE TABLE t (x)')"))
                .startsWith("OperationalError: unable to open database file").contains("hard links");
        assertThat(attempt("sqlite3.connect(" + pyString(writable.resolve("journal-link.db")) + ").execute('CREATE TABLE t (x)')"))
                .as("a link where SQLite would write its journal").startsWith("OperationalError: unable to open database file")
                .contains("is a link");
        assertThat(outside.resolve("journal")).doesNotExist();
        assertThat(outside.resolve("host.db")).isEmptyFile();
    }

    @Test
    void aReadableDatabaseOpensReadOnlyAndNoSpellingOfItsNameMakesItWritable() throws Exception {
        Path ro = readable.resolve("ro.db");
        byte[] before = Files.readAllBytes(ro);
        assertThat(attempt("c = sqlite3.connect('file:' + " + pyString(ro) + " + '?mode=ro', uri=True)\n"
                + "assert c.execute('SELECT x FROM kept').fetchall() == [(1,)]")).isEqualTo("allowed");
        assertThat(attempt("sqlite3.connect('file:' + " + pyString(ro) + " + '?mode=ro', uri=True).execute('INSERT INTO kept VALUES (2)')"))
                .as("read-only").contains("readonly");
        // sqlite-jdbc reads connection options from what follows a '?' in a file name.
        for (String name : List.of(pyString(ro) + " + '?open_mode=6'", "'file:' + " + pyString(ro) + " + '%3Fopen_mode=6?mode=ro'",
                "'file:' + " + pyString(ro) + " + '?mode=ro&open_mode=6'")) {
            assertThat(attempt("sqlite3.connect(" + name + ", uri=True).execute('INSERT INTO kept VALUES (3)')")).as(name)
                    .startsWith("OperationalError");
        }
        assertThat(attempt("sqlite3.connect(" + pyString(writable.resolve("opts.db")) + " + '?enable_load_extension=true')"
                + ".execute(\"SELECT load_extension('x')\")")).contains("not authorized");
        assertThat(Files.readAllBytes(ro)).as("the read-only database unchanged").isEqualTo(before);
        try (var files = Files.list(readable)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ro.db");
        }
    }

    @Test
    void aReadOnlyOpenNeedsAReadableFile() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.db"), "");
        assertThat(attempt("sqlite3.connect('file:' + " + pyString(secret) + " + '?mode=ro', uri=True)"))
                .startsWith("OperationalError: unable to open database file").contains("reading");
        Files.delete(secret);
    }

    @Test
    void sqlReachesNoOtherFile() throws Exception {
        String db = "c = sqlite3.connect(" + pyString(writable.resolve("sql.db")) + ", isolation_level=None)\n";
        Path target = outside.resolve("written-by-sql.db");
        for (String sql : List.of("ATTACH DATABASE " + quoted(target) + " AS x", "attach " + quoted(target) + " as x",
                "ATTACH 'file:" + target + "?mode=rwc' AS x", "VACUUM INTO " + quoted(target), "vacuum main into " + quoted(target),
                "/* comment */ VACUUM INTO " + quoted(target), "PRAGMA temp_store_directory = " + quoted(outside),
                "PRAGMA main.temp_store_directory=" + quoted(outside), "SELECT load_extension(" + quoted(target) + ")")) {
            assertThat(attempt(db + "c.execute(\"" + sql + "\")")).as(sql).startsWith("OperationalError");
            assertThat(attempt(db + "c.executescript(\"CREATE TABLE IF NOT EXISTS t (x); " + sql + ";\")")).as("script: " + sql)
                    .startsWith("OperationalError");
        }
        // sqlite-jdbc's own "backup to" and "restore from", which a JDBC Statement would run.
        Path copy = outside.resolve("backup.db");
        for (String command : List.of("backup to " + copy, "restore from " + outside.resolve("host.db"),
                "backup main to " + copy)) {
            assertThat(attempt(db + "c.executescript('" + command + "')")).as(command).startsWith("OperationalError");
            assertThat(attempt(db + "c.execute('" + command + "')")).as(command).startsWith("OperationalError");
        }
        assertThat(copy).doesNotExist();
        assertThat(attempt(db + "c.execute('CREATE TABLE IF NOT EXISTS t (x)')\nimport _sqlite3\n"
                + "r = c._db.execute(_sqlite3._FAIL, 'INSERT INTO t VALUES (1)', None, \"; backup to " + copy + "\", 0, 0, None)\n"
                + "assert r is _sqlite3._FAIL, r")).as("the Java half takes no SQL in an isolation level").isEqualTo("allowed");
        assertThat(attempt(db + "c.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 10)")).startsWith("ProgrammingError");
        assertThat(attempt(db + "assert not hasattr(c, 'enable_load_extension')")).isEqualTo("allowed");
        assertThat(attempt(db + "c.execute('VACUUM')")).as("a plain VACUUM still works").isEqualTo("allowed");
        assertThat(target).doesNotExist();
        try (var files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("host.db");
        }
    }

    @Test
    void namedMemoryDatabasesAreEachInterpretersOwn() throws Exception {
        String make = "import sqlite3\nkeep = sqlite3.connect('file:shared?mode=memory&cache=shared', uri=True)\n"
                + "keep.execute('CREATE TABLE IF NOT EXISTS m (x)')\n"
                + "sqlite3.connect('file:shared?mode=memory&cache=shared', uri=True).execute('SELECT count(*) FROM m').fetchone()[0]";
        assertThat(pool.eval(make)).as("shared within an interpreter").isEqualTo(0L);
        try (InterpreterPool other = InterpreterPool.start(PoolFixture.config().size(1).build())) {
            assertThat(String.valueOf(probe(other, "import sqlite3\nsqlite3.connect('file:shared?mode=memory&cache=shared', uri=True)"
                    + ".execute('SELECT count(*) FROM m')"))).as("not between interpreters").contains("no such table");
        }
    }

    private static String quoted(Path p) {
        return "'" + p + "'";
    }
}
