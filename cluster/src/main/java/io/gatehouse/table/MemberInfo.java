package io.gatehouse.table;

/**
 * What a member says about itself.
 *
 * @param servedGeneration the generation its router serves; -1 before its first snapshot
 * @param readsFormat the newest entry payload format it reads; {@link FormatGate#UNADVERTISED} for
 *     a member of a release that does not say
 */
public record MemberInfo(
    String id,
    String address,
    boolean local,
    long servedGeneration,
    long startedEpochMillis,
    String version,
    int readsFormat) {}
