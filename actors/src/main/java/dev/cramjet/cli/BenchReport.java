package dev.cramjet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import picocli.CommandLine.Option;

/**
 * {@code --json} of the benchmarks whose result is one JSON object (bench train, peak, api-load): printed indented for
 * reading, or on one line with {@code --json}.
 */
final class BenchReport {
  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  /** Prints {@code result} on {@code io}'s stdout. */
  void print(Output io, Object result) throws JsonProcessingException {
    io.printJson(result, json);
  }
}
