"""The library checks its inputs where they come in: a Config, a sample
call's settings, the documents that start a run, a step past the run's
end, a Value. Each mistake is one ConfigError (a Value's: a TypeError) with
a message that names it, never a silent wrong result or a bare traceback."""
import math
import random
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.config import Config, ConfigError
from microgpt.generate import sample
from microgpt.optim import learning_rate
from microgpt.training import start, train_step
from microgpt.value import Value

DOCS = ["emma", "olivia", "ava", "isabella", "sophia"]
TINY = dict(n_embd=8, n_head=2, block_size=8)


def tiny_run(steps=3):
    examples, state = start(DOCS, Config(steps=steps, **TINY))
    for _ in range(steps):
        train_step(state, examples)
    return examples, state


class ConfigTypesTest(unittest.TestCase):
    def test_a_field_of_the_wrong_type_is_refused_as_the_config_is_built(self):
        for field, value, pattern in (("tie_weights", "no", "tie_weights must be True or False"),
                                      ("residual", 0, "residual must be True or False"),
                                      ("n_embd", "16", "n_embd must be a whole number"),
                                      ("steps", 10.0, "steps must be a whole number"),
                                      ("lr", "0.01", "lr must be a number"),
                                      ("norm", None, "norm must be a string")):
            with self.subTest(field=field, value=value):
                with self.assertRaisesRegex(ConfigError, pattern):
                    Config(**{field: value})
        self.assertFalse(Config(lr=1).tie_weights)  # a whole number is a number
        config = Config()
        config.n_head = "4"  # set after it was built: start still sees it
        with self.assertRaisesRegex(ConfigError, "n_head must be a whole number"):
            start(DOCS, config)

    def test_settings_that_do_not_go_together_are_refused_by_check(self):
        with self.assertRaisesRegex(ConfigError, "bpe_vocab_size needs tokenizer=.bpe."):
            start(DOCS, Config(bpe_vocab_size=40, **TINY))
        with self.assertRaisesRegex(ConfigError, "needs a bpe_vocab_size of at least 2"):
            start(DOCS, Config(tokenizer="bpe", **TINY))


class StartTest(unittest.TestCase):
    def test_documents_that_cannot_start_a_run(self):
        for docs, pattern in (([], "no documents"), ("emma", r"got a str; one document is \['emma'\]"),
                              (None, "got a NoneType"), (["emma", 3], r"docs\[1\] must be a string")):
            with self.subTest(docs=docs):
                with self.assertRaisesRegex((TypeError, ValueError), pattern):
                    start(docs, Config(**TINY))

    def test_a_step_with_no_examples(self):
        _, state = start(DOCS, Config(steps=5, **TINY))
        with self.assertRaisesRegex(ConfigError, "no examples"):
            train_step(state, [])
        self.assertEqual(state.step, 0)


class PastTheScheduleTest(unittest.TestCase):
    def test_a_step_past_the_end_is_refused_not_trained_with_a_negative_rate(self):
        config = Config(steps=100)
        self.assertLess(learning_rate(399, config), 0)  # what step 400 would have used
        examples, state = tiny_run(steps=3)
        weights = [p.data for row in state.params["wte"] for p in row]
        with self.assertRaisesRegex(ConfigError, r"done its 3 steps .*state\.config\.steps"):
            train_step(state, examples)
        self.assertEqual((state.step, len(state.losses)), (3, 3))
        self.assertEqual([p.data for row in state.params["wte"] for p in row], weights)
        state.config.steps = 4  # as the message says: a longer run goes on
        self.assertTrue(math.isfinite(train_step(state, examples)))


class SampleSettingsTest(unittest.TestCase):
    def test_settings_that_would_sample_the_wrong_distribution_are_refused(self):
        _, state = tiny_run()
        cases = ((dict(top_k=-1), "top_k must be a whole number, at least 1"),
                 (dict(top_k=0), "top_k"), (dict(top_k=2.0), "top_k"),
                 (dict(temperature=-1), "temperature must be a number, 0 or more"),
                 (dict(temperature=math.nan), "temperature"), (dict(temperature="hot"), "temperature"),
                 (dict(top_p=0), "top_p must be a number above 0"), (dict(top_p=1.5), "top_p"),
                 (dict(max_tokens=0), "max_tokens"), (dict(prefix=3), "prefix must be a string"),
                 (dict(prefix="zzz"), "the prefix has characters not in the vocabulary: 'z'"))
        for kw, pattern in cases:
            with self.subTest(**{k: repr(v) for k, v in kw.items()}):
                with self.assertRaisesRegex(ValueError, pattern):
                    sample(state.params, state.config, state.tokenizer, random.Random(0), **kw)
        with self.assertRaises(ConfigError):
            sample(state.params, state.config, state.tokenizer, random.Random(0), top_k=-1)
        # the settings that work still do, greedy included
        text = sample(state.params, state.config, state.tokenizer, random.Random(0),
                      temperature=0, top_k=1, top_p=1, max_tokens=3, prefix="em")
        self.assertTrue(text.startswith("em") and len(text) <= 3)


class ValueTest(unittest.TestCase):
    def test_a_value_holds_a_number(self):
        for bad in ("a", None, True, [1.0]):
            with self.subTest(bad=bad):
                with self.assertRaisesRegex(TypeError, "a Value holds one number"):
                    Value(bad)
        self.assertEqual((Value(2) * Value(1.5)).data, 3.0)

    def test_an_op_with_no_real_result_or_slope_is_refused_where_it_is_written(self):
        for op, error, pattern in (
                (lambda: Value(0.0) ** 0.5, ValueError, r"\*\* 0.5: its slope, .* is infinite at 0"),
                (lambda: Value(1.0) / 0, ValueError, r"/ 0: division by zero"),
                (lambda: Value(1.0) / Value(0.0), ValueError, r"division by zero"),
                (lambda: 2 / Value(0.0), ValueError, r"division by zero"),
                (lambda: Value(0.0) ** -2, ValueError, r"division by zero"),
                (lambda: Value(-8.0) ** (1 / 3), ValueError, r"no real number"),
                (lambda: Value(-1.0).log(), ValueError, r"log of .*needs a number above 0"),
                (lambda: Value(2) * "a", TypeError, r"\* 'a': 'a' is not a number"),
                (lambda: Value(2) + None, TypeError, r"\+ None: None is not a number"),
                (lambda: Value(2) - "a", TypeError, r"- 'a': 'a' is not a number"),
                (lambda: "a" * Value(2), TypeError, r"'a' is not a number"),
                (lambda: Value(2.0) / "a", TypeError, r"/ 'a': 'a' is not a number"),
                (lambda: Value(2.0) ** "x", TypeError, r"\*\* 'x': 'x' is not a number")):
            with self.subTest(pattern=pattern), self.assertRaisesRegex(error, pattern):
                op()
        # what has a value and a slope still works, and (-8) ** 2.0 is real
        self.assertEqual([(Value(-8.0) ** 2.0).data, (Value(4.0) ** 0.5).data, (Value(0.0) ** 2).data,
                          (Value(3.0) / 2).data, (Value(3) - 1).data], [64.0, 2.0, 0.0, 1.5, 2])


class TokensTest(unittest.TestCase):
    """A tokenizer names the text it cannot encode and the id it cannot
    decode; a step refuses an example whose ids the model has no row for."""

    def test_encode_names_the_unknown_text_and_decode_the_unknown_id(self):
        from microgpt.tokenizer import Tokenizer, UnknownText
        from microgpt.variants.bpe import BPETokenizer
        for tok in (Tokenizer.from_docs(DOCS), BPETokenizer.learn(DOCS, 20)):
            with self.subTest(tokenizer=type(tok).__name__):
                with self.assertRaisesRegex(UnknownText, r"'emmz' has characters not in the "
                                                         r"vocabulary: 'z'"):
                    tok.encode("emmz")
                self.assertTrue(issubclass(UnknownText, ValueError))
                for bad in (-1, tok.bos + 1, 1.5, "a"):
                    with self.assertRaisesRegex(ValueError, rf"from 0 to {tok.bos} \(BOS\), got"):
                        tok.decode([0, bad])
                self.assertEqual(tok.decode(tok.encode_document("emma")), "emma")

    def test_a_step_refuses_an_id_the_model_has_no_row_for(self):
        examples, state = start(DOCS, Config(steps=3, **TINY))
        params = [[p.data for p in row] for row in state.params["wte"]]
        for bad, error in (([[26, -1, 26]], ValueError), ([[0, state.config.vocab_size, 0]], ValueError),
                           ([[0]], ValueError), (["emma"], TypeError)):
            with self.subTest(bad=bad), self.assertRaisesRegex(error, r"examples\[0\]"):
                train_step(state, bad)
        self.assertEqual(state.step, 0)  # nothing trained
        self.assertEqual([[p.data for p in row] for row in state.params["wte"]], params)

    def test_a_classifier_step_refuses_a_class_it_does_not_have(self):
        from microgpt.architectures import bert
        from microgpt.training import start_planned
        examples, state = start_planned(bert.plan([DOCS, ["zoe", "mia"]], Config(
            model="classifier", causal_mask=False, steps=2, **TINY)))
        with self.assertRaisesRegex(ValueError, r"examples\[0\] has the class -1"):
            train_step(state, [(examples[0][0], -1)])

    def test_the_library_entry_points_refuse_blank_documents_and_a_dict(self):
        from microgpt.architectures import catalog
        for entry in (start, catalog.start):
            with self.subTest(entry=entry.__module__):
                with self.assertRaisesRegex(ValueError, r"docs\[0\] is blank"):
                    entry(["", ""], Config())
                with self.assertRaisesRegex(TypeError, "config must be a Config"):
                    entry(DOCS, {"steps": 5})


if __name__ == "__main__":
    unittest.main()
