#!/usr/bin/python3
"""kubelet_secret.py - project a Secret into a volume directory the way the
kubelet does, for tests/integration/54_key_dir_writers.sh.

Usage: kubelet_secret.py MANIFEST VOLUME_DIR DATA [--fs-group GID]

MANIFEST is a Kubernetes manifest (conf/examples/keydir/kubernetes.yaml):
the pod template that mounts a Secret volume gives the Secret's name,
defaultMode (and items, if any) and the pod's fsGroup; the Secret of that
name gives the key names.  DATA holds the values ("NAME VALUE" lines, as
eesp-keydir-write reads them): it must hold every key of the manifest's
Secret (and may add prev, which a rotated set has), so that the manifest's
Secret is the one tested.  --fs-group replaces the
manifest's fsGroup (the gid of the image's daemon user) by the test's.

The projection follows the kubelet's AtomicWriter (pkg/volume/util/
atomic_writer.go) and the secret volume's permission step
(SetVolumeOwnership with the read-only mask), as read from the Kubernetes
source, step by step:
  - the volume root is a tmpfs (mode 1777); with fsGroup it gets group
    fsGroup, the set-gid bit and group r-x (mode 3777);
  - the payload is compared with the files behind ..data; unchanged: only
    the visible links are checked;
  - a new directory "..YYYY_MM_DD_HH_MM_SS.<random digits>" (UTC), mode
    0755, gets every key as a file of mode defaultMode (owner root);
  - with fsGroup, every file and directory of the volume that is not a
    symlink gets group fsGroup and mode | 0440 (directories also | 0110 and
    set-gid);
  - a symlink "..data_tmp" -> the new directory is renamed over "..data";
  - each key gets a visible link "KEY -> ..data/KEY" if it has none; links
    of keys no longer in the payload are removed;
  - the previous timestamped directory is removed.
"""
import os
import random
import stat
import sys
import time

import yaml

RO_MASK = 0o440  # a secret volume is read-only: group read
DIR_EXTRA = 0o110 | stat.S_ISGID


def fail(msg):
    sys.exit("kubelet_secret.py: " + msg)


def secret_volume(docs):
    """(secret name, defaultMode, items, fsGroup) of the first pod template
    that mounts a secret volume"""
    for d in docs:
        spec = (d.get("spec") or {}).get("template", {}).get("spec")
        if not spec:
            continue
        for v in spec.get("volumes", []):
            if "secret" in v:
                s = v["secret"]
                fs_group = (spec.get("securityContext") or {}).get("fsGroup")
                return s["secretName"], s.get("defaultMode", 0o644), s.get("items"), fs_group
    fail("no pod template mounts a secret volume")


def secret_keys(docs, name):
    for d in docs:
        if d.get("kind") == "Secret" and d["metadata"]["name"] == name:
            return set(d.get("stringData", {})) | set(d.get("data", {}))
    fail("no Secret named %s" % name)


def read_data(path):
    out = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            out[parts[0]] = (" ".join(parts[1:]) + "\n").encode()
    return out


def apply_fs_group(root, gid):
    """SetVolumeOwnership: group gid, | 0440 (dirs | 0110 and set-gid);
    symlinks are left alone"""
    for dirpath, dirnames, filenames in os.walk(root):
        for p in [dirpath] + [os.path.join(dirpath, n) for n in filenames]:
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                continue
            os.lchown(p, -1, gid)
            extra = RO_MASK | (DIR_EXTRA if stat.S_ISDIR(st.st_mode) else 0)
            os.chmod(p, stat.S_IMODE(st.st_mode) | extra)
        dirnames[:] = [n for n in dirnames if not os.path.islink(os.path.join(dirpath, n))]


def unchanged(payload, old_dir):
    if not old_dir:
        return False
    for k, (data, _) in payload.items():
        try:
            with open(os.path.join(old_dir, k), "rb") as f:
                if f.read() != data:
                    return False
        except FileNotFoundError:
            return False
    return set(os.listdir(old_dir)) == set(payload)


def write(volume, payload, fs_group):
    data_link = os.path.join(volume, "..data")
    try:
        old_ts = os.readlink(data_link)
    except FileNotFoundError:
        old_ts = ""
    old_dir = os.path.join(volume, old_ts) if old_ts else ""
    old_paths = set(os.listdir(old_dir)) if old_dir else set()
    to_remove = old_paths - set(payload)
    if unchanged(payload, old_dir):
        old_ts = ""  # the data stays; only the links are made
    else:
        prefix = time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime())
        ts = prefix + str(random.getrandbits(32))  # os.MkdirTemp: prefix + random decimal
        ts_dir = os.path.join(volume, ts)
        os.mkdir(ts_dir, 0o700)
        os.chmod(ts_dir, 0o755)
        for k, (data, mode) in payload.items():
            p = os.path.join(ts_dir, k)
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, mode)
        if fs_group is not None:
            apply_fs_group(volume, fs_group)
        tmp = os.path.join(volume, "..data_tmp")
        os.symlink(ts, tmp)
        os.rename(tmp, data_link)
    for k in payload:
        link = os.path.join(volume, k)
        if not os.path.lexists(link):
            os.symlink(os.path.join("..data", k), link)
    for k in to_remove:
        os.remove(os.path.join(volume, k))
    if old_ts:
        for dirpath, dirnames, filenames in os.walk(old_dir, topdown=False):
            for n in filenames:
                os.remove(os.path.join(dirpath, n))
            os.rmdir(dirpath)


def main():
    args = sys.argv[1:]
    fs_group_arg = None
    if "--fs-group" in args:
        i = args.index("--fs-group")
        fs_group_arg = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 3:
        fail("usage: kubelet_secret.py MANIFEST VOLUME_DIR DATA [--fs-group GID]")
    manifest, volume, data_path = args
    with open(manifest) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    name, default_mode, items, fs_group = secret_volume(docs)
    if items:
        fail("the example mounts a Secret with items; this emulation projects whole Secrets")
    if fs_group_arg is not None:
        if fs_group is None:
            fail("the manifest sets no fsGroup (eespd could not read the keys after its privilege drop)")
        fs_group = fs_group_arg
    data = read_data(data_path)
    keys = secret_keys(docs, name)
    if not keys <= set(data):
        fail("the data lacks %s of the Secret %s" % (sorted(keys - set(data)), name))
    if not os.path.isdir(volume):
        # the secret volume's emptyDir: a tmpfs root, mode 1777 (or 3777 with fsGroup)
        os.makedirs(volume)
        os.chmod(volume, 0o1777)
        if fs_group is not None:
            os.lchown(volume, -1, fs_group)
            os.chmod(volume, 0o1777 | 0o660 | DIR_EXTRA)
    write(volume, {k: (v, default_mode) for k, v in data.items()}, fs_group)


if __name__ == "__main__":
    main()
