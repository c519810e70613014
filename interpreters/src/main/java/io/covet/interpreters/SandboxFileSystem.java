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
 * readable through {@link FileSystem#allowLanguageHomeAccess} and
 * {@link FileSystem#allowInternalResourceAccess} ({@link #create}). Nothing is written, created,
 * renamed, deleted or linked: even the bytecode cache is written by Covet itself
 * ({@link BytecodeCache}). Metadata ({@code stat}, existence) stays visible, so imports can probe
 * paths. A denied operation throws {@link SecurityException}, which GraalPy raises in Python as
 * {@code PermissionError}.
 *
 * <p>Links cannot lead a check astray: none may be created, every check is made on the real path
 * (links resolved), and the file is then opened at that real path, its last step not following a
 * link, so a path that changes between the check and the open is refused rather than followed.
 */
final class SandboxFileSystem implements FileSystem {

    private static final Set<OpenOption> WRITING = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);

    private final FileSystem host = FileSystem.newDefaultFileSystem();
    /** Null: every file may be read. */
    private final List<Path> readableRoots;

    private SandboxFileSystem(List<Path> readableRoots) {
        this.readableRoots = readableRoots == null ? null : readableRoots.stream().flatMap(SandboxFileSystem::forms).toList();
    }

    /** The file system for a context of {@code config}'s pool (its interpreters, its bytecode compiler). */
    static FileSystem create(PoolConfig config) {
        return FileSystem.allowInternalResourceAccess(FileSystem.allowLanguageHomeAccess(new SandboxFileSystem(readableRoots(config))));
    }

    /** This file system itself, without GraalPy's home and resources (tests). */
    static SandboxFileSystem unwrapped(PoolConfig config) {
        return new SandboxFileSystem(readableRoots(config));
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
                + " (allow writes with SandboxPolicy.fileWrites, covet exec --allow-write)");
    }

    /**
     * The real path a read of {@code path} is done on (links resolved), below a readable root; the
     * path itself when every file may be read.
     */
    private Path checkRead(Path path) {
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
                throw writeDenied(path);
            }
        }
        if (readableRoots == null) {
            return host.newByteChannel(path, options, attrs);
        }
        Set<OpenOption> notFollowingLinks = new HashSet<>(options);
        notFollowingLinks.add(LinkOption.NOFOLLOW_LINKS);
        return host.newByteChannel(checkRead(path), notFollowingLinks, attrs);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... options) throws IOException {
        host.checkAccess(path, modes, options);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) {
        throw writeDenied(dir);
    }

    @Override
    public void delete(Path path) {
        throw writeDenied(path);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) {
        throw writeDenied(target);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) {
        throw writeDenied(source);
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
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        throw writeDenied(path);
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
