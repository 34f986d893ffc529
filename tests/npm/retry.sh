# Sourced, not run: `npm_retry ARGS...` runs `npm ARGS...` up to three times.
#
# Every check that installs from the npm registry goes through this. A fresh CI machine
# starts with an empty npm cache, so each of those installs downloads hundreds of
# tarballs, and one dropped connection used to fail the whole run with nothing but
# "A complete log of this run can be found in ...". npm ci and npm install are safe to
# repeat (ci starts from an empty node_modules each time). When the last attempt fails
# too, the error lines of npm's own debug log are printed, so the cause is in the CI log.
npm_retry() {
  local attempt logs_dir before newest
  logs_dir=$(npm config get logs-dir 2>/dev/null || true)
  [ -n "$logs_dir" ] && [ "$logs_dir" != undefined ] || logs_dir=${HOME:-/root}/.npm/_logs
  for attempt in 1 2 3; do
    before=$(date +%s)
    if npm "$@"; then
      return 0
    fi
    printf 'npm %s: attempt %s of 3 failed\n' "$1" "$attempt" >&2
    newest=$(ls -t "$logs_dir"/*-debug-*.log 2>/dev/null | head -n 1 || true)
    if [ -n "$newest" ] && [ "$(stat -c %Y "$newest")" -ge "$before" ]; then
      printf '  the error lines of %s:\n' "$newest" >&2
      grep -E ' (error|warn) ' "$newest" | tail -n 25 | sed 's/^/    /' >&2 || true
    fi
    [ "$attempt" = 3 ] || sleep $((attempt * 10))
  done
  return 1
}
