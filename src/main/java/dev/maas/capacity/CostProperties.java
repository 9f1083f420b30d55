package dev.maas.capacity;

import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code maas.cost.*}: the prices the capacity report turns usage into money with. The defaults are
 * round on-demand cloud list prices, to be replaced by yours.
 *
 * @param currency the ISO 4217 code every cost is given in
 * @param cpuCoreHour price of one CPU core for one hour
 * @param memoryGibHour price of one GiB of memory for one hour
 * @param storageGibMonth price of one GiB stored for one month
 */
@ConfigurationProperties("maas.cost")
@Validated
public record CostProperties(
    @DefaultValue("USD") String currency,
    @DefaultValue("0.04") @PositiveOrZero double cpuCoreHour,
    @DefaultValue("0.005") @PositiveOrZero double memoryGibHour,
    @DefaultValue("0.1") @PositiveOrZero double storageGibMonth) {
  public CostProperties {
    currency = currency == null || currency.isBlank() ? "USD" : currency;
  }
}
