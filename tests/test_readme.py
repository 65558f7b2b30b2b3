"""The README's REPL transcripts run as doctests, in a scratch folder."""
import doctest
import os
import tempfile

from tests.support import ROOT


def load_tests(loader, tests, ignore):
    def set_up(test):
        test.globs["_old_cwd"] = os.getcwd()
        test.globs["_scratch"] = tempfile.TemporaryDirectory()
        os.chdir(test.globs["_scratch"].name)

    def tear_down(test):
        os.chdir(test.globs["_old_cwd"])
        test.globs["_scratch"].cleanup()

    tests.addTests(doctest.DocFileSuite(str(ROOT / "README.md"), module_relative=False,
                                        setUp=set_up, tearDown=tear_down,
                                        optionflags=doctest.ELLIPSIS))
    return tests
