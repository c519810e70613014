/**
 * Covet's web layer: serves a CovetPy-style Python app ({@code covet run app.py}) with Helidon SE
 * on virtual threads. The route table is read from the app; each request's handler runs in a pooled
 * interpreter through the scheduler's PYTHON lane; errors are JSON; {@code /healthz} and
 * {@code /metrics} (Prometheus, through Micrometer) are built in.
 */
package io.covet.web;
