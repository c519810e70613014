/**
 * The {@code covet} command line (picocli). The {@code ./covet} launcher at the repository root
 * builds the project when needed and starts {@link io.covet.cli.Main} on JDK 25 with the flags
 * the runtime needs.
 */
package io.covet.cli;
