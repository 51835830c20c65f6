# bash completion for sockleak: commands, options, and their values (presets, transports, ops,
# socket options, verdicts, files). The word lists are generated from sockleak's own tables.
# Installed as share/bash-completion/completions/sockleak, where bash-completion loads it from.

@WORDS@

# _sockleak_reply WORD CANDIDATE...: the candidates that start with WORD. Bash completes only the
# part after the word's last ':' or '=' (COMP_WORDBREAKS), so that part is what is offered.
_sockleak_reply()
{
	local cur=$1 w pre
	shift
	pre=${cur%"${cur##*[:=]}"}
	COMPREPLY=()
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("${w#"$pre"}")
	done
	# A candidate that goes on (an op's ':', a list's ',', an option's '=') takes no space.
	for w in "${COMPREPLY[@]}"; do
		if [[ $w == *[:=,/] ]]; then
			compopt -o nospace 2>/dev/null
			break
		fi
	done
}

# _sockleak_files WORD PREFIX [dirs]: files (or directories) named by WORD, each after PREFIX.
_sockleak_files()
{
	local val=$1 pre=$2 f
	local -a c=()
	while IFS= read -r f; do
		[[ -d $f ]] && f+=/
		c+=("$pre$f")
	done < <(if [[ $3 == dirs ]]; then compgen -d -- "$val"; else compgen -f -- "$val"; fi)
	_sockleak_reply "$pre$val" "${c[@]}"
}

# _sockleak_list WORD PREFIX WORDS...: the last entry of a comma-separated list.
_sockleak_list()
{
	local val=$1 pre=$2 head= w
	shift 2
	[[ $val == *,* ]] && head=${val%,*},
	local -a c=()
	for w in "$@"; do
		c+=("$pre$head$w")
	done
	_sockleak_reply "$pre$val" "${c[@]}"
}

# _sockleak_sequence WORD PREFIX: a preset, or ops; after setsockopt:, a socket option.
_sockleak_sequence()
{
	local val=$1 pre=$2 head= last o
	local -a c=()
	[[ $val == *,* ]] && head=${val%,*},
	last=${val##*,}
	if [[ $last == setsockopt:* ]]; then
		for o in $_sockleak_sockopts; do
			c+=("$pre${head}setsockopt:$o=")
		done
	else
		[[ -z $head ]] && for o in $_sockleak_presets; do c+=("$pre$o"); done
		for o in $_sockleak_ops; do
			c+=("$pre$head$o")
		done
	fi
	_sockleak_reply "$pre$val" "${c[@]}"
}

# _sockleak_value_of CMD OPTION WORD PREFIX: completes the option's value.
_sockleak_value_of()
{
	local kind
	kind=$(_sockleak_value "$1" "$2")
	case $kind in
	words\ *) _sockleak_list "${3##*,}" "$4" ${kind#words } ;;
	list\ *) _sockleak_list "$3" "$4" ${kind#list } ;;
	sockopts) _sockleak_list "$3" "$4" $_sockleak_sockopts all none ;;
	sequence) _sockleak_sequence "$3" "$4" ;;
	file) _sockleak_files "$3" "$4" ;;
	dir) _sockleak_files "$3" "$4" dirs ;;
	pid) _sockleak_reply "$4$3" $(cd /proc && compgen -G '[0-9]*' | sed "s|^|$4|") ;;
	netns) _sockleak_reply "$4$3" $(ls /run/netns 2>/dev/null | sed "s|^|$4|") ;;
	*) COMPREPLY=() ;;
	esac
}

_sockleak()
{
	local line=${COMP_LINE:0:COMP_POINT} cur= cmd prev kind
	local -a toks
	read -ra toks <<<"$line"
	if [[ $line != *[[:space:]] && ${#toks[@]} -gt 0 ]]; then
		cur=${toks[-1]}
		unset 'toks[-1]'
	fi
	COMPREPLY=()
	if ((${#toks[@]} <= 1)); then
		_sockleak_reply "$cur" $_sockleak_commands --help --version
		return
	fi
	cmd=${toks[1]}
	# After "--", a command that runs another (sockleak vm) completes that one's command line.
	local i
	for ((i = 2; i < ${#toks[@]}; i++)); do
		if [[ ${toks[i]} == -- && $(_sockleak_operand "$cmd") == command ]]; then
			toks=(sockleak "${toks[@]:i+1}")
			if ((${#toks[@]} <= 1)); then
				_sockleak_reply "$cur" $_sockleak_commands
				return
			fi
			cmd=${toks[1]}
			i=1
		fi
	done
	if [[ $cmd == help ]]; then
		((${#toks[@]} == 2)) && _sockleak_reply "$cur" $_sockleak_commands
		return
	fi
	if [[ $cur == --*=* ]]; then
		_sockleak_value_of "$cmd" "${cur%%=*}" "${cur#*=}" "${cur%%=*}="
		return
	fi
	prev=${toks[-1]}
	if [[ $prev == -* && $prev != *=* ]]; then
		kind=$(_sockleak_value "$cmd" "$prev")
		if [[ $kind != flag && $kind != unknown ]]; then
			_sockleak_value_of "$cmd" "$prev" "$cur" ""
			return
		fi
	fi
	if [[ $cur == -* || $(_sockleak_operand "$cmd") != file ]]; then
		_sockleak_reply "$cur" $(_sockleak_options "$cmd")
		return
	fi
	_sockleak_files "$cur" ""
}

complete -F _sockleak sockleak
