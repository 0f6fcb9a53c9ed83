package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClosestKeyTest {
  private static final List<String> KEYS =
      List.of(
          "llep.alpha", "llep.lambda", "llep.mode", "seed", "comm.timeout", "comm.connect-timeout");

  @Test
  void swappedLettersCostOne() {
    assertEquals(1, ClosestKey.distance("alhpa", "alpha"));
    assertEquals(3, ClosestKey.distance("ca", "abc"), "no edits inside a swapped pair");
    assertEquals(3, ClosestKey.distance("kitten", "sitting"));
    assertEquals(0, ClosestKey.distance("", ""));
  }

  @Test
  void findsTypoInTheWholePath() {
    assertEquals(Optional.of("llep.alpha"), ClosestKey.of("llep.alhpa", KEYS));
    assertEquals(Optional.of("comm.timeout"), ClosestKey.of("comm.timout", KEYS));
    assertEquals(Optional.of("llep.mode"), ClosestKey.of("lep.mode", KEYS));
  }

  @Test
  void findsALastSegmentUnderAnotherParent() {
    assertEquals(Optional.of("llep.lambda"), ClosestKey.of("lambda", KEYS));
    assertEquals(Optional.of("llep.alpha"), ClosestKey.of("verify.alpha", KEYS));
  }

  @Test
  void tiesGoToTheCloserWholePathThenAlphabetical() {
    assertEquals(Optional.of("b.x"), ClosestKey.of("a.x", List.of("c.x", "b.x")));
    assertEquals(Optional.of("ab.x"), ClosestKey.of("ab.y", List.of("zz.x", "ab.x")));
  }

  @Test
  void nothingCloseGivesNothing() {
    assertEquals(Optional.empty(), ClosestKey.of("zzzzzz", KEYS));
    assertEquals(Optional.empty(), ClosestKey.of("x", List.of()));
  }
}
