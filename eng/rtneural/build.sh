#!/usr/bin/env bash
# Builds rtneural-bench (eng/rtneural/*.cpp) against an RTNeural checkout: RTNeural's compile-time models, Eigen
# backend (its in-tree modules/Eigen), float. RTNeural is BSD-3-Clause and is not committed here; its headers are
# included from the checkout at build time and its commit is compiled into the binary (rtneural-bench --version).
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/common.sh"
HARNESS_DIR="$ENG_DIR/rtneural"

usage() {
  cat <<EOF
usage: eng/rtneural/build.sh <RTNeural checkout> [--out DIR] [--hidden "16 32 64 128 256"] [--cells "lstm gru"] [--jobs N]
                              [--backend eigen|xsimd] [--xsimd DIR]

Compiles one object per (cell, hidden size) from eng/rtneural/shapes.cpp (inputs 1, 4, 8 x layers 1, 2 each) and links
DIR/rtneural-bench (default DIR: \$REPO_ROOT/artifacts/rtneural). Flags:
  g++ -O3 -march=native -std=c++17 -DNDEBUG -DRTNEURAL_USE_EIGEN=1 -DRTNEURAL_DEFAULT_ALIGNMENT=32
      -DEIGEN_STACK_ALLOCATION_LIMIT=0 -I<checkout> -I<checkout>/modules/Eigen
(-DNDEBUG as in a CMake Release build: Eigen's asserts off; alignment 32 is what RTNeural's CMake picks with AVX;
EIGEN_STACK_ALLOCATION_LIMIT=0 because hidden >= 128 makes fixed-size weight matrices over Eigen's 128 KB limit.
The models are allocated on the heap.) Compiles run under nice -n 10. Extra flags: RTNBENCH_EXTRA_CXXFLAGS.
The checkout may be a work tree or a bare git directory (exported with git archive into DIR/src).
--backend xsimd builds RTNeural's other SIMD backend instead (-DRTNEURAL_USE_XSIMD=1; default DIR
\$REPO_ROOT/artifacts/rtneural-xsimd) for a side check; xsimd is a git submodule of RTNeural (modules/xsimd, not
in a bare mirror): pass --xsimd <an xsimd checkout at the submodule's commit> unless modules/xsimd is populated.
The issue-16 comparison (eng/rtneural-compare.sh) uses Eigen.
Exit codes: 0 = built, 1 = compile error, 2 = bad arguments or not an RTNeural checkout.
EOF
}

checkout="" out="" hidden="16 32 64 128 256" cells="lstm gru" jobs="$(nproc)" backend="eigen" xsimd=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --hidden) hidden="${2:?--hidden needs a list}"; shift 2 ;;
    --cells) cells="${2:?--cells needs a list}"; shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --backend) backend="${2:-}"; [[ "$backend" =~ ^(eigen|xsimd)$ ]] || { echo "error: --backend is eigen or xsimd" >&2; exit 2; }; shift 2 ;;
    --xsimd) xsimd="${2:?--xsimd needs an xsimd checkout}"; shift 2 ;;
    -*) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) [ -z "$checkout" ] || { echo "error: one RTNeural checkout path, got '$checkout' and '$1'" >&2; exit 2; }; checkout="$1"; shift ;;
  esac
done
[ -n "$checkout" ] || { usage >&2; exit 2; }
[ -n "$out" ] || out="$REPO_ROOT/artifacts/rtneural$([ "$backend" = eigen ] || echo "-$backend")"
[ -d "$checkout" ] || { echo "error: RTNeural checkout '$checkout' does not exist" >&2; exit 2; }
checkout="$(cd "$checkout" && pwd)"
for h in $hidden; do [[ "$h" =~ ^(16|32|64|128|256)$ ]] || { echo "error: hidden size '$h' is not one of 16 32 64 128 256" >&2; exit 2; }; done
for c in $cells; do [[ "$c" =~ ^(lstm|gru)$ ]] || { echo "error: cell '$c' is not lstm or gru" >&2; exit 2; }; done

mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The commit: from git when the checkout is a repository (a bare mirror has no work tree: export its HEAD).
commit="unknown"
src="$checkout"
if git -C "$checkout" rev-parse --git-dir >/dev/null 2>&1; then
  commit="$(git -C "$checkout" rev-parse HEAD)"
  if [ "$(git -C "$checkout" rev-parse --is-bare-repository 2>/dev/null)" = "true" ] || [ ! -f "$checkout/RTNeural/RTNeural.h" ]; then
    if [ ! -f "$checkout/RTNeural/RTNeural.h" ] && git -C "$checkout" cat-file -e HEAD:RTNeural/RTNeural.h 2>/dev/null; then
      src="$out/src/$commit"
      if [ ! -f "$src/RTNeural/RTNeural.h" ]; then
        log "exporting RTNeural $commit from the git directory $checkout to $src"
        rm -rf "$src.tmp" && mkdir -p "$src.tmp"
        git -C "$checkout" archive HEAD | tar -x -C "$src.tmp"
        mv "$src.tmp" "$src"
      fi
    fi
  elif [ -n "$(git -C "$checkout" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit+modified"
  fi
fi
[ "$commit" != "unknown" ] || log "warning: $checkout is not a git checkout, so its RTNeural commit cannot be recorded (results will say 'unknown'); pass a git clone"
for f in RTNeural/RTNeural.h RTNeural/ModelT.h RTNeural/lstm/lstm_eigen.h RTNeural/gru/gru_eigen.h RTNeural/dense/dense_eigen.h modules/Eigen/Eigen/Dense; do
  [ -f "$src/$f" ] || { echo "error: '$checkout' is not an RTNeural checkout: $f is missing (clone https://github.com/jatinchowdhury18/RTNeural; Eigen is in-tree under modules/Eigen)" >&2; exit 2; }
done

if ! command -v g++ >/dev/null 2>&1; then apt_install g++; fi
command -v g++ >/dev/null 2>&1 || { echo "error: g++ is not installed and could not be installed" >&2; exit 1; }

if [ "$backend" = eigen ]; then
  cxxflags="-O3 -march=native -std=c++17 -DNDEBUG -DRTNEURAL_USE_EIGEN=1 -DRTNEURAL_DEFAULT_ALIGNMENT=32 -DEIGEN_STACK_ALLOCATION_LIMIT=0"
  backend_include="$src/modules/Eigen"
else
  cxxflags="-O3 -march=native -std=c++17 -DNDEBUG -DRTNEURAL_USE_XSIMD=1 -DRTNEURAL_DEFAULT_ALIGNMENT=32"
  backend_include="${xsimd:-$src/modules/xsimd}/include"
  [ -f "$backend_include/xsimd/xsimd.hpp" ] || { echo "error: $backend_include/xsimd/xsimd.hpp is missing: xsimd is a submodule of RTNeural; pass --xsimd <xsimd checkout> (commit $(git -C "$checkout" rev-parse HEAD:modules/xsimd 2>/dev/null || echo 'of the submodule'))" >&2; exit 2; }
fi
[ -z "${RTNBENCH_EXTRA_CXXFLAGS:-}" ] || cxxflags="$cxxflags $RTNBENCH_EXTRA_CXXFLAGS"
includes=(-I"$src" -I"$backend_include")
# The model objects depend on the RTNeural commit, the compiler, the flags, shapes.cpp and harness.h; main.cpp and
# onnx_case.cpp are small and always recompiled.
stamp="$commit $backend_include $(g++ -dumpfullversion) $cxxflags $(cat "$HARNESS_DIR/shapes.cpp" "$HARNESS_DIR/harness.h" | sha256sum | cut -c1-16)"
stamp_file="$out/build.stamp"
[ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] || rm -f "$out"/*.o "$out/rtneural-bench"

objects=() todo=()
for c in $cells; do
  for h in $hidden; do
    o="$out/shapes_${c}_${h}.o"
    objects+=("$o")
    [ -f "$o" ] || todo+=("$c $h")
  done
done
if [ ${#todo[@]} -gt 0 ]; then
  log "compiling ${#todo[@]} RTNeural model units (${todo[*]}) with g++ $(g++ -dumpfullversion) $cxxflags; this takes a while"
  export out src cxxflags HARNESS_DIR backend_include
  printf '%s\n' "${todo[@]}" | xargs -P "$jobs" -L 1 bash -c '
    c=$0 h=$1; lstm=0; [ "$c" = lstm ] && lstm=1
    nice -n 10 g++ $cxxflags -I"$src" -I"$backend_include" -DRTNBENCH_LSTM=$lstm -DRTNBENCH_HIDDEN=$h \
      -c "$HARNESS_DIR/shapes.cpp" -o "$out/shapes_${c}_${h}.o.tmp" && mv "$out/shapes_${c}_${h}.o.tmp" "$out/shapes_${c}_${h}.o"' \
    || { echo "error: compiling the RTNeural models failed (see the compiler output above)" >&2; exit 1; }
fi
nice -n 10 g++ $cxxflags "${includes[@]}" -DRTNBENCH_RTNEURAL_COMMIT="\"$commit\"" -DRTNBENCH_CXXFLAGS="\"g++ $(g++ -dumpfullversion) $cxxflags\"" \
  -c "$HARNESS_DIR/main.cpp" -o "$out/main.o"
nice -n 10 g++ $cxxflags -c "$HARNESS_DIR/onnx_case.cpp" -o "$out/onnx_case.o"
nice -n 10 g++ -o "$out/rtneural-bench" "$out/main.o" "$out/onnx_case.o" "${objects[@]}"
echo "$stamp" > "$stamp_file"
echo "$commit" > "$out/rtneural-commit"
log "built $out/rtneural-bench (RTNeural $commit, $backend; $(wc -w <<< "$cells") cell(s) x hidden $hidden)"
echo "$out/rtneural-bench"
