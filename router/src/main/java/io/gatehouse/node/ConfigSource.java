package io.gatehouse.node;

/** Reads the node's whole configuration again, as at start (file, environment, flags). */
@FunctionalInterface
public interface ConfigSource {
  NodeConfig read() throws ConfigException;
}
