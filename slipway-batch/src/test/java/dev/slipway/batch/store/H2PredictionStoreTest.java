package dev.slipway.batch.store;

import dev.slipway.registry.ModelRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** {@link PredictionStoreContract} on the embedded H2 metadata database of a Slipway home. */
class H2PredictionStoreTest extends PredictionStoreContract {
  @TempDir Path home;
  private ModelRegistry registry;

  @Override
  protected PredictionStore open() {
    registry = ModelRegistry.embedded(home);
    return new JdbcPredictionStore(registry.dataSource());
  }

  @Override
  protected PredictionStore expiring(java.time.Duration ttl, java.time.Clock clock) {
    return new JdbcPredictionStore(registry.dataSource(), ttl, clock);
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
  }
}
