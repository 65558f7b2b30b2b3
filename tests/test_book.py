"""python -m microgpt book: every module of READING_ORDER is a chapter, its
code all there and in order, its comments beside it; the contents give the
reading order's own summaries; links land on chapters; Chromium shows it."""
import html
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import microgpt
from microgpt.commands import book
from tests import browser
from tests.support import ROOT, run


def code_text(fragment):
    """The text of the code columns of an HTML fragment, tags removed."""
    blocks = re.findall(r'<pre class="code">(.*?)</pre>', fragment, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", "\n".join(blocks)))


class BookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.page = book.book()

    def test_every_module_is_a_chapter_in_reading_order(self):
        ids = re.findall(r'<section class="chapter" id="([\w.]+)">', self.page)
        self.assertEqual(ids, ["start"] + list(microgpt.READING_ORDER))

    def test_every_code_line_is_there_in_order(self):
        for name in ("model", "plumbing.cli", "commands.book"):
            with self.subTest(module=name):
                chapter = self.page.split(f'id="{name}">', 1)[1].split("</section>", 1)[0]
                shown = code_text(chapter).splitlines()
                source = (ROOT / "microgpt" / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
                body = source.split('"""', 2)[2].splitlines()  # past the module docstring
                want = [l for l in body if l.strip() and not l.strip().startswith("#")]
                self.assertEqual([l for l in shown if l.strip()], want)

    def test_comments_are_prose_and_summaries_are_the_reading_orders(self):
        order = book.reading_order()
        self.assertEqual([m for _, m, _ in order], list(microgpt.READING_ORDER))
        summaries = {m: s for _, m, s in order}
        self.assertEqual(summaries["model"], "linear, the norms, gpt() for one position, the loss")
        self.assertEqual(summaries["plumbing.svg"], "pictures")
        self.assertEqual([h for h, _, _ in order if h][0],
                         "the algorithm, in the reference file's own order")
        model = self.page.split('id="model">', 1)[1].split("</section>", 1)[0]
        self.assertIn('<div class="prose"><p>1) Multi-head attention block</p></div>', model)

    def test_builds_on_names_link_to_their_chapters(self):
        ids = set(re.findall(r'id="([\w.]+)"', self.page))
        targets = re.findall(r'<a href="#([\w.]+)">', self.page)
        self.assertTrue(targets)
        self.assertEqual(set(targets) - ids, set())
        inspect = self.page.split('id="commands.inspector">', 1)[1].split("</section>", 1)[0]
        self.assertIn('<a href="#plumbing.svg">svg.py</a>', inspect)

    def test_the_command_writes_the_page(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "book.html"
            result = run("-m", "microgpt", "book", "--html", out)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertRegex(result.stderr, r"wrote the book \(\d+ KB\)")
            text = out.read_text(encoding="utf-8")
            self.assertNotIn("<script", text)
            self.assertNotIn("://", text.split("<main>")[0])  # no fetched styles or fonts


@browser.needs_chromium
class BookInChromiumTest(unittest.TestCase):
    def test_chromium_shows_every_chapter(self):
        with tempfile.TemporaryDirectory() as d:
            page, png = Path(d) / "book.html", Path(d) / "book.png"
            page.write_text(book.book(), encoding="utf-8")
            dom, log = browser.dump_dom(page)
            self.assertEqual(browser.console_errors(log), [])
            for name in microgpt.READING_ORDER:
                self.assertIn(f'<section class="chapter" id="{name}">', dom)
            log = browser.screenshot(page, png, 1366, 768)
            self.assertEqual(browser.console_errors(log), [])
            share, colours = browser.drawn_share(png)
            self.assertGreater(share, 0.05)
            self.assertGreater(colours, 20)


if __name__ == "__main__":
    unittest.main()
