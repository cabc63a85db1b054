#!/usr/bin/env bash
# Regenerates Sources/KWS/ONNX/Generated/onnx.pb.swift from onnx.proto.
# Needs: protoc (Debian protobuf-compiler), python3 with `onnx` (for its
# onnx.proto), and swift-protobuf's protoc-gen-swift of the version in
# Package.swift (built here if PROTOC_GEN_SWIFT is not set).
set -euo pipefail
cd "$(dirname "$0")/.."
proto_dir=$(python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')
plugin=${PROTOC_GEN_SWIFT:-}
if [ -z "$plugin" ]; then
    work=$(mktemp -d)
    git clone -q --branch 1.39.0 https://github.com/apple/swift-protobuf "$work/swift-protobuf"
    swift build -c release --package-path "$work/swift-protobuf" --product protoc-gen-swift
    plugin="$work/swift-protobuf/.build/release/protoc-gen-swift"
fi
tmp=$(mktemp -d)
cp "$proto_dir/onnx.proto" "$tmp/onnx.proto"
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$tmp" \
    --swift_out=Sources/KWS/ONNX/Generated --swift_opt=Visibility=Internal "$tmp/onnx.proto"
echo "wrote Sources/KWS/ONNX/Generated/onnx.pb.swift"
