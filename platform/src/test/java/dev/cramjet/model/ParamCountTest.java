package dev.cramjet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class ParamCountTest {
  @Test
  void crammedBertHasThePapersParameterCount() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        CrammedBert model = new CrammedBert(TestArchs.preset("crammed-bert"), m, 0)) {
      long total = model.params().count();
      long embeddings = model.params().all().entrySet().stream()
          .filter(e -> e.getKey().startsWith("embedding."))
          .mapToLong(e -> e.getValue().getShape().size())
          .sum();
      // RECIPE.md: about 119.6M parameters, 94.4M without embeddings.
      assertEquals(119.6e6, total, 0.05e6, "total " + total);
      assertEquals(94.4e6, total - embeddings, 0.05e6, "without embeddings " + (total - embeddings));
    }
  }

  @Test
  void namesAreHierarchicalAndStable() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        CrammedBert model = new CrammedBert(TestArchs.preset("tiny"), m, 0)) {
      var names = model.params().all().keySet();
      assertTrue(names.contains("embedding.word.weight"));
      assertTrue(names.contains("embedding.position.scale"));
      assertTrue(names.contains("encoder.layer.3.attention.qkv.weight"));
      assertTrue(names.contains("encoder.layer.0.ffn.out.weight"));
      assertTrue(names.contains("encoder.final_norm.bias"));
      // No biases in any Linear of crammed-bert; LayerNorms keep theirs.
      assertTrue(names.stream().filter(n -> n.endsWith(".bias")).allMatch(n -> n.contains("norm")), names::toString);
      assertEquals(new ai.djl.ndarray.types.Shape(768, 256),
          model.params().get("encoder.layer.2.attention.qkv.weight").getShape());
      assertEquals(new ai.djl.ndarray.types.Shape(256, 512), model.params().get("encoder.layer.2.ffn.out.weight").getShape());
    }
  }
}
