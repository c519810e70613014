package io.covet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code --venv DIR} (or {@code VIRTUAL_ENV}): a virtualenv's site-packages, which every
 * interpreter processes as a site directory (its {@code .pth} files included), and the
 * directories those files add, which the sandbox must let Python read.
 *
 * @param dir          the virtualenv
 * @param sitePackages its {@code lib/python3.X/site-packages} directories
 * @param pthDirs      existing directories named by path lines of their {@code .pth} files
 */
record VirtualEnv(Path dir, List<Path> sitePackages, List<Path> pthDirs) {

    /**
     * Reads the virtualenv at {@code dir}.
     *
     * @throws IllegalArgumentException if it is not one (no pyvenv.cfg, or no site-packages)
     */
    static VirtualEnv open(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pyvenv.cfg"))) {
            throw new IllegalArgumentException("--venv " + dir + ": not a virtualenv (no pyvenv.cfg in it)");
        }
        List<Path> sites = new ArrayList<>();
        try (Stream<Path> lib = Files.isDirectory(root.resolve("lib")) ? Files.list(root.resolve("lib")) : Stream.empty()) {
            lib.filter(p -> p.getFileName().toString().startsWith("python3")).sorted()
                    .map(p -> p.resolve("site-packages")).filter(Files::isDirectory).forEach(sites::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("--venv " + dir + ": can't list its lib directory: " + e.getMessage(), e);
        }
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("--venv " + dir + ": no lib/python3.X/site-packages in it");
        }
        List<Path> pthDirs = new ArrayList<>();
        for (Path site : sites) {
            pthDirs.addAll(pthDirs(site));
        }
        return new VirtualEnv(root, List.copyOf(sites), List.copyOf(pthDirs));
    }

    /**
     * The directories path lines of {@code site}'s {@code .pth} files name, as CPython's site
     * module reads them: one per line, relative to {@code site}, skipping blanks, comments and
     * {@code import} lines (those the interpreters run), existing directories only.
     */
    static List<Path> pthDirs(Path site) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(site)) {
            for (Path pth : files.filter(p -> p.getFileName().toString().endsWith(".pth")).sorted().toList()) {
                for (String line : Files.readAllLines(pth, StandardCharsets.UTF_8)) {
                    String entry = line.strip();
                    if (entry.isEmpty() || entry.startsWith("#") || entry.startsWith("import ") || entry.startsWith("import\t")) {
                        continue;
                    }
                    Path target = site.resolve(entry).normalize();
                    if (Files.isDirectory(target) && !out.contains(target)) {
                        out.add(target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the .pth files of " + site, e);
        }
        return out;
    }
}
