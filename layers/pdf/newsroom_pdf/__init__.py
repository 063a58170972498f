"""Print-ready PDF of a published article, reproducible byte for byte."""
