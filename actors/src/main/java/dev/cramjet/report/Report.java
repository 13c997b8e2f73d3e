package dev.cramjet.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A report as a list of blocks (headings, paragraphs, bullet lists, tables, images), rendered to Markdown or HTML
 * from the same content, so the two files never disagree.
 */
public final class Report {
  private sealed interface Block permits Heading, Paragraph, Bullets, Table, Image {}

  private record Heading(int level, String text) implements Block {}

  private record Paragraph(String text) implements Block {}

  private record Bullets(List<String> items) implements Block {}

  private record Table(List<String> header, List<List<String>> rows, boolean[] numeric) implements Block {}

  private record Image(String file, String caption) implements Block {}

  private final String title;
  private final List<Block> blocks = new ArrayList<>();

  public Report(String title) {
    this.title = title;
  }

  public Report heading(String text) {
    blocks.add(new Heading(2, text));
    return this;
  }

  public Report paragraph(String text) {
    blocks.add(new Paragraph(text));
    return this;
  }

  public Report bullets(List<String> items) {
    blocks.add(new Bullets(List.copyOf(items)));
    return this;
  }

  /** A table; a column whose every cell parses as a number is right-aligned. */
  public Report table(List<String> header, List<List<String>> rows) {
    boolean[] numeric = new boolean[header.size()];
    for (int c = 0; c < header.size(); c++) {
      final int col = c;
      numeric[c] = !rows.isEmpty() && rows.stream().allMatch(r -> col < r.size() && isNumber(r.get(col)));
    }
    blocks.add(new Table(List.copyOf(header), rows.stream().map(List::copyOf).toList(), numeric));
    return this;
  }

  /** An image file next to the report (relative path). */
  public Report image(String file, String caption) {
    blocks.add(new Image(file, caption));
    return this;
  }

  public String toMarkdown() {
    StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
    for (Block b : blocks) {
      if (b instanceof Heading x) {
        md.append("#".repeat(x.level())).append(' ').append(x.text()).append("\n\n");
      } else if (b instanceof Paragraph p) {
        md.append(p.text()).append("\n\n");
      } else if (b instanceof Bullets l) {
        l.items().forEach(i -> md.append("- ").append(i).append('\n'));
        md.append('\n');
      } else if (b instanceof Table t) {
        md.append("| ").append(String.join(" | ", t.header())).append(" |\n|");
        for (boolean n : t.numeric()) {
          md.append(n ? "---:|" : "---|");
        }
        md.append('\n');
        t.rows().forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
        md.append('\n');
      } else if (b instanceof Image i) {
        md.append("![").append(i.caption()).append("](").append(i.file()).append(")\n\n");
      }
    }
    return md.toString();
  }

  public String toHtml() {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title>\n<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em;"
            + "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px}"
            + "th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}"
            + "img{max-width:100%;border:1px solid #eee}figure{margin:1em 0}code{background:#f6f6f6;padding:0 3px}"
            + "</style></head><body>\n");
    h.append("<h1>").append(inline(title)).append("</h1>\n");
    for (Block b : blocks) {
      if (b instanceof Heading x) {
        h.append("<h").append(x.level()).append('>').append(inline(x.text())).append("</h").append(x.level())
            .append(">\n");
      } else if (b instanceof Paragraph p) {
        h.append("<p>").append(inline(p.text())).append("</p>\n");
      } else if (b instanceof Bullets l) {
        h.append("<ul>\n");
        l.items().forEach(i -> h.append("<li>").append(inline(i)).append("</li>\n"));
        h.append("</ul>\n");
      } else if (b instanceof Table t) {
        h.append("<table>\n<tr>");
        t.header().forEach(c -> h.append("<th>").append(inline(c)).append("</th>"));
        h.append("</tr>\n");
        for (List<String> r : t.rows()) {
          h.append("<tr>");
          for (int c = 0; c < r.size(); c++) {
            h.append(c < t.numeric().length && t.numeric()[c] ? "<td class=\"n\">" : "<td>").append(inline(r.get(c)))
                .append("</td>");
          }
          h.append("</tr>\n");
        }
        h.append("</table>\n");
      } else if (b instanceof Image i) {
        h.append("<figure><img src=\"").append(esc(i.file())).append("\" alt=\"").append(esc(i.caption()))
            .append("\"><figcaption>").append(inline(i.caption())).append("</figcaption></figure>\n");
      }
    }
    return h.append("</body></html>\n").toString();
  }

  /** Escapes HTML, then turns Markdown's `code` spans into {@code <code>}. */
  private static String inline(String text) {
    String e = esc(text);
    StringBuilder out = new StringBuilder();
    boolean open = false;
    for (char c : e.toCharArray()) {
      if (c == '`') {
        out.append(open ? "</code>" : "<code>");
        open = !open;
      } else {
        out.append(c);
      }
    }
    if (open) {
      out.append("</code>");
    }
    return out.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static boolean isNumber(String s) {
    return s.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?%?|[-+]?\\.[0-9]+|n/a");
  }
}
