package dev.cramjet.util;

/**
 * Input the user has to fix: a malformed config, a corrupt shard, a missing corpus, a checkpoint of another
 * architecture. The message names the file, line or key and what was expected; the CLI prints it without a stack
 * trace and exits with code 2.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
