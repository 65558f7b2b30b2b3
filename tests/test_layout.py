"""The code's shape: the reading order holds, the algorithm holds no plumbing,
each module says what it builds on, the library is standard-library only."""
import ast
import re
import sys
import unittest

import microgpt
from tests.support import ROOT

PACKAGE = ROOT / "microgpt"


FOLDERS = ("variants", "architectures", "instruments", "plumbing", "commands")


def path_of(name):
    """microgpt/plumbing/cli.py for "plumbing.cli"."""
    return PACKAGE.joinpath(*name.split(".")).with_suffix(".py")


def imports(name):
    """(microgpt modules, other top-level modules) that a module imports,
    the microgpt ones named as READING_ORDER names them ("plumbing.cli")."""
    package = name.split(".")[:-1]  # [] or a folder: ["plumbing"]
    ours, others = set(), set()
    for node in ast.walk(ast.parse(path_of(name).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            full = base + (node.module.split(".") if node.module else [])
            if full == [] or (len(full) == 1 and full[0] in FOLDERS):  # from . import x
                ours.update(".".join(full + [alias.name]) for alias in node.names)
            else:
                ours.add(".".join(full[:2] if full[0] in FOLDERS else full[:1]))
        elif isinstance(node, ast.ImportFrom):
            others.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            others.update(alias.name.split(".")[0] for alias in node.names)
    return ours, others


def algorithm():
    """The modules a training step and sampling run, found from the imports of
    training.py and generate.py, and data.py (the documents): the algorithm."""
    found, todo = {"data"}, ["training", "generate"]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(imports(name)[0])
    return found


def modules_on_disk():
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    return top | {f"{folder}.{p.stem}" for folder in FOLDERS
                  for p in (PACKAGE / folder).glob("*.py") if p.stem != "__init__"}


def builds_on(name):
    """The module names of a docstring's "Builds on ..." sentence (up to its period)."""
    doc = ast.get_docstring(ast.parse(path_of(name).read_text(encoding="utf-8"))) or ""
    m = re.search(r"Builds on (.*?)(?:\.\s|\.$|;)", " ".join(doc.split()))
    if not m:
        return None
    return {n.replace("/", ".").replace(".py", "") for n in re.findall(r"[\w/]+\.py", m.group(1))}


class LayoutTest(unittest.TestCase):
    def test_reading_order_lists_every_module(self):
        self.assertEqual(sorted(microgpt.READING_ORDER), sorted(modules_on_disk()))

    def test_no_module_imports_a_later_one(self):
        order = microgpt.READING_ORDER
        for name in order:
            ours, _ = imports(name)
            for dep in ours:
                with self.subTest(module=name, imports=dep):
                    self.assertLess(order.index(dep), order.index(name))

    def test_the_algorithm_comes_first_in_the_reference_files_order(self):
        order, algo = microgpt.READING_ORDER, algorithm()
        self.assertEqual(set(order[:len(algo)]), algo)
        # the reference file's own order (REFERENCE.md): dataset, tokenizer, autograd,
        # parameters, model, optimizer, training loop, inference
        steps = ["data", "tokenizer", "value", "params", "model", "optim", "training", "generate"]
        self.assertEqual(sorted(steps, key=order.index), steps)

    def test_the_algorithm_holds_no_plumbing(self):
        # files, argv, signals, the environment, memory probing: the tools' work, at the edge
        banned = re.compile(r"\bos\.(path|stat|environ|sysconf)|/proc|cgroup|argparse|sys\.exit"
                            r"|\bsignal\b|\bplumbing\b(?!/)|open\(")
        algo = algorithm()
        for name in sorted(algo):
            code = "\n".join(line for line in path_of(name).read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith("#"))
            body = code.split('"""', 2)[-1]  # past the module docstring
            with self.subTest(module=name):
                self.assertIsNone(banned.search(body), name)
                ours, others = imports(name)
                self.assertEqual({d for d in ours if d not in algo}, set())
                self.assertNotIn("os", others)

    def test_builds_on_names_exactly_the_modules_imported(self):
        for name in microgpt.READING_ORDER:
            ours, _ = imports(name)
            said = builds_on(name)
            with self.subTest(module=name):
                if not ours:
                    self.assertIn(said, (None, set()), f"{name} imports no microgpt module")
                    continue
                short = {dep.split(".")[-1] for dep in ours}
                self.assertEqual({s.split(".")[-1] for s in (said or ())}, short)

    @unittest.skipUnless(hasattr(sys, "stdlib_module_names"), "needs Python 3.10+")
    def test_library_uses_the_standard_library_only(self):
        allowed = set(sys.stdlib_module_names) | {"__future__", "microgpt"}
        for name in microgpt.READING_ORDER:
            _, others = imports(name)
            self.assertEqual(others - allowed, set(), name)


if __name__ == "__main__":
    unittest.main()
