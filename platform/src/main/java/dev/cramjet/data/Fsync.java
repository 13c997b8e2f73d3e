package dev.cramjet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Durable file writes: temp file, fsync, atomic rename, fsync of the folder. Nothing else. */
final class Fsync {
  private Fsync() {}

  /** Makes a rename inside {@code dir} durable; silently a no-op where the platform cannot sync folders. */
  static void directory(Path dir) {
    if (dir == null) return;
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems refuse to open folders; the rename itself is still atomic.
    }
  }

  /** Writes {@code text} to {@code target} atomically. */
  static void writeString(Path target, String text) {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) ch.write(b);
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + temp, e);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + temp + " to " + target, e);
    }
    directory(target.toAbsolutePath().getParent());
  }
}
