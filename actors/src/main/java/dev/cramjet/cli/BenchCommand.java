package dev.cramjet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cramjet bench}: the throughput benchmarks, one subcommand each. */
@Command(
    name = "bench",
    description = "Throughput benchmarks.",
    mixinStandardHelpOptions = true,
    subcommands = {BenchTrainCommand.class, BenchPeakCommand.class, BenchTokenizerCommand.class,
        BenchApiLoadCommand.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
