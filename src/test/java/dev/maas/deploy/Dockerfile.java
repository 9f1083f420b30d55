package dev.maas.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The instructions of the root Dockerfile's last stage (the image that runs), read as Docker reads
 * them: continuation lines joined, comments dropped, exec-form arrays parsed as JSON.
 */
record Dockerfile(List<Instruction> stage) {
  static final Path FILE = Path.of("Dockerfile");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One instruction: its keyword in upper case and the rest of its (joined) line. */
  record Instruction(String keyword, String arguments) {
    /** The words of the arguments without leading --flags. */
    List<String> words() {
      return Arrays.stream(arguments.trim().split("\\s+"))
          .filter(w -> !w.startsWith("--"))
          .collect(Collectors.toList());
    }

    Optional<String> flag(String name) {
      return Arrays.stream(arguments.trim().split("\\s+"))
          .filter(w -> w.startsWith("--" + name + "="))
          .map(w -> w.substring(name.length() + 3))
          .findFirst();
    }
  }

  static Dockerfile read() throws IOException {
    List<Instruction> all = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String raw : Files.readAllLines(FILE)) {
      String trimmed = raw.trim();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && line.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        line.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      line.append(trimmed);
      String text = line.toString().trim();
      line.setLength(0);
      if (!text.isEmpty()) {
        int space = text.indexOf(' ');
        all.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
      }
    }
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return new Dockerfile(List.copyOf(all.subList(from, all.size())));
  }

  List<Instruction> all(String keyword) {
    return stage.stream().filter(i -> i.keyword().equals(keyword)).collect(Collectors.toList());
  }

  Instruction one(String keyword) {
    List<Instruction> found = all(keyword);
    if (found.size() != 1) {
      throw new AssertionError("the image stage has " + found.size() + " " + keyword);
    }
    return found.get(0);
  }

  /** An exec-form array, e.g. {@code ENTRYPOINT ["/app/entrypoint.sh"]}. */
  static List<String> execForm(String arguments) {
    return JSON.readValue(arguments.trim(), new TypeReference<List<String>>() {});
  }

  /** ENTRYPOINT followed by CMD, both in exec form: the command the container runs. */
  List<String> command() {
    List<String> command = new ArrayList<>(execForm(one("ENTRYPOINT").arguments()));
    all("CMD").stream().reduce((a, b) -> b).ifPresent(c -> command.addAll(execForm(c.arguments())));
    return command;
  }

  /** The HEALTHCHECK's command, in exec form after CMD. */
  List<String> healthcheck() {
    String args = one("HEALTHCHECK").arguments();
    return execForm(args.substring(args.indexOf("CMD ") + 4));
  }

  /** ENV as key=value pairs. */
  Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (Instruction i : all("ENV")) {
      for (String pair : i.words()) {
        int eq = pair.indexOf('=');
        env.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return env;
  }

  /**
   * Where each file the image stage copies from the build context comes from: image path to context
   * path (a COPY into a directory keeps the file's name).
   */
  Map<String, Path> copiedFromContext() {
    Map<String, Path> files = new LinkedHashMap<>();
    for (Instruction i : all("COPY")) {
      if (i.flag("from").isPresent()) {
        continue;
      }
      List<String> words = i.words();
      String dest = words.get(words.size() - 1);
      for (String src : words.subList(0, words.size() - 1)) {
        Path local = Path.of(src);
        files.put(dest.endsWith("/") ? dest + local.getFileName() : dest, local);
      }
    }
    return files;
  }

  /** The image path of a file copied from the build stage, e.g. the jar. */
  String copiedFromBuild(String suffix) {
    return all("COPY").stream()
        .filter(i -> i.flag("from").isPresent())
        .map(i -> i.words().get(i.words().size() - 1))
        .filter(dest -> dest.endsWith(suffix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no COPY --from of a *" + suffix));
  }
}
