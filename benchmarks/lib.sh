# Shared by the benchmark scripts: source it after HERE/ROOT are set.

# Refuses to go on when a port the script is about to use already answers on 127.0.0.1: a process
# left there would be measured instead of the one the script starts.
require_free_ports() {
  local port
  for port in "$@"; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
      echo "port $port is already in use on 127.0.0.1: stop that process first" >&2
      exit 1
    fi
  done
}
