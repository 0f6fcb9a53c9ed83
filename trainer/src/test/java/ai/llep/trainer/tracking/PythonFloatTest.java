package ai.llep.trainer.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonFloatTest {
  @ParameterizedTest
  @CsvSource({
    "0.5, 0.5",
    "3.0, 3.0",
    "-2.5, -2.5",
    "0.0, 0.0",
    "-0.0, -0.0",
    "1e-05, 1e-05",
    "2.5e-05, 2.5e-05",
    "1.5e-07, 1.5e-07",
    "0.0001, 0.0001",
    "0.00012, 0.00012",
    "1234.5678, 1234.5678",
    "1e15, 1000000000000000.0",
    "1e16, 1e+16",
    "1.2345e20, 1.2345e+20",
    "1e22, 1e+22",
    "1.7976931348623157e308, 1.7976931348623157e+308",
    "4.9e-324, 5e-324",
    "0.30000000000000004, 0.30000000000000004",
    "NaN, nan",
    "Infinity, inf",
    "-Infinity, -inf",
  })
  void writesAsPythonsRepr(double value, String python) {
    assertEquals(python, PythonFloat.repr(value));
    assertEquals(
        Double.doubleToLongBits(value), Double.doubleToLongBits(PythonFloat.parse(python)));
  }

  @ParameterizedTest
  @CsvSource({"0.1, 0.10000000149011612", "2.0, 2.0", "3.3, 3.299999952316284"})
  void floatValuesWidenExactly(float value, String python) {
    assertEquals(python, PythonFloat.repr(value));
  }
}
