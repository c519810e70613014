package io.covet.interpreters;

import static io.covet.interpreters.SandboxTest.probe;
import static io.covet.interpreters.SandboxTest.pyString;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --allow-write DIR} ({@link SandboxPolicy#withWritable}): Python creates, writes, renames
 * and deletes files below DIR, and nowhere else, however it spells the path, whatever links the
 * host has left in DIR, and whichever end of a rename lies outside.
 */
class WritableDirTest {

    @TempDir
    static Path writable;
    @TempDir
    static Path outside;
    static InterpreterPool pool;

    @BeforeAll
    static void start() throws Exception {
        // Left by the host (the sandbox can make no link): links from inside DIR to outside it.
        Files.writeString(outside.resolve("secret.txt"), "host data\n");
        Files.createSymbolicLink(writable.resolve("link-to-file"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(writable.resolve("link-to-dir"), outside);
        Files.createLink(writable.resolve("hard-link"), outside.resolve("secret.txt"));
        pool = InterpreterPool.start(PoolFixture.config().size(1)
                .sandbox(SandboxPolicy.strict().withWritable(writable)).build());
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private static String attempt(String body) {
        return String.valueOf(probe(pool, "import os, shutil\n" + body));
    }

    @Test
    void belowTheDirectoryFilesAreCreatedWrittenRenamedAndDeleted() throws Exception {
        Path dir = writable.resolve("data");
        assertThat(attempt("os.mkdir(" + pyString(dir) + ")\n"
                + "with open(" + pyString(dir.resolve("a.txt")) + ", 'w') as f:\n    f.write('one\\n')\n"
                + "with open(" + pyString(dir.resolve("a.txt")) + ", 'a') as f:\n    f.write('two\\n')\n"
                + "os.rename(" + pyString(dir.resolve("a.txt")) + ", " + pyString(dir.resolve("b.txt")) + ")\n"
                + "assert open(" + pyString(dir.resolve("b.txt")) + ").read() == 'one\\ntwo\\n'\n"
                + "open(" + pyString(dir.resolve("c.txt")) + ", 'w').close()\n"
                + "os.remove(" + pyString(dir.resolve("c.txt")) + ")\n"
                + "os.chmod(" + pyString(dir.resolve("b.txt")) + ", 0o600)\n"
                + "assert sorted(os.listdir(" + pyString(dir) + ")) == ['b.txt']")).isEqualTo("allowed");
        assertThat(Files.readString(dir.resolve("b.txt"))).isEqualTo("one\ntwo\n");
    }

    @Test
    void nothingOutsideTheDirectoryIsWrittenHoweverThePathIsSpelled() {
        for (String path : new String[] {pyString(outside.resolve("new.txt")), pyString(writable) + " + '/../escaped.txt'",
                "'/tmp/covet-escape-test.txt'", pyString(writable.resolve("link-to-dir").resolve("via-link.txt"))}) {
            assertThat(attempt("open(" + path + ", 'w').write('x')")).as(path).startsWith("PermissionError");
        }
        assertThat(outside.resolve("new.txt")).doesNotExist();
        assertThat(writable.getParent().resolve("escaped.txt")).doesNotExist();
        assertThat(outside.resolve("via-link.txt")).doesNotExist();
        assertThat(attempt("os.mkdir(" + pyString(writable.resolve("link-to-dir").resolve("d")) + ")")).startsWith("PermissionError");
        assertThat(attempt("os.rmdir(" + pyString(writable) + ")")).as("not the directory itself").startsWith("PermissionError");
    }

    @Test
    void linksTheHostLeftInTheDirectoryDoNotLeadOut() throws Exception {
        assertThat(attempt("open(" + pyString(writable.resolve("link-to-file")) + ", 'w').write('overwritten')"))
                .as("a symbolic link to a file outside").doesNotStartWith("allowed");
        assertThat(attempt("open(" + pyString(writable.resolve("hard-link")) + ", 'a').write('appended')"))
                .as("a hard link to a file outside").startsWith("PermissionError");
        var modeBefore = Files.getPosixFilePermissions(outside.resolve("secret.txt"));
        attempt("os.chmod(" + pyString(writable.resolve("link-to-file")) + ", 0o777)");   // the link's own mode, if any
        assertThat(Files.getPosixFilePermissions(outside.resolve("secret.txt"))).as("chmod through a link").isEqualTo(modeBefore);
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("host data\n");
        assertThat(attempt("os.remove(" + pyString(writable.resolve("link-to-file")) + ")")).as("the link itself may go")
                .isEqualTo("allowed");
        assertThat(outside.resolve("secret.txt")).exists();
    }

    @Test
    void aRenameWithOneEndOutsideIsRefused() throws Exception {
        Path inside = writable.resolve("mine.txt");
        Files.writeString(inside, "mine");
        assertThat(attempt("os.rename(" + pyString(inside) + ", " + pyString(outside.resolve("moved-out.txt")) + ")"))
                .startsWith("PermissionError");
        assertThat(attempt("os.rename(" + pyString(outside.resolve("secret.txt")) + ", " + pyString(writable.resolve("moved-in.txt")) + ")"))
                .startsWith("PermissionError");
        assertThat(attempt("shutil.copy(" + pyString(inside) + ", " + pyString(outside.resolve("copied-out.txt")) + ")"))
                .startsWith("PermissionError");
        assertThat(outside.resolve("moved-out.txt")).doesNotExist();
        assertThat(outside.resolve("copied-out.txt")).doesNotExist();
        assertThat(outside.resolve("secret.txt")).exists();
        assertThat(inside).exists();
    }
}
