package io.covet.runtime;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code covet run TARGET} serves, as uvicorn and gunicorn take it: {@code path/app.py},
 * {@code path/app.py:NAME} or {@code package.module:NAME}. NAME may be {@code factory()}, called
 * once in every interpreter; without it the module's one {@code Covet} app is served, else its
 * {@code app}, else its {@code application} (gunicorn's default).
 *
 * @param file      the app's Python file, or null for a module target
 * @param module    the dotted module name, or null for a file target
 * @param name      the app object's name in the module (or {@code factory()}), or null to find it
 * @param kind      how the app talks to the server ({@code --interface}); {@link Kind#AUTO} tells by the object
 */
public record AppTarget(Path file, String module, String name, Kind kind) {

    /** How an app is called: Covet's own routes, WSGI (PEP 3333) or ASGI 3. */
    public enum Kind {
        AUTO, COVET, WSGI, ASGI;

        /** The name Python's {@code covet.serve} knows it by. */
        String pythonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";

    public AppTarget {
        Objects.requireNonNull(kind, "kind");
        if ((file == null) == (module == null)) {
            throw new IllegalArgumentException("a target is a file or a module, not both or neither");
        }
        if (module != null && !module.matches(IDENTIFIER + "(\\." + IDENTIFIER + ")*")) {
            throw new IllegalArgumentException("'" + module + "' is not a Python module name (e.g. package.module)");
        }
        if (name != null && !name.matches(IDENTIFIER + "(\\(\\))?")) {
            throw new IllegalArgumentException("app name '" + name + "' is not a Python identifier (or NAME() for a factory)");
        }
    }

    /** The file's module target, its app found in it (the one Covet app, else app, else application). */
    public static AppTarget file(Path file) {
        return new AppTarget(file, null, null, Kind.AUTO);
    }

    /**
     * Parses {@code target} as {@code covet run} takes it: a file when what comes before the last
     * colon (or the whole) ends in {@code .py} or names a directory, else a module.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static AppTarget parse(String target, Kind kind) {
        if (target.isBlank()) {
            throw new IllegalArgumentException("the app target is empty; give path/app.py, path/app.py:NAME or package.module:NAME");
        }
        String where = target;
        String name = null;
        int colon = target.lastIndexOf(':');
        if (colon > 0 && !target.endsWith(".py")) {
            where = target.substring(0, colon);
            name = target.substring(colon + 1);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + target + "' ends with ':'; name the app after it (e.g. " + where + ":app)");
            }
        }
        boolean isFile = where.endsWith(".py") || where.contains("/") || where.contains(java.io.File.separator);
        return isFile ? new AppTarget(Path.of(where), null, name, kind) : new AppTarget(null, where, name, kind);
    }

    /** The directory the app's own imports start from: its file's, or the current one for a module (as uvicorn). */
    public Path importRoot() {
        return file != null ? file.toAbsolutePath().normalize().getParent() : Path.of("").toAbsolutePath();
    }

    /** As the user wrote it, for messages. */
    @Override
    public String toString() {
        return (file != null ? file.toString() : module) + (name != null ? ":" + name : "");
    }
}
