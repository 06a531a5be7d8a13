#!/usr/bin/env python3
"""Inspects the images hack/ship/build-images (and, given, Jib) produced, against the Dockerfiles.

  inspect-images.py IMAGES_DIR [--jib runtime=TAR] [--jib operator=TAR]

For the runtime and the operator, the final stage of images/<name>/Dockerfile is the reference
(ENTRYPOINT, CMD, USER, EXPOSE, WORKDIR, ENV); the Jib profile in <name>/pom.xml must say the
same, and every built image (the OCI layout IMAGES_DIR/oci, the docker-archive IMAGES_DIR/<name>.tar,
the Jib tarballs) must carry that config and these files: /app/<jar> (the jar that was built:
$STARLING_<NAME>_JAR or <name>/target, above the base layer), the JRE, /etc/passwd with user 65532, no shell, and in the runtime image the
sample models under /models/samples and the class-data-sharing archive /app/starling-runtime.jsa that
its entrypoint names (not in the Jib image: Jib cannot run the training step; the JVM starts without it).
"""
import gzip
import hashlib
import io
import json
import os
import pathlib
import re
import sys
import tarfile
import xml.etree.ElementTree as ET

REPO = pathlib.Path(__file__).resolve().parents[2]
IMAGES = {
    "runtime": {"jar": "starling-runtime.jar"},
    "operator": {"jar": "starling-operator.jar"},
}
SHELLS = ["bin/sh", "bin/bash", "bin/dash", "bin/ash", "bin/busybox", "usr/bin/sh", "usr/bin/bash", "usr/bin/dash"]
problems = []


def bad(msg):
    problems.append(msg)


# ------------------------------------------------------------------------------- references
def dockerfile(name):
    """The final stage's instructions of images/<name>/Dockerfile."""
    text = (REPO / f"images/{name}/Dockerfile").read_text()
    final = re.split(r"(?m)^FROM ", text)[-1]
    out = {"Env": []}
    for line in final.splitlines():
        m = re.match(r"(ENTRYPOINT|CMD|USER|EXPOSE|WORKDIR|ENV)\s+(.*)", line)
        if not m:
            continue
        key, val = m.groups()
        if key in ("ENTRYPOINT", "CMD"):
            out[key.title()] = json.loads(val)
        elif key == "USER":
            out["User"] = val.strip()
        elif key == "EXPOSE":
            out["ExposedPorts"] = {f"{p}/tcp" if "/" not in p else p: {} for p in val.split()}
        elif key == "WORKDIR":
            out["WorkingDir"] = val.strip()
        elif key == "ENV":
            out["Env"].append(val.strip())
    out.setdefault("Cmd", None)
    return out


def jib_profile(name):
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(REPO / f"{name}/pom.xml").getroot()
    profile = [p for p in root.findall("m:profiles/m:profile", ns) if p.findtext("m:id", namespaces=ns) == "jib"]
    if not profile:
        bad(f"{name}/pom.xml: no 'jib' profile")
        return None
    c = profile[0].find(".//m:plugin[m:artifactId='jib-maven-plugin']/m:configuration/m:container", ns)
    texts = lambda path: [e.text for e in c.findall(path, ns)]
    return {
        "Entrypoint": texts("m:entrypoint/m:entrypoint"),
        "Cmd": texts("m:args/m:arg") or None,
        "User": c.findtext("m:user", namespaces=ns),
        "ExposedPorts": {f"{p}/tcp": {} for p in texts("m:ports/m:port")},
        "WorkingDir": c.findtext("m:workingDirectory", namespaces=ns),
        "Env": [f"{e.tag.split('}')[1]}={e.text}" for e in c.find("m:environment", ns)],
    }


# ---------------------------------------------------------------------------- image readers
class Image:
    """config + merged file list of one image, from an OCI layout or a docker-archive."""

    def __init__(self, label, config, layers):
        self.label, self.config, self.layers = label, config, layers  # layers: list of bytes
        self.files = {}  # path -> (layer index, TarInfo)
        for i, blob in enumerate(layers):
            with tarfile.open(fileobj=io.BytesIO(blob)) as t:
                for m in t.getmembers():
                    p = m.name.lstrip("./")
                    base = p.rsplit("/", 1)
                    if base[-1].startswith(".wh."):
                        self.files.pop(p.replace(".wh.", "", 1), None)
                        continue
                    self.files[p] = (i, m)

    def read(self, path):
        i, m = self.files[path]
        with tarfile.open(fileobj=io.BytesIO(self.layers[i])) as t:
            return t.extractfile(m).read()


def unzip(b):
    return gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b


def from_oci(root, label, ref=None):
    """root: a directory or a tar holding an OCI layout; ref: the org.opencontainers.image.ref.name."""
    if root.is_file():
        t = tarfile.open(root)
        blob = lambda d: t.extractfile("blobs/" + d.replace(":", "/")).read()
        index = json.loads(t.extractfile("index.json").read())
    else:
        blob = lambda d: (root / "blobs" / d.replace(":", "/")).read_bytes()
        index = json.loads((root / "index.json").read_text())
    manifests = index["manifests"]
    if ref is not None:
        manifests = [m for m in manifests if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref]
    if len(manifests) != 1:
        bad(f"{label}: {len(manifests)} manifests for ref {ref}")
        return None
    manifest = json.loads(blob(manifests[0]["digest"]))
    if manifest.get("mediaType", "").endswith("image.index.v1+json"):
        manifest = json.loads(blob(manifest["manifests"][0]["digest"]))
    config = json.loads(blob(manifest["config"]["digest"]))
    return Image(label, config, [unzip(blob(l["digest"])) for l in manifest["layers"]])


def from_docker_archive(path, label):
    with tarfile.open(path) as t:
        manifest = json.loads(t.extractfile("manifest.json").read())[0]
        config = json.loads(t.extractfile(manifest["Config"]).read())
        layers = [unzip(t.extractfile(l).read()) for l in manifest["Layers"]]
        tags = manifest.get("RepoTags") or []
    img = Image(label, config, layers)
    img.tags = tags
    return img


# -------------------------------------------------------------------------------- the checks
def check(img, name, want, jar_dir=None, cds=True):
    if img is None:
        return
    c = img.config.get("config", {})
    for key in ("Entrypoint", "Cmd", "User", "ExposedPorts", "WorkingDir"):
        got = c.get(key) or None
        exp = want[key] or None
        if got != exp:
            bad(f"{img.label}: {key} is {got!r}, the Dockerfile says {exp!r}")
    for env in want["Env"]:
        if env not in (c.get("Env") or []):
            bad(f"{img.label}: Env lacks {env}")
    if (img.config.get("os"), img.config.get("architecture")) != ("linux", "amd64"):
        bad(f"{img.label}: platform {img.config.get('os')}/{img.config.get('architecture')}")
    jar = f"app/{IMAGES[name]['jar']}"
    if jar not in img.files:
        bad(f"{img.label}: no /{jar}")
    else:
        if img.files[jar][0] == 0:
            bad(f"{img.label}: /{jar} is in the base layer, not an application layer")
        if jar_dir is None:
            env = os.environ.get(f"STARLING_{name.upper()}_JAR")
            built_path = pathlib.Path(env) if env else REPO / name / "target" / IMAGES[name]["jar"]
        else:
            built_path = jar_dir / IMAGES[name]["jar"]
        built = built_path.read_bytes()
        if hashlib.sha256(img.read(jar)).digest() != hashlib.sha256(built).digest():
            bad(f"{img.label}: /{jar} is not {built_path}")
    for s in SHELLS:
        if s in img.files:
            bad(f"{img.label}: has a shell /{s}")
    if not any(p.endswith("bin/java") for p in img.files):
        bad(f"{img.label}: no bin/java")
    if "etc/passwd" in img.files and b":65532:" not in img.read("etc/passwd"):
        bad(f"{img.label}: /etc/passwd has no user 65532")
    if name == "runtime":
        # the class-data-sharing archive the entrypoint names, made in the image (not by Jib)
        archive = "app/starling-runtime.jsa"
        flag = "-XX:SharedArchiveFile=/" + archive
        if flag not in (c.get("Entrypoint") or []):
            bad(f"{img.label}: the entrypoint does not use {flag}")
        if cds and archive not in img.files:
            bad(f"{img.label}: no /{archive}")
        elif cds and (img.files[archive][0] == 0 or img.files[archive][1].size < 1 << 20):
            bad(f"{img.label}: /{archive} is in the base layer or under 1 MiB")
        elif not cds and archive in img.files:
            bad(f"{img.label}: has /{archive}, which only an image build's own JVM can make")
        samples = {p.name for p in (REPO / "samples/models").iterdir()
                   if p.suffix == ".onnx" or p.name.endswith((".request.json", ".signature.yaml"))}
        inside = {p.split("/")[-1] for p in img.files if p.startswith("models/samples/") and img.files[p][1].isfile()}
        if samples != inside:
            bad(f"{img.label}: /models/samples holds {sorted(inside)}, want {sorted(samples)}")
    print(f"{img.label}: {len(img.layers)} layers, {len(img.files)} paths, entrypoint {c.get('Entrypoint')}, "
          f"user {c.get('User')}, ports {sorted(c.get('ExposedPorts') or {})}")


def main(argv):
    out = pathlib.Path(argv[0])
    jib = dict(a.split("=", 1) for a in argv[2::2]) if len(argv) > 1 else {}
    for name in IMAGES:
        want = dockerfile(name)
        prof = jib_profile(name)
        if prof is not None:
            for key in ("Entrypoint", "Cmd", "User", "ExposedPorts", "WorkingDir", "Env"):
                if (prof[key] or None) != (want[key] or None):
                    bad(f"{name}/pom.xml jib profile: {key} is {prof[key]!r}, the Dockerfile says {want[key]!r}")
        img = from_oci(out / "oci", f"oci:{name}", ref=name)
        check(img, name, want)
        if img is not None:
            base = from_oci(out / "oci", "oci:base", ref="base")
            if base is not None:
                if img.layers[: len(base.layers)] != base.layers:
                    bad(f"oci:{name}: does not start with the base image's layers")
                if "tmp" in base.files and base.files["tmp"][1].mode & 0o7777 != 0o1777:
                    bad("oci:base: /tmp is not mode 1777")
        archive = from_docker_archive(out / f"{name}.tar", f"{name}.tar")
        check(archive, name, want)
        if not any(re.fullmatch(rf"(docker\.io/)?starling/{name}:[\w.-]+", t) for t in archive.tags):
            bad(f"{name}.tar: tags {archive.tags}")
        if name in jib:
            tar = pathlib.Path(jib[name])
            check(from_oci(tar, f"jib:{name}"), name, want, jar_dir=tar.parent, cds=False)
    for p in problems:
        print("PROBLEM " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
