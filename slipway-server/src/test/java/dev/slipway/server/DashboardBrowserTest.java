package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import dev.slipway.server.demo.DemoModel;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard renders with data in headless Chromium: after traffic to two versions over six
 * sampled windows (the sampler driven by the test, not by waiting), the traffic, latency and rate
 * plots are drawn on their canvases in the series' colours with legends naming the versions, and
 * the panels whose endpoints do not exist yet say "no data yet". A screenshot is kept in {@code
 * target/screenshots/dashboard.png}.
 */
class DashboardBrowserTest {
  static final Path CHROMIUM = ModelPageBrowserTest.CHROMIUM;
  static final Path SCREENSHOT = Paths.get("target", "screenshots", "dashboard.png");
  static final double TIMEOUT_MS = 15_000;
  static final int WINDOWS = 6;
  static final String OTHER_RECORD =
      "{\"records\": [{\"hour\": 3, \"ad_position\": 5, \"user_past_ctr\": 0.0, \"user_age\": 65,"
          + " \"device\": \"desktop\", \"site_category\": \"finance\", \"ad_size\": \"160x600\"}]}";
  // per window, the share of rows the guards' fallback answered, as the answers' served_by say
  static final List<Double> FALLBACK_RATES = new ArrayList<>();

  static TestServer s;
  static Playwright playwright;
  static Browser browser;

  @BeforeAll
  static void start() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new AssertionError(
          "The browser tests need Chromium at "
              + CHROMIUM
              + "; install it with: apt-get install -y chromium");
    }
    CompletableFuture<TestServer> server =
        CompletableFuture.supplyAsync(
            () ->
                new TestServer(
                    c ->
                        c.toBuilder()
                            .historySampleSeconds(3600) // only the test samples
                            .guard(DemoModel.NAME, DemoModel.guardSpec())
                            .build()));
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
    // Six windows of 10 s ending a few minutes ago (inside the page's default hour): version 2
    // (the latest) gets more traffic each window, version 1 a steady request, every other window
    // has a refused request.
    Instant t0 = Instant.now().minusSeconds(300);
    s.server.history().sampleAt(t0);
    for (int w = 1; w <= WINDOWS; w++) {
      int rows = 0;
      int fallback = 0;
      for (int i = 0; i <= w; i++) {
        HttpResponse<String> r =
            s.post(
                i == 0
                    ? "/api/v1/models/ad-click/versions/1/predict"
                    : "/api/v1/models/ad-click/predict",
                i % 2 == 0 ? HistoryApiTest.RECORD : OTHER_RECORD);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode p : TestServer.json(r).get("predictions")) {
          rows++;
          fallback += p.get("served_by").asText().startsWith("ad-click/") ? 0 : 1;
        }
      }
      FALLBACK_RATES.add((double) fallback / rows);
      if (w % 2 == 0) {
        assertThat(s.post("/api/v1/models/ad-click/predict", "{\"records\": []}").statusCode())
            .isEqualTo(400);
      }
      s.server.history().sampleAt(t0.plusSeconds(10L * w));
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

  @Test
  void thePlotsAreDrawnWithDataAndPanelsWithoutDataSayNoDataYet() throws Exception {
    List<String> pageErrors = new ArrayList<>();
    try (BrowserContext context =
        browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 1000))) {
      context.setDefaultTimeout(TIMEOUT_MS);
      Page page = context.newPage();
      page.onPageError(pageErrors::add);
      page.navigate(s.base() + "/ui/models/ad-click");
      page.click("#dashboard-link");
      page.waitForURL("**/models/ad-click/dashboard");
      page.waitForFunction(
          "() => ['traffic', 'latency', 'rates', 'drift', 'live', 'rollout'].every(id =>"
              + " document.getElementById('panel-' + id).dataset.state)");
      Files.createDirectories(SCREENSHOT.getParent());
      page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOT).setFullPage(true));
      assertThat(Files.size(SCREENSHOT)).isPositive();

      for (String id : List.of("traffic", "latency", "rates")) {
        assertThat(page.getAttribute("#panel-" + id, "data-state")).as(id).isEqualTo("drawn");
      }
      // 2 versions × 6 windows; the latency panel has p50, p95 and p99 of each
      assertThat(page.getAttribute("#panel-traffic", "data-points")).isEqualTo("12");
      assertThat(page.getAttribute("#panel-latency", "data-points")).isEqualTo("36");
      assertThat(page.textContent("#panel-traffic .u-legend"))
          .contains("version 1")
          .contains("version 2");
      assertThat(page.textContent("#panel-latency .u-legend")).contains("version 2 p99");
      assertThat(page.textContent("#panel-rates .u-legend"))
          .contains("error rate")
          .contains("fallback rate");

      // The lines are on the canvases, in the colours of their series.
      assertThat(pixelsNear(page, "traffic", "#1e5eff")).as("version 1's line").isGreaterThan(100);
      assertThat(pixelsNear(page, "traffic", "#e8590c")).as("version 2's line").isGreaterThan(100);
      int latency = 0;
      for (String colour :
          List.of("#1e5eff", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#0b7285")) {
        latency += pixelsNear(page, "latency", colour);
      }
      assertThat(latency).as("the latency lines").isGreaterThan(100);
      assertThat(pixelsNear(page, "rates", "#1e5eff")).as("the error rate").isGreaterThan(100);
      assertThat(pixelsNear(page, "traffic", "#2b8a3e")).as("no third series").isZero();

      // no feedback has been posted and no rollout started: those panels have nothing to draw
      // (drift depends on whether the prediction log has written the windows yet; it must not
      // fail)
      assertThat(page.getAttribute("#panel-drift", "data-state")).isIn("drawn", "empty");
      for (String id : List.of("live", "rollout")) {
        assertThat(page.getAttribute("#panel-" + id, "data-state")).as(id).isEqualTo("empty");
        assertThat(page.textContent("#panel-" + id + " .empty")).as(id).isEqualTo("no data yet");
        assertThat(page.locator("#panel-" + id + " canvas").count()).as(id).isZero();
      }
      assertThat(pageErrors).as("JavaScript errors on the page").isEmpty();
    }
  }

  @Test
  void theDriftLiveMetricAndRolloutPanelsDrawTheMonitoringAndRolloutAnswersAndShowTextAsText() {
    long now = System.currentTimeMillis();
    String drift =
        ("{\"features\": [{\"feature\": \"hour\", \"kind\": \"numeric\", \"statistic\": \"psi\","
                + " \"points\": [{\"time\": \"%s\", \"version\": 1, \"value\": 0.02},"
                + " {\"time\": \"%s\", \"version\": 1, \"value\": 0.3}]},"
                + " {\"feature\": \"hour\", \"kind\": \"numeric\", \"statistic\": \"ks\","
                + " \"points\": [{\"time\": \"%s\", \"version\": 1, \"value\": 0.9}]},"
                + " {\"feature\": \"device\", \"kind\": \"categorical\", \"statistic\": \"psi\","
                + " \"points\": [{\"time\": \"%s\", \"version\": 1, \"value\": 0.1}]}],"
                + " \"prediction\": []}")
            .formatted(
                Instant.ofEpochMilli(now - 120_000),
                Instant.ofEpochMilli(now - 60_000),
                Instant.ofEpochMilli(now - 60_000),
                Instant.ofEpochMilli(now - 60_000));
    String performance =
        ("{\"series\": {\"accuracy\": [{\"time\": \"%s\", \"version\": 2, \"value\": 0.9},"
                + " {\"time\": \"%s\", \"version\": 2, \"value\": 0.85}],"
                + " \"auc\": [{\"time\": \"%s\", \"version\": 2, \"value\": 0.8}]}}")
            .formatted(
                Instant.ofEpochMilli(now - 120_000),
                Instant.ofEpochMilli(now - 60_000),
                Instant.ofEpochMilli(now - 60_000));
    String rollout =
        "{\"status\": \"RUNNING\", \"stable\": 1, \"candidate\": 2, \"percent\": 10,"
            + " \"step\": 0, \"decisions\": [{\"at\": \"2026-01-31T12:00:00Z\", \"step\": 0,"
            + " \"percent\": 10, \"outcome\": \"NEXT\","
            + " \"reason\": \"<img src=x onerror=\\\"window.injected=1\\\">\","
            + " \"numbers\": {\"p_value\": 0.5}}]}";
    try (BrowserContext context = browser.newContext()) {
      context.setDefaultTimeout(TIMEOUT_MS);
      for (String[] fake :
          new String[][] {{"drift", drift}, {"performance", performance}, {"rollout", rollout}}) {
        context.route(
            "**/api/v1/models/ad-click/" + fake[0] + "*",
            route ->
                route.fulfill(
                    new Route.FulfillOptions()
                        .setStatus(200)
                        .setContentType("application/json")
                        .setBody(fake[1])));
      }
      List<String> pageErrors = new ArrayList<>();
      Page page = context.newPage();
      page.onPageError(pageErrors::add);
      page.navigate(s.base() + "/models/ad-click/dashboard");
      page.waitForFunction(
          "() => ['drift', 'live', 'rollout'].every(id =>"
              + " document.getElementById('panel-' + id).dataset.state)");

      assertThat(page.getAttribute("#panel-drift", "data-state")).isEqualTo("drawn");
      assertThat(page.textContent("#panel-drift .u-legend")).contains("hour").contains("device");
      assertThat(page.getAttribute("#panel-drift", "data-points")).isEqualTo("3");
      assertThat(page.getAttribute("#panel-live", "data-state")).isEqualTo("drawn");
      assertThat(page.textContent("#panel-live .u-legend"))
          .contains("version 2 accuracy")
          .contains("version 2 auc");
      assertThat(page.textContent("#rollout-state"))
          .contains("RUNNING")
          .contains("candidate traffic %10");
      assertThat(page.locator("#rollout-decisions tbody tr").count()).isEqualTo(1);
      assertThat(page.textContent("#rollout-decisions tbody"))
          .contains("2026-01-31T12:00:00.000Z")
          .contains("NEXT (10 %)")
          .contains("<img src=x onerror=\"window.injected=1\">")
          .contains("{\"p_value\":0.5}");
      assertThat(page.locator("#rollout-decisions img").count()).isZero();
      assertThat(page.evaluate("() => window.injected")).isNull();
      assertThat(pageErrors).as("JavaScript errors on the page").isEmpty();
    }
  }

  @Test
  void theFallbackRateIsTheShareOfRowsTheFallbackAnsweredInEachWindow() {
    JsonNode history = TestServer.json(s.get("/api/v1/models/ad-click/history"));
    List<Double> rates = new ArrayList<>();
    history.get("series").get("fallback_rate").forEach(p -> rates.add(p.get("value").asDouble()));
    assertThat(rates).isEqualTo(FALLBACK_RATES);
    List<Double> errors = new ArrayList<>();
    history.get("series").get("error_rate").forEach(p -> errors.add(p.get("value").asDouble()));
    // windows 2, 4 and 6 have one refused request next to w + 1 answered ones
    assertThat(errors).containsExactly(0.0, 1 / 4.0, 0.0, 1 / 6.0, 0.0, 1 / 8.0);
  }

  /** Pixels of the panel's plot canvas within a small distance of the colour {@code hex}. */
  private static int pixelsNear(Page page, String panel, String hex) {
    Object n =
        page.evaluate(
            "([panel, hex]) => {"
                + " const c = document.querySelector('#panel-' + panel + ' canvas');"
                + " const want = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));"
                + " const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let n = 0;"
                + " for (let i = 0; i < px.length; i += 4) {"
                + "   if (px[i + 3] > 200 && Math.abs(px[i] - want[0]) + Math.abs(px[i + 1] - want[1])"
                + "       + Math.abs(px[i + 2] - want[2]) < 40) n++;"
                + " }"
                + " return n; }",
            List.of(panel, hex));
    return ((Number) n).intValue();
  }
}
