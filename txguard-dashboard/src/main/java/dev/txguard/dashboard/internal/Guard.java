package dev.txguard.dashboard.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * The check every request passes before any route runs: security headers, the Host check (loopback
 * servers), authentication, and for actions read-only mode, same-origin and the CSRF token. A
 * refused request gets its status and a short plain-text reason, and no route runs.
 */
final class Guard {
  static final String USER = "txguard.dashboard.user";
  private static final String ADMITTED = "txguard.dashboard.admitted";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /** In the order a 421 lists them. */
  private static final List<String> LOOPBACK_HOSTS = List.of("127.0.0.1", "localhost", "[::1]");

  private static final Pattern LOOPBACK_V4 =
      Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final int REMEMBERED = 256;

  /**
   * How many credentials (not yet remembered) are checked at once; each check is a PBKDF2 hash of
   * about 170 ms of CPU, so a flood of wrong credentials gets 429 at once instead of the CPU.
   */
  static final int CONCURRENT_CHECKS = 2;

  private final Credentials credentials;
  private final boolean readOnly;
  private final boolean checkHost;

  /** The bound address as a Host header names it (IPv6 in brackets), lower case. */
  private final String boundHost;

  /** The host names a 421 lists: the loopback names, then the bound address if it is another. */
  private final String allowedHosts;

  private final byte[] key = Credentials.random(32);

  /**
   * Verified Authorization headers, by their HMAC under {@link #key}: the PBKDF2 hash runs once
   * each.
   */
  private final Map<String, String> verified = new ConcurrentHashMap<>();

  private final Semaphore checks = new Semaphore(CONCURRENT_CHECKS);

  /** All {@link #CONCURRENT_CHECKS} credential checks are running: the request gets 429. */
  private static final class Busy extends RuntimeException {
    Busy() {
      super("too many credential checks at once", null, false, false);
    }
  }

  /**
   * {@code bind} is the address a started server listens on (its Host is allowed), null when
   * mounted.
   */
  Guard(Credentials credentials, boolean readOnly, boolean checkHost, String bind) {
    this.credentials = credentials;
    this.readOnly = readOnly;
    this.checkHost = checkHost;
    this.boundHost =
        bind == null ? "" : (bind.contains(":") ? "[" + bind + "]" : bind).toLowerCase(Locale.ROOT);
    Set<String> listed = new LinkedHashSet<>(LOOPBACK_HOSTS);
    if (!boundHost.isEmpty()) {
      listed.add(boundHost);
    }
    this.allowedHosts = String.join(", ", listed);
  }

  /**
   * Runs the checks once per request: a request admitted before (by the before-handler) is not
   * checked again by its route's wrapper. Returns false (the response set) when refused.
   */
  boolean admitOnce(Context ctx) {
    if (Boolean.TRUE.equals(ctx.attribute(ADMITTED))) {
      return true;
    }
    boolean admitted = admit(ctx);
    if (admitted) {
      ctx.attribute(ADMITTED, Boolean.TRUE);
    }
    return admitted;
  }

  /** Runs the checks; returns false (the response already set) when the request is refused. */
  boolean admit(Context ctx) {
    headers(ctx);
    if (checkHost && !hostAllowed(ctx.header("Host"))) {
      return refuse(
          ctx, 421, "this dashboard answers only to a loopback host name (" + allowedHosts + ")");
    }
    Optional<String> user;
    try {
      user = authenticate(ctx.header("Authorization"));
    } catch (Busy e) {
      ctx.header("Retry-After", "1");
      return refuse(ctx, 429, "too many credential checks at once: try again in a second");
    }
    if (user.isEmpty()) {
      ctx.header("WWW-Authenticate", "Basic realm=\"txguard dashboard\", charset=\"UTF-8\"");
      return refuse(ctx, 401, "authentication required");
    }
    ctx.attribute(USER, user.get());
    if (!ctx.method().equals(HandlerType.GET) && !ctx.method().equals(HandlerType.HEAD)) {
      return admitAction(ctx, user.get());
    }
    return true;
  }

  /**
   * The CSRF token of {@code user}: an HMAC under this process's key, so other origins cannot
   * compute it.
   */
  String csrfToken(String user) {
    return Credentials.hmac(key, "csrf:" + user);
  }

  private boolean admitAction(Context ctx, String user) {
    if (!ctx.method().equals(HandlerType.POST)) {
      return refuse(ctx, 405, "actions are POST requests");
    }
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin")) {
      return refuse(ctx, 403, "cross-site request refused (Sec-Fetch-Site: " + site + ")");
    }
    String origin = ctx.header("Origin");
    if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.header("Host"))) {
      return refuse(ctx, 403, "request from another origin refused");
    }
    String token = ctx.header(CSRF_HEADER);
    if (token == null
        || !MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8),
            csrfToken(user).getBytes(StandardCharsets.UTF_8))) {
      return refuse(
          ctx, 403, "missing or wrong " + CSRF_HEADER + " header: read it from GET api/session");
    }
    if (readOnly) {
      return refuse(ctx, 403, "this dashboard is read-only");
    }
    return true;
  }

  private Optional<String> authenticate(String header) {
    if (credentials.isNone()) {
      return Optional.of("anonymous");
    }
    if (header == null) {
      return Optional.empty();
    }
    String remembered = Credentials.hmac(key, header);
    String user = verified.get(remembered);
    if (user != null) {
      return Optional.of(user);
    }
    if (!checks.tryAcquire()) {
      throw new Busy();
    }
    Optional<String> found;
    try {
      found = verify(header);
    } finally {
      checks.release();
    }
    found.ifPresent(
        u -> {
          if (verified.size() >= REMEMBERED) {
            verified.clear();
          }
          verified.put(remembered, u);
        });
    return found;
  }

  private Optional<String> verify(String header) {
    String lower = header.toLowerCase(Locale.ROOT);
    if (lower.startsWith("bearer ") && credentials.isToken()) {
      return credentials.verify(null, header.substring(7).strip());
    }
    if (!lower.startsWith("basic ")) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon < 0
        ? Optional.empty()
        : credentials.verify(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  private static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    ctx.header("Cross-Origin-Resource-Policy", "same-origin");
  }

  /**
   * Loopback names, any 127.0.0.0/8 literal and the bound address: never a name DNS could rebind.
   */
  private boolean hostAllowed(String host) {
    String name = hostName(host).toLowerCase(Locale.ROOT);
    return LOOPBACK_HOSTS.contains(name)
        || name.equals(boundHost)
        || LOOPBACK_V4.matcher(name).matches();
  }

  private static String hostName(String host) {
    if (host == null) {
      return "";
    }
    int colon = host.lastIndexOf(':');
    return colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
  }

  private static boolean refuse(Context ctx, int status, String reason) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(reason + "\n");
    ctx.skipRemainingHandlers();
    return false;
  }
}
