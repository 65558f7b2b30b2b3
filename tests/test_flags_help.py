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
                with self.subTest(flag=flag):
                    self.assertEqual(float(m.group(1)), getattr(defaults, field))
                checked += 1
        self.assertGreaterEqual(checked, 8)  # steps, seed, the shape, lr, temperature, ...


if __name__ == "__main__":
    unittest.main()
