/**
 * Stage: response body encoding. The streaming encoders a compression policy hands the proxy (gzip
 * with the JDK's zlib, brotli with brotli4j, zstd with zstd-jni), working on byte arrays. Imports
 * the JDK, brotli4j, zstd-jni and JSpecify's null annotations only; never Vert.x, Netty or another
 * Gatehouse package.
 */
@NullMarked
package io.gatehouse.encoding;

import org.jspecify.annotations.NullMarked;
