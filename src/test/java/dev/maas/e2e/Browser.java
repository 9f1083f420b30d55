package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * Debian's headless Chromium ({@code chromium} and {@code chromium-driver}) driven by Selenium, for
 * the console's tests. Without them a test is skipped with a message, except in CI ({@code MAAS_CI}
 * set; {@code .ci/run} installs both), where it fails. Nothing is downloaded: the browser and its
 * driver are the system's, and Selenium Manager is not used.
 *
 * <p>It collects the browser's console messages ({@link #consoleErrors()}), saves screenshots and
 * runs axe-core (the WebJar on the test classpath), injected into the page, for accessibility.
 */
final class Browser implements AutoCloseable {
  private static final String AXE = "/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";

  private final ChromeDriver driver;
  private final Path screenshots;
  private final List<String> console = new ArrayList<>();

  private Browser(ChromeDriver driver, Path screenshots) {
    this.driver = driver;
    this.screenshots = screenshots;
  }

  /** The executable at the first of the paths that exists; skips or fails when there is none. */
  private static Path require(String what, String... candidates) {
    for (String c : candidates) {
      if (c != null && Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    String message =
        what
            + " is missing: install Debian's 'chromium' and 'chromium-driver' packages (.ci/run"
            + " does) to run the console's browser tests";
    if (System.getenv("MAAS_CI") != null) {
      fail(message + " (MAAS_CI is set, so this is required)");
    }
    abort(message);
    return null;
  }

  /** A fresh headless Chromium with an empty profile, its window 1280x800. */
  static Browser start(Path work) throws IOException {
    Path chromium =
        require(
            "Chromium",
            System.getenv("MAAS_CHROMIUM"),
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser");
    Path chromedriver =
        require(
            "chromedriver",
            System.getenv("MAAS_CHROMEDRIVER"),
            "/usr/bin/chromedriver",
            "/usr/lib/chromium/chromedriver");
    Path profile = Files.createDirectories(work.resolve("chromium-profile"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1280,800",
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .withLogFile(work.resolve("chromedriver.log").toFile())
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    Path downloads = Files.createDirectories(work.resolve("downloads"));
    driver.executeCdpCommand(
        "Browser.setDownloadBehavior",
        Map.of("behavior", "allow", "downloadPath", downloads.toAbsolutePath().toString()));
    Path shots = Files.createDirectories(Path.of("target", "console-screenshots"));
    return new Browser(driver, shots);
  }

  WebDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits up to {@code seconds} for the condition to give a non-null, non-false value. */
  <T> T await(String what, int seconds, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, Duration.ofSeconds(seconds))
          .pollingEvery(Duration.ofMillis(50))
          .ignoring(StaleElementReferenceException.class)
          .withMessage(what)
          .until(condition);
    } catch (RuntimeException e) {
      screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
      throw new AssertionError(
          "waiting for " + what + ": " + e.getMessage() + "\npage text:\n" + text("body"), e);
    }
  }

  /** Waits for an element to be shown. */
  WebElement shown(String css, int seconds) {
    return await(
        css + " shown",
        seconds,
        d ->
            d.findElements(By.cssSelector(css)).stream()
                .filter(WebElement::isDisplayed)
                .findFirst()
                .orElse(null));
  }

  /** The rendered text of the first element that matches, or "" (read in one script call). */
  String text(String css) {
    Object text =
        script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
    return text == null ? "" : text.toString().trim();
  }

  Object script(String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }

  /** Saves a screenshot of the viewport as target/console-screenshots/{name}.png. */
  Path screenshot(String name) {
    try {
      Path file = screenshots.resolve(name + ".png");
      // the whole page, not only the viewport (Chrome DevTools' captureBeyondViewport)
      Number width = (Number) script("return document.documentElement.clientWidth");
      Number height = (Number) script("return document.documentElement.scrollHeight");
      Map<String, Object> shot =
          driver.executeCdpCommand(
              "Page.captureScreenshot",
              Map.of(
                  "format",
                  "png",
                  "captureBeyondViewport",
                  true,
                  "clip",
                  Map.of(
                      "x",
                      0,
                      "y",
                      0,
                      "width",
                      width,
                      "height",
                      Math.min(height.intValue(), 6000),
                      "scale",
                      1)));
      Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
      return file;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Every console message of level SEVERE (errors, CSP violations, failed loads) so far. */
  List<String> consoleErrors() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        console.add(e.getMessage());
      }
    }
    return List.copyOf(console);
  }

  /** axe-core's serious and critical violations on the page as it is now, one a line. */
  List<String> accessibilityProblems() throws IOException {
    if (!Boolean.TRUE.equals(script("return typeof window.axe === 'object'"))) {
      try (InputStream in = Browser.class.getResourceAsStream(AXE)) {
        assertThat(in).as("axe-core on the test classpath (%s)", AXE).isNotNull();
        script(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    Object result =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "axe.run(document, {resultTypes: ['violations']})"
                    + ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id,"
                    + " impact: v.impact, help: v.help,"
                    + " nodes: v.nodes.map(n => n.target.join(' '))})))))"
                    + ".catch(e => done('error: ' + e));");
    String json = String.valueOf(result);
    assertThat(json).as("axe ran").doesNotStartWith("error:");
    List<String> problems = new ArrayList<>();
    for (JsonNode v : ApiClient.json(json)) {
      String impact = v.path("impact").asString("");
      if (impact.equals("serious") || impact.equals("critical")) {
        problems.add(
            impact + " " + v.get("id").asString() + ": " + v.get("help") + " " + v.get("nodes"));
      }
    }
    return problems;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
