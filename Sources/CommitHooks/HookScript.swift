/// The `prepare-commit-msg` hook shipmeter installs. `hooks/prepare-commit-msg` in the
/// repository is this text byte for byte (a test keeps them equal).
public enum HookScript {
    /// Marks a hook file as shipmeter's own.
    public static let marker = "# shipmeter-hook: prepare-commit-msg"

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

        # The small shipmeter-hook binary installed beside shipmeter tags the commit in a few
        # milliseconds; `shipmeter hook prepare-commit-msg` does the same work when it is missing.
        # PATH is searched here rather than with $(command -v), which would cost a fork.
        shipmeter_bin=
        saved_ifs=$IFS
        IFS=:
        for folder in $PATH; do
            if [ -f "${folder:-.}/shipmeter" ] && [ -x "${folder:-.}/shipmeter" ]; then
                shipmeter_bin="${folder:-.}/shipmeter"
                break
            fi
        done
        IFS=$saved_ifs
        if [ -z "$shipmeter_bin" ]; then
            shipmeter_bin=$(git config --get shipmeter.path 2>/dev/null)
            [ -n "$shipmeter_bin" ] && [ -x "$shipmeter_bin" ] || shipmeter_bin=
        fi
        if [ -z "$shipmeter_bin" ]; then
            echo "shipmeter: not found on PATH; commit not tagged" >&2
            exit 0
        fi
        tagger="${shipmeter_bin%/*}/shipmeter-hook"
        if [ -f "$tagger" ] && [ -x "$tagger" ]; then
            "$tagger" prepare-commit-msg "$@"
        else
            "$shipmeter_bin" hook prepare-commit-msg "$@"
        fi || echo "shipmeter: could not tag this commit (it goes through unchanged)" >&2
        exit 0

        """
}
