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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The host file system as a sandboxed interpreter sees it. Files may be read and directories
 * listed only below the readable roots (the python path, the bytecode cache, directories the
 * policy grants) unless the policy allows all reads; GraalPy's own home and resources stay
 * readable through {@link FileSystem#allowLanguageHomeAccess} and
 * {@link FileSystem#allowInternalResourceAccess} ({@link #create}). Nothing is written except
 * below the bytecode cache (so GraalPy can keep the {@code .pyc} files that make later imports
 * cheaper). Metadata ({@code stat}, existence) stays visible, so imports can probe paths. A
 * denied operation throws {@link SecurityException}, which GraalPy raises in Python as
 * {@code PermissionError}.
 */
final class SandboxFileSystem implements FileSystem {

    private static final Set<OpenOption> WRITING = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);

    private final FileSystem host = FileSystem.newDefaultFileSystem();
    private final List<Path> writableRoots;
    /** Null: every file may be read. */
    private final List<Path> readableRoots;

    private SandboxFileSystem(Optional<Path> writableRoot, List<Path> readableRoots) {
        this.writableRoots = writableRoot.stream().flatMap(SandboxFileSystem::forms).toList();
        this.readableRoots = readableRoots == null ? null : readableRoots.stream().flatMap(SandboxFileSystem::forms).toList();
    }

    /** The file system for a context of {@code config}'s pool. */
    static FileSystem create(PoolConfig config) {
        SandboxPolicy policy = config.sandbox();
        List<Path> readable = null;
        if (!policy.fileReads()) {
            readable = new ArrayList<>(config.pythonPath());
            config.bytecodeCache().ifPresent(readable::add);
            readable.addAll(policy.readable());
        }
        return FileSystem.allowInternalResourceAccess(FileSystem.allowLanguageHomeAccess(
                new SandboxFileSystem(config.bytecodeCache(), readable)));
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

    /**
     * Where {@code path} really is: symbolic links resolved (for a file that does not exist yet,
     * its directory's), so a link cannot lead a check astray.
     */
    private Path resolved(Path path) {
        Path absolute = host.toAbsolutePath(path).normalize();
        try {
            return host.toRealPath(absolute);
        } catch (IOException e) {
            Path parent = absolute.getParent();
            if (parent == null) {
                return absolute;
            }
            try {
                return host.toRealPath(parent).resolve(absolute.getFileName());
            } catch (IOException again) {
                return absolute;  // the directory does not exist either: the operation will fail on its own
            }
        }
    }

    private void checkWrite(Path path) {
        Path absolute = host.toAbsolutePath(path).normalize();
        if (writableRoots.isEmpty() || !(under(absolute, writableRoots) && under(resolved(path), writableRoots))) {
            throw new SecurityException("writing files is denied by Covet's sandbox (allow it with SandboxPolicy.fileWrites): " + path);
        }
    }

    private void checkRead(Path path) {
        if (readableRoots == null) {
            return;
        }
        if (!under(resolved(path), readableRoots)) {
            throw new SecurityException("reading " + path + " is denied by Covet's sandbox (allow it with covet exec --allow-read DIR, "
                    + "or SandboxPolicy.withReadable)");
        }
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
        boolean writing = false;
        for (OpenOption option : options) {
            if (WRITING.contains(option)) {
                checkWrite(path);
                writing = true;
                break;
            }
        }
        if (!writing || options.contains(StandardOpenOption.READ)) {
            checkRead(path);
        }
        return host.newByteChannel(path, options, attrs);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... options) throws IOException {
        host.checkAccess(path, modes, options);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        checkWrite(dir);
        host.createDirectory(dir, attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        checkWrite(path);
        host.delete(path);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        checkRead(source);
        checkWrite(target);
        host.copy(source, target, options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        checkWrite(source);
        checkWrite(target);
        host.move(source, target, options);
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        // A hard link has no target to resolve later, so the file itself must be writable here.
        checkWrite(link);
        checkWrite(existing);
        host.createLink(link, existing);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        checkWrite(link);
        host.createSymbolicLink(link, target, attrs);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        checkWrite(path);
        host.setAttribute(path, attribute, value, options);
    }

    @Override public Path parsePath(URI uri) { return host.parsePath(uri); }
    @Override public Path parsePath(String path) { return host.parsePath(path); }
    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        checkRead(dir);
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
