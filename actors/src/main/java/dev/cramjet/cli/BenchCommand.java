package dev.cramjet.cli;

import picocli.CommandLine.Command;

/** {@code cramjet bench}: the throughput benchmarks, one subcommand each. */
@Command(
    name = "bench",
    description = "Throughput benchmarks.",
    mixinStandardHelpOptions = true,
    subcommands = {BenchTrainCommand.class, BenchPeakCommand.class, BenchTokenizerCommand.class,
        BenchApiLoadCommand.class})
public final class BenchCommand extends CommandGroup {
}
