"""Tokenizer round trips and document reading."""
import tempfile
import unittest
from pathlib import Path

from microgpt.data import DataError, find_bundled, load_docs, split_docs
from microgpt.tokenizer import Tokenizer


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

    def test_bundled_datasets_are_found_by_bare_name_only(self):
        self.assertEqual(find_bundled("names.txt").name, "names.txt")
        self.assertEqual(len(load_docs(find_bundled("names.txt"))), 5163)
        self.assertIsNotNone(find_bundled("surnames.txt"))
        self.assertIsNone(find_bundled("elsewhere/names.txt"))
        self.assertIsNone(find_bundled("nothing.txt"))


if __name__ == "__main__":
    unittest.main()
