# bash completion for sift: the same candidates as the REPL's Tab, from `sift --complete LINE`.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/sift.
_sift() {
    local before=${COMP_LINE:0:COMP_POINT}
    local cur=${COMP_WORDS[COMP_CWORD]}
    # The sift line being typed: the words after the program and its options, unquoted.
    local rest=${before#*sift}
    local db=()
    while :; do
        rest=${rest#"${rest%%[![:space:]]*}"}
        case $rest in
            --db\ *|--profile\ *|--endpoint\ *|-f\ *)
                local name=${rest%% *}; rest=${rest#* }; rest=${rest#"${rest%%[![:space:]]*}"}
                local value=${rest%% *}
                [ "$name" = --db ] && db=(--db "$value")
                [ "$value" = "$rest" ] && { rest=; break; }
                rest=${rest#* } ;;
            --keep-going\ *) rest=${rest#* } ;;
            *) break ;;
        esac
    done
    case $rest in
        -*) COMPREPLY=($(compgen -W "--db --keep-going -f --profile --endpoint --version --help --man --complete" -- "$cur")); return ;;
        \'*|\"*) rest=${rest:1} ;;
        *) rest=${rest//\\/} ;;
    esac
    local IFS=$'\n'
    local candidates=($(sift "${db[@]}" --complete "$rest" 2>/dev/null))
    # The part of the word being completed that sift saw (after the last blank, bracket, ...).
    local partial=$rest
    while [[ $partial =~ [][[:space:]\(\),\{\}\|\;=\<\>\!~\"\'\`](.*)$ ]]; do partial=${BASH_REMATCH[1]}; done
    local keep=${cur%"$partial"}
    COMPREPLY=()
    local candidate
    for candidate in "${candidates[@]}"; do COMPREPLY+=("$keep$candidate"); done
    compopt -o nospace -o noquote 2>/dev/null
}
complete -F _sift sift
