/**
 * Stage: proxy. The router verticles: one per event loop on a shared port, each matching requests
 * against the current snapshot and streaming them to upstream pools with back-pressure. Imports
 * Vert.x core, the model, endpoint index, snapshot, edge, upstream, fallback and tls stages.
 */
package io.gatehouse.proxy;
