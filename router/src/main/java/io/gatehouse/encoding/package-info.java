/**
 * Stage: response body encoding. The streaming encoders a compression policy hands the proxy (gzip
 * with the JDK's zlib, brotli with brotli4j, zstd with zstd-jni), working on byte arrays. Imports
 * the JDK, brotli4j and zstd-jni only; never Vert.x, Netty or another Gatehouse package.
 */
package io.gatehouse.encoding;
