"""Helpers shared by the integration, browser and benchmark code."""
