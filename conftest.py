"""Root conftest: tests import the core from the layer folder, as Lambda does."""
