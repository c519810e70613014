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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The host file system as a sandboxed interpreter sees it: everything may be read, nothing
 * written except below the bytecode cache (so GraalPy can keep the {@code .pyc} files that make
 * later imports cheaper). A denied write throws {@link SecurityException}, which GraalPy raises
 * in Python as {@code PermissionError}.
 */
final class SandboxFileSystem implements FileSystem {

    private static final Set<OpenOption> WRITING = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);

    private final FileSystem host = FileSystem.newDefaultFileSystem();
    private final Optional<Path> writableRoot;

    SandboxFileSystem(Optional<Path> writableRoot) {
        this.writableRoot = writableRoot.map(p -> p.toAbsolutePath().normalize());
    }

    private void checkWrite(Path path) {
        Path absolute = host.toAbsolutePath(path).normalize();
        if (writableRoot.isEmpty() || !absolute.startsWith(writableRoot.get())) {
            throw new SecurityException("writing files is denied by Covet's sandbox (allow it with SandboxPolicy.fileWrites): " + path);
        }
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        for (OpenOption option : options) {
            if (WRITING.contains(option)) {
                checkWrite(path);
                break;
            }
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
        checkWrite(link);
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
    @Override public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException { return host.newDirectoryStream(dir, filter); }
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
