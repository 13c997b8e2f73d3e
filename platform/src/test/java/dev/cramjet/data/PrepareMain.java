package dev.cramjet.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Entry point for {@link BoundedMemoryTest}'s child JVM: prepares the corpus folder {@code args[0]} into {@code
 * args[1]} with {@link TestEncoder} and prints "rawBytes maxHeap rows" on one line.
 */
public final class PrepareMain {
  private PrepareMain() {}

  public static void main(String[] args) {
    PrepareConfig c = PrepareConfig.defaults(List.of(args[0])).withThreads(2).withShardRows(20_000);
    if (args.length > 2) c = c.withOrder(PrepareConfig.Order.SHUFFLE, 1);
    Manifest m = new DataPreparer(c, new TestEncoder(), "test").prepare(Path.of("."), Path.of(args[1]), null);
    System.out.println("RESULT " + m.rawBytes() + " " + Runtime.getRuntime().maxMemory() + " " + m.rows());
  }
}
