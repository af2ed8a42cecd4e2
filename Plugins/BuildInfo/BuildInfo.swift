import Foundation
import PackagePlugin

/// Records the version (the `VERSION` file, its one source) and the commit a binary is built
/// from, for `shipmeter --version`: before every build, a shell reads them (and whether tracked
/// files differ from the commit) and rewrites `BuildInfo.swift` only when that changed, so an
/// unchanged tree recompiles nothing. Outside a git checkout (a source archive) the commit reads
/// "unknown".
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let script = #"""
            set -u
            package=$1 output=$2
            mkdir -p "$output"
            commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            [ -n "$commit" ] || commit=unknown
            if [ "$commit" != unknown ] && ! git -C "$package" diff --quiet HEAD -- 2>/dev/null; then
                commit="$commit-modified"
            fi
            version=$(head -n 1 "$package/VERSION" 2>/dev/null | tr -cd '0-9A-Za-z.+~-') || version=
            [ -n "$version" ] || version=unknown
            text="// Written before each build by the BuildInfo plugin; not in git.
            enum BuildInfo {
                static let version = \"$version\"
                static let commit = \"$commit\"
            }"
            file="$output/BuildInfo.swift"
            if [ ! -f "$file" ] || [ "$(cat "$file")" != "$text" ]; then
                printf '%s\n' "$text" > "$file.tmp" && mv "$file.tmp" "$file"
            fi
            """#
        return [
            .prebuildCommand(
                displayName: "Recording the commit shipmeter is built from",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path(percentEncoded: false), output.path(percentEncoded: false)],
                outputFilesDirectory: output
            )
        ]
    }
}
