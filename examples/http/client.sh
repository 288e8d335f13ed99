#!/bin/sh
# The Flowline HTTP API from a plain shell: deploy a flow, start a run, signal it, read its result.
#   flowline serve --embedded examples/http        # in another terminal
#   sh examples/http/client.sh
# FLOWLINE_URL (default http://127.0.0.1:8080) and FLOWLINE_TOKEN (an author token, when the server has tokens).
set -eu
BASE="${FLOWLINE_URL:-http://127.0.0.1:8080}"
HERE="$(cd "$(dirname "$0")" && pwd)"

api() { # method path [curl args…]: prints the body; fails on an HTTP error, printing the problem
  method="$1"; path="$2"; shift 2
  if [ -n "${FLOWLINE_TOKEN:-}" ]; then
    set -- -H "Authorization: Bearer $FLOWLINE_TOKEN" "$@"
  fi
  out="$(curl -sS -X "$method" -w '\n%{http_code}' "$@" "$BASE$path")"
  code="$(printf '%s' "$out" | tail -n 1)"
  body="$(printf '%s' "$out" | sed '$d')"
  case "$code" in
    2*) printf '%s\n' "$body" ;;
    *) printf 'flowline: %s %s answered %s: %s\n' "$method" "$path" "$code" "$body" >&2; exit 1 ;;
  esac
}

# 1. Deploy (201 the first time, 200 when the same text is already deployed).
api POST /v1/definitions -H 'Content-Type: application/yaml' --data-binary "@$HERE/approval.yaml" >/dev/null

# 2. Start a run; the answer is {"runId":"…"}.
run_id="$(api POST /v1/runs -H 'Content-Type: application/json' -d '{"name":"http-approval","input":{"amount":120}}' \
  | sed -n 's/.*"runId":"\([^"]*\)".*/\1/p')"
echo "started run $run_id"

# 3. Signal it; a retry with the same signalId is applied once.
api POST "/v1/runs/$run_id/signals/approve" -H 'Content-Type: application/json' -d '{"data":{"by":"ann"},"signalId":"approve-1"}' >/dev/null
echo "approved"

# 4. Wait for its result (long poll: the server answers when the run ends, or after timeoutMs).
api GET "/v1/runs/$run_id/result?wait=true&timeoutMs=30000"
