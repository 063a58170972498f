"""Tests of template.yaml, samconfig.toml and the CloudFront viewer-request function."""
