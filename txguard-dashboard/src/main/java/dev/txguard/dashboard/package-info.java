/**
 * The queue dashboard: {@link dev.txguard.dashboard.Dashboard}, a web page and JSON API over a
 * queue's {@link dev.txguard.queue.QueueAdmin}, started as a small server of its own or mounted in
 * an application's Javalin.
 *
 * <h2>Security model</h2>
 *
 * <ul>
 *   <li>Binds 127.0.0.1 unless told otherwise; {@code start()} refuses any other address without
 *       credentials.
 *   <li>Every route (page, assets, API; unknown paths too) requires HTTP Basic (or Bearer)
 *       authentication when credentials are set. Passwords and tokens are kept only as PBKDF2
 *       hashes (HmacSHA256, 210,000 iterations, random salt) and compared in constant time; a
 *       credential that verified once is remembered by an HMAC under a per-process key, so each
 *       request does not pay the hash again. At most 2 credentials that are not remembered are
 *       hashed at once; further ones get 429 with {@code Retry-After: 1} at once.
 *   <li>Mounted in an application's Javalin, each route's handler is wrapped in these checks, so
 *       they hold whatever the router's settings (context path, case-insensitive routes, repeated
 *       slashes); the dashboard adds no exception handlers to the application.
 *   <li>Actions are POST only and need the session's CSRF token (header {@code X-CSRF-Token}, an
 *       HMAC of the user name under a per-process secret, read from {@code GET api/session}); a
 *       request whose {@code Origin} is not the dashboard's own, or whose {@code Sec-Fetch-Site} is
 *       not {@code same-origin}, is refused before anything runs.
 *   <li>On a loopback bind the {@code Host} header must name a loopback host (DNS rebinding):
 *       {@code localhost}, {@code [::1]}, a 127.0.0.0/8 literal, or the bound address itself.
 *   <li>Read-only mode refuses every action. Every action is logged (SLF4J logger {@code
 *       dev.txguard.dashboard}) with the user, the client address and what it did.
 *   <li>Responses carry a Content-Security-Policy without inline script or style ({@code
 *       default-src 'self'}, {@code frame-ancestors 'none'}), {@code X-Frame-Options: DENY}, {@code
 *       X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer} and {@code
 *       Cache-Control: no-store}. The page builds its DOM with {@code textContent} only.
 *   <li>No route takes SQL: filters are parsed into a {@link dev.txguard.queue.JobFilter}.
 *   <li>A job's arguments, result and each error message and trace are sent cut to 65,536
 *       characters by the database ({@link dev.txguard.queue.QueueAdmin#detail(long, int)}).
 * </ul>
 */
package dev.txguard.dashboard;
