"""The README renders as meant (every code fence closed) and its REPL
transcripts run as doctests, in a scratch folder."""
import doctest
import os
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import ROOT

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]  # the README and the pages it links


def open_fences(text):
    """Line numbers of code fences that a Markdown viewer would get wrong: an
    info string (```python) where a block should close, or a block never closed.

    >>> open_fences("```python\\n>>> 1\\n```\\ntext\\n")
    []
    >>> open_fences("```python\\n>>> 1\\n## Speed\\n```\\ncode\\n```\\n")  # never closed
    [6]
    >>> open_fences("```python\\n>>> 1\\n```python\\n>>> 2\\n```\\n")
    [3]
    """
    bad, inside = [], None  # inside: the line number of the open fence
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("```"):
            continue
        if inside is None:
            inside = number
        elif line.strip() == "```":
            inside = None
        else:  # "```python" inside a block: the block before it was never closed
            bad.append(number)
            inside = number
    if inside is not None:
        bad.append(inside)
    return bad


class ReadmeTest(unittest.TestCase):
    def test_every_code_fence_is_closed(self):
        for page in PAGES:
            with self.subTest(page=page.name):
                self.assertEqual(open_fences(page.read_text(encoding="utf-8")), [])

    def test_every_link_to_a_page_finds_it(self):
        for page in PAGES:
            for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
                with self.subTest(page=page.name, link=target):
                    self.assertTrue((page.parent / target).is_file())


def load_tests(loader, tests, ignore):
    def set_up(test):
        test.globs["_old_cwd"] = os.getcwd()
        test.globs["_scratch"] = tempfile.TemporaryDirectory()
        os.chdir(test.globs["_scratch"].name)

    def tear_down(test):
        os.chdir(test.globs["_old_cwd"])
        test.globs["_scratch"].cleanup()

    for page in PAGES:
        tests.addTests(doctest.DocFileSuite(str(page), module_relative=False,
                                            setUp=set_up, tearDown=tear_down,
                                            optionflags=doctest.ELLIPSIS))
    tests.addTests(doctest.DocTestSuite(__name__))
    return tests


if __name__ == "__main__":
    unittest.main()
