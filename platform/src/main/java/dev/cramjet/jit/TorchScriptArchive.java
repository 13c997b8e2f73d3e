package dev.cramjet.jit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive, the file {@code torch.jit.save} makes, for a module class with no parameters of its
 * own: libtorch compiles the source when the archive is loaded. Parameters are passed in as method arguments, so the
 * archive holds code only and needs no Python to make.
 *
 * <p>The archive is a zip of STORED entries, all under one folder named after the class:
 *
 * <ul>
 *   <li>{@code data.pkl}: a protocol-2 pickle of the module object, {@code __torch__.NAME()} with state {@code
 *       {"training": True}};
 *   <li>{@code code/__torch__.py}: the class's TorchScript source;
 *   <li>{@code constants.pkl}: an empty tuple;
 *   <li>{@code version}: the file-format version, 10. Older numbers make libtorch apply operator upgraders (integer
 *       {@code torch.div} then floors).
 * </ul>
 */
public final class TorchScriptArchive {
  /** The serialization format version written into every archive. */
  public static final String VERSION = "10";

  private TorchScriptArchive() {}

  /**
   * The archive bytes for class {@code className} with TorchScript {@code source} (the whole of {@code
   * code/__torch__.py}, including the {@code class NAME(Module):} line).
   */
  public static byte[] write(String className, String source) {
    if (!className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a TorchScript class name: " + className);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setMethod(ZipOutputStream.STORED);
      put(zip, className + "/data.pkl", modulePickle(className));
      put(zip, className + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      put(zip, className + "/constants.pkl", new byte[] {(byte) 0x80, 0x02, 0x29, 0x2e}); // PROTO 2, (), STOP
      put(zip, className + "/version", (VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return bytes.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  /** {@code __torch__.NAME()} with {@code training = True}, as pickle protocol 2. */
  private static byte[] modulePickle(String className) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80); // PROTO
    p.write(0x02);
    p.write('c'); // GLOBAL module \n name \n
    p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
    p.write('q'); // BINPUT 0
    p.write(0);
    p.write(')'); // EMPTY_TUPLE
    p.write(0x81); // NEWOBJ
    p.write('}'); // EMPTY_DICT
    p.write('('); // MARK
    byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
    p.write('X'); // BINUNICODE, u32 little-endian length
    p.write(key.length);
    p.write(0);
    p.write(0);
    p.write(0);
    p.writeBytes(key);
    p.write('q'); // BINPUT 1
    p.write(1);
    p.write(0x88); // NEWTRUE
    p.write('u'); // SETITEMS
    p.write('b'); // BUILD
    p.write('q'); // BINPUT 2
    p.write(2);
    p.write('.'); // STOP
    return p.toByteArray();
  }
}
