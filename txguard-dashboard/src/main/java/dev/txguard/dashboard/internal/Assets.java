package dev.txguard.dashboard.internal;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The page's files, all inside the jars on the class path (no CDN): the dashboard's own page,
 * script and style, and uPlot from its WebJar. Only the names listed here are served.
 */
final class Assets {
  private static final String OWN = "/dev/txguard/dashboard/assets/";
  private static final String UPLOT =
      "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
  private static final Map<String, String[]> FILES =
      Map.of(
          "index.html", new String[] {OWN + "index.html", "text/html; charset=utf-8"},
          "app.js", new String[] {OWN + "app.js", "text/javascript; charset=utf-8"},
          "app.css", new String[] {OWN + "app.css", "text/css; charset=utf-8"},
          "uplot.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
          "uplot.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

  private Assets() {}

  /** Sends the file {@code name}; 404 for any other name. */
  static void send(Context ctx, String name) {
    String[] file = FILES.get(name);
    if (file == null) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("no such asset\n");
      return;
    }
    ctx.contentType(file[1]).result(read(file[0]));
  }

  private static byte[] read(String resource) {
    try (InputStream in = Assets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static String uplotVersion() {
    Properties p = new Properties();
    try (InputStream in =
        Assets.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "the uPlot WebJar (org.webjars.npm:uplot) is missing from the class path");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read uPlot's version", e);
    }
    return p.getProperty("version");
  }
}
