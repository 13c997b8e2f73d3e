package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.data.CorpusDocuments;
import dev.cramjet.data.CorpusReader;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.util.BadInputException;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.text.WordPieceTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cramjet tokenizer train}: learns a WordPiece vocabulary and writes vocab.txt and tokenizer.json. */
@Command(
    name = "tokenizer",
    description = "Tokenizer tools.",
    mixinStandardHelpOptions = true,
    subcommands = {TokenizerCommand.Train.class})
public final class TokenizerCommand extends CommandGroup {

  /** {@code tokenizer train --input PATH... --vocab-size N --out DIR}. */
  @Command(name = "train", description = "Train a WordPiece vocabulary on raw text.", mixinStandardHelpOptions = true)
  static final class Train implements Callable<Integer> {
    @Mixin Output io;


    @Option(names = "--input", required = true, arity = "1..*", description = "corpus files, folders or globs (.txt, .txt.gz, .jsonl, .jsonl.gz, .jsonl.zst)")
    List<Path> inputs;

    @Option(names = "--vocab-size", defaultValue = "32768", description = "vocabulary size (default ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--out", required = true, description = "folder for vocab.txt and tokenizer.json")
    Path out;

    @Option(names = "--threads", defaultValue = "1", description = "word-counting threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(
        names = "--max-words",
        defaultValue = "1000000",
        description = "bound on distinct words counted (default ${DEFAULT-VALUE})")
    int maxWords;

    @Option(names = "--json", description = "print one JSON object with the result")
    boolean json;

    @Override
    public Integer call() throws Exception {
      WordPieceTrainer.Options options =
          WordPieceTrainer.Options.defaults().withVocabSize(vocabSize).withThreads(threads).withMaxDistinctWords(maxWords);
      long start = System.nanoTime();
      // Progress goes to stderr so that --json leaves stdout to the one result object.
      Progress progress = new Progress(io.err(), 5);
      CorpusDocuments docs = CorpusDocuments.open(inputs.stream().map(Path::toString).toList(), Path.of(""));
      Vocabulary vocab =
          new WordPieceTrainer(options)
              .train(docs,
                  chars -> progress.status(String.format(Locale.ROOT, "counting words: %.1f M chars", chars / 1e6)));
      progress.done();
      // Nothing is written for a corpus without text: a vocabulary of only the alphabet would pass for a real one.
      CorpusReader.Stats read = docs.stats();
      if (read.withText() == 0) {
        throw new BadInputException("tokenizer train: no text to learn from in " + inputs + ": " + read.summary()
            + "; nothing written to " + out);
      }
      WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocab);
      tokenizer.save(out);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (json) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("vocab_size", vocab.size());
        o.put("vocab_hash", tokenizer.vocabHash());
        o.put("seconds", seconds);
        o.put("out", out.toString());
        o.put("files_read", read.sources().size());
        o.put("files_skipped", read.skipped().size());
        o.put("documents", read.documents());
        o.put("documents_with_text", read.withText());
        o.put("documents_unreadable", read.unreadable());
        o.put("invalid_utf8_replaced", read.invalidUtf8Replaced());
        o.put("control_bytes_stripped", read.controlBytesStripped());
        io.out().println(m.writeValueAsString(o));
      } else {
        io.err().println("tokenizer train: read " + read.summary());
        io.out().printf(
            "wrote %s and %s: %d tokens, sha256 %s, %.1f s%n",
            out.resolve(WordPieceTokenizer.VOCAB_FILE),
            out.resolve(WordPieceTokenizer.HF_FILE),
            vocab.size(),
            tokenizer.vocabHash(),
            seconds);
      }
      return 0;
    }
  }
}
