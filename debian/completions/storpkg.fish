# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_storpkg_global_optspecs
    string join \n color= h/help V/version
end

function __fish_storpkg_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_storpkg_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_storpkg_using_subcommand
    set -l cmd (__fish_storpkg_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c storpkg -n "__fish_storpkg_needs_command" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_needs_command" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "check" -d 'Validate a profile and print a summary of the site'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "build" -d 'Build the site\'s packages and apt repository'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "plan" -d 'Show what upgrading the nodes from one profile to another does'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "preseed" -d 'Print the debian-installer preseed fragment of a storage node'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "diagram" -d 'Draw the storage stack of the site or of one node (SVG or dot)'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "schema" -d 'Print the JSON Schema of the profile (or, with --markdown, its reference)'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "completions" -d 'Print shell completions for storpkg'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "man" -d 'Print the storpkg(1) manual page (roff)'
complete -c storpkg -n "__fish_storpkg_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c storpkg -n "__fish_storpkg_using_subcommand check" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand check" -l deny-warnings -d 'Treat warnings as errors'
complete -c storpkg -n "__fish_storpkg_using_subcommand check" -s v -l verbose -d 'Also print every resolved setting, defaults included'
complete -c storpkg -n "__fish_storpkg_using_subcommand check" -s q -l quiet -d 'Print only the diagnostics, no summary'
complete -c storpkg -n "__fish_storpkg_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_using_subcommand check" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand build" -s o -l out -d 'Output directory' -r -F
complete -c storpkg -n "__fish_storpkg_using_subcommand build" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand build" -l deny-warnings -d 'Treat warnings as errors'
complete -c storpkg -n "__fish_storpkg_using_subcommand build" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_using_subcommand build" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand plan" -s o -l out -d 'The build output holding the last build\'s profile' -r -F
complete -c storpkg -n "__fish_storpkg_using_subcommand plan" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand plan" -l diff -d 'Print the unified diff of every changed file too'
complete -c storpkg -n "__fish_storpkg_using_subcommand plan" -l json -d 'Print the plan as JSON on stdout (refusals included)'
complete -c storpkg -n "__fish_storpkg_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_using_subcommand plan" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand preseed" -l node -d 'The storage node' -r
complete -c storpkg -n "__fish_storpkg_using_subcommand preseed" -l slot -d 'apt-setup slot: apt-setup/localN' -r
complete -c storpkg -n "__fish_storpkg_using_subcommand preseed" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand preseed" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_using_subcommand preseed" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand diagram" -l node -d 'Only this storage node' -r
complete -c storpkg -n "__fish_storpkg_using_subcommand diagram" -l format -d 'Output format' -r -f -a "svg\t'SVG, drawn in-process'
dot\t'Graphviz dot, for `dot -Tpng` and the like'"
complete -c storpkg -n "__fish_storpkg_using_subcommand diagram" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand diagram" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_using_subcommand diagram" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand schema" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand schema" -l markdown -d 'Print the profile reference (Markdown) instead'
complete -c storpkg -n "__fish_storpkg_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c storpkg -n "__fish_storpkg_using_subcommand schema" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand completions" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand completions" -s h -l help -d 'Print help'
complete -c storpkg -n "__fish_storpkg_using_subcommand completions" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand man" -l color -d 'When to colour diagnostics' -r -f -a "auto\t''
always\t''
never\t''"
complete -c storpkg -n "__fish_storpkg_using_subcommand man" -s h -l help -d 'Print help'
complete -c storpkg -n "__fish_storpkg_using_subcommand man" -s V -l version -d 'Print version'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "check" -d 'Validate a profile and print a summary of the site'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "build" -d 'Build the site\'s packages and apt repository'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "plan" -d 'Show what upgrading the nodes from one profile to another does'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "preseed" -d 'Print the debian-installer preseed fragment of a storage node'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "diagram" -d 'Draw the storage stack of the site or of one node (SVG or dot)'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "schema" -d 'Print the JSON Schema of the profile (or, with --markdown, its reference)'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "completions" -d 'Print shell completions for storpkg'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "man" -d 'Print the storpkg(1) manual page (roff)'
complete -c storpkg -n "__fish_storpkg_using_subcommand help; and not __fish_seen_subcommand_from check build plan preseed diagram schema completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
