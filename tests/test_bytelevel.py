"""GPT-2's byte-level BPE (bytelevel.py, vocab_files.py), checked against
what we did not write: the pre-split against the `regex` module running
GPT-2's own pattern; the ids against Hugging Face's `tokenizers` and
transformers' GPT2Tokenizer, for a byte-level BPE trained here, with
`tokenizers`, on bundled text, saved in each of the file layouts and loaded
back; the hard cases written out by hand; malformed files' one-line errors.
No network: nothing is downloaded."""
import json
import os
import random
import tempfile
import unicodedata
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.plumbing import vocab_files
from microgpt.plumbing.vocab_files import VocabError
from microgpt.tokenizer import UnknownText
from microgpt.variants.bytelevel import ByteLevelBPE, bytes_to_unicode, kind, pre_tokenize
from tests.support import ROOT

try:
    import regex
except ImportError:  # optional: pip install regex (the module Hugging Face's GPT-2 code used)
    regex = None
try:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
except ImportError:  # optional: pip install tokenizers
    Tokenizer = None
try:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the folders are local: never ask the hub
    from transformers import GPT2Tokenizer
except ImportError:  # optional: pip install transformers
    GPT2Tokenizer = None

BUNDLED = ROOT / "microgpt" / "bundled"
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

# The hard cases, each split worked out by hand from the pattern.
SPLITS = [
    ("", []),
    ("   ", ["   "]),                                 # all whitespace: one word
    ("\t\t", ["\t\t"]),
    ("a  b", ["a", " ", " b"]),                       # \s+(?!\S) gives the last space to "b"
    ("a \n\n b", ["a", " \n\n", " b"]),
    ("a\n\nb", ["a", "\n", "\n", "b"]),               # only a space joins the next word
    ("trailing  ", ["trailing", "  "]),
    ("x\u00a0y", ["x", "\u00a0", "y"]),               # a no-break space is \s, but not ' '
    ("!\x1c?", ["!\x1c?"]),                           # str.isspace() yes, \s no
    ("it's we'll've", ["it", "'s", " we", "'ll", "'ve"]),
    ("it’s", ["it", "’", "s"]),                       # a curly apostrophe is no contraction
    ("I'LL 's", ["I", "'", "LL", " '", "s"]),         # contractions are lower case, at a word's start
    ("3½ or ²", ["3½", " or", " ²"]),                 # ½ and ² are numbers (No)
    ("٣٤ and ३", ["٣٤", " and", " ३"]),               # so are other scripts' digits (Nd)
    ("café cafe\u0301", ["café", " cafe", "\u0301"]),  # a combining accent is no letter (Mn)
    ("👍🏽 👨\u200d👩\u200d👧!", ["👍🏽", " 👨\u200d👩\u200d👧!"]),  # emoji, skin tone, ZWJ: one run
    ("<|endoftext|>", ["<|", "endoftext", "|>"]),     # the pre-split alone knows no special token
    ("x=1.5e-3", ["x", "=", "1", ".", "5", "e", "-", "3"]),
]

HARD = [text for text, _ in SPLITS] + [
    "Hello world", " Hello world", "The animal didn't cross the street because it was too tired",
    "a<|endoftext|>b", " <|endoftext|> <|endoftext|>", "<|endoftext|><|endoftext|>",
    "\n", "\r\n", " \t \n ", "a \t\nb", "end  \n", "ÅÅ Å Å", "Ω≈ç√∫", "ﬁ ﬀ", "İstanbul",
    "日本語のテキスト、です。", "한국어", "עברית", "مرحبا ٣", "🏳️‍🌈🏳️‍🌈", "🇫🇷", "\x00\x01\x7f",
    "don’t’s 's 'S", "''s", "'sss", "Ⅻ ⅷ", "①②", "𝟘𝟙", "x" * 300, " " * 40 + "x",
]


def characters_by_category():
    """{general category: code points} of the characters this Python's
    Unicode tables know. (A character assigned in a later Unicode version
    is "Cn" here and may be a letter to `regex` or `tokenizers`: the tables
    differ there, not the algorithm.)"""
    pools = {}
    for c in range(0x110000):
        category = unicodedata.category(chr(c))
        if category not in ("Cn", "Cs"):
            pools.setdefault(category, []).append(c)
    return pools


POOLS = characters_by_category()
PIECES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\x1c", "'", "’", "s", "t", "re",
          "ll", "d", "m", "ve", "S", "a", "é", "e\u0301", "3", "٣", "३", "½", "²", "!", "..",
          "😀", "👩\u200d💻", "🏽", "<|endoftext|>"]


def random_texts(count, seed):
    """Texts of 0..24 pieces: the hard pieces above, and characters of every
    general category, each category as likely as the others."""
    rng = random.Random(seed)
    categories = sorted(POOLS)
    def piece():
        if rng.random() < 0.5:
            return rng.choice(PIECES)
        return chr(rng.choice(POOLS[rng.choice(categories)]))
    return ["".join(piece() for _ in range(rng.randrange(25))) for _ in range(count)]


def bundled_lines(every=40):
    """Every 40th line of each bundled dataset."""
    return [line for path in sorted(BUNDLED.glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines()[::every]]


def tiny_tokenizer():
    """The 256 bytes as ids 0..255, a few merges, <|endoftext|> last."""
    spelled = [bytes_to_unicode()[b] for b in range(256)]
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("Ã", "©")]
    vocab = {s: i for i, s in enumerate(spelled + [a + b for a, b in merges] + ["<|endoftext|>"])}
    return ByteLevelBPE(vocab, merges)


class PreSplitTest(unittest.TestCase):
    def test_the_hard_cases_split_as_worked_out_by_hand(self):
        for text, words in SPLITS:
            with self.subTest(text=text):
                self.assertEqual(pre_tokenize(text), words)

    def test_the_words_are_the_text(self):
        for text in random_texts(2000, seed=1):
            self.assertEqual("".join(pre_tokenize(text)), text)

    @unittest.skipUnless(regex, "needs the regex module (pip install regex)")
    def test_equals_the_regex_module_running_gpt2s_pattern(self):
        pattern = regex.compile(GPT2_PATTERN)
        texts = [t for t, _ in SPLITS] + HARD + random_texts(10000, seed=2) + bundled_lines()
        for text in texts:
            self.assertEqual(pre_tokenize(text), pattern.findall(text), repr(text))

    @unittest.skipUnless(Tokenizer, "needs Hugging Face's tokenizers (pip install tokenizers)")
    def test_equals_the_byte_level_pre_tokenizer_of_tokenizers(self):
        # its words come spelled as bytes ('Ġworld'), and its engine is not regex's
        theirs = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        table = bytes_to_unicode()
        for text in HARD + random_texts(5000, seed=7) + bundled_lines():
            spelled = ["".join(table[b] for b in word.encode("utf-8")) for word in pre_tokenize(text)]
            self.assertEqual(spelled, [w for w, _ in theirs.pre_tokenize_str(text)], repr(text))

    @unittest.skipUnless(regex, "needs the regex module (pip install regex)")
    def test_each_character_is_classed_as_the_regex_module_classes_it(self):
        known = "".join(chr(c) for pool in POOLS.values() for c in pool)
        for pattern, name in ((r"\s", "s"), (r"\p{L}", "L"), (r"\p{N}", "N")):
            with self.subTest(pattern=pattern):
                self.assertEqual(set(regex.findall(pattern, known)),
                                 {ch for ch in known if kind(ch) == name})


class ByteTableTest(unittest.TestCase):
    def test_every_byte_gets_its_own_printable_character(self):
        table = bytes_to_unicode()
        self.assertEqual(sorted(table), list(range(256)))
        self.assertEqual(len(set(table.values())), 256)
        self.assertTrue(all(ch.isprintable() and not ch.isspace() for ch in table.values()))
        # printable ASCII and Latin-1 spell themselves; the rest count up from chr(256)
        self.assertEqual(table[ord("A")], "A")
        self.assertEqual([table[b] for b in (0, ord(" "), 0x7f, 0xa0, 0xad)],
                         ["Ā", "Ġ", "ġ", "ł", "Ń"])


class TokenizerTest(unittest.TestCase):
    def test_decode_gives_back_the_text(self):
        tok = tiny_tokenizer()
        for text in HARD + random_texts(2000, seed=3):
            if "<|endoftext|>" not in text:
                self.assertEqual(tok.decode(tok.encode(text)), text)

    def test_the_end_of_text_token_ends_documents_and_is_one_token_in_a_text(self):
        tok = tiny_tokenizer()
        self.assertEqual((tok.bos, tok.vocab_size), (260, 261))
        self.assertEqual(tok.encode(""), [])
        self.assertEqual(tok.encode("the<|endoftext|>the"), [116, 257, 260, 116, 257])
        self.assertEqual(tok.encode_document(" the"), [260, 258, 260])
        self.assertEqual(tok.decode([260, 258, 260]), " the")  # skipped, as BOS is
        self.assertEqual(tok.tokens[258], " the")
        self.assertEqual(tok.tokens[259], "é")

    def test_a_vocabulary_without_end_of_text_gets_it_as_the_last_id(self):
        tok = ByteLevelBPE({bytes_to_unicode()[b]: b for b in range(256)}, [])
        self.assertEqual((tok.bos, tok.vocab_size), (256, 257))
        self.assertEqual(tok.encode("a<|endoftext|>"), [97, 256])

    def test_a_lone_surrogate_is_the_only_unknown_text(self):
        tok = tiny_tokenizer()
        self.assertEqual(tok.unknown("".join(map(chr, range(0xd700, 0xe100)))),
                         [chr(c) for c in range(0xd800, 0xe000)])
        with self.assertRaises(UnknownText):
            tok.encode("a\ud83d")

    def test_the_cache_changes_nothing(self):
        tok = tiny_tokenizer()
        texts = random_texts(300, seed=4)
        first = [tok.encode(t) for t in texts]
        self.assertEqual([tok.encode(t) for t in texts], first)
        tok.cache.clear()
        self.assertEqual([tok.encode(t) for t in reversed(texts)], first[::-1])


def train_bytelevel(lines, vocab_size, special_first):
    """A GPT-2-style byte-level BPE trained by `tokenizers`: all 256 bytes,
    GPT-2's pre-split; <|endoftext|> as id 0 (special_first, the trainer's
    way) or added after training as the last id (GPT-2's layout)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False,
                                  special_tokens=["<|endoftext|>"] if special_first else [],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    if not special_first:
        tok.add_special_tokens(["<|endoftext|>"])
    return tok


@unittest.skipUnless(Tokenizer, "needs Hugging Face's tokenizers (pip install tokenizers)")
class HuggingFaceTest(unittest.TestCase):
    """A byte-level BPE trained with `tokenizers` on bundled text, saved as
    tokenizer.json (merges as pairs, and as "a b" strings) and as vocab.json
    + merges.txt, read back by microgpt: the ids are `tokenizers`' own."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        lines = (BUNDLED / "diagnoses.txt").read_text(encoding="utf-8").splitlines()[:3000] + \
            (BUNDLED / "names.txt").read_text(encoding="utf-8").splitlines()[:3000]
        cls.texts = HARD + random_texts(3000, seed=5) + bundled_lines()
        cls.folders = {}  # name -> (folder, the tokenizers.Tokenizer it holds)
        for special_first in (True, False):
            hf = train_bytelevel(lines, 400, special_first)
            layout = "eot first" if special_first else "eot last"
            pairs = Path(cls.tmp.name, layout, "pairs")
            strings = Path(cls.tmp.name, layout, "strings")
            files = Path(cls.tmp.name, layout, "vocab+merges")
            for folder in (pairs, strings, files):
                folder.mkdir(parents=True)
            hf.save(str(pairs / "tokenizer.json"))
            # as the hub's GPT-2 tokenizer.json is written: "a b" merges, no model type,
            # "" for no prefix or suffix, no use_regex, a ByteLevel post-processor
            obj = json.loads(hf.to_str())
            model = obj["model"]
            model["merges"] = [" ".join(pair) for pair in model["merges"]]
            del model["type"], obj["pre_tokenizer"]["use_regex"]
            model.update(continuing_subword_prefix="", end_of_word_suffix="")
            obj["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True,
                                     "trim_offsets": False}
            (strings / "tokenizer.json").write_text(json.dumps(obj), encoding="utf-8")
            hf.model.save(str(files))  # vocab.json, merges.txt: no added tokens
            cls.folders[f"{layout}, pairs"] = pairs, hf
            cls.folders[f"{layout}, strings"] = strings, Tokenizer.from_file(str(strings / "tokenizer.json"))
            cls.folders[f"{layout}, vocab+merges"] = files, hf

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_trained_files_are_what_the_test_means(self):
        obj = json.loads((self.folders["eot first, pairs"][0] / "tokenizer.json").read_text("utf-8"))
        self.assertIsInstance(obj["model"]["merges"][0], list)
        obj = json.loads((self.folders["eot first, strings"][0] / "tokenizer.json").read_text("utf-8"))
        self.assertIsInstance(obj["model"]["merges"][0], str)
        for name, (folder, hf) in self.folders.items():
            tok = vocab_files.load(folder)
            self.assertEqual(tok.vocab_size, hf.get_vocab_size(with_added_tokens=True), name)
            first = name.startswith("eot first")
            self.assertEqual(len(tok.merges), 400 - 256 - first, name)
            # "eot last, vocab+merges": vocab.json has no <|endoftext|> (it was added to the
            # trained tokenizer, not to its model), so microgpt adds it as the last id too
            self.assertEqual(tok.bos, 0 if first else 400, name)

    def test_ids_and_decoding_equal_tokenizers(self):
        for name, (folder, hf) in self.folders.items():
            tok = vocab_files.load(folder)
            for text in self.texts:
                want = hf.encode(text).ids
                with self.subTest(folder=name, text=text):
                    self.assertEqual(tok.encode(text), want)
                    self.assertEqual(tok.decode(want), hf.decode(want))
                    if "<|endoftext|>" not in text:
                        self.assertEqual(tok.decode(want), text)

    def test_decoding_any_ids_equals_tokenizers(self):
        # ids that cut characters in the middle: both read the bytes with U+FFFD
        rng = random.Random(6)
        folder, hf = self.folders["eot last, pairs"]
        tok = vocab_files.load(folder)
        for _ in range(3000):
            ids = [rng.randrange(tok.vocab_size) for _ in range(rng.randrange(8))]
            self.assertEqual(tok.decode(ids), hf.decode(ids), ids)

    @unittest.skipUnless(GPT2Tokenizer, "needs transformers (pip install transformers)")
    def test_ids_equal_transformers_gpt2_tokenizer_from_the_same_folder(self):
        for name, (folder, _) in self.folders.items():
            theirs = GPT2Tokenizer.from_pretrained(str(folder))
            tok = vocab_files.load(folder)
            self.assertEqual(tok.bos, theirs.eos_token_id, name)
            for text in self.texts[:1000]:
                with self.subTest(folder=name, text=text):
                    self.assertEqual(tok.encode(text), theirs.encode(text))


class MalformedFilesTest(unittest.TestCase):
    """Each broken folder is one VocabError, one line, naming what is wrong."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self.tmp.name)
        self.addCleanup(self.tmp.cleanup)
        spelled = [bytes_to_unicode()[b] for b in range(256)]
        self.vocab = {s: i for i, s in enumerate(spelled + ["Ġt", "<|endoftext|>"])}
        self.tokenizer_json = {
            "added_tokens": [{"id": 257, "content": "<|endoftext|>", "special": True}],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True},
            "post_processor": None,
            "model": {"type": "BPE", "vocab": self.vocab, "merges": ["Ġ t"]}}

    def refused(self, pattern, files):
        for name, content in files.items():
            path = self.folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content if isinstance(content, str) else json.dumps(content),
                                encoding="utf-8")
        with self.assertRaises(VocabError) as caught:
            vocab_files.load(self.folder)
        message = str(caught.exception)
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertRegex(message, pattern)
        for name in files:
            (self.folder / name).unlink()

    def test_well_formed_files_load(self):
        (self.folder / "tokenizer.json").write_text(json.dumps(self.tokenizer_json))
        self.assertEqual(vocab_files.load(self.folder).encode(" t"), [256])

    def test_missing_or_wrong_folders(self):
        for folder, pattern in ((self.folder / "nope", "no such folder"),
                                (self.folder, "no tokenizer.json, nor vocab.json and merges.txt"),
                                ("", "empty file name")):
            with self.assertRaisesRegex(VocabError, pattern):
                vocab_files.load(folder)
        (self.folder / "vocab.json").write_text("{}")
        with self.assertRaisesRegex(VocabError, "no tokenizer.json, nor vocab.json and merges.txt"):
            vocab_files.load(self.folder)
        with self.assertRaisesRegex(VocabError, "not a folder"):
            vocab_files.load(self.folder / "vocab.json")

    def test_broken_tokenizer_json(self):
        good = self.tokenizer_json

        def but(**changes):
            obj = json.loads(json.dumps(good))
            for path, value in changes.items():
                *outer, last = path.split("__")
                target = obj
                for key in outer:
                    target = target[key]
                target[last] = value
            return {"tokenizer.json": obj}
        self.refused(r"tokenizer\.json: not valid JSON .* line 1, column \d+",
                     {"tokenizer.json": json.dumps(good)[:-20]})
        self.refused(r"not UTF-8", {"tokenizer.json": b"{\"model\": \"\xff\"}"})
        self.refused(r"should hold a JSON object, not list", {"tokenizer.json": "[]"})
        self.refused(r"no \"model\" object", but(model=None))
        self.refused(r"model type 'WordPiece'", but(model__type="WordPiece"))
        self.refused(r"pre_tokenizer is .*add_prefix_space false", but(pre_tokenizer__add_prefix_space=True))
        self.refused(r"pre_tokenizer is null", but(pre_tokenizer=None))
        self.refused(r"asks for a normalizer", but(normalizer={"type": "NFC"}))
        self.refused(r"asks for a post_processor that adds tokens",
                     but(post_processor={"type": "TemplateProcessing"}))
        self.refused(r"asks for BPE dropout", but(model__dropout=0.1))
        self.refused(r"merge 1 is 'Ġt', not two tokens", but(model__merges=["Ġt"]))
        self.refused(r"merge 1 is \['Ġ', 't', 'x'\], not two tokens", but(model__merges=[["Ġ", "t", "x"]]))
        self.refused(r"merge 1 \(Ġ h\): 'Ġh', the token it makes, is not in the vocabulary",
                     but(model__merges=[["Ġ", "h"]]))
        self.refused(r"merge 1 \(Ġ zz\): 'zz' is not in the vocabulary", but(model__merges=["Ġ zz"]))
        self.refused(r"id 3 is both '\S' and 'zz'", but(model__vocab={**self.vocab, "zz": 3}))
        self.refused(r"ids should be 0\.\.258, each once: 258 is missing",
                     but(model__vocab={**self.vocab, "zz": 300}))
        self.refused(r"token 'zz' has id -1, not a whole number",
                     but(model__vocab={**self.vocab, "zz": -1}))
        self.refused(r"'<\|endoftext\|>' has two ids, 257 and 5",
                     but(added_tokens=[{"id": 5, "content": "<|endoftext|>"}]))
        self.refused(r"added token '<x>' is not special, or strips spaces",
                     but(added_tokens=[{"id": 258, "content": "<x>", "lstrip": True}]))

    def test_broken_vocab_json_and_merges_txt(self):
        vocab = json.dumps({s: i for s, i in self.vocab.items() if s != "<|endoftext|>"})
        self.refused(r"merges\.txt: line 3 is 'Ġ t x', not two tokens",
                     {"vocab.json": vocab, "merges.txt": "#version: 0.2\nĠ t\nĠ t x\n"})
        self.refused(r"merges\.txt: line 2 \(Ġ q\): 'Ġq', the token it makes, is not in the vocabulary",
                     {"vocab.json": vocab, "merges.txt": "#version: 0.2\r\nĠ q\r\n"})
        self.refused(r"vocab\.json: should hold a JSON object, not list",
                     {"vocab.json": "[1]", "merges.txt": ""})
        self.refused(r"vocab\.json: token 'Ġt' has id '1', not a whole number",
                     {"vocab.json": vocab.replace('"\\u0120t": 256', '"\\u0120t": "1"'), "merges.txt": ""})


if __name__ == "__main__":
    unittest.main()
