package dev.maas.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The web console: plain static files in the jar ({@code classpath:/static/console/}), served at
 * {@code /console/} ({@code /} and {@code /console} redirect there). It is a client of the public
 * REST API only; the API key is typed in the page and sent as a Bearer header, so the files
 * themselves are open (see {@code SecurityConfiguration}, which also sets their
 * Content-Security-Policy).
 *
 * <p>Caching: every file answers {@code Cache-Control: no-cache} with a strong ETag, the SHA-256 of
 * its content. A browser keeps its copy and revalidates it on each use (a 304 without a body when
 * unchanged), so a new jar's files are picked up at the next page load and never mixed with old
 * ones, with no build step to fingerprint file names.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {
  static final String LOCATION = "classpath:/static/console/";

  private final Map<String, String> etags = new ConcurrentHashMap<>();

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addRedirectViewController("/", "/console/");
    registry.addRedirectViewController("/console", "/console/");
    registry.addViewController("/console/").setViewName("forward:/console/index.html");
  }

  @Override
  public void addResourceHandlers(ResourceHandlerRegistry registry) {
    registry
        .addResourceHandler("/console/**")
        .addResourceLocations(LOCATION)
        .setCacheControl(CacheControl.noCache())
        .setUseLastModified(false)
        .setEtagGenerator(this::etag);
  }

  private String etag(Resource resource) {
    String key;
    try {
      // a file changed in place (spring-boot:run from target/classes) gets a new tag
      key = resource.getURL() + "@" + resource.lastModified();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return etags.computeIfAbsent(key, k -> sha256(resource));
  }

  private static String sha256(Resource resource) {
    try (InputStream in = resource.getInputStream()) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return "\"" + HexFormat.of().formatHex(digest.digest()) + "\"";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
