/**
 * Hydra-like configuration on Typesafe Config (HOCON).
 *
 * <p><b>Layout.</b> {@code configs/base.conf} holds every top-level key with its default and a
 * {@code defaults { <group> = <option> }} block. Each folder {@code configs/<group>/} is a config
 * group; its file {@code <option>.conf} holds the subtree at key {@code <group>}. Adding a group is
 * adding a folder. The folders ship inside the trainer jar; extra search directories (laid out like
 * {@code configs/}, without a {@code base.conf}) add options or shadow bundled ones.
 *
 * <p><b>Group choices</b>, later wins: {@code base.conf}'s {@code defaults}, the recipe's {@code
 * defaults} block, {@code group=option} on the command line.
 *
 * <p><b>Values</b>, later wins: {@code base.conf}, the chosen group options, the recipe, {@code
 * a.b.c=value} on the command line. As in Hydra, a recipe's values apply on top of whichever option
 * is chosen, also when the command line swaps it. Substitutions are resolved last, so {@code
 * ${...}} sees the overridden values.
 *
 * <p><b>Strictness.</b> Every key the recipe or the command line sets must exist in the defaults
 * composed from {@code base.conf} and the <em>chosen</em> options (a key only another option has
 * would be silently ignored, so it is an error that names that option). Keys below an empty object
 * in the defaults are free (an open map). Where the default has a type, the final value must have
 * it too: numbers stay numbers (integers stay integers), booleans booleans, lists lists (of the
 * same element type) and objects objects; a string default takes any scalar.
 *
 * <p>The resolved {@code defaults} block records the final choices, so {@link
 * ai.llep.trainer.config.ResolvedConfig#render()} is itself a recipe that reproduces the run.
 */
package ai.llep.trainer.config;
