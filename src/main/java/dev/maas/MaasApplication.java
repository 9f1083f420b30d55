package dev.maas;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The maas server: datasets, training jobs, a model registry and predictions over HTTP. */
@SpringBootApplication
@org.springframework.boot.context.properties.ConfigurationPropertiesScan
public class MaasApplication {

  public static void main(String[] args) {
    SpringApplication.run(MaasApplication.class, args);
  }
}
