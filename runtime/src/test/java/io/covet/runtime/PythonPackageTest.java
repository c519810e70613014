package io.covet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonPackageTest {

    @Test
    void theShippedFileListIsExactlyWhatIsInPythonCovet() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../python/covet"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(PythonPackage.FILES);
        }
    }

    @Test
    void installingTwiceReusesTheSameContentAddressedDirectory(@TempDir Path root) throws IOException {
        Path first = PythonPackage.install(root);
        Path second = PythonPackage.install(root);
        assertThat(second).isEqualTo(first);
        assertThat(first.resolve("covet/__init__.py")).exists();
        try (Stream<Path> dirs = Files.list(root)) {
            assertThat(dirs).hasSize(1);
        }
    }
}
