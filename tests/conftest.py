"""Test-wide settings: a reproducible hypothesis profile for CI and local runs."""

from hypothesis import settings

settings.register_profile("nianbao", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("nianbao")
