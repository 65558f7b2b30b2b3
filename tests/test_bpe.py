"""Byte-pair encoding: the rules one by one on tiny data, agreement with a
plain implementation on real data, round trips on every bundled file, and
the tokenize command. (The hand-worked example is bpe.py's doctest.)"""
import json
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.plumbing import schema
from microgpt.variants.bpe import BPETokenizer, learn_merges
from microgpt.config import Config
from microgpt.plumbing.corpus import load_docs
from microgpt.tokenizer import Tokenizer
from microgpt.architectures.catalog import start
from tests.support import ROOT, assert_one_line_error, run

DATASETS = sorted((ROOT / "microgpt" / "bundled").glob("*.txt"))
NAMES = ROOT / "microgpt" / "bundled" / "names.txt"


def plain_bpe(docs, num_merges):
    """BPE as the rules say it, with no bookkeeping: after every merge, read
    all the documents again, character position by position, counting each
    pair of neighbouring tokens that are not whitespace. Returns (merges, each
    document's final ids, how many merges were decided by a tie)."""
    texts = sorted(set("".join(docs)))                    # id -> text
    seqs = [[texts.index(ch) for ch in doc] for doc in docs]
    merges, ties = [], 0
    while len(merges) < num_merges:
        counts = {}                     # insertion order = order first met in the file
        for seq in seqs:
            for x, y in zip(seq, seq[1:]):
                if not texts[x].isspace() and not texts[y].isspace():
                    counts[x, y] = counts.get((x, y), 0) + 1
        if not counts or max(counts.values()) < 2:
            break
        best = max(counts, key=counts.get)                # the first of the most frequent
        ties += list(counts.values()).count(counts[best]) > 1
        merges.append(best)
        texts.append(texts[best[0]] + texts[best[1]])
        for n, seq in enumerate(seqs):
            out = []
            for t in seq:
                if out and out[-1] == best[0] and t == best[1]:
                    out[-1] = len(texts) - 1
                else:
                    out.append(t)
            seqs[n] = out
    return merges, seqs, ties


def learn_texts(docs, vocab_size):
    """The merges learned, as 'a+b' strings, for reading tests at a glance."""
    tok = BPETokenizer.learn(docs, vocab_size)
    return [f"{tok.tokens[a]}+{tok.tokens[b]}" for a, b in tok.merges]


class RulesTest(unittest.TestCase):
    def test_a_tie_goes_to_the_pair_met_first_in_file_order(self):
        self.assertEqual(learn_texts(["cd ab", "ab cd"], 99), ["c+d", "a+b"])
        self.assertEqual(learn_texts(["ab cd", "cd ab"], 99), ["a+b", "c+d"])

    def test_a_tie_goes_to_the_first_pair_even_in_a_less_frequent_word(self):
        # "ab" is the most frequent word, but c+d (also twice) is met first
        self.assertEqual(learn_texts(["cd ab ab xcd"], 99)[0], "c+d")

    def test_a_tie_looks_where_a_pair_occurs_now_not_where_it_first_did(self):
        # y+b first occurs in "xyb", but merging x+y takes that occurrence away;
        # then y+b (twice, from "yb" on) and a+c (twice) tie, and a+c comes first
        self.assertEqual(learn_texts(["xyb ac yb ac yb xy xy xy"], 99), ["x+y", "a+c", "y+b"])

    def test_whitespace_never_merges_and_merges_never_cross_words_or_documents(self):
        self.assertEqual(learn_texts(["a  b  c", "a  b", "a", "b", "a\tb"], 99), [])
        self.assertEqual(learn_texts(["ab ab"], 99), ["a+b"])

    def test_overlapping_pairs_count_and_merge_left_to_right(self):
        tok = BPETokenizer.learn(["aaa"], 99)          # a+a occurs twice in "aaa"
        self.assertEqual(tok.tokens, ["a", "aa"])
        self.assertEqual([tok.tokens[i] for i in tok.encode("aaaaa")], ["aa", "aa", "a"])
        self.assertEqual(BPETokenizer.learn(["aa"], 99).merges, [])   # once is not enough

    def test_without_merges_the_ids_are_the_character_tokenizers(self):
        docs = load_docs(NAMES)
        char, bpe = Tokenizer.from_docs(docs), BPETokenizer.learn(docs, 27)
        self.assertEqual((bpe.merges, bpe.bos, bpe.vocab_size), ([], char.bos, char.vocab_size))
        self.assertEqual(bpe.tokens, char.tokens)
        self.assertEqual(char.tokens, char.chars)
        for doc in docs[:500]:
            self.assertEqual(bpe.encode_document(doc), char.encode_document(doc))

    def test_bos_is_the_last_id_and_is_skipped_when_decoding(self):
        tok = BPETokenizer.learn(["low lower lowest newer wider"], 13)
        self.assertEqual((tok.bos, tok.vocab_size, len(tok.tokens)), (12, 13, 12))
        ids = tok.encode_document("lower")
        self.assertEqual((ids[0], ids[-1]), (tok.bos, tok.bos))
        self.assertEqual(tok.decode(ids), "lower")


class MistakesTest(unittest.TestCase):
    def test_too_small_a_vocabulary_says_the_smallest(self):
        with self.assertRaisesRegex(ValueError, "at least 5 .*got 4"):
            BPETokenizer.learn(["abcd"], 4)

    def test_an_unknown_character_is_named(self):
        tok = BPETokenizer.learn(["abab"], 9)
        with self.assertRaisesRegex(ValueError, "'z' '!'"):
            tok.encode("abz!a")
        self.assertEqual(tok.unknown("abz!a"), ["z", "!"])

    def test_a_checkpoints_alphabet_and_merges_are_checked(self):
        _, state = start(["ab ab", "ba"], Config(tokenizer="bpe", bpe_vocab_size=5, n_embd=8,
                                                 n_head=2, steps=1))
        good = schema.to_json(state)
        self.assertEqual(schema.from_json(good).tokenizer.merges, state.tokenizer.merges)
        cases = [
            ((("a", "b"), [(0, 2)]), "names token 2, which does not exist"),
            ((("a", "b"), [(0, 1), (2, 3)]), "names token 3"),
            ((("a", "b"), [(0, -1)]), "names token -1"),
            (((" ", "a"), [(0, 1)]), "whitespace"),
            ((("a", "b"), [(0, 1), (0, 1)]), "merge 2 .* repeats merge 1"),
            ((("a", "b"), [(0, 1, 1)]), "not a pair"),
            ((("a", "b"), [3]), "not a pair"),
            ((("a", "b"), [(0, 1.0)]), "not a pair"),
            ((("a", "a"), []), "distinct characters"),
            ((("ab",), []), "distinct characters"),
        ]
        for (chars, merges), message in cases:
            with self.subTest(chars=chars, merges=merges):
                obj = json.loads(json.dumps(good))  # a copy, edited as a person might
                obj["vocab"] = list(chars)
                obj["merges"] = [list(m) if isinstance(m, tuple) else m for m in merges]
                obj["config"]["vocab_size"] = len(chars) + len(merges) + 1
                with self.assertRaisesRegex(schema.CheckpointError, message):
                    schema.from_json(obj)

    def test_chars_and_merges_rebuild_the_tokenizer(self):
        learned = BPETokenizer.learn(load_docs(NAMES), 80)
        again = BPETokenizer(list(learned.chars), [list(m) for m in learned.merges])  # as JSON
        self.assertEqual((again.tokens, again.merges, again.bos), (learned.tokens, learned.merges, learned.bos))
        self.assertEqual(again.encode("emmanuelle"), learned.encode("emmanuelle"))


class AgreementTest(unittest.TestCase):
    """The merges and ids agree with plain_bpe above on slices of real files."""

    def compare(self, docs, num_merges):
        merges, seqs, ties = plain_bpe(docs, num_merges)
        tok = BPETokenizer.learn(docs, len(set("".join(docs))) + 1 + num_merges)
        self.assertEqual(len(merges), num_merges)
        self.assertGreater(ties, 10)            # the tie-break was exercised
        self.assertEqual(tok.merges, merges)
        self.assertEqual([tok.encode(doc) for doc in docs], seqs)

    def test_names_five_to_a_line(self):
        names = load_docs(NAMES)[:1500]
        self.compare([" ".join(names[i:i + 5]) for i in range(0, len(names), 5)], 120)

    def test_surnames(self):
        self.compare(load_docs(ROOT / "microgpt" / "bundled" / "surnames.txt")[:1500], 120)

    @unittest.skipUnless((ROOT / "microgpt" / "bundled" / "diagnoses.txt").is_file(),
                         "needs the bundled diagnoses")
    def test_diagnoses(self):
        self.compare(load_docs(ROOT / "microgpt" / "bundled" / "diagnoses.txt")[:300], 120)


class RoundTripTest(unittest.TestCase):
    def test_every_bundled_file_decodes_to_itself(self):
        self.assertTrue(DATASETS)
        for path in DATASETS:
            with self.subTest(path.name):
                docs = load_docs(path)
                chars = Tokenizer.from_docs(docs).chars
                # merges learned from the first documents keep this quick; every one is encoded
                tok = BPETokenizer(chars, learn_merges(docs[:3000], chars, 150))
                self.assertEqual(len(tok.merges), 150)
                for doc in docs:
                    self.assertEqual(tok.decode(tok.encode_document(doc)), doc)
                # and texts never seen: random strings of the alphabet, whitespace included
                rng = random.Random(0)
                for _ in range(200):
                    text = "".join(rng.choice(tok.chars) for _ in range(rng.randint(0, 30)))
                    self.assertEqual(tok.decode(tok.encode(text)), text)


class CommandTest(unittest.TestCase):
    def tokenize(self, *args):
        return run("-m", "microgpt", "tokenize", *args)

    def tiny(self):
        """A file whose merges can be worked out by hand: pairs (a, b) 4 times,
        (c, d) 3, (b, c) once; after a+b, (c, d) 3 and (ab, c) once."""
        path = Path(tempfile.mkdtemp()) / "tiny.txt"
        path.write_text("ab ab ab cd cd\nabcd\n", encoding="utf-8")
        return path

    def test_shows_merges_longest_tokens_compression_and_the_split(self):
        result = self.tokenize(self.tiny(), "--vocab-size", "8", "--text", "abcd ab")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        self.assertIn(": 2 documents, 18 characters, 5 distinct\n", out)
        self.assertIn("vocab size 8: 5 characters + 2 merges + BOS\n", out)
        self.assertIn("   1. 'a' + 'b' -> 'ab'\n   2. 'c' + 'd' -> 'cd'\n", out)
        self.assertIn("longest tokens: 'ab' 'cd' ", out)
        # ab _ ab _ ab _ cd _ cd, and ab cd: 11 tokens for 14 + 4 characters
        self.assertIn("compression: 11 tokens for 18 characters", out)
        self.assertIn("'abcd ab' -> ab|cd| |ab  (4 tokens for 7 characters)", out)

    def test_ids_prints_the_ids_only(self):
        result = self.tokenize(self.tiny(), "--vocab-size", "8", "--text", "abcd ab", "--ids")
        self.assertEqual(result.returncode, 0, result.stderr)
        # ids: ' ' 0, a 1, b 2, c 3, d 4 (sorted), then ab 5, cd 6, BOS 7
        self.assertEqual(result.stdout, "5 6 0 5\n")

    def test_stopping_early_is_said_in_one_line(self):
        path = Path(tempfile.mkdtemp()) / "tiny.txt"
        path.write_text("abab cd\nab\n", encoding="utf-8")     # 5 characters, a+b, BOS; then nothing twice
        result = self.tokenize(path, "--vocab-size", "100")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr.splitlines(), [
            "python -m microgpt tokenize: stopped at vocab size 7, not 100: "
            "no pair of tokens occurs twice any more"])
        self.assertIn("1. 'a' + 'b' -> 'ab'", result.stdout)

    def test_counts_read_as_english(self):
        path = Path(tempfile.mkdtemp()) / "one.txt"
        path.write_text("ab\n", encoding="utf-8")
        result = self.tokenize(path, "--vocab-size", "3")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(": 1 document, 2 characters, 2 distinct\n", result.stdout)
        self.assertIn("vocab size 3: 2 characters + 0 merges + BOS\n\nno merges learned\n",
                      result.stdout)

    def test_mistakes_get_one_line_and_status_2(self):
        cases = {
            ("no-such-file.txt", "--vocab-size", "60"): "no such file",
            ("names.txt", "--vocab-size", "20"): "at least 27",
            ("names.txt", "--vocab-size", "60", "--text", "Émile!"): "'É' '!'",
            ("names.txt", "--vocab-size", "60", "--ids"): "--ids needs --text",
            # the text is checked before learning: a vocabulary too small to learn is not reached
            ("names.txt", "--vocab-size", "20", "--text", "zoë"): "not in names.txt: 'ë'",
            ("names.txt",): "--vocab-size",
        }
        for args, message in cases.items():
            with self.subTest(args=args):
                assert_one_line_error(self, self.tokenize(*args),
                                      "^python -m microgpt tokenize: error: .*" + message)


if __name__ == "__main__":
    unittest.main()
