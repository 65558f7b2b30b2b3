"""Every command's --help: it runs, every flag is explained, and the defaults
it states are the ones the program uses (Config's)."""
import re
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import microgpt.__main__
from microgpt.config import Config
from tests.support import help_of

COMMANDS = tuple(name for name, _, _ in microgpt.__main__.COMMANDS)


def help_text(command):
    result = help_of(command)
    assert result.returncode == 0, result.stderr
    return result.stdout


def options(text):
    """{flag: its description} of argparse's help text (descriptions joined over lines)."""
    found, flag = {}, None
    for line in text.splitlines():
        m = re.match(r"  (-\S+(?:, --\S+)?)(?: [A-Z_\"{][^ ]*)?(?:  +(.*))?$", line)
        if m:
            flag = m.group(1).split(", ")[-1]
            found[flag] = m.group(2) or ""
        elif flag and re.match(r" {10,}\S", line):
            found[flag] = (found[flag] + " " + line.strip()).strip()
        elif not line.strip() or not line.startswith(" "):
            flag = None
    return found


class FlagHelpTest(unittest.TestCase):
    def test_every_flag_of_every_command_is_explained(self):
        for command in COMMANDS:
            flags = options(help_text(command))
            with self.subTest(command=command):
                self.assertIn("--help", flags)
            for flag, description in flags.items():
                with self.subTest(command=command, flag=flag):
                    self.assertGreater(len(description.split()), 2, description)

    def test_train_states_configs_defaults(self):
        flags = options(help_text("train"))
        defaults = Config()
        checked = 0
        for flag, description in flags.items():
            m = re.search(r"\(default ([^):;,]+)", description)
            field = flag[2:].replace("-", "_")
            if m and hasattr(defaults, field):
                value = getattr(defaults, field)
                with self.subTest(flag=flag):
                    if isinstance(value, bool):  # --causal-mask on|off
                        self.assertEqual(m.group(1), "on" if value else "off")
                    elif isinstance(value, str):
                        self.assertEqual(m.group(1), value)
                    else:
                        self.assertEqual(float(m.group(1)), value)
                checked += 1
        self.assertGreaterEqual(checked, 8)  # steps, seed, the shape, lr, temperature, ...


class HelpAgainstTheParserTest(unittest.TestCase):
    """What --help says a default is, in a flag's line or the description, is
    the parser's own default for that flag: the value the command uses
    when the flag is not given. A default the command works out (from its
    data, its mode) is said in words, "(default: ...)", and the parser's is
    then None."""

    @staticmethod
    def parser_of(module):
        """The cli.ArgumentParser a command's main builds, caught at --help."""
        import importlib
        from unittest import mock
        from microgpt.plumbing import cli
        caught = []

        def record(parser, file=None):
            caught.append(parser)
            raise SystemExit(0)
        with mock.patch.object(cli.ArgumentParser, "print_help", record):
            try:
                importlib.import_module(module).main(["--help"])
            except SystemExit:
                pass
        return caught[0]

    @staticmethod
    def said(text):
        """The default a help text states: the words after "(default "."""
        return re.split(r"[;:)]|, ", text, maxsplit=1)[0]

    def assertSameDefault(self, stated, default, where):
        shown = ",".join(map(str, default)) if isinstance(default, list) else str(default)
        try:
            self.assertEqual(float(stated), float(default), where)
        except (TypeError, ValueError):
            self.assertEqual(stated, shown, where)

    def test_every_stated_default_is_the_parsers(self):
        import argparse
        checked = 0
        for name, module, _ in microgpt.__main__.COMMANDS:
            parser = self.parser_of(module)
            actions = {opt: a for a in parser._actions for opt in a.option_strings}
            for action in parser._actions:
                if not action.help or action.help == argparse.SUPPRESS:
                    continue
                text = " ".join(parser._get_formatter()._expand_help(action).split())
                for m in re.finditer(r"\(default(:?) ([^)]*)", text):
                    with self.subTest(command=name, flag=action.option_strings, text=m.group(0)):
                        if m.group(1):  # in words: a switch's, or one the command works out
                            self.assertTrue(action.nargs == 0 or action.default is None, text)
                        else:
                            self.assertSameDefault(self.said(m.group(2)), action.default, text)
                        checked += 1
            description = " ".join((parser.description or "").split())
            for sentence in re.split(r"(?<=\.) ", description):
                claim = sentence.partition("default")[2]  # what follows "default" says one
                for flag, value in re.findall(r"(--[a-z-]+) (\S+?)(?:[,;]|\.?(?:\s|$))", claim):
                    if flag in actions and actions[flag].nargs != 0 and actions[flag].default \
                            not in (None, argparse.SUPPRESS):
                        with self.subTest(command=name, description=flag):
                            self.assertSameDefault(value, actions[flag].default, sentence)
                            checked += 1
        self.assertGreater(checked, 100)


if __name__ == "__main__":
    unittest.main()
