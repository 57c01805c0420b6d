package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module boundary as a user on the module path meets it: {@code dev.txguard} is exported,
 * {@code dev.txguard.internal} only to txguard's own modules. Shown by the descriptor the build
 * produced and by compiling two small consumer modules against it. No database needed.
 */
class ModuleBoundaryTest {
  @TempDir Path dir;

  private static Path classes() {
    return Path.of("target", "classes");
  }

  @Test
  void theDescriptorExportsTheApiAndTheImplementationOnlyToSiblings() throws IOException {
    ModuleDescriptor descriptor;
    try (InputStream in = Files.newInputStream(classes().resolve("module-info.class"))) {
      descriptor = ModuleDescriptor.read(in);
    }
    assertThat(descriptor.name()).isEqualTo("dev.txguard");
    Map<String, Set<String>> exports =
        descriptor.exports().stream()
            .collect(
                Collectors.toMap(
                    ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
    assertThat(exports).containsOnlyKeys("dev.txguard", "dev.txguard.internal");
    assertThat(exports.get("dev.txguard")).as("exported to everyone").isEmpty();
    assertThat(exports.get("dev.txguard.internal"))
        .containsExactlyInAnyOrder("dev.txguard.queue", "dev.txguard.micrometer");
    assertThat(descriptor.opens()).isEmpty();
  }

  @Test
  void aConsumerModuleCanUseTheApi() throws Exception {
    List<Diagnostic<? extends JavaFileObject>> errors =
        compile(
            """
        package app;

        import dev.txguard.Database;
        import dev.txguard.TxOptions;

        public class Main {
          public static TxOptions options(Database db) {
            return TxOptions.defaults().name("app");
          }
        }
        """);
    assertThat(errors).isEmpty();
  }

  @Test
  void aConsumerModuleCannotImportTheImplementation() throws Exception {
    List<Diagnostic<? extends JavaFileObject>> errors =
        compile(
            """
        package app;

        import dev.txguard.internal.Engine;

        public class Main {
          public static String name(Engine engine) {
            return engine.name();
          }
        }
        """);
    assertThat(errors).isNotEmpty();
    assertThat(errors.get(0).getMessage(null))
        .contains("dev.txguard.internal")
        .contains("does not export it");
  }

  /** Compiles module {@code app} (requires dev.txguard) with one class; returns the errors. */
  private List<Diagnostic<? extends JavaFileObject>> compile(String mainSource) throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), "module app { requires dev.txguard; }\n");
    Files.writeString(src.resolve("app/Main.java"), mainSource);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      List<String> options =
          new ArrayList<>(
              List.of(
                  "-d",
                  dir.resolve("out").toString(),
                  "-classpath",
                  dir.toString(),
                  "--module-path",
                  modulePath(),
                  "-proc:none"));
      Iterable<? extends JavaFileObject> units =
          files.getJavaFileObjects(src.resolve("module-info.java"), src.resolve("app/Main.java"));
      javac.getTask(null, files, diagnostics, options, null, units).call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
        .toList();
  }

  /** txguard-core's classes and the jars of the modules it requires. */
  private static String modulePath() throws URISyntaxException {
    List<String> path = new ArrayList<>(List.of(classes().toAbsolutePath().toString()));
    for (Class<?> c :
        List.of(
            com.zaxxer.hikari.HikariConfig.class,
            org.slf4j.Logger.class,
            org.postgresql.Driver.class)) {
      path.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    return String.join(java.io.File.pathSeparator, path);
  }
}
