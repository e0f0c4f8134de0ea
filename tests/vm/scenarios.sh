# shellcheck shell=bash
# tests/vm/scenarios.sh: the scenarios of tests/vm/run (filled in next).
build_site() { :; }
scenario_pair() { :; }
scenario_one_legged() { :; }
