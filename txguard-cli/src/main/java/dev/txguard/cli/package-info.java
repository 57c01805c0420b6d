/**
 * The {@code txguard} command line; {@link dev.txguard.cli.Txguard} is its entry point and the only
 * public type. Subcommands are package-private picocli classes; what they run lives in {@code
 * dev.txguard.cli.internal}, which is not API.
 */
package dev.txguard.cli;
