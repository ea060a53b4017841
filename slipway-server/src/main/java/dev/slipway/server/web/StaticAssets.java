package dev.slipway.server.web;

import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Static files served from the server's jar, never from a CDN: the page scripts and styles under
 * {@code /static/slipway/} (resources {@code slipway-static/}) and uPlot's {@code dist/} files
 * under {@code /static/uplot/} (from the {@code org.webjars.npm:uplot} WebJar, whichever version is
 * on the class path). Thread-safe.
 */
public final class StaticAssets {
  /** Where the page scripts and styles are served. */
  public static final String SLIPWAY = "/static/slipway/";

  /** Where uPlot's {@code dist/} files are served. */
  public static final String UPLOT = "/static/uplot/";

  private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

  private StaticAssets() {}

  public static void bind(ServerBuilder sb) {
    ClassLoader cl = StaticAssets.class.getClassLoader();
    sb.serviceUnder(SLIPWAY, FileService.of(cl, "slipway-static"));
    sb.serviceUnder(
        UPLOT,
        FileService.of(cl, "META-INF/resources/webjars/uplot/" + uplotVersion(cl) + "/dist"));
  }

  /** The version of the uPlot WebJar on the class path, from its Maven properties. */
  static String uplotVersion(ClassLoader cl) {
    try (InputStream in = cl.getResourceAsStream(UPLOT_POM)) {
      if (in == null) {
        throw new IllegalStateException("the uPlot WebJar is not on the class path: " + UPLOT_POM);
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
