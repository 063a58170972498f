"""The web layer: view models, Jinja2 templates and the pages, feeds and files they become."""
