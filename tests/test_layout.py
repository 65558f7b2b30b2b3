"""The code's shape: the reading order holds, the library is standard-library only."""
import ast
import sys
import unittest

import microgpt
from tests.support import ROOT

PACKAGE = ROOT / "microgpt"


def imports(path):
    """(microgpt modules, other top-level modules) that a file imports."""
    ours, others = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                ours.add(node.module.split(".")[0])
            else:
                ours.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            others.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            others.update(alias.name.split(".")[0] for alias in node.names)
    return ours, others


class LayoutTest(unittest.TestCase):
    def test_reading_order_lists_every_module(self):
        files = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
        self.assertEqual(sorted(microgpt.READING_ORDER), sorted(files))

    def test_no_module_imports_a_later_one(self):
        order = microgpt.READING_ORDER
        for name in order:
            ours, _ = imports(PACKAGE / f"{name}.py")
            for dep in ours:
                with self.subTest(module=name, imports=dep):
                    self.assertLess(order.index(dep), order.index(name))

    def test_the_whole_algorithm_comes_before_the_tools(self):
        order = microgpt.READING_ORDER
        algorithm = ["value", "fused", "data", "tokenizer", "config", "layers", "attention",
                     "model", "optim", "training", "generate"]
        positions = [order.index(name) for name in algorithm]
        self.assertEqual(positions, sorted(positions))
        for tool in ("checkpoint", "cli", "svg", "train", "sample", "inspect", "bench"):
            self.assertLess(max(positions), order.index(tool), tool)

    @unittest.skipUnless(hasattr(sys, "stdlib_module_names"), "needs Python 3.10+")
    def test_library_uses_the_standard_library_only(self):
        allowed = set(sys.stdlib_module_names) | {"__future__", "microgpt"}
        for path in PACKAGE.glob("*.py"):
            _, others = imports(path)
            self.assertEqual(others - allowed, set(), path.name)


if __name__ == "__main__":
    unittest.main()
