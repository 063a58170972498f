"""Use cases: publish, re-render, search, media. They talk to AWS only through the ports they are given."""
