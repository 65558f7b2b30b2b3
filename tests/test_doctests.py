"""The examples in the modules' docstrings run as tests: every module of the
reading order, the plumbing's too."""
import doctest
import importlib

import microgpt


def load_tests(loader, tests, ignore):
    for name in microgpt.READING_ORDER:
        module = importlib.import_module(f"microgpt.{name}")
        tests.addTests(doctest.DocTestSuite(module))
    return tests
