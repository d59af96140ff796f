"""The product's settings with bench-only URLs added (bench/floor_urls.py): for `floor` only."""

from fcconsole.settings import *  # noqa: F403 - the product's settings, unchanged but for the URLs

ROOT_URLCONF = "bench.floor_urls"
