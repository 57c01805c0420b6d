package dev.txguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The jar's module exports the API package only; the implementation stays internal. No database
 * needed.
 */
class ModuleDescriptorTest {
  @Test
  void onlyTheApiPackageIsExported() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target", "classes", "module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("dev.txguard.dashboard");
    assertThat(d.exports())
        .extracting(ModuleDescriptor.Exports::source)
        .containsExactly("dev.txguard.dashboard");
    assertThat(d.exports()).allSatisfy(e -> assertThat(e.targets()).isEmpty());
    assertThat(d.opens()).isEmpty();
  }
}
