package ai.llep.aten;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Why a dispatcher call failed, and whether libtorch had found the operator (then it had taken over
 * every argument) or not (then it had read none).
 *
 * <p>libtorch 2.13 and later keep the message per thread. Before that, libtorch only logs it to
 * standard error, so the call, which is functional ({@link AtenOp} refuses in-place and out=
 * overloads), is repeated on fresh arguments with standard error captured. When even that yields no
 * message, the operator is taken to have been found: a missing operator then leaks its argument
 * handles, where the opposite guess could free them twice.
 */
record Failure(String message, boolean operatorMissing) {
  static final String MISSING = "Could not find schema for ";

  static Failure diagnose(
      LibTorch lib,
      AtenOp op,
      Object[] values,
      MemorySegment name,
      MemorySegment overload,
      Arena arena) {
    String direct = lib.lastErrorText();
    if (direct != null) {
      return of(direct);
    }
    NativeStack again = NativeStack.build(lib, op, values, arena);
    StderrCapture.Captured captured =
        StderrCapture.run(() -> lib.dispatch(name, overload, again.segment()));
    if (captured.result() == 0) {
      again.consumed();
      for (int i = 0; i < op.returns().size(); i++) {
        if (op.returns().get(i) == ReturnKind.TENSOR) {
          lib.deleteTensor(again.slot(i));
        }
      }
      return new Failure(
          "it failed once and succeeded when repeated to read libtorch's message;"
              + " the first failure's message is on standard error",
          false);
    }
    LibTorchLog log = captured.text() == null ? null : LibTorchLog.parse(captured.text());
    if (log != null && !log.rest().isEmpty()) {
      System.err.print(log.rest());
    }
    Failure failure =
        log == null || log.message() == null
            ? new Failure(
                "libtorch gave no message (standard error could not be captured, or"
                    + " TORCH_CPP_LOG_LEVEL hides errors)",
                false)
            : of(log.message());
    if (failure.operatorMissing()) {
      again.releaseUnconsumed();
    } else {
      again.consumed();
    }
    return failure;
  }

  static Failure of(String message) {
    return new Failure(message, message.startsWith(MISSING));
  }
}
