package dev.cramjet.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import org.junit.jupiter.api.Test;

class BudgetTest {
  @Test
  void parsesTimeUnitsToSeconds() {
    assertEquals(Budget.seconds(90), Budget.parse("90s"));
    assertEquals(Budget.seconds(600), Budget.parse("10m"));
    assertEquals(Budget.seconds(86_400), Budget.parse("24h"));
    assertEquals(Budget.seconds(5400), Budget.parse("1.5h"));
    assertEquals(Budget.seconds(172_800), Budget.parse("2d"));
  }

  @Test
  void parsesStepsAndTokens() {
    assertEquals(Budget.steps(500), Budget.parse("500steps"));
    assertEquals(Budget.tokens(2_000_000), Budget.parse("2000000tokens"));
    assertEquals(Budget.tokens(2_000_000), Budget.parse(" 2_000_000 tokens "));
  }

  @Test
  void rejectsAnythingElseWithTheAcceptedForms() {
    for (String bad : new String[] {"", "10", "m", "10 minutes", "-5s", "0s", "1.5steps", "10x", "5e3tokens"}) {
      BadInputException e = assertThrows(BadInputException.class, () -> Budget.parse(bad), bad);
      assertTrue(e.getMessage().contains("budget"), e.getMessage());
    }
    BadInputException e = assertThrows(BadInputException.class, () -> Budget.parse("10 minutes"));
    assertTrue(e.getMessage().contains("10 minutes") && e.getMessage().contains("500steps"), e.getMessage());
    assertThrows(BadInputException.class, () -> Budget.parse(null));
  }
}
