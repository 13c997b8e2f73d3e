/**
 * The {@code cramjet} command line: {@link dev.cramjet.cli.Main}, which maps failures to exit codes (2 for bad usage
 * or bad input), and one picocli command per subcommand, which parses options, loads configs, calls the platform and
 * prints progress and results. Commands that run the actor platform start it through {@code
 * dev.cramjet.actors.control} ({@code PlatformLauncher}, {@code MetricsServer}); runtime wiring and serving belong
 * there, not here. Nothing may depend on this package: it is the top of the graph.
 */
package dev.cramjet.cli;
