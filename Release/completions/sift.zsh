#compdef sift
# zsh completion for sift: the same candidates as the REPL's Tab, from `sift --complete LINE`.
# Install: put this file on $fpath as _sift (e.g. /usr/share/zsh/vendor-completions/_sift).
_sift() {
    local rest=${LBUFFER#*sift}
    local -a db
    while true; do
        rest=${rest##[[:space:]]#}
        case $rest in
            (--db\ *|--profile\ *|--endpoint\ *|-f\ *)
                local name=${rest%% *}; rest=${rest#* }; rest=${rest##[[:space:]]#}
                local value=${rest%% *}
                [[ $name == --db ]] && db=(--db $value)
                [[ $value == $rest ]] && { rest=; break }
                rest=${rest#* } ;;
            (--keep-going\ *) rest=${rest#* } ;;
            (*) break ;;
        esac
    done
    case $rest in
        (-*) compadd -- --db --keep-going -f --profile --endpoint --version --help --man --complete; return ;;
        (\'*|\"*) rest=${rest[2,-1]} ;;
        (*) rest=${rest//\\/} ;;
    esac
    local -a candidates
    candidates=("${(@f)$(sift $db --complete "$rest" 2>/dev/null)}")
    local partial=${rest##*[][[:space:]\(\),\{\}\|\;=\<\>\!~\"\'\`]}
    # Candidates replace the partial word; what comes before it in the shell's word stays.
    compset -P "*[][[:space:]\(\),\{\}\|\;=\<\>\!~\"\'\`]"
    [[ -n ${candidates[1]} ]] && compadd -Q -S '' -- $candidates
}
_sift "$@"
