package dev.cramjet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void returnsTheFirstValueThatIsDone() throws Exception {
    AtomicInteger n = new AtomicInteger();
    assertEquals(3, Await.until(Duration.ofSeconds(30), "three", n::incrementAndGet, v -> v >= 3));
    Await.until(Duration.ofSeconds(30), "four", () -> n.incrementAndGet() == 4);
    assertEquals(4, n.get());
  }

  @Test
  void timingOutNamesWhatWasAwaitedAndTheLastValue() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> Await.until(Duration.ofMillis(30), "the answer", () -> 41, v -> v == 42));
    assertTrue(e.getMessage().startsWith("timed out after "), e.getMessage());
    assertTrue(e.getMessage().endsWith(" waiting for the answer; last value: 41"), e.getMessage());
    AssertionError b = assertThrows(AssertionError.class,
        () -> Await.until(Duration.ofMillis(30), "a miracle", () -> false));
    assertTrue(b.getMessage().endsWith(" waiting for a miracle"), b.getMessage());
  }

  @Test
  void aFailingCheckEndsTheWaitAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    IOException e = assertThrows(IOException.class, () -> Await.until(Duration.ofMinutes(5), "never", () -> {
      calls.incrementAndGet();
      throw new IOException("gone");
    }));
    assertEquals("gone", e.getMessage());
    assertEquals(1, calls.get());
  }
}
