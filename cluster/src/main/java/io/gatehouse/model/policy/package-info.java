/** A route's policies as its source described them: plain records, JDK only. */
package io.gatehouse.model.policy;
