package dev.slipway.batch.schedule;

import dev.slipway.registry.ModelRegistry;

/** {@link JdbcRunHistoryContract} on the embedded H2 database of a Slipway home. */
class H2RunHistoryTest extends JdbcRunHistoryContract {

  @Override
  protected ModelRegistry open() {
    return ModelRegistry.embedded(home);
  }
}
