package dev.maas.storage;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.storage.*}: where the embedded stores keep their files.
 *
 * @param path the data directory of the embedded stores (relative to the working directory)
 */
@ConfigurationProperties("maas.storage")
@Validated
public record StorageProperties(@DefaultValue("data") @NotNull Path path) {}
