package dev.maas.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The web console's files as they ship: every file a page or module names exists, nothing comes
 * from another site, and nothing needs the Content-Security-Policy relaxed (no inline script or
 * style, no eval, no HTML parsed from strings). The browser test (ConsoleIT) runs them; this
 * catches a broken import or an external URL without a browser.
 */
class ConsoleAssetsTest {
  private static final Path ROOT = Path.of("src", "main", "resources", "static", "console");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import [^;]*? from '([^']+)';");
  private static final Pattern HTML_REFERENCE = Pattern.compile("(?:src|href)=\"([^\"#][^\"]*)\"");
  private static final Pattern EXTERNAL = Pattern.compile("(?i)(?:https?:)?//[a-z0-9.-]+\\.[a-z]");

  private static List<Path> files() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void everyImportAndReferenceNamesAFileOfTheConsole() throws IOException {
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Path file : files()) {
      String name = file.getFileName().toString();
      String text = Files.readString(file);
      Pattern reference =
          name.endsWith(".js") ? IMPORT : name.endsWith(".html") ? HTML_REFERENCE : null;
      if (reference == null) {
        continue;
      }
      Matcher m = reference.matcher(text);
      while (m.find()) {
        checked++;
        Path target = file.getParent().resolve(m.group(1)).normalize();
        if (!target.startsWith(ROOT) || !Files.isRegularFile(target)) {
          missing.add(ROOT.relativize(file) + " -> " + m.group(1));
        }
      }
    }
    assertThat(checked).as("references checked").isGreaterThan(10);
    assertThat(missing).as("references to files that are not in the console").isEmpty();
  }

  @Test
  void nothingIsLoadedFromElsewhereAndNothingNeedsTheCspRelaxed() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : files()) {
      String text = Files.readString(file);
      String where = ROOT.relativize(file).toString();
      // the SVG namespace is a name, not a download
      Matcher external = EXTERNAL.matcher(text.replace("http://www.w3.org/2000/svg", ""));
      if (external.find()) {
        problems.add(where + ": names another site: " + external.group());
      }
      if (where.endsWith(".html")) {
        if (Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>").matcher(text).find()) {
          problems.add(where + ": an inline script");
        }
        if (text.contains("<style")
            || text.contains(" style=")
            || Pattern.compile("\\son[a-z]+=").matcher(text).find()) {
          problems.add(where + ": an inline style or event handler");
        }
      }
      if (where.endsWith(".js")) {
        for (String banned :
            List.of("innerHTML", "outerHTML", "eval(", "new Function", "document.write")) {
          if (text.contains(banned)) {
            problems.add(where + ": uses " + banned);
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }
}
