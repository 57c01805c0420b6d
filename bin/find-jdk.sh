# Sourced by ./txguard and .ci/run: sets JAVA_HOME to a JDK 21 or newer, looking at JAVA_HOME, the
# `java` on PATH, the JDKs under /usr/lib/jvm (TXGUARD_JDK_DIRS: other directories, space-separated)
# and (macOS) /usr/libexec/java_home, in that order. Without one it says exactly what to install and
# returns 1.

txguard_java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

# Whether $1 is a JDK home (it has javac) whose java is 21 or newer.
txguard_is_jdk21() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] \
    && [ "$(txguard_java_major "$1/bin/java")" -ge 21 ] 2>/dev/null
}

txguard_find_jdk() {
  local candidates=() path_java jdk
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if path_java="$(command -v java 2>/dev/null)"; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$path_java")")")")
  fi
  local dir
  for dir in ${TXGUARD_JDK_DIRS:-/usr/lib/jvm}; do
    for jdk in "$dir"/*; do [ -e "$jdk" ] && candidates+=("$jdk"); done
  done
  if [ -x /usr/libexec/java_home ]; then
    candidates+=("$(/usr/libexec/java_home -v 21+ 2>/dev/null || true)")
  fi
  for jdk in "${candidates[@]}"; do
    if txguard_is_jdk21 "$jdk"; then
      export JAVA_HOME="$jdk"
      return 0
    fi
  done
  {
    echo "txguard needs a JDK 21 or newer (found: ${JAVA_HOME:+JAVA_HOME=$JAVA_HOME, }java ${path_java:+$(txguard_java_major "$path_java") at $path_java}${path_java:-not on PATH})."
    echo "Install one, then run this again (it is found under /usr/lib/jvm or via JAVA_HOME):"
    echo "  Debian/Ubuntu: sudo apt-get install openjdk-21-jdk-headless"
    echo "  Fedora/RHEL:   sudo dnf install java-21-openjdk-devel"
    echo "  macOS:         brew install openjdk@21"
    echo "  any system:    a JDK 21+ from https://adoptium.net, then export JAVA_HOME=/path/to/it"
  } >&2
  return 1
}
