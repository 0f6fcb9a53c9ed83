package ai.llep.models.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code namespace(...)} returns: attributes that {@code set ns.attr = ...} may change. */
final class Namespace {
  final Map<String, Object> attributes = new LinkedHashMap<>();
}
