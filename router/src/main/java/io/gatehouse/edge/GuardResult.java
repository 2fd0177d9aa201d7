package io.gatehouse.edge;

/** What {@link RequestGuard} decided: a head to route, or a refusal to answer with. */
public sealed interface GuardResult permits RequestHead, Refusal {}
