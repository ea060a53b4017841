package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each model has a form generated from its schema and an API console whose samples work. */
class ModelPagesTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void indexLinksEveryModel() {
    HttpResponse<String> r = s.get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("href=\"/ui/models/ad-click\"")
        .contains("href=\"/ui/models/add\"");
  }

  @Test
  void formHasAnInputPerSchemaFieldWithDomainsAsChoices() {
    HttpResponse<String> r = s.get("/ui/models/ad-click");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).contains("text/html"));
    String html = r.body();
    for (String f :
        new String[] {
          "hour", "ad_position", "user_past_ctr", "user_age", "device", "site_category", "ad_size"
        }) {
      assertThat(html).contains("name=\"" + f + "\"");
    }
    assertThat(html).contains("<select id=\"f-device\"").contains("<option>tablet</option>");
    assertThat(html).contains("type=\"number\"").contains("min=\"0.0\" max=\"23.0\"");
    // the training range is a hint, not a limit: the browser must still send other values
    assertThat(html).contains("<form id=\"try\" novalidate>").contains("training range 0 to 23");
  }

  @Test
  void everyConsoleSampleIsAWorkingRequest() {
    String html = s.get("/ui/models/ad-click").body();
    Matcher ta =
        Pattern.compile("<textarea id=\"body-(\\d+)\">(.*?)</textarea>", Pattern.DOTALL)
            .matcher(html);
    Matcher btn =
        Pattern.compile(
                "data-i=\"(\\d+)\" data-method=\"POST\" data-url=\"([^\"]+)\" data-accept=\"([^\"]+)\"")
            .matcher(html);
    List<String> bodies = new ArrayList<>();
    while (ta.find()) {
      bodies.add(unescape(ta.group(2)));
    }
    int sent = 0;
    while (btn.find()) {
      String body = bodies.get(sent++);
      HttpResponse<String> r = s.post(btn.group(2), body, btn.group(3));
      assertThat(r.statusCode())
          .as(btn.group(2) + " " + btn.group(3) + " " + r.body())
          .isEqualTo(200);
    }
    assertThat(sent).as("OIP + records JSON, XML and CSV").isEqualTo(4);
  }

  @Test
  void aModelWithoutRecordsStillGetsAConsole() {
    String html = s.get("/ui/models/add").body();
    assertThat(html)
        .doesNotContain("<form id=\"try\"")
        .contains("Open Inference Protocol v2")
        .contains("/v2/models/add/infer");
  }

  @Test
  void anUnknownModelPageIs404() {
    assertThat(s.get("/ui/models/nope").statusCode()).isEqualTo(404);
  }

  private static String unescape(String s) {
    return s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }
}
