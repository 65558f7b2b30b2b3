"""The examples in the modules' docstrings run as tests: every module of the
reading order, the plumbing's too."""
import doctest
import importlib
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import microgpt


def load_tests(loader, tests, ignore):
    for name in microgpt.READING_ORDER:
        module = importlib.import_module(f"microgpt.{name}")
        tests.addTests(doctest.DocTestSuite(module))
    return tests


if __name__ == "__main__":
    unittest.main()
