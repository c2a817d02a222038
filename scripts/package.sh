#!/usr/bin/env bash
# Builds every artifact of the auditor into target/dist/, from one release
# build (maturin's; the other artifacts carry the binary out of the wheel):
#
#   wirefault-VERSION-py3-none-PLATFORM.whl    pip install (maturin, bindings = "bin";
#                                              manylinux through zig on Linux)
#   wirefault-VERSION.tgz                      npm: the main package (a JS shim)
#   wirefault-cli-PLATFORM-ARCH-VERSION.tgz    npm: @wirefault/cli-PLATFORM-ARCH (the binary)
#   wirefault-VERSION-TARGET.tar.gz            the binary, README, licenses, changelog,
#                                              completions and man pages
#
#   bash scripts/package.sh                    # the host's target
#   WIREFAULT_TARGET=aarch64-unknown-linux-gnu bash scripts/package.sh
#
# Needs maturin and ziglang (PyPI; scripts/install-test-deps.sh installs
# them) and Node's npm. Another target needs its Rust target installed
# (`rustup target add`); completions and man pages need a target the host
# can run, and are left out of the archive otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

host=$(rustc -vV | sed -n 's/^host: //p')
target=${WIREFAULT_TARGET:-$host}
version=$(cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json, sys
print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "wirefault-cli"))')

# Rust target -> Node's process.platform / process.arch, and the binary's name.
case $target in
x86_64-unknown-linux-gnu) node_os=linux node_cpu=x64 ;;
aarch64-unknown-linux-gnu) node_os=linux node_cpu=arm64 ;;
x86_64-apple-darwin) node_os=darwin node_cpu=x64 ;;
aarch64-apple-darwin) node_os=darwin node_cpu=arm64 ;;
x86_64-pc-windows-msvc) node_os=win32 node_cpu=x64 ;;
*) echo "package.sh: no npm platform for $target" >&2; exit 2 ;;
esac
exe=wirefault
[ "$node_os" = win32 ] && exe=wirefault.exe

dist=target/dist
rm -rf "$dist"
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# 1. The wheel: the one release build. On Linux, zig links against an old
# glibc, so the wheel (and the binary in every other artifact) is manylinux2014.
linux_flags=()
case $target in
*-linux-gnu) linux_flags=(--zig --compatibility manylinux2014) ;;
esac
echo "--- maturin build ($target)"
python3 -m maturin build --release --target "$target" "${linux_flags[@]}" \
    -m crates/wirefault-cli/Cargo.toml --out "$dist"
wheel=$(ls "$dist"/wirefault-"$version"-*.whl)

# The binary, out of the wheel: the same bytes every artifact ships.
python3 - "$wheel" "$stage/$exe" "$version" "$exe" <<'PY'
import os, sys, zipfile
wheel, out, version, exe = sys.argv[1:]
with zipfile.ZipFile(wheel) as whl:
    data = whl.read(f"wirefault-{version}.data/scripts/{exe}")
with open(out, "wb") as f:
    f.write(data)
os.chmod(out, 0o755)
PY

# 2. The npm packages.
echo "--- npm pack"
node packaging/npm/stage.mjs "$version" "$stage/npm" "$stage/$exe" "$node_os" "$node_cpu" >/dev/null
for package in wirefault "cli-$node_os-$node_cpu"; do
    npm pack --silent --pack-destination "$PWD/$dist" "$stage/npm/$package" >/dev/null
done

# 3. The archive.
echo "--- tar.gz"
name=wirefault-$version-$target
mkdir -p "$stage/$name"
cp "$stage/$exe" crates/wirefault-cli/README.md LICENSE-MIT LICENSE-APACHE CHANGELOG.md "$stage/$name/"
if [ "$target" = "$host" ]; then
    mkdir -p "$stage/$name/completions"
    "$stage/$exe" completions bash >"$stage/$name/completions/wirefault.bash"
    "$stage/$exe" completions zsh >"$stage/$name/completions/_wirefault"
    "$stage/$exe" completions fish >"$stage/$name/completions/wirefault.fish"
    "$stage/$exe" man "$stage/$name/man/man1" >/dev/null
fi
tar -C "$stage" -czf "$dist/$name.tar.gz" --owner=0 --group=0 "$name"

echo "--- target/dist"
ls -l "$dist"
