"""
microgpt.commands: every command but the reference's two (train.py and
sample.py, at the top), each `python -m microgpt NAME` (__main__.py lists
them). A command parses its flags, calls the library and turns a user's
mistakes into one line; the work is the library's.
"""
