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

# Reads `wrk --latency` output on stdin and prints "requests rps p99_ms": the requests made, the
# requests per second (whole), and the 99th percentile latency in milliseconds, whatever unit wrk
# printed it in.
wrk_numbers() {
  awk '
    / requests in / {r=$1}
    /^Requests\/sec:/ {rps=$2}
    $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; p99=v}
    END {printf "%d %d %.3f\n", r, rps, p99}'
}
