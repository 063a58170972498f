"""Site configuration: what ``site/site.yaml`` and ``site/categories.yaml`` say, parsed and checked."""
