"""Tokenizer round trips, document reading, and the bundled datasets."""
import doctest
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.data import split_docs
from microgpt.plumbing.corpus import DataError, bundled_names, find_bundled, load_docs
from microgpt.tokenizer import Tokenizer

from tests.support import ROOT, run

DATASETS = ROOT / "microgpt" / "bundled"
BUNDLED = {"diagnoses.txt": 46881, "icd10_codes.tsv": 23414, "medical_words.txt": 6731,
           "names.txt": 5163, "surnames.txt": 88799}


class TokenizerTest(unittest.TestCase):
    def test_round_trip(self):
        docs = ["emma", "Zoë_42", "ava", "x-y z"]
        tok = Tokenizer.from_docs(docs)
        for doc in docs:
            self.assertEqual(tok.decode(tok.encode(doc)), doc)

    def test_ids_are_sorted_characters_then_bos(self):
        tok = Tokenizer.from_docs(["cab", "b"])
        self.assertEqual(tok.chars, ["a", "b", "c"])
        self.assertEqual((tok.bos, tok.vocab_size), (3, 4))
        self.assertEqual(tok.decode([tok.bos, 2, 0, 1, tok.bos]), "cab")

    def test_unknown_characters_are_named(self):
        self.assertEqual(Tokenizer(["a"]).unknown("abba!"), ["b", "!"])


class DataTest(unittest.TestCase):
    def write(self, content):
        d = tempfile.mkdtemp()
        path = Path(d) / "docs.txt"
        path.write_bytes(content)
        return path

    def test_lines_are_stripped_and_blank_lines_dropped(self):
        self.assertEqual(split_docs("\n a \n\n\tb\n c\n\n"), ["a", "b", "c"])

    def test_errors_say_what_is_wrong(self):
        cases = {
            b"": "no documents",
            b"  \n\n \t\n": "no documents",
            b"emma\nol\xffvia\n": "byte 0xff at line 2, column 3",
        }
        for content, message in cases.items():
            with self.subTest(content=content):
                with self.assertRaisesRegex(DataError, message):
                    load_docs(self.write(content))
        with self.assertRaisesRegex(DataError, "no such file"):
            load_docs("/nonexistent/names.txt")
        with self.assertRaisesRegex(DataError, "is a directory"):
            load_docs(tempfile.mkdtemp())

    def test_a_missing_bare_name_lists_the_bundled_datasets(self):
        with self.assertRaises(DataError) as e:
            load_docs("nosuch.txt")
        self.assertEqual(str(e.exception), "nosuch.txt: no such file (bundled datasets: "
                                           "diagnoses.txt, icd10_codes.tsv, medical_words.txt, "
                                           "names.txt, surnames.txt)")
        with self.assertRaises(DataError) as e:
            load_docs(str(Path("elsewhere", "nosuch.txt")))
        self.assertEqual(str(e.exception), f"{Path('elsewhere', 'nosuch.txt')}: no such file")


class BundledTest(unittest.TestCase):
    def test_found_by_bare_name_only(self):
        self.assertEqual(bundled_names(), sorted(BUNDLED))
        for name in BUNDLED:
            self.assertEqual(find_bundled(name), DATASETS / name)
            self.assertIsInstance(find_bundled(name), Path)
        for name in ("", ".", "..", "datasets", "elsewhere/names.txt", "../datasets/names.txt",
                     "datasets\\names.txt", "nothing.txt", "README.md/"):
            with self.subTest(name=name):
                self.assertIsNone(find_bundled(name))

    def test_found_from_another_folder(self):
        # a fresh interpreter whose current folder has no data files in it
        code = ("import sys; from microgpt.plumbing.corpus import find_bundled, load_docs\n"
                "for n in sys.argv[1:]: print(n, len(load_docs(find_bundled(n))))")
        with tempfile.TemporaryDirectory() as d:
            out = run("-c", code, *BUNDLED, cwd=d)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split("\n")[:-1], [f"{n} {k}" for n, k in BUNDLED.items()])

    def test_files_are_clean_utf8_lines(self):
        # what load_docs returns is every line, unchanged: nothing stripped or dropped
        for name, count in BUNDLED.items():
            with self.subTest(name=name):
                raw = find_bundled(name).read_bytes()
                self.assertFalse(raw.startswith(b"\xef\xbb\xbf"))
                self.assertNotIn(b"\r", raw)
                self.assertTrue(raw.endswith(b"\n"))
                lines = raw.decode("utf-8").split("\n")[:-1]
                self.assertEqual(load_docs(find_bundled(name)), lines)
                self.assertEqual(len(lines), count)

    def test_medical_words_are_the_words_of_the_diagnoses(self):
        # written again here, character by character, instead of with the builder's groupby
        words = {}
        for line in load_docs(find_bundled("diagnoses.txt")):
            word = ""
            for ch in line + " ":
                if ch.isalpha():
                    word += ch.lower()
                else:
                    if len(word) >= 5:
                        words.setdefault(word, None)
                    word = ""
        medical = load_docs(find_bundled("medical_words.txt"))
        self.assertEqual(medical, list(words))
        self.assertIn("cholecystitis", medical)
        self.assertIn("myocarditis", medical)
        diagnoses = load_docs(find_bundled("diagnoses.txt"))
        self.assertIn("Cholera due to Vibrio cholerae 01, biovar cholerae", diagnoses)

    def test_rebuild_examples(self):
        spec = importlib.util.spec_from_file_location("rebuild", DATASETS / "rebuild.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = doctest.testmod(module)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)


def can_build_wheels():
    """setuptools 61+ (pyproject metadata) with a bdist_wheel: its own (70.1+) or wheel's."""
    try:
        version = tuple(int(part) for part in
                        importlib.metadata.version("setuptools").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return version >= (61, 0) and (importlib.util.find_spec("wheel") is not None
                                   or version >= (70, 1))


@unittest.skipUnless(can_build_wheels(), "setuptools 61+ and wheel are needed to build a wheel")
class WheelTest(unittest.TestCase):
    def test_the_wheel_carries_every_dataset(self):
        with tempfile.TemporaryDirectory() as d:
            # build from a copy, so no build/ or *.egg-info lands in the tree
            src, out = Path(d, "src"), Path(d, "out")
            shutil.copytree(ROOT / "microgpt", src / "microgpt",
                            ignore=shutil.ignore_patterns("__pycache__"))
            for name in ("pyproject.toml", "README.md", "LICENSE"):
                shutil.copy(ROOT / name, src / name)
            code = "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])"
            built = subprocess.run([sys.executable, "-c", code, str(out)], cwd=src,
                                   capture_output=True, text=True, timeout=300)
            self.assertEqual(built.returncode, 0, built.stderr[-2000:])
            (wheel,) = out.glob("*.whl")
            with zipfile.ZipFile(wheel) as z:
                shipped = {n for n in z.namelist() if n.startswith("microgpt/bundled/")}
                self.assertEqual(z.read("microgpt/bundled/names.txt"),
                                 (DATASETS / "names.txt").read_bytes())
        expected = {f"microgpt/bundled/{p.name}" for p in DATASETS.iterdir()
                    if p.suffix in (".txt", ".tsv")}
        self.assertEqual(len(expected), len(BUNDLED))
        self.assertEqual(shipped - {"microgpt/bundled/README.md", "microgpt/bundled/digits.csv"},
                         expected)
        self.assertIn("microgpt/bundled/digits.csv", shipped)  # the Vision Transformer's images


if __name__ == "__main__":
    unittest.main()
