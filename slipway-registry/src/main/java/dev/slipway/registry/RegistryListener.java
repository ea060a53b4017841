package dev.slipway.registry;

/**
 * Receives the registry's changes in the process that made them. Called after the change has
 * committed, on the thread that made it, so a listener should be quick (hand slow work, such as
 * loading a model or calling a webhook, to another thread). An exception thrown by a listener is
 * logged and changes nothing: the change stays committed and the other listeners are still called.
 *
 * <p>Other processes sharing the database do not see these calls; they poll {@link
 * ModelRegistry#changeSequence()} and read {@link ModelRegistry#changesSince(long, int)}.
 */
@FunctionalInterface
public interface RegistryListener {

  /** Called once per committed change. */
  void onEvent(RegistryEvent event);
}
