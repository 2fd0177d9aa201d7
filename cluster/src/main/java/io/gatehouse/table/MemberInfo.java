package io.gatehouse.table;

/**
 * What a member says about itself.
 *
 * @param servedGeneration the generation its router serves; -1 before its first snapshot
 */
public record MemberInfo(
    String id,
    String address,
    boolean local,
    long servedGeneration,
    long startedEpochMillis,
    String version) {}
