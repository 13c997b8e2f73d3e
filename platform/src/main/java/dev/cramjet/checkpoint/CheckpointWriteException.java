package dev.cramjet.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint that could not be written, for example on a full disk. The message names the step, the checkpoint
 * folder and the file being written when it failed, with the system's reason ("No space left on device").
 */
public final class CheckpointWriteException extends IOException {
  private final long step;
  private final transient Path folder;
  private final String reason;

  public CheckpointWriteException(long step, Path folder, Path file, Throwable cause) {
    super(message(step, folder, file, cause), cause);
    this.step = step;
    this.folder = folder;
    this.reason = reasonOf(file, cause);
  }

  public long step() {
    return step;
  }

  public Path folder() {
    return folder;
  }

  /** What went wrong, naming the file: "/run/checkpoints/.tmp-.../model.safetensors: No space left on device". */
  public String reason() {
    return reason;
  }

  private static String message(long step, Path folder, Path file, Throwable cause) {
    return "checkpoint of step " + step + " to " + folder + " failed: " + reasonOf(file, cause);
  }

  private static String reasonOf(Path file, Throwable cause) {
    Throwable c = cause instanceof java.io.UncheckedIOException u && u.getCause() != null ? u.getCause() : cause;
    String why = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    if (c instanceof java.nio.file.FileSystemException fs && fs.getFile() != null) {
      String r = fs.getReason() != null ? fs.getReason()
          : c instanceof java.nio.file.FileAlreadyExistsException ? "already exists (a file where a folder belongs?)"
          : c instanceof java.nio.file.NoSuchFileException ? "no such file or folder"
          : c instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : c.getClass().getSimpleName();
      return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + r;
    }
    return file + ": " + why;
  }
}
