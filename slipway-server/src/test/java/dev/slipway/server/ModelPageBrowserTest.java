package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model page works in a real browser: the generated form predicts with the values the visitor
 * chose, and the API console sends its samples and shows the raw response, errors included. Uses
 * the system Chromium (Debian package {@code chromium}); Playwright never downloads a browser.
 */
class ModelPageBrowserTest {
  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  static final Path SCREENSHOT = Paths.get("target", "screenshots", "model-page.png");
  static final double TIMEOUT_MS = 10_000;

  static TestServer s;
  static Playwright playwright;
  static Browser browser;

  BrowserContext context;
  Page page;
  final List<String> pageErrors = new ArrayList<>();

  @BeforeAll
  static void start() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new AssertionError(
          "The browser tests need Chromium at "
              + CHROMIUM
              + "; install it with: apt-get install -y chromium");
    }
    // The server trains its demo models while the browser starts.
    CompletableFuture<TestServer> server = CompletableFuture.supplyAsync(TestServer::new);
    try {
      playwright =
          Playwright.create(
              new Playwright.CreateOptions()
                  .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
      browser =
          playwright
              .chromium()
              .launch(
                  new BrowserType.LaunchOptions()
                      .setExecutablePath(CHROMIUM)
                      .setHeadless(true)
                      .setArgs(
                          List.of(
                              "--no-sandbox",
                              "--disable-gpu",
                              "--disable-background-networking",
                              "--disable-component-update",
                              "--disable-sync",
                              "--no-first-run")));
    } finally {
      s = server.join();
    }
  }

  @AfterAll
  static void stop() {
    if (playwright != null) {
      playwright.close();
    }
    if (s != null) {
      s.close();
    }
  }

  @BeforeEach
  void open() {
    context = browser.newContext();
    context.setDefaultTimeout(TIMEOUT_MS);
    page = context.newPage();
    page.onPageError(pageErrors::add);
    page.navigate(s.base() + "/ui/models/ad-click");
  }

  @AfterEach
  void close() throws Exception {
    try {
      Files.createDirectories(SCREENSHOT.getParent());
      page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOT).setFullPage(true));
      assertThat(pageErrors).as("JavaScript errors on the page").isEmpty();
    } finally {
      context.close();
    }
  }

  @Test
  void theFormPredictsWithTheChosenValuesAndTheConsoleShowsOkAndBadResponses() throws Exception {
    // The form: pick another device, set the hour, predict.
    assertThat(page.locator("#f-device option").allTextContents()).contains("tablet");
    page.selectOption("#f-device", "tablet");
    page.fill("#f-hour", "21");
    Request sent =
        page.waitForRequest(
            "**/api/v1/models/ad-click/predict", () -> page.click("#try button[type=submit]"));
    JsonNode record = TestServer.JSON.readTree(sent.postData()).get("records").get(0);
    assertThat(record.get("device").asText()).isEqualTo("tablet");
    assertThat(record.get("hour").isIntegralNumber()).as(record.toString()).isTrue();
    assertThat(record.get("hour").asLong()).isEqualTo(21);

    String answer = settledText("answer");
    JsonNode prediction = TestServer.JSON.readTree(answer).path("predictions").path(0);
    assertThat(prediction.has("label")).as(answer).isTrue();
    assertThat(prediction.path("score").isNumber()).as(answer).isTrue();
    assertThat(prediction.path("model_version").asText()).as(answer).isNotEmpty();
    assertThat(page.getAttribute("#answer", "class")).isNullOrEmpty();

    // The console's first sample (Open Inference Protocol v2) as it is.
    page.click("button.send[data-i='0']");
    String oip = settledText("resp-0");
    assertThat(oip).startsWith("HTTP 200").contains("outputs");

    // The records sample with a string where a number belongs.
    ObjectNode body = (ObjectNode) TestServer.JSON.readTree(page.inputValue("#body-1"));
    ((ObjectNode) body.get("records").get(0)).put("hour", "noon");
    page.fill("#body-1", TestServer.JSON.writeValueAsString(body));
    page.click("button.send[data-i='1']");
    String bad = settledText("resp-1");
    assertThat(bad).startsWith("HTTP 400").contains("records[0].hour");
    assertThat(page.getAttribute("#resp-1", "class")).isEqualTo("err");
  }

  /** The text of the element once the page's request has finished (not blank, not pending). */
  private String settledText(String id) {
    page.waitForFunction(
        "id => { const t = document.getElementById(id).textContent;"
            + " return t !== '' && t !== '…' && t !== '(submit the form)'; }",
        id,
        new Page.WaitForFunctionOptions().setTimeout(TIMEOUT_MS));
    return page.textContent("#" + id);
  }
}
