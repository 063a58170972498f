"""Newsroom core: turns editors' source files into a static news site.

Handlers in ``functions/`` stay thin; everything they do lives here, importable
in tests without SAM.
"""
