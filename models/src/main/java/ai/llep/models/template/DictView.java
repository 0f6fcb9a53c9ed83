package ai.llep.models.template;

import java.util.List;

/** What {@code dict.items()}, {@code keys()} and {@code values()} return: iterable, printable. */
record DictView(String kind, List<Object> items) {}
