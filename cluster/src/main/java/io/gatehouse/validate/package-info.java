/**
 * Stage: validate. Pure checks and normalisation of specs from any source; user errors come back as
 * {@link io.gatehouse.validate.Violation} data, never as exceptions. Imports the model, the JDK and
 * RE2/J only (and JSpecify's null annotations).
 */
@NullMarked
package io.gatehouse.validate;

import org.jspecify.annotations.NullMarked;
