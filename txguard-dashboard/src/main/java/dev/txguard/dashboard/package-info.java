/**
 * The queue dashboard: {@link dev.txguard.dashboard.Dashboard}, a web page and JSON API over a
 * queue's {@link dev.txguard.queue.QueueAdmin}, started as a small server of its own or mounted in
 * an application's Javalin.
 *
 * <h2>Security model</h2>
 * <ul>
 *   <li>Binds 127.0.0.1 unless told otherwise; {@code start()} refuses any other address without
 *       credentials.
 *   <li>Every route (page, assets, API; unknown paths too) requires HTTP Basic (or Bearer)
 *       authentication when credentials are set. Passwords and tokens are kept only as PBKDF2
 *       hashes (HmacSHA256, 210,000 iterations, random salt) and compared in constant time; a
 *       credential that verified once is remembered by an HMAC under a per-process key, so each
 *       request does not pay the hash again.
 *   <li>Actions are POST only and need the session's CSRF token (header {@code X-CSRF-Token}, an
 *       HMAC of the user name under a per-process secret, read from {@code GET api/session});
 *       a request whose {@code Origin} is not the dashboard's own, or whose
 *       {@code Sec-Fetch-Site} is not {@code same-origin}, is refused before anything runs.
 *   <li>On a loopback bind the {@code Host} header must name a loopback host (DNS rebinding).
 *   <li>Read-only mode refuses every action. Every action is logged (SLF4J logger
 *       {@code dev.txguard.dashboard}) with the user, the client address and what it did.
 *   <li>Responses carry a Content-Security-Policy without inline script or style
 *       ({@code default-src 'self'}, {@code frame-ancestors 'none'}), {@code X-Frame-Options: DENY},
 *       {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer} and
 *       {@code Cache-Control: no-store}. The page builds its DOM with {@code textContent} only.
 *   <li>No route takes SQL: filters are parsed into a {@link dev.txguard.queue.JobFilter}.
 * </ul>
 */
package dev.txguard.dashboard;
