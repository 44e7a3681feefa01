# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The truth test_pylines checks leakmon's line-table reader against: for every code object of
some standard modules and of generated code that stresses the table's encodings (long jumps of
lines both ways, lines past 2^16, instructions with no line), one line:
"LINETABLE_HEX FIRSTLINENO START:END:LINE ..." from the interpreter's own co_lines() (byte
offsets; line 0 for none)."""
import importlib.util
import sys


def generated():
    # Lines far apart (multi-byte varints), backwards (a loop's jump), beyond 65,535.
    body = ["def far_apart(x):", "    y = x"]
    body += [""] * 300 + ["    for i in range(3):", "        y += i"]
    body += [""] * 70000 + ["    while y:", "        y -= 1", "    return y"]
    body += ["async def gen():", "    yield 1", "    await gen()",
             "class C:", "    def method(self):", "        return lambda: [i for i in self]"]
    return compile("\n".join(body), "<generated>", "exec")


def codes(code):
    yield code
    for const in code.co_consts:
        if hasattr(const, "co_lines"):
            yield from codes(const)


roots = [generated()]
for name in ["threading", "json.decoder", "asyncio.base_events", "email.message",
             "collections", "argparse", "typing", "inspect", "pydoc"]:
    spec = importlib.util.find_spec(name)
    with open(spec.origin, "rb") as f:
        roots.append(compile(f.read(), spec.origin, "exec"))
for root in roots:
    for code in codes(root):
        ranges = " ".join(f"{start}:{end}:{line or 0}" for start, end, line in code.co_lines())
        print(code.co_linetable.hex(), code.co_firstlineno, ranges)
sys.stdout.flush()
