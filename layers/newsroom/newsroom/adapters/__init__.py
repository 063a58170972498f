"""Adapters: the only modules that talk to AWS. Each takes its boto3 client."""
