package dev.cramjet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** The command line that continues a stopped run: the user's own arguments, with {@code --resume RUN} in place. */
final class ResumeHint {
  private ResumeHint() {}

  static String of(CommandSpec spec, Path runDir) {
    List<String> all = spec.commandLine().getParseResult().originalArgs(); // from the top command: "pretrain ..."
    List<String> args = new ArrayList<>(all.subList(all.indexOf(spec.name()) + 1, all.size()));
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--resume")) {
        args.remove(i);
        if (i < args.size() && !args.get(i).startsWith("--")) {
          args.remove(i); // its value (demo's --resume may have none)
        }
        i--;
      } else if (args.get(i).startsWith("--resume=")) {
        args.remove(i--);
      }
    }
    for (int i = 0; i < args.size(); i++) { // a secret given with --set is not repeated (nor needed to resume)
      if (args.get(i).equals("--set") && i + 1 < args.size() && secretSet(args.get(i + 1))) {
        args.remove(i + 1);
        args.remove(i--);
      } else if (args.get(i).startsWith("--set=") && secretSet(args.get(i).substring("--set=".length()))) {
        args.remove(i--);
      }
    }
    args.add("--resume");
    args.add(runDir.toString());
    StringBuilder sb = new StringBuilder(spec.name());
    for (String a : args) {
      sb.append(' ').append(a.matches("[A-Za-z0-9_./=:,+@-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  private static boolean secretSet(String keyValue) {
    int eq = keyValue.indexOf('=');
    String key = (eq < 0 ? keyValue : keyValue.substring(0, eq)).trim();
    return dev.cramjet.config.ConfigBinder.secret(key);
  }
}
