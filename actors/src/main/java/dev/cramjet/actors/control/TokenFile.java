package dev.cramjet.actors.control;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The control API's bearer token on disk: generated (256 random bits, URL-safe base64) and written to a file that only
 * its owner can read or write (POSIX 600, set when the file is created, so it is never readable by others). Reading
 * trims whitespace. It never logs the token.
 */
public final class TokenFile {
  private TokenFile() {}

  public static String generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Writes {@code token} to {@code file}, replacing an older one, with owner-only permissions. */
  public static void write(Path file, String token) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system: fall back to the default permissions
    } catch (FileAlreadyExistsException e) {
      throw new IOException(file + " appeared while writing the token", e);
    }
    Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
  }

  public static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("no token file " + file + " (is the daemon running with this run folder?)");
    }
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }
}
