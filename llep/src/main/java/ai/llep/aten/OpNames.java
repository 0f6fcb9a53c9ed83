package ai.llep.aten;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * An operator's name and overload as the C strings the dispatcher call takes, made once per
 * operator for the life of the process rather than at every call.
 */
record OpNames(MemorySegment name, MemorySegment overload) {
  private static final ConcurrentMap<String, ConcurrentMap<String, OpNames>> BY_NAME =
      new ConcurrentHashMap<>();

  static OpNames of(AtenOp op) {
    return BY_NAME
        .computeIfAbsent(op.name(), n -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            op.overload(),
            o ->
                new OpNames(
                    Arena.global().allocateFrom(op.name()), Arena.global().allocateFrom(o)));
  }
}
