"""The code's shape: the reading order holds, the algorithm holds no plumbing,
each module says what it builds on, the library is standard-library only;
every test file runs alone, all of its tests."""
import ast
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import microgpt
from tests.support import ROOT

PACKAGE = ROOT / "microgpt"
TESTS = ROOT / "tests"


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



def is_main_block(node):
    """An `if __name__ == "__main__":` statement."""
    return isinstance(node, ast.If) and ast.dump(node.test) == ast.dump(
        ast.parse('__name__ == "__main__"', mode="eval").body)


def imports_the_project(node):
    """An import of microgpt or of the tests' own modules."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        names = [node.module or ""]
    else:
        return False
    return any(name.split(".")[0] in ("microgpt", "tests") for name in names)


class TestFilesTest(unittest.TestCase):
    """python tests/test_x.py runs what python -m unittest runs of that file."""

    def test_unittest_main_comes_last_and_the_root_is_on_the_path_first(self):
        # a class below `unittest.main()` runs under python -m unittest, never when the file
        # runs alone; run as a file, Python puts tests/ on the path, not the repository
        for path in sorted(TESTS.glob("test_*.py")):
            body = ast.parse(path.read_text(encoding="utf-8")).body
            with self.subTest(file=path.name):
                self.assertEqual([i for i, node in enumerate(body) if is_main_block(node)],
                                 [len(body) - 1])
                self.assertEqual([ast.dump(node) for node in body[-1].body],
                                 [ast.dump(ast.parse("unittest.main()").body[0])])
                guard = [i for i, node in enumerate(body) if isinstance(node, ast.If)
                         and ast.dump(node.test) == ast.dump(ast.parse("not __package__",
                                                                       mode="eval").body)]
                project = [i for i, node in enumerate(body) if imports_the_project(node)]
                self.assertEqual(len(guard), 1)
                self.assertLess(guard[0], min(project))

    def test_a_file_run_alone_runs_every_test_the_loader_finds(self):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # as a learner types it
        for name in ("test_api_inputs", "test_doctests"):  # TestCase classes; load_tests
            with self.subTest(file=name), tempfile.TemporaryDirectory() as elsewhere:
                result = subprocess.run([sys.executable, str(TESTS / f"{name}.py")], env=env,
                                        cwd=elsewhere, capture_output=True, text=True, timeout=300)
                self.assertEqual(result.returncode, 0, result.stderr)
                want = unittest.defaultTestLoader.loadTestsFromName(f"tests.{name}").countTestCases()
                self.assertGreater(want, 5)
                self.assertIn(f"\nRan {want} tests in ", result.stderr)


if __name__ == "__main__":
    unittest.main()
