"""The examples in the modules' docstrings run as tests."""
import doctest
import importlib
import pkgutil

import microgpt


def load_tests(loader, tests, ignore):
    for info in pkgutil.iter_modules(microgpt.__path__):
        module = importlib.import_module(f"microgpt.{info.name}")
        tests.addTests(doctest.DocTestSuite(module))
    return tests
