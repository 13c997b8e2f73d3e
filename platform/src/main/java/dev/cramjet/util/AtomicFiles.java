package dev.cramjet.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes that never leave a half-written file or folder behind: write to a temporary sibling, fsync, rename over the
 * target, fsync the parent folder. A crash leaves either the old content or the new, plus at worst a temporary that
 * the next write or {@link #deleteTree} clears away.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Replaces {@code target} with {@code text} (UTF-8) atomically. */
  public static void writeString(Path target, String text) {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Replaces {@code target} with {@code bytes} atomically; failures are {@link UncheckedIOException}s naming it. */
  public static void writeBytes(Path target, byte[] bytes) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE)) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      move(tmp, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /**
   * Creates a new empty file beside {@code target}, named {@code .NAME.RANDOM.tmp}, with the permissions every new file
   * of the process gets (0666 less the umask). {@link Files#createTempFile} would make it owner-only (0600), and a
   * rename keeps that mode: model artefacts, tokenizers and configs are not secrets and follow the user's umask.
   */
  public static Path tempFileBeside(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    return createUnique(dir, () -> "." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
        + ".tmp", Files::createFile);
  }

  /**
   * Creates a new empty folder in {@code parent}, named {@code PREFIXRANDOM}, with the permissions every new folder of
   * the process gets (0777 less the umask), where {@link Files#createTempDirectory} would make it 0700.
   */
  public static Path tempDirIn(Path parent, String prefix) throws IOException {
    return createUnique(parent.toAbsolutePath(), () -> prefix + Long.toUnsignedString(RANDOM.nextLong(), 36),
        Files::createDirectory);
  }

  /** Creates {@code create(dir/name)} under a fresh random name (a name taken meanwhile is tried again). */
  private static Path createUnique(Path dir, java.util.function.Supplier<String> name, Creator create)
      throws IOException {
    Files.createDirectories(dir);
    for (int attempt = 0; ; attempt++) {
      try {
        return create.at(dir.resolve(name.get()));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  @FunctionalInterface
  private interface Creator {
    Path at(Path path, java.nio.file.attribute.FileAttribute<?>... attributes) throws IOException;
  }

  /**
   * Copies the bytes of {@code from} into a new file {@code to} that gets the umask's permissions, not those of {@code
   * from} ({@link Files#copy(Path, Path, java.nio.file.CopyOption...)} creates the copy with the source's mode).
   */
  public static void copyContent(Path from, Path to) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(from);
        java.io.OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(out);
    }
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** Renames {@code from} onto {@code to} atomically, then makes the rename durable. */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncDir(to.toAbsolutePath().getParent());
  }

  /** Flushes a file's content to disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Flushes a folder's entries (renames, new files) to disk, where the platform allows it. */
  public static void fsyncDir(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems refuse to open folders; the rename itself is still atomic there.
    }
  }

  /** Deletes a folder and everything below it; a missing folder is fine. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** {@link #deleteTree} for callers without {@code throws IOException}: failures are {@link UncheckedIOException}s. */
  public static void deleteTreeUnchecked(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
