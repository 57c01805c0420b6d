package dev.txguard.dashboard.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may use a dashboard: nobody checked, one user with a password, or a token. The secret is kept
 * only as a PBKDF2-HMAC-SHA256 hash with a random salt (210,000 iterations, OWASP's 2023 figure for
 * this PRF) and compared with {@link MessageDigest#isEqual} (constant time).
 */
public final class Credentials {
  private static final int ITERATIONS = 210_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String user;
  private final byte[] salt;
  private final byte[] hash;

  private Credentials(String user, byte[] salt, byte[] hash) {
    this.user = user;
    this.salt = salt;
    this.hash = hash;
  }

  /** No authentication. */
  public static Credentials none() {
    return new Credentials(null, null, null);
  }

  /** A token (any user name, or Bearer). */
  public static Credentials token(String token) {
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException(
          "token must be at least 16 characters long, was "
              + (token == null ? "null" : token.length() + " characters"));
    }
    byte[] salt = salt();
    return new Credentials(null, salt, pbkdf2(token, salt));
  }

  /** One user and password. */
  public static Credentials user(String name, String password) {
    if (name == null || name.isBlank() || name.contains(":")) {
      throw new IllegalArgumentException(
          "user name must not be blank or contain ':', was '" + name + "'");
    }
    if (password == null || password.length() < 8) {
      throw new IllegalArgumentException(
          "password for user '" + name + "' must be at least 8 characters long");
    }
    byte[] salt = salt();
    return new Credentials(name, salt, pbkdf2(password, salt));
  }

  /** Whether requests go unchecked. */
  public boolean isNone() {
    return hash == null;
  }

  /** Whether a token (not a user) is required. */
  boolean isToken() {
    return hash != null && user == null;
  }

  /**
   * The user a request's name and secret identify: the configured user, {@code "token"} for a
   * token; empty when they do not match. Runs the PBKDF2 hash (tens of milliseconds).
   */
  Optional<String> verify(String name, String secret) {
    boolean nameOk =
        user == null
            || MessageDigest.isEqual(
                user.getBytes(StandardCharsets.UTF_8),
                (name == null ? "" : name).getBytes(StandardCharsets.UTF_8));
    boolean secretOk = MessageDigest.isEqual(hash, pbkdf2(secret, salt));
    return nameOk && secretOk ? Optional.of(user == null ? "token" : user) : Optional.empty();
  }

  /** A keyed hash (HMAC-SHA256) of {@code text}, for remembering verified credentials by. */
  static String hmac(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /** Random bytes from {@link SecureRandom}. */
  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] salt() {
    return random(16);
  }

  private static byte[] pbkdf2(String secret, byte[] salt) {
    PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, ITERATIONS, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  @Override
  public String toString() {
    return isNone()
        ? "Credentials[none]"
        : isToken() ? "Credentials[token]" : "Credentials[user " + user + "]";
  }
}
