/**
 * Stage: source {@code flags}, one of the sources named {@code io.gatehouse.<source>} (with {@code
 * file}, {@code k8s} and the REST source in {@code admin}). Translates {@code --route} flags into
 * validated specs under the route key's source segment {@code cli} (kept from before the packages
 * were named, since keys are stored). Pure: imports the model, validate, the document's forms and
 * JSpecify's null annotations; never another source, the data plane or the node
 * (SourceBoundariesTest).
 */
@NullMarked
package io.gatehouse.flags;

import org.jspecify.annotations.NullMarked;
