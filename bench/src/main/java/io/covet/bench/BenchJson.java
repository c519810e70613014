package io.covet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes suite records as the JSON list every {@code covet bench} suite shares. */
public final class BenchJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchJson() {
    }

    public static void write(Path file, List<BenchRecord> records) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), records);
    }

    public static List<BenchRecord> read(Path file) throws IOException {
        return List.of(JSON.readValue(file.toFile(), BenchRecord[].class));
    }
}
