/** A route's policies as its source described them: plain records, JDK (and JSpecify) only. */
@NullMarked
package io.gatehouse.model.policy;

import org.jspecify.annotations.NullMarked;
