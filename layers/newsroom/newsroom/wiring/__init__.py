"""Wiring: builds the use cases from settings and AWS clients, once per container."""
