package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line readers' inputs: files as given, folders walked for .txt files in sorted order, errors naming the path. */
class TextInputsTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void foldersGiveTheirTxtFilesRecursivelyInSortedOrderAndFilesAreTakenAsGiven() throws IOException {
    Path b = write("corpus/b.txt", "b1\nb2\n");
    Path a = write("corpus/a.txt", "a1\n");
    Path nested = write("corpus/sub/c.txt", "c1\n");
    Path hidden = write("corpus/.h.txt", "h1\n");
    write("corpus/notes.md", "not text\n");
    write("corpus/d.jsonl", "{\"text\":\"no\"}\n");
    Path direct = write("other/readme.md", "direct\n");

    Path folder = dir.resolve("corpus");
    assertEquals(List.of(hidden, a, b, nested, direct), TextInputs.files(List.of(folder, direct)));

    List<String> lines = new ArrayList<>();
    TextInputs.lines(List.of(folder)).forEachRemaining(lines::add);
    assertEquals(List.of("h1", "a1", "b1", "b2", "c1"), lines);
  }

  @Test
  void aMissingInputIsNamedWithWhatWasExpected() {
    Path missing = dir.resolve("missing");
    BadInputException e = assertThrows(BadInputException.class, () -> TextInputs.files(List.of(missing)));
    assertEquals(missing + ": input not found (expected a .txt file or a folder of them)", e.getMessage());
    e = assertThrows(BadInputException.class, () -> TextInputs.readAll(missing));
    assertEquals(missing + ": input file not found", e.getMessage());
  }

  @Test
  void aFolderWithoutTxtFilesIsRefused() throws IOException {
    write("empty/data.jsonl", "{}\n");
    Path folder = dir.resolve("empty");
    BadInputException e = assertThrows(BadInputException.class, () -> TextInputs.files(List.of(folder)));
    assertEquals("no .txt files found in " + List.of(folder), e.getMessage());
  }
}
