/**
 * Stage: translate (the route document). Reads the route document, as a Jackson tree from any
 * source (routes file, REST), into specs or problems with their document paths. Imports the JDK,
 * Jackson databind, the model and validate; never Vert.x or YAML.
 */
package io.gatehouse.document;
