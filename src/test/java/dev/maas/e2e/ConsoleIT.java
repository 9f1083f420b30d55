package dev.maas.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The web console in a real browser (Debian's headless Chromium, driven by Selenium) against the
 * packaged jar: a user's whole journey without a terminal. Every page is checked for browser
 * console errors (a CSP violation, a script error or a failed load is one) and by axe-core for
 * serious or critical accessibility violations, and saved as a screenshot under {@code
 * target/console-screenshots/}.
 */
class ConsoleIT {
  private static final String ADMIN_KEY = "maas_console_admin_" + UUID.randomUUID();
  private static final String PREDICT_KEY = "maas_console_predict_" + UUID.randomUUID();

  private static PackagedServer server;
  private static Path work;

  @BeforeAll
  static void start() throws Exception {
    work = Files.createDirectories(Path.of("target", "e2e", "console-" + UUID.randomUUID()));
    server =
        PackagedServer.startJar(
            work,
            PackagedServer.freePort(),
            "--maas.security.keys[0].name=operator",
            "--maas.security.keys[0].sha256=" + sha256(ADMIN_KEY),
            "--maas.security.keys[0].roles=admin",
            "--maas.security.keys[1].name=viewer",
            "--maas.security.keys[1].sha256=" + sha256(PREDICT_KEY),
            "--maas.security.keys[1].roles=predict");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String sha256(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  /** Console errors, accessibility, screenshot: what every page must pass. */
  private static void check(Browser browser, String page) throws Exception {
    browser.screenshot(page);
    assertThat(browser.consoleErrors())
        .as("browser console errors up to the %s page", page)
        .isEmpty();
    assertThat(browser.accessibilityProblems())
        .as("axe-core serious or critical violations on the %s page", page)
        .isEmpty();
  }

  private static void signIn(Browser browser, String key) {
    browser.open(server.base() + "/");
    browser.shown("#key", 30).sendKeys(key, Keys.ENTER);
    browser.shown("#nav", 30);
  }

  @Test
  void theWholeJourneyWorksInABrowser() throws Exception {
    ApiClient api = new ApiClient(server.base(), ADMIN_KEY, server::logText);
    Path iris = work.resolve("iris.csv");
    Files.writeString(iris, ApiClient.dataset("iris.csv"));
    try (Browser browser = Browser.start(work)) {
      // The key, typed once: / redirects to the console, which asks for it.
      browser.open(server.base() + "/");
      browser.shown("#key", 30);
      assertThat(browser.driver().getCurrentUrl()).endsWith("/console/");
      check(browser, "01-sign-in");
      browser.find("#key").sendKeys(ADMIN_KEY, Keys.ENTER);
      browser.shown("#nav", 30);
      assertThat(browser.text("#roles")).contains("predict").contains("train").contains("admin");
      assertThat(browser.script("return sessionStorage.getItem('maas.apiKey')"))
          .isEqualTo(ADMIN_KEY);
      assertThat(browser.script("return localStorage.length + document.cookie.length"))
          .as("nothing in localStorage or cookies")
          .isEqualTo(0L);

      // Datasets: upload iris with the file picker, its progress bar, then its columns and rows.
      browser.open(server.base() + "/console/#/datasets");
      browser.shown("#ds-file", 30);
      browser.find("#ds-name").sendKeys("iris");
      browser.find("#ds-file").sendKeys(iris.toAbsolutePath().toString());
      browser.await(
          "the upload's answer", 60, d -> browser.text("#ds-upload ~ .status").contains("Stored"));
      assertThat(browser.script("return document.getElementById('ds-progress').value"))
          .isEqualTo(1L);
      browser.await("iris in the list", 30, d -> browser.text("#ds-list-body").contains("iris"));
      check(browser, "02-datasets");
      browser.find("#ds-list-body a").click();
      browser.shown("#ds-preview", 30);
      assertThat(browser.text("#ds-preview")).contains("setosa").contains("of 150");
      assertThat(browser.text("main")).contains("sepal_length").contains("3 distinct");
      check(browser, "03-dataset");

      // Drag and drop: a second file dropped on the zone, then deleted with a confirmation.
      browser.open(server.base() + "/console/#/datasets");
      browser.shown("#ds-drop", 30);
      browser.script(
          "const data = new DataTransfer();"
              + " data.items.add(new File([arguments[0]], 'tiny.csv', {type: 'text/csv'}));"
              + " const zone = document.getElementById('ds-drop');"
              + " for (const type of ['dragover', 'drop']) zone.dispatchEvent("
              + "new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));",
          "a,b\n1,x\n2,y\n");
      browser.await(
          "the dropped file stored",
          60,
          d -> browser.text("#ds-upload ~ .status").contains("tiny"));
      browser.await("tiny in the list", 30, d -> browser.text("#ds-list-body").contains("tiny"));
      browser.all("#ds-list-body a").stream()
          .filter(a -> a.getText().equals("tiny"))
          .findFirst()
          .orElseThrow()
          .click();
      browser.shown("#ds-delete", 30).click();
      browser.shown("#confirm", 10);
      assertThat(browser.text("#confirm-text")).contains("Delete dataset tiny");
      browser.find("#confirm-ok").click();
      browser.await("back at the list", 30, d -> browser.text("#ds-list-body").contains("iris"));
      assertThat(browser.text("#ds-list-body")).doesNotContain("tiny");
      assertThat(api.getJson("/api/v1/datasets").get("total").asInt()).isEqualTo(1);
      String datasetId =
          api.getJson("/api/v1/datasets").get("datasets").get(0).get("id").asString();

      // Training: an mlp from the form's preset, watched as its curve grows from the events.
      browser.open(server.base() + "/console/#/training");
      browser.shown("#train-form", 30);
      new Select(browser.find("#train-form select[name=dataset]")).selectByValue(datasetId);
      assertThat(
              new Select(browser.find("#train-form select[name=target]"))
                  .getFirstSelectedOption()
                  .getText())
          .isEqualTo("species");
      WebElement model = browser.find("#train-form input[name=model]");
      model.clear();
      model.sendKeys("iris-mlp");
      // Long enough for the page to see the curve grow (the events come every 200 ms): iris's
      // 96 training rows one at a time, 2,000 epochs, a few seconds on the heap.
      WebElement epochs = browser.find("#train-form input[name=epochs]");
      epochs.clear();
      epochs.sendKeys("2000");
      WebElement batchSize = browser.find("#train-form input[name=batchSize]");
      batchSize.clear();
      batchSize.sendKeys("1");
      browser.find("#train-form input[name=alias]").sendKeys("production");
      check(browser, "04-training-form");
      browser.find("#train-form button[type=submit]").click();
      browser.shown("#job-state", 30);
      List<Integer> seen = new ArrayList<>();
      boolean shotWhileRunning = false;
      long deadline = System.nanoTime() + 300_000_000_000L;
      while (System.nanoTime() < deadline) {
        Object points =
            browser.script(
                "const s = document.querySelector('#job-curve svg');"
                    + " return s ? Number(s.getAttribute('data-points')) : 0;");
        int n = ((Number) points).intValue();
        if (seen.isEmpty() || seen.get(seen.size() - 1) != n) {
          seen.add(n);
        }
        String state = browser.text("#job-state");
        if (!shotWhileRunning && state.equals("running") && n > 0) {
          browser.screenshot("05-training-live");
          shotWhileRunning = true;
        }
        if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(browser.text("#job-state")).isEqualTo("succeeded");
      browser.await("the final curve", 30, d -> browser.text("main").contains("Test metrics"));
      int finalPoints =
          ((Number)
                  browser.script(
                      "return Number(document.querySelector('#job-curve svg')"
                          + ".getAttribute('data-points'))"))
              .intValue();
      seen.add(finalPoints);
      assertThat(finalPoints).isEqualTo(2000);
      assertThat(seen.stream().distinct().filter(n -> n > 0 && n < 2000).count())
          .as("the curve grew while the page watched it (point counts seen: %s)", seen)
          .isGreaterThanOrEqualTo(2);
      assertThat(seen).isSorted();
      check(browser, "06-training-done");

      // A second version, by the API, so that production has somewhere to move.
      api.train(
          "{\"model\": \"iris-mlp\", \"family\": \"mlp\", \"dataset\": \""
              + datasetId
              + "\", \"target\": \"species\", \"spec\": {\"hiddenLayers\": [{\"units\": 8}]},"
              + " \"training\": {\"epochs\": 50}}");

      // Predict from the generated form: the label and the probabilities' bars.
      browser.open(server.base() + "/console/#/predict/iris-mlp");
      browser.shown("#predict-form", 30);
      String[][] values = {
        {"sepal_length", "5.1"},
        {"sepal_width", "3.5"},
        {"petal_length", "1.4"},
        {"petal_width", "0.2"}
      };
      for (String[] v : values) {
        browser.find("#predict-form input[name=" + v[0] + "]").sendKeys(v[1]);
      }
      browser.find("#predict-submit").click();
      browser.shown("#predict-label", 30);
      assertThat(browser.text("#predict-label")).isEqualTo("setosa");
      assertThat(browser.text("#predict-answer")).contains("iris-mlp v1");
      assertThat(browser.all("#predict-answer svg rect.bar")).hasSize(3);
      check(browser, "07-predict");

      // Models: versions side by side, the confusion matrix, and production moved with a confirm.
      browser.open(server.base() + "/console/#/models/iris-mlp");
      browser.shown("#alias-move", 30);
      assertThat(browser.text("table.metrics")).contains("v1").contains("v2").contains("accuracy");
      assertThat(browser.all("svg.heatmap")).hasSize(1);
      check(browser, "08-model");
      new Select(browser.find("#version-choice")).selectByValue("1");
      browser.find("#download").click();
      Path downloaded = work.resolve("downloads").resolve("iris-mlp-v1.maas");
      browser.await("the model file downloaded", 30, d -> Files.isRegularFile(downloaded));
      assertThat(Files.size(downloaded))
          .isEqualTo(
              api.getJson("/api/v1/models/iris-mlp/versions/1").get("artifactSize").asLong());
      new Select(browser.find("#alias-version")).selectByValue("2");
      browser.find("#alias-move").click();
      browser.shown("#confirm", 10);
      assertThat(browser.text("#confirm-text")).contains("from v1 to v2");
      check(browser, "09-alias-confirm");
      browser.find("#confirm-ok").click();
      browser.shown("#alias-result", 30);
      assertThat(api.getJson("/api/v1/models/iris-mlp/aliases/production").get("version").asInt())
          .isEqualTo(2);

      // A comparison of two candidates, by the API, for the cost page's leaderboard.
      String comparison =
          api.post(
                  "/api/v1/comparisons",
                  "{\"dataset\": \""
                      + datasetId
                      + "\", \"target\": \"species\", \"testFraction\": 0.3,"
                      + " \"model\": \"iris-cmp\", \"tolerance\": 0.05, \"candidates\":"
                      + " [{\"family\": \"logistic_regression\"}, {\"family\": \"mlp\","
                      + " \"spec\": {\"hiddenLayers\": [{\"units\": 8}]},"
                      + " \"training\": {\"epochs\": 40}}]}",
                  202)
              .get("id")
              .asString();
      long comparisonDeadline = System.nanoTime() + 180_000_000_000L;
      while (System.nanoTime() < comparisonDeadline
          && "running"
              .equals(api.getJson("/api/v1/comparisons/" + comparison).get("state").asString())) {
        Thread.sleep(200);
      }
      JsonNode compared = api.getJson("/api/v1/comparisons/" + comparison);
      assertThat(compared.get("state").asString()).as(compared.toString()).isEqualTo("finished");

      // Capacity and cost: the version that served, and the accuracy-against-cost chart.
      browser.open(server.base() + "/console/#/capacity");
      browser.shown("#per-version", 60);
      // The comparison: its leaderboard, its Pareto front drawn with a text alternative, and the
      // recommendation with its reason.
      browser.shown("#cmp-leaderboard table", 60);
      assertThat(browser.find("#cmp-choice").getAttribute("value")).isEqualTo(comparison);
      assertThat(browser.all("#cmp-leaderboard tbody tr")).hasSize(2);
      assertThat(browser.text("#cmp-leaderboard"))
          .contains("logistic_regression")
          .contains("mlp")
          .contains("iris-cmp-0-logistic-regression v1");
      String recommended = compared.get("recommendation").get("model").asString();
      assertThat(browser.text("#cmp-recommendation"))
          .contains(recommended)
          .contains(compared.get("recommendation").get("reason").asString());
      assertThat(browser.all("#cmp-pareto svg.pareto-chart rect")).isNotEmpty();
      assertThat(browser.find("#cmp-pareto svg").getAttribute("aria-label"))
          .contains("on the Pareto front")
          .contains("recommended");
      assertThat(browser.text("#cmp-pareto figcaption")).contains("Pareto front");
      browser.await("the report", 60, d -> browser.text("main").contains("iris-mlp v1"));
      assertThat(browser.text("#investment")).contains("accuracy");
      assertThat(browser.all("svg.chart circle")).isNotEmpty();
      browser.find("#fc-rows").clear();
      browser.find("#fc-rows").sendKeys("100000");
      browser.find("#fc-title ~ .row button[type=submit]").click();
      browser.await("the forecast", 60, d -> browser.text("#fc-answer").contains("Wall time"));
      check(browser, "10-capacity");

      // Prediction jobs: score iris with production, follow it to its result dataset.
      browser.open(server.base() + "/console/#/prediction-jobs");
      browser.shown("#pj-model", 30);
      new Select(browser.find("#pj-dataset")).selectByValue(datasetId);
      browser.find("form[aria-labelledby=pj-title] button[type=submit]").click();
      browser.await(
          "the prediction job's result",
          120,
          d -> browser.text("#pj-list ~ div").contains("succeeded"));
      check(browser, "11-prediction-jobs");

      // Cancel: a long job, cancelled from its page with a confirmation.
      String longJob =
          api.post(
                  "/api/v1/training-jobs",
                  "{\"model\": \"iris-long\", \"family\": \"mlp\", \"dataset\": \""
                      + datasetId
                      + "\", \"target\": \"species\", \"training\": {\"epochs\": 100000,"
                      + " \"batchSize\": 4}}",
                  202)
              .get("id")
              .asString();
      browser.open(server.base() + "/console/#/training/" + longJob);
      browser.await("the long job running", 60, d -> browser.text("#job-state").equals("running"));
      browser.shown("#job-cancel", 10).click();
      browser.shown("#confirm", 10);
      browser.find("#confirm-ok").click();
      browser.await("the job cancelled", 60, d -> browser.text("#job-state").equals("cancelled"));
      assertThat(browser.find("#job-cancel").isDisplayed()).isFalse();

      // A phone-sized screen: nothing wider than the viewport but scrollable tables.
      browser.size(390, 844);
      String[][] phonePages = {
        {"#/models/iris-mlp", "#alias-move"},
        {"#/datasets", "#ds-file"},
        {"#/training", "#train-form"},
        {"#/predict/iris-mlp", "#predict-form"},
        {"#/capacity", "#per-version"}
      };
      for (int i = 0; i < phonePages.length; i++) {
        browser.open(server.base() + "/console/" + phonePages[i][0]);
        browser.shown(phonePages[i][1], 60);
        Object overflowing =
            browser.script(
                "return [...document.querySelectorAll('body *')]"
                    + ".filter(e => !e.closest('.scroll')"
                    + " && e.getBoundingClientRect().right > innerWidth + 1)"
                    + ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
                    + ".join(', ')");
        assertThat(
                ((Number)
                        browser.script(
                            "return document.documentElement.scrollWidth"
                                + " - document.documentElement.clientWidth"))
                    .intValue())
            .as(
                "horizontal overflow of %s on a phone; past the edge: %s",
                phonePages[i][0], overflowing)
            .isLessThanOrEqualTo(0);
        check(browser, "12-phone-" + (i + 1) + phonePages[i][0].replaceAll("[^a-z]+", "-"));
      }

      // The keyboard: the first tabs reach the skip link and then the pages.
      browser.size(1280, 800);
      browser.open(server.base() + "/console/#/datasets");
      browser.shown("#ds-file", 30);
      browser.driver().navigate().refresh();
      browser.shown("#ds-file", 30);
      new Actions(browser.driver()).sendKeys(Keys.TAB).perform();
      assertThat(browser.script("return document.activeElement.textContent"))
          .isEqualTo("Skip to content");
      new Actions(browser.driver()).sendKeys(Keys.TAB).perform();
      assertThat(browser.script("return document.activeElement.getAttribute('href')"))
          .isEqualTo("#/datasets");
      assertThat(browser.consoleErrors()).isEmpty();
    }
  }

  @Test
  void aPredictKeySeesOnlyWhatItMayDo() throws Exception {
    try (Browser browser = Browser.start(work)) {
      signIn(browser, PREDICT_KEY);
      assertThat(browser.text("#roles")).isEqualTo("Roles: predict");
      List<String> pages = new ArrayList<>();
      for (WebElement a : browser.all("#nav a")) {
        if (a.isDisplayed()) {
          pages.add(a.getText());
        }
      }
      assertThat(pages).containsExactly("Models", "Predict");
      browser.open(server.base() + "/console/#/capacity");
      browser.shown("#page .error", 30);
      assertThat(browser.text("#page .error")).contains("admin role");
      browser.screenshot("13-predict-key");
      browser.open(server.base() + "/console/#/models");
      browser.await("the models page", 30, d -> browser.text("#page h1").equals("Models"));
      assertThat(browser.all("#alias-move")).isEmpty();
      // Learning the roles asked for what it may not read: those 403s are the only errors.
      assertThat(browser.consoleErrors())
          .allSatisfy(e -> assertThat(e).contains("status of 403"))
          .hasSizeLessThanOrEqualTo(2);
      assertThat(browser.accessibilityProblems()).isEmpty();
    }
  }

  @Test
  void theConsoleIsOpenWithItsSecurityHeadersAndRevalidatedCaching() throws Exception {
    ApiClient anonymous = new ApiClient(server.base(), null, server::logText);
    HttpResponse<String> page = anonymous.send(anonymous.request("/console/").GET().build());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).doesNotContain("<script>").contains("src=\"js/app.js\"");
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'");
    assertThat(csp).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    HttpResponse<String> script =
        anonymous.send(anonymous.request("/console/js/app.js").GET().build());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Cache-Control")).contains("no-cache");
    String etag = script.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again =
        anonymous.send(
            anonymous.request("/console/js/app.js").header("If-None-Match", etag).GET().build());
    assertThat(again.statusCode()).as("revalidated without a body").isEqualTo(304);
    assertThat(anonymous.send(anonymous.request("/api/v1/models").GET().build()).statusCode())
        .as("the API still needs a key")
        .isEqualTo(401);
    JsonNode models =
        new ApiClient(server.base(), PREDICT_KEY, server::logText).getJson("/api/v1/models");
    assertThat(models.has("models")).isTrue();
  }
}
