"""The domain: what an article, a source key, a listing and a plan are. Pure: no I/O, no AWS."""
