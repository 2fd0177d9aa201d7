/**
 * Stage: node. The process: configuration, wiring of table, sources, compiler and verticles, the
 * status listener and graceful shutdown. The only package that may import every other stage.
 */
@NullMarked
package io.gatehouse.node;

import org.jspecify.annotations.NullMarked;
