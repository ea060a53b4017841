/**
 * Alerts: thresholds on per-window monitoring values (drift statistics, live performance) that
 * raise an {@link dev.slipway.monitor.alert.Alert} once per breach when enough consecutive windows
 * breach, and clear when a window recovers. Pure logic; where alerts go is a listener's business.
 */
package dev.slipway.monitor.alert;
