# fish completion for sift: the same candidates as the REPL's Tab, from `sift --complete LINE`.
# Install: copy to ~/.config/fish/completions/sift.fish (or /usr/share/fish/vendor_completions.d).
function __sift_complete
    set -l tokens (commandline -opc)
    # fish wants candidates unescaped and unquoted (it quotes what it inserts itself).
    set -l current (string replace -r '^[\'"]' '' -- (commandline -ct) | string replace -ra '\\\\(.)' '$1')
    set -l db
    set -l words
    set -l i 2
    while test $i -le (count $tokens)
        set -l token $tokens[$i]
        switch $token
            case --db
                set db --db $tokens[(math $i + 1)]
                set i (math $i + 2)
                continue
            case --profile --endpoint -f
                set i (math $i + 2)
                continue
            case --keep-going
            case '*'
                set -a words $token
        end
        set i (math $i + 1)
    end
    set -l line (string join -- ' ' $words $current)
    set -l partial (string replace -r '.*[][\s(),{}|;=<>!~"\'`]' '' -- $line)
    set -l keep (string replace -r (string escape --style=regex -- $partial)'$' '' -- $current)
    for candidate in (sift $db --complete "$line" 2>/dev/null)
        echo $keep$candidate
    end
end
complete -c sift -f -a '(__sift_complete)'
complete -c sift -l db -r -d 'The database file'
complete -c sift -l keep-going -d 'Go on after a line fails'
complete -c sift -s f -r -d 'Run a script'
complete -c sift -l profile -r -d 'The AWS profile for collect'
complete -c sift -l endpoint -r -d 'The AWS endpoint URL'
complete -c sift -l version -d 'Version, commit, SQLite'
complete -c sift -l man -d 'Print the manual page'
