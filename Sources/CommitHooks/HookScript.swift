/// The `prepare-commit-msg` hook shipmeter installs. `hooks/prepare-commit-msg` in the
/// repository is this text byte for byte (a test keeps them equal).
public enum HookScript {
    /// Marks a hook file as shipmeter's own.
    public static let marker = "# shipmeter-hook: prepare-commit-msg"

    /// Suffix of the foreign hook that ours runs first.
    public static let chainedSuffix = ".shipmeter-chained"

    public static let prepareCommitMessage = """
        #!/bin/sh
        # shipmeter-hook: prepare-commit-msg
        # Adds Assisted-by / AI-Session trailers to commits made during an AI agent session.
        # Installed by `shipmeter hooks install`; removed by `shipmeter hooks uninstall`.
        # It never blocks a commit: if shipmeter is missing or fails, the message stays as it was.

        # A hook that was here before shipmeter runs first, and its failure still stops the commit.
        chained="$0.shipmeter-chained"
        if [ -x "$chained" ]; then
            "$chained" "$@" || exit $?
        fi

        [ "${SHIPMETER_DISABLE:-}" = "1" ] && exit 0

        shipmeter_bin=shipmeter
        if ! command -v "$shipmeter_bin" >/dev/null 2>&1; then
            shipmeter_bin=$(git config --get shipmeter.path 2>/dev/null)
        fi
        if [ -z "$shipmeter_bin" ] || ! command -v "$shipmeter_bin" >/dev/null 2>&1; then
            echo "shipmeter: not found on PATH; commit not tagged" >&2
            exit 0
        fi
        "$shipmeter_bin" hook prepare-commit-msg "$@" || echo "shipmeter: could not tag this commit (it goes through unchanged)" >&2
        exit 0

        """
}
