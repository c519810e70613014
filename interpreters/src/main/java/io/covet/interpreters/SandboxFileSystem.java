package io.covet.interpreters;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The host file system as a sandboxed interpreter sees it. Files may be read and directories
 * listed only below the readable roots (the python path, the pool's bytecode cache, directories
 * the policy grants) unless the policy allows all reads; GraalPy's own home and resources stay
 * readable as Truffle's resource cache ({@link #POLYGLOT_RESOURCES}), where they are unpacked. It is
 * the context's whole file system: Truffle's home and resource wrappers would do every rename as
 * a non-atomic copy, and GraalPy asks for an atomic one. Nothing is written, created,
 * renamed or deleted but strictly below the writable roots ({@link SandboxPolicy#writable()},
 * {@code --allow-write DIR}), which are readable too; nothing is linked anywhere. The bytecode
 * cache is written by Covet itself ({@link BytecodeCache}). Metadata ({@code stat}, existence)
 * stays visible, so imports can probe paths. A denied operation throws {@link SecurityException},
 * which GraalPy raises in Python as {@code PermissionError}.
 *
 * <p>Links cannot lead a check astray: none may be created, every check is made on the real path
 * (links resolved; for a write, its directory's), and the file is then opened at that real path,
 * its last step not following a link, so a path that changes between the check and the open is
 * refused rather than followed. A file with other hard links (made outside, as none can be made
 * inside) is not written: one of them may be outside.
 */
final class SandboxFileSystem implements FileSystem {

    private static final Set<OpenOption> WRITING = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);

    private final FileSystem host = FileSystem.newDefaultFileSystem();
    /** Null: every file may be read. */
    private final List<Path> readableRoots;
    /** Files strictly below these may be written; empty: none. */
    private final List<Path> writableRoots;

    private SandboxFileSystem(List<Path> readableRoots, List<Path> writableRoots) {
        this.readableRoots = readableRoots == null ? null
                : Stream.concat(readableRoots.stream(), writableRoots.stream()).flatMap(SandboxFileSystem::forms).toList();
        this.writableRoots = writableRoots.stream().flatMap(SandboxFileSystem::forms).toList();
    }

    /** The file system for a context of {@code config}'s pool (its interpreters, its bytecode compiler). */
    static FileSystem create(PoolConfig config) {
        return unwrapped(config);
    }

    /** This file system, as its own type (tests). */
    static SandboxFileSystem unwrapped(PoolConfig config) {
        return new SandboxFileSystem(readableRoots(config), config.sandbox().writable());
    }

    /** Where Truffle unpacks languages' homes and resources (GraalPy's stdlib): as Truffle finds it. */
    static final Path POLYGLOT_RESOURCES = polyglotResources();

    private static Path polyglotResources() {
        String configured = System.getProperty("polyglot.engine.userResourceCache");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("org.graalvm.polyglot");
    }

    private static List<Path> readableRoots(PoolConfig config) {
        SandboxPolicy policy = config.sandbox();
        if (policy.fileReads()) {
            return null;
        }
        List<Path> readable = new ArrayList<>(config.pythonPath());
        BytecodeCache.dirFor(config).ifPresent(readable::add);
        readable.addAll(policy.readable());
        readable.addAll(StdlibFunctions.PUBLIC_DATA);   // time zones, MIME types: public, and read-only
        readable.add(POLYGLOT_RESOURCES);
        return readable;
    }

    /** A root as written and as resolved (symbolic links), so both spellings of a path match. */
    private static Stream<Path> forms(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        try {
            Path real = absolute.toRealPath();
            return real.equals(absolute) ? Stream.of(absolute) : Stream.of(absolute, real);
        } catch (IOException e) {
            return Stream.of(absolute);
        }
    }

    private static SecurityException writeDenied(Path path) {
        return new SecurityException("writing " + path + " is denied by Covet's sandbox"
                + " (allow writes below a directory with --allow-write DIR, or SandboxPolicy.withWritable)");
    }

    /**
     * The path a write of {@code path} is done at: its directory's real path (links resolved) and
     * its own name, which must lie strictly below a writable root. The caller does not follow a link
     * at that last step.
     */
    Path checkWrite(Path path) {
        Path absolute = host.toAbsolutePath(path).normalize();
        Path dir = absolute.getParent();
        Path name = absolute.getFileName();
        if (dir == null || name == null || writableRoots.isEmpty()) {
            throw writeDenied(path);
        }
        Path realDir;
        try {
            realDir = host.toRealPath(dir);
        } catch (IOException e) {
            realDir = dir;   // it does not exist: the write fails on its own, there
        }
        Path target = realDir.resolve(name.toString());
        boolean below = false;
        for (Path root : writableRoots) {
            below |= target.startsWith(root) && !target.equals(root);
        }
        if (!below) {
            throw writeDenied(path);
        }
        try {
            Map<String, Object> file = host.readAttributes(target, "isRegularFile", LinkOption.NOFOLLOW_LINKS);
            if (Boolean.TRUE.equals(file.get("isRegularFile"))
                    && ((Number) host.readAttributes(target, "unix:nlink", LinkOption.NOFOLLOW_LINKS).get("nlink")).intValue() > 1) {
                throw new SecurityException("writing " + path + " is denied by Covet's sandbox: the file has other hard links, "
                        + "which may lead outside the writable directories");
            }
        } catch (IOException e) {
            // It does not exist yet (or cannot be read): nothing links to it.
        }
        return target;
    }

    private static Set<OpenOption> notFollowingLinks(Set<? extends OpenOption> options) {
        Set<OpenOption> out = new HashSet<>(options);
        out.add(LinkOption.NOFOLLOW_LINKS);
        return out;
    }

    /**
     * The real path a read of {@code path} is done on (links resolved), below a readable root; the
     * path itself when every file may be read.
     */
    Path checkRead(Path path) {
        if (readableRoots == null) {
            return path;
        }
        Path absolute = host.toAbsolutePath(path).normalize();
        Path real;
        try {
            real = host.toRealPath(absolute);
        } catch (IOException e) {
            // It does not exist (or is a dangling link): reading it fails on its own, at that path.
            real = absolute;
        }
        if (!under(real, readableRoots)) {
            throw new SecurityException("reading " + path + " is denied by Covet's sandbox (allow it with covet exec --allow-read DIR, "
                    + "or SandboxPolicy.withReadable)");
        }
        return real;
    }

    private static boolean under(Path path, List<Path> roots) {
        for (Path root : roots) {
            if (path.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        for (OpenOption option : options) {
            if (WRITING.contains(option)) {
                return host.newByteChannel(checkWrite(path), notFollowingLinks(options), attrs);
            }
        }
        if (readableRoots == null) {
            return host.newByteChannel(path, options, attrs);
        }
        return host.newByteChannel(checkRead(path), notFollowingLinks(options), attrs);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... options) throws IOException {
        host.checkAccess(path, modes, options);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        host.createDirectory(checkWrite(dir), attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        host.delete(checkWrite(path));   // a link is deleted, not what it points to
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        Path to = checkWrite(target);
        Set<CopyOption> notFollowing = new HashSet<>(List.of(options));
        notFollowing.add(LinkOption.NOFOLLOW_LINKS);
        host.copy(checkRead(source), to, notFollowing.toArray(CopyOption[]::new));
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        // Both ends below a writable root: a move out would write outside, a move in would delete outside.
        host.move(checkWrite(source), checkWrite(target), options);
    }

    @Override
    public void createLink(Path link, Path existing) {
        throw new SecurityException("creating links is denied by Covet's sandbox: " + link);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) {
        // A link made now could point a later check one way and the open another.
        throw new SecurityException("creating links is denied by Covet's sandbox: " + link);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        Path target = checkWrite(path);
        // The host file system follows a link here even when told not to (found by WritableDirTest).
        if (Boolean.TRUE.equals(host.readAttributes(target, "isSymbolicLink", LinkOption.NOFOLLOW_LINKS).get("isSymbolicLink"))) {
            throw new SecurityException("changing " + path + " is denied by Covet's sandbox: it is a link, which may lead outside "
                    + "the writable directories");
        }
        host.setAttribute(target, attribute, value, LinkOption.NOFOLLOW_LINKS);
    }

    @Override public Path parsePath(URI uri) { return host.parsePath(uri); }
    @Override public Path parsePath(String path) { return host.parsePath(path); }
    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        checkRead(dir);  // listed at the path asked for, so the entries' paths are as the caller spelled them
        return host.newDirectoryStream(dir, filter);
    }

    @Override public Path toAbsolutePath(Path path) { return host.toAbsolutePath(path); }
    @Override public Path toRealPath(Path path, LinkOption... options) throws IOException { return host.toRealPath(path, options); }
    @Override public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException { return host.readAttributes(path, attributes, options); }
    @Override public Path readSymbolicLink(Path link) throws IOException { return host.readSymbolicLink(link); }
    @Override public void setCurrentWorkingDirectory(Path dir) { host.setCurrentWorkingDirectory(dir); }
    @Override public String getSeparator() { return host.getSeparator(); }
    @Override public String getPathSeparator() { return host.getPathSeparator(); }
    @Override public String getMimeType(Path path) { return host.getMimeType(path); }
    @Override public Charset getEncoding(Path path) { return host.getEncoding(path); }
    @Override public Path getTempDirectory() { return host.getTempDirectory(); }
    @Override public boolean isSameFile(Path a, Path b, LinkOption... options) throws IOException { return host.isSameFile(a, b, options); }
    @Override public long getFileStoreTotalSpace(Path path) throws IOException { return host.getFileStoreTotalSpace(path); }
    @Override public long getFileStoreUnallocatedSpace(Path path) throws IOException { return host.getFileStoreUnallocatedSpace(path); }
    @Override public long getFileStoreUsableSpace(Path path) throws IOException { return host.getFileStoreUsableSpace(path); }
    @Override public long getFileStoreBlockSize(Path path) throws IOException { return host.getFileStoreBlockSize(path); }
    @Override public boolean isFileStoreReadOnly(Path path) throws IOException { return host.isFileStoreReadOnly(path); }
}
