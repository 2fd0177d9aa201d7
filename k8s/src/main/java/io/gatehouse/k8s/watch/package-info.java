/**
 * Stage: watch. Informers on the API server feed {@code translate}; the result goes to the route
 * table, Ingress events and Ingress status. May import client-java, the table and translate.
 */
package io.gatehouse.k8s.watch;
