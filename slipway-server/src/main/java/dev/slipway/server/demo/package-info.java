/** The demo: the ad-click model, trained by Slipway itself from seeded data and registered. */
package dev.slipway.server.demo;
