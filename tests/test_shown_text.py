"""Names and texts with newlines, tabs and bidi controls: a classifier's
class names (its file names) are stored as a list, so a name with a newline
resumes; wherever text is shown (the terminal, an SVG picture, a web page)
every control and format character (Unicode's Cf: U+202E would draw the
rest of the line backwards) is escaped, and a name stays on its line."""
import json
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, run

BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
SMALL = ("--steps", "2", "--n-embd", "8", "--n-head", "2")


def raw_controls(text):
    """The control and format characters text shows as they are (a line's newline and a
    tab aside: whitespace that moves no text, a fine-tuning sample's TAB)."""
    import unicodedata
    return [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]


class ClassNamesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        lines = BUNDLED_NAMES.read_text(encoding="utf-8").splitlines()
        cls.a, cls.b = "a\nb.txt", f"c\td{BIDI}x.txt"  # two class names: a\nb and c<TAB>d<RLO>x
        (cls.folder / cls.a).write_text("\n".join(lines[:100]) + "\n", encoding="utf-8")
        (cls.folder / cls.b).write_text("\n".join(lines[100:200]) + "\n", encoding="utf-8")
        cls.made = run("-m", "microgpt", "classify", cls.a, cls.b, *SMALL, "--out", "c.json",
                       cwd=cls.folder)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_the_names_are_stored_as_a_list_and_the_run_resumes(self):
        self.assertEqual(self.made.returncode, 0, self.made.stderr)
        saved = json.loads((self.folder / "c.json").read_text(encoding="utf-8"))
        self.assertEqual(saved["data"]["name"], [self.a, self.b])
        self.assertEqual(saved["classes"], ["a\nb", f"c\td{BIDI}x"])
        resumed = run("-m", "microgpt", "classify", "--resume", "c.json", "--steps", "4",
                      cwd=self.folder)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)

    def test_an_older_checkpoint_with_the_names_joined_still_resumes(self):
        old = json.loads((self.folder / "c.json").read_text(encoding="utf-8"))
        plain = ["one.txt", "two.txt"]
        for name, source in zip(plain, (self.a, self.b)):
            (self.folder / name).write_bytes((self.folder / source).read_bytes())
        old["data"]["name"], old["classes"] = "\n".join(plain), ["one", "two"]
        (self.folder / "old.json").write_text(json.dumps(old), encoding="utf-8")
        resumed = run("-m", "microgpt", "classify", "--resume", "old.json", "--steps", "4",
                      cwd=self.folder)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)

    def test_a_name_stays_on_its_line_and_shows_no_control(self):
        shown = run("-m", "microgpt", "classify", "c.json", "--text", "emma", cwd=self.folder)
        for result in (self.made, shown):
            with self.subTest(args=result.args[3:6]):
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(raw_controls(result.stdout + result.stderr), [])
        self.assertRegex(self.made.stdout, r"(?m)^classes: a\\nb \(100\), c\\td\\u202ex \(100\)$")
        probabilities = shown.stdout.splitlines()[1:]
        self.assertEqual(len(probabilities), 2)  # one line a class
        self.assertTrue(all(line.startswith("  ") for line in probabilities))


class ShownEverywhereTest(unittest.TestCase):
    """Data whose documents hold a tab and U+202E: samples, heatmap labels,
    the SVG picture and the explorer page show them as codes."""

    def test_terminal_svg_and_page(self):
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            lines = BUNDLED_NAMES.read_text(encoding="utf-8").splitlines()[:300]
            docs = [f"{name[:2]}{BIDI}{name[2:]}\t{name[:1]}" for name in lines]
            (folder / "odd.txt").write_text("\n".join(docs) + "\n", encoding="utf-8")
            trained = run("-m", "microgpt.train", "odd.txt", *SMALL, "--num-samples", "20",
                          "--temperature", "2", "--out", "m.json", cwd=folder)
            inspected = run("-m", "microgpt", "inspect", "m.json", f"em{BIDI}\tm", "--svg", "h.svg",
                            cwd=folder)
            page = run("-m", "microgpt", "explore", "m.json", "--html", "p.html", "--text",
                       f"em{BIDI}\tm", cwd=folder)
            for result in (trained, inspected, page):
                with self.subTest(args=result.args[2:4]):
                    self.assertEqual(result.returncode, 0, result.stderr)
                    self.assertEqual(raw_controls(result.stdout + result.stderr), [])
            self.assertIn("U+202E", inspected.stdout)  # the heatmap's labels
            self.assertEqual(raw_controls((folder / "h.svg").read_text(encoding="utf-8")), [])
            self.assertIn("U+202E", (folder / "h.svg").read_text(encoding="utf-8"))
            html = (folder / "p.html").read_text(encoding="utf-8")
            self.assertEqual(raw_controls(html.replace("\t", "")), [])  # the page's own indents aside
            self.assertIn("\\p{Cf}", html)  # its labels are escaped as they are drawn: plain()

    def test_the_picture_escape(self):
        from microgpt.plumbing.drawing import escape
        self.assertEqual(escape(f"a<b{BIDI}c\td\ne\u200bf\u2028"),
                         "a&lt;bU+202EcU+0009dU+000AeU+200BfU+2028")


if __name__ == "__main__":
    unittest.main()
