"""The embedded local stack: moto, a Lambda runner and a CDN, built from template.yaml.

Nothing here is deployed. It exists so that `make run` and the integration tests
exercise the very handlers and the very template that ship, without Docker or
an AWS account.
"""
