"""Moved pages' redirects, written into the CloudFront KeyValueStore by the redirects function.

Its own package in its own layer, beside awscrt: the store's API is signed
with SigV4A only, which botocore implements with awscrt (6 MB), so only the
function that writes the store carries it, and that function carries nothing
else (no core, no Jinja2, no Babel).
"""
