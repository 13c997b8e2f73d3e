package dev.cramjet.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.eval.FillMask;
import dev.cramjet.eval.Pretrained;
import dev.cramjet.model.CrammedBert;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cramjet predict}: fill-mask, the top-k tokens and probabilities for each [MASK] in a text. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Fill-mask: print the most probable tokens for each [MASK] in the text.")
public final class PredictCommand implements Callable<Integer> {
  @Mixin Output io;

  @Mixin PretrainedOptions model;

  @Option(names = "--top-k", defaultValue = "5", description = "candidates per mask (default ${DEFAULT-VALUE})")
  int topK;

  @Option(names = "--force", description = "use a --tokenizer whose vocabulary does not match the checkpoint's")
  boolean force;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Parameters(index = "0", paramLabel = "TEXT", description = "text with one or more [MASK]")
  String text;

  @Override
  public Integer call() throws Exception {
    Pretrained p = Pretrained.load(model.checkpoint, model.tokenizer, force, io.err()::println);
    List<FillMask.Prediction> predictions;
    try (NDManager manager = NDManager.newBaseManager();
        CrammedBert model = p.model(manager)) {
      predictions = FillMask.predict(model, p.tokenizer(), id -> p.tokenizer().vocabulary().token(id), text, topK,
          p.arch().maxSeqLen());
    }
    if (json) {
      ObjectMapper om = new ObjectMapper();
      ObjectNode o = om.createObjectNode();
      o.put("text", text);
      o.put("checkpoint", p.folder().toString());
      ArrayNode masks = o.putArray("masks");
      for (FillMask.Prediction pr : predictions) {
        ObjectNode m = masks.addObject();
        m.put("position", pr.position());
        ArrayNode cs = m.putArray("candidates");
        for (FillMask.Candidate c : pr.candidates()) {
          cs.addObject().put("token", c.token()).put("id", c.id()).put("probability", c.probability());
        }
      }
      io.out().println(o);
      return 0;
    }
    int n = 1;
    for (FillMask.Prediction pr : predictions) {
      io.out().printf(Locale.ROOT, "[MASK] %d (position %d):%n", n++, pr.position());
      for (FillMask.Candidate c : pr.candidates()) {
        io.out().printf(Locale.ROOT, "  %-20s %.4f%n", c.token(), c.probability());
      }
    }
    return 0;
  }
}
