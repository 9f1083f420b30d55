package dev.maas.registry;

import dev.maas.errors.InvalidException;
import dev.maas.web.Paging;
import dev.maas.web.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import tools.jackson.databind.JsonNode;

/** The registry over HTTP: models, their versions, aliases and artifacts under /api/v1/models. */
@RestController
@RequestMapping("/api/v1/models")
class RegistryController {
  private final ModelRegistry registry;
  private final DataSize maxArtifactSize;

  RegistryController(ModelRegistry registry, RegistryProperties properties) {
    this.registry = registry;
    this.maxArtifactSize = properties.maxArtifactSize();
  }

  /** A page of models in name order. */
  record ModelPage(List<RegisteredModel> models, int offset, int limit, int total) {}

  record VersionList(List<ModelVersion> versions) {}

  record Alias(String alias, int version) {}

  @GetMapping
  ModelPage models(
      @RequestParam(required = false) String prefix,
      @RequestParam(required = false) String tag,
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = Paging.DEFAULT_LIMIT_TEXT) int limit) {
    Paging page = new Paging(offset, limit);
    String tagKey = null;
    String tagValue = null;
    if (tag != null) {
      int colon = tag.indexOf(':');
      tagKey = colon < 0 ? tag : tag.substring(0, colon);
      tagValue = colon < 0 ? null : tag.substring(colon + 1);
      if (tagKey.isEmpty()) {
        throw new InvalidException("'tag' must be 'key' or 'key:value', not '" + tag + "'");
      }
    }
    List<RegisteredModel> all = registry.models(emptyToNull(prefix), tagKey, tagValue);
    return new ModelPage(page.of(all), offset, limit, all.size());
  }

  @GetMapping("/{name}")
  RegisteredModel model(@PathVariable String name) {
    return registry.model(name);
  }

  @PatchMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
  RegisteredModel updateModel(@PathVariable String name, @RequestBody JsonNode body) {
    Names.model(name);
    RegistryRequests.Labels labels = RegistryRequests.labels(body);
    return registry.updateModel(name, labels.description(), labels.tags());
  }

  @DeleteMapping("/{name}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteModel(@PathVariable String name) {
    registry.deleteModel(name);
  }

  @GetMapping("/{name}/versions")
  VersionList versions(@PathVariable String name) {
    return new VersionList(registry.versions(name));
  }

  /**
   * Imports a model file (the body, at most maas.registry.max-artifact-size) as the next version.
   */
  @PostMapping(path = "/{name}/versions", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  ResponseEntity<ModelVersion> importVersion(@PathVariable String name, HttpServletRequest request)
      throws IOException {
    Names.model(name);
    byte[] artifact = RequestBodies.read(request, maxArtifactSize, "the model file");
    ModelVersion v = registry.importVersion(name, artifact);
    return ResponseEntity.created(URI.create(versionPath(v.name(), v.version()))).body(v);
  }

  @GetMapping("/{name}/versions/{version}")
  ModelVersion version(@PathVariable String name, @PathVariable int version) {
    return registry.version(name, version);
  }

  @PatchMapping(path = "/{name}/versions/{version}", consumes = MediaType.APPLICATION_JSON_VALUE)
  ModelVersion updateVersion(
      @PathVariable String name, @PathVariable int version, @RequestBody JsonNode body) {
    Names.model(name);
    RegistryRequests.Labels labels = RegistryRequests.labels(body);
    return registry.updateVersion(name, version, labels.description(), labels.tags());
  }

  @DeleteMapping("/{name}/versions/{version}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteVersion(@PathVariable String name, @PathVariable int version) {
    registry.deleteVersion(name, version);
  }

  /** The model file, checked against its SHA-256 on the way out. */
  @GetMapping("/{name}/versions/{version}/artifact")
  ResponseEntity<byte[]> artifact(
      @PathVariable String name, @PathVariable int version, WebRequest request) {
    String sha256 = registry.version(name, version).artifactSha256();
    if (sha256 != null && request.checkNotModified('"' + sha256 + '"')) {
      return null; // 304, headers already set
    }
    byte[] bytes = registry.artifact(name, version);
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_OCTET_STREAM);
    headers.setContentLength(bytes.length);
    headers.setContentDisposition(
        ContentDisposition.attachment().filename(name + "-" + version + ".maas").build());
    headers.setETag('"' + sha256 + '"');
    headers.set("X-Checksum-SHA256", sha256);
    return new ResponseEntity<>(bytes, headers, HttpStatus.OK);
  }

  @PutMapping(path = "/{name}/aliases/{alias}", consumes = MediaType.APPLICATION_JSON_VALUE)
  Alias setAlias(
      @PathVariable String name, @PathVariable String alias, @RequestBody JsonNode body) {
    Names.model(name);
    Names.alias(alias);
    int version = RegistryRequests.aliasTarget(body);
    registry.setAlias(name, alias, version);
    return new Alias(alias, version);
  }

  @GetMapping("/{name}/aliases/{alias}")
  Alias alias(@PathVariable String name, @PathVariable String alias) {
    return new Alias(alias, registry.versionByAlias(name, alias).version());
  }

  @DeleteMapping("/{name}/aliases/{alias}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteAlias(@PathVariable String name, @PathVariable String alias) {
    registry.deleteAlias(name, alias);
  }

  static String versionPath(String name, int version) {
    return "/api/v1/models/" + name + "/versions/" + version;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
