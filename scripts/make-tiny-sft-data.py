#!/usr/bin/env python3
"""Writes recipes/data/tiny-sft.jsonl: small string tasks a byte-level MoE can learn in minutes.

Half the lines use {"prompt", "completion"}, half {"messages": [...]}, so both formats train.
Deterministic (fixed seed): rerunning reproduces the committed file.
"""
import json
import random
import sys

WORDS = """apple river stone cloud maple tiger ocean pencil garden silver window rocket
forest candle mirror planet violet thunder lemon harbor falcon meadow copper winter
island basket orange shadow spider marble castle dragon pepper summer anchor velvet""".split()


def task(rng):
    kind = rng.randrange(5)
    w = rng.choice(WORDS)
    if kind == 0:
        return f"Reverse the word: {w}", w[::-1]
    if kind == 1:
        return f"Uppercase: {w}", w.upper()
    if kind == 2:
        a, b = rng.randrange(100), rng.randrange(100)
        return f"Add {a} and {b}.", str(a + b)
    if kind == 3:
        return f"Repeat twice: {w}", f"{w} {w}"
    v = rng.choice(WORDS)
    return f"Join with a dash: {w} {v}", f"{w}-{v}"


def main(path, count=4000, seed=7):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            prompt, completion = task(rng)
            if i % 2 == 0:
                row = {"prompt": prompt + "\n", "completion": completion}
            else:
                row = {"messages": [{"role": "user", "content": prompt},
                                    {"role": "assistant", "content": completion}]}
            out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "recipes/data/tiny-sft.jsonl")
